import ArgumentParser
import Foundation
import NNFeynDiagnostics
import NNFeynEval
import NNFeynModel

/// `nnfeyn check`: the expansion against central finite differences with Richardson extrapolation.
struct Check: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm an expansion against finite differences, order by order.",
        discussion: """
        Each order's error is the largest |expansion - finite difference| over the checked entries, relative to the
        largest derivative of that order. Orders with more than --samples entries are sampled (seeded) and marked.
        Default tolerances: order 0: 1e-12, 1-2: 1e-8, 3-4: 1e-5, 5-6: 1e-3, 7+: 1e-2. A per-order tolerance
        (ORDER=TOL) wins over a plain one wherever they are given.
        An order past its tolerance by less than twice the finite differences' own error estimate is 'unsure', not
        a failure. Exits 2 when an order is confidently past its tolerance, 1 for bad input.
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(help: ArgumentHelp("Tolerance: a number for every order, or ORDER=TOL for one order (repeatable).", valueName: "tol"))
    var tolerance: [String] = []
    @Option(parsing: .unconditional, help: "Check at most this many entries per order (a seeded sample beyond).")
    var samples: Int = 64
    @Option(parsing: .unconditional, help: "Seed of the sample.")
    var seed: UInt64 = 0
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        let tolerances = try Self.parsedTolerances(tolerance, order: order)
        let mode = try arithmetic.mode()
        let loaded = try model.load()
        var options = CheckOptions(sampleLimit: samples, seed: seed)
        options.tolerances = tolerances
        let result = try expandReportingProgress(loaded, order: order, mode: mode, limit: limit)
        let network = try loaded.locating { () throws(EvaluationError) in try Expander.converted(loaded, as: Double.self) }
        let report = FiniteDifferences.check(result.numeric, of: network, options: options)
        print("network  \(loaded.displayName)")
        print("mode     \(result.mode.rawValue)")
        print("point    \(loaded.input.name) = [" + loaded.point.map(\.description).joined(separator: ", ") + "]")
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
        if !report.passed {
            printError("check failed: an order is past its tolerance")
            throw ExitCode(2)
        }
    }

    /// Tolerances per order from `--tolerance` values: a plain number applies to every order that no ORDER=TOL
    /// names, whatever the order of the options.
    static func parsedTolerances(_ items: [String], order: Int) throws -> [Int: Double] {
        var perOrder: [Int: Double] = [:]
        var everywhere: Double?
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1, let value = Double(parts[0]), value.isFinite, value > 0 {
                everywhere = value
            } else if parts.count == 2, let k = Int(parts[0]), k >= 0, let value = Double(parts[1]), value.isFinite, value > 0 {
                perOrder[k] = value
            } else {
                throw ValidationError("--tolerance takes a positive number or ORDER=TOL, not '\(item)'")
            }
        }
        if let everywhere { for k in 0...order where perOrder[k] == nil { perOrder[k] = everywhere } }
        return perOrder
    }

    func sci(_ x: Double) -> String { x.isFinite ? String(format: "%.2e", x) : "inf" }
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
