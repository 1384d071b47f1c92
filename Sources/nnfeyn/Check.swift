import ArgumentParser
import Foundation
import NNFeynEval
import NNFeynLanguage

/// `nnfeyn check`: the expansion against central finite differences with Richardson extrapolation.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm an expansion against finite differences, order by order.",
        discussion: """
        Each order's error is the largest |expansion - finite difference| over the checked entries, relative to the
        largest derivative of that order. Orders with more than --samples entries are sampled (seeded) and marked.
        Default tolerances: order 0: 1e-12, 1-2: 1e-8, 3-4: 1e-5, 5-6: 1e-3, 7+: 1e-2.
        An order past its tolerance by less than twice the finite differences' own error estimate is 'unsure', not
        a failure. Exits 2 when an order is confidently past its tolerance, 1 for bad input.
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(help: ArgumentHelp("Tolerance: a number for every order, or ORDER=TOL for one order (repeatable).", valueName: "tol"))
    var tolerance: [String] = []
    @Option(help: "Check at most this many entries per order (a seeded sample beyond).")
    var samples: Int = 64
    @Option(help: "Seed of the sample.")
    var seed: UInt64 = 0
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        var failed = false
        try reportingErrors(diagnostics.style) {
            let order = try model.parsedOrder()
            guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
            let tolerances = try parsedTolerances(order: order)
            let network = try model.load()
            let mode = try arithmetic.mode()
            var options = CheckOptions(sampleLimit: samples, seed: seed)
            options.tolerances = tolerances
            let result = try evaluating(network) { () throws(EvaluationError) in
                let estimate = Expander.estimate(network: network, order: order)
                let progress = expansionProgress(network, estimatedCost: mode == .numeric ? estimate.cost : estimate.exactCost,
                                                 label: "expanding")
                return try Expander.expand(network, order: order, mode: mode, limit: model.limit, progress: progress)
            }
            let report = try evaluating(network) { () throws(EvaluationError) in
                try FiniteDifferences.check(result.numeric, of: network, options: options)
            }
            print("network  \(network.displayName)")
            print("mode     \(result.mode.rawValue)")
            print("point    \(network.input.name) = [" + network.point.map(\.description).joined(separator: ", ") + "]")
            print("")
            print("order  checked        max rel. error  fd error est.  tolerance  result")
            for o in report.orders {
                let checked = "\(o.checked)/\(o.total)" + (o.sampled ? " (sampled)" : "")
                print(pad(String(o.order), 5) + "  " + pad(checked, 13) + "  " + pad(sci(o.maxRelativeError), 14) + "  "
                      + pad(sci(o.maxRelativeErrorEstimate), 13) + "  " + pad(sci(o.tolerance), 9) + "  "
                      + (o.passed ? (o.inconclusive ? "unsure" : "ok") : "FAIL"))
            }
            if report.orders.contains(where: \.inconclusive) {
                print("\nunsure: past the tolerance, but within twice the finite differences' own error estimate;"
                      + " the reference is not accurate enough to decide (not a failure).")
            }
            if report.orders.contains(where: \.sampled) {
                print("\nsampled: orders with more entries than --samples \(samples) were checked on a seeded sample (--seed \(seed)).")
            }
            failed = !report.passed
            if failed { printError("check failed: an order is past its tolerance") }
        }
        if failed { throw ExitCode(2) }
    }

    func parsedTolerances(order: Int) throws -> [Int: Double] {
        var result: [Int: Double] = [:]
        for item in tolerance {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1, let value = Double(parts[0]), value.isFinite, value > 0 {
                for k in 0...order where result[k] == nil || true { result[k] = value }
            } else if parts.count == 2, let k = Int(parts[0]), k >= 0, let value = Double(parts[1]), value.isFinite, value > 0 {
                result[k] = value
            } else {
                throw ValidationError("--tolerance takes a positive number or ORDER=TOL, not '\(item)'")
            }
        }
        return result
    }

    func sci(_ x: Double) -> String { x.isFinite ? String(format: "%.2e", x) : "inf" }
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
