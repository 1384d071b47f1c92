import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynEmit
import NNFeynEval
import NNFeynIO
import NNFeynModel

/// `nnfeyn check`: the expansion against a reference independent of the Taylor engine.
struct Check: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm an expansion against an independent reference, order by order.",
        discussion: """
        The reference differentiates plain forward passes of the network: exactly (rationals) when the network is a \
        polynomial (relu in its local linear form), otherwise in MPFR by central differences with Richardson \
        extrapolation, with step and precision chosen from the order so that its own error bound sits far below \
        the tolerance. Each order compares individual derivatives (all, or the pure ones, the four largest and a \
        seeded sample when there are more than --samples) and --directions random directional derivatives \
        D^k y[u,...,u], |u|_1 = 1.
        An order's error is the largest |expansion - reference| relative to the order's largest derivative.
        FAIL means past the tolerance by more than the reference's error bound; unsure means the reference could \
        not get accurate enough to decide (the reason is printed). Exact expansions of polynomial networks must \
        equal the exact reference. Default tolerances: exact 1e-20; doubles 1e-10 (orders 0-12), 1e-9 (13-20), \
        1e-8 beyond; --precision P: 2^-(P-8). A per-order tolerance (ORDER=TOL) wins over a plain one wherever \
        they are given. Exits 2 when an order fails, 1 for bad input.
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @OptionGroup var multiprecision: PrecisionOptions
    @Option(help: ArgumentHelp("Tolerance: a number for every order, or ORDER=TOL for one order (repeatable).", valueName: "tol"))
    var tolerance: [String] = []
    @Option(parsing: .unconditional, help: "Derivatives compared individually per order: all when there are fewer, else the pure ones, the largest and a seeded sample.")
    var samples: Int = 64
    @Option(parsing: .unconditional, help: "Random directions compared at every order.")
    var directions: Int = 4
    @Option(parsing: .unconditional, help: "Seed of the samples and directions.")
    var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Check this expansion ('nnfeyn expand --format json') instead of computing one.", valueName: "file"))
    var expansion: String?
    @Option(parsing: .unconditional, help: "Threads for the reference's forward passes (default: one per core).")
    var threads: Int?
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        guard directions >= 0 else { throw ValidationError("--directions must be 0 or more (got \(directions))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        let (everyOrder, perOrder) = try Self.parsedTolerances(tolerance)
        let mode = try arithmetic.mode()
        let bits = try multiprecision.bits(besides: arithmetic)
        if expansion != nil && (bits != nil || mode != .automatic) {
            throw ValidationError("--expansion takes the arithmetic from the file: leave out --exact, --numeric and --precision")
        }
        let loaded = try model.load()
        let checked: CheckedExpansion, modeName: String
        if let path = expansion {
            checked = try ExpansionDocument.read(try Files.read(path, limit: 1 << 30), path: path, model: loaded, order: order)
            modeName = Self.name(of: checked) + " (from \(path))"
        } else if let bits {
            checked = .multiprecision(try expandMultiprecision(loaded, order: order, bits: bits, limit: limit).expansion, bits: bits)
            modeName = Self.name(of: checked)
        } else {
            let result = try expandReportingProgress(loaded, order: order, mode: mode, limit: limit)
            (checked, modeName) = (CheckedExpansion(result), result.mode.rawValue)
        }
        var options = ExpansionCheckOptions(samples: samples, directions: directions, seed: seed,
                                            tolerance: everyOrder, orderTolerances: perOrder)
        if let threads { options.threads = threads }
        let report = try loaded.locating { () throws(EvaluationError) in try ExpansionCheck.run(checked, of: loaded, options: options) }
        print(render(report, model: loaded, mode: modeName))
        if !report.passed {
            printError("check failed: an order is past its tolerance")
            throw ExitCode(2)
        }
    }

    /// "exact", "numeric" or "multiprecision (P bits)".
    static func name(of expansion: CheckedExpansion) -> String {
        switch expansion {
        case .exact: "exact"
        case .numeric: "numeric"
        case .multiprecision(_, let bits): "multiprecision (\(bits) bits)"
        }
    }

    /// The tolerance for every order (the last plain value given) and the per-order ones, which win over it
    /// whatever the order of the arguments.
    static func parsedTolerances(_ items: [String]) throws -> (Double?, [Int: Double]) {
        var everyOrder: Double?
        var perOrder: [Int: Double] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 1, let value = Double(parts[0]), value.isFinite, value > 0 {
                everyOrder = value
            } else if parts.count == 2, let k = Int(parts[0]), k >= 0, let value = Double(parts[1]), value.isFinite, value > 0 {
                perOrder[k] = value
            } else {
                throw ValidationError("--tolerance takes a positive number or ORDER=TOL, not '\(item)'")
            }
        }
        return (everyOrder, perOrder)
    }

    func render(_ report: ExpansionCheckReport, model: Model, mode: String) -> String {
        var lines: [String] = []
        lines.append("network  \(model.displayName)")
        lines.append("mode     \(mode)")
        lines.append("point    \(model.input.name) = [" + model.point.map(\.description).joined(separator: ", ") + "]")
        lines.append("reference \(report.referenceSummary)")
        lines.append("")
        lines.append("order  checked            max rel. error  ref. error  tolerance  result")
        for o in report.orders {
            let checked = "\(o.entriesChecked)/\(o.entriesTotal)" + (o.directions > 0 ? " + \(o.directions) dir" : "")
            lines.append(pad(String(o.order), 5) + "  " + pad(checked, 17) + "  " + pad(sci(o.maxRelativeError), 14) + "  "
                         + pad(sci(o.maxReferenceError), 10) + "  " + pad(sci(o.tolerance), 9) + "  " + o.verdict.rawValue)
        }
        let details = report.orders.filter { $0.verdict != .ok }
        if !details.isEmpty { lines.append("") }
        for o in details {
            guard let worst = o.worst else { continue }
            let what = describe(worst.probe, output: worst.output, order: o.order, model: model, directions: report.directions)
            if o.verdict == .fail {
                let digits = shownDigits(worst)
                let bound = worst.referenceError.isZero ? "exact" : "+- " + worst.referenceError.text(significantDigits: 2)
                lines.append("order \(o.order) FAIL at \(what): expansion \(worst.value.text(significantDigits: digits)), "
                             + "reference \(worst.reference.text(significantDigits: digits)) (\(bound)), "
                             + "gap \(sci(worst.relativeGap)) of the order's scale \(o.scale.text(significantDigits: 3))")
            } else {
                lines.append("order \(o.order) unsure at \(what): " + (worst.reason ?? "the reference cannot resolve the gap"))
            }
        }
        if report.orders.contains(where: { $0.entriesChecked < $0.entriesTotal }) {
            lines.append("")
            lines.append("sampled: orders with more than --samples \(samples) derivatives were checked on the pure ones, the largest and a seeded sample (--seed \(seed)).")
        }
        if !report.directions.isEmpty {
            lines.append("")
            lines.append("directions: D^k y[u, ..., u] along \(report.directions.count) random u with |u|_1 = 1 and no zero component (--directions, --seed).")
        }
        return lines.joined(separator: "\n")
    }

    /// "d^3 y / dx0 dx1^2", or "D^3 y[u, ...] along u2 = [...]" for a direction.
    func describe(_ probe: CheckFinding.Probe, output: Int, order: Int, model: Model, directions: [[Rational]]) -> String {
        let outputName = (model.layers.last?.name ?? "y") + (model.outputCount > 1 ? "[\(output)]" : "")
        switch probe {
        case .entry(let indices):
            guard !indices.isEmpty else { return outputName }
            var parts: [String] = []
            var i = 0
            while i < indices.count {
                var j = i
                while j < indices.count && indices[j] == indices[i] { j += 1 }
                parts.append("d\(model.input.name)\(indices[i])" + (j - i > 1 ? "^\(j - i)" : ""))
                i = j
            }
            return "d" + (order > 1 ? "^\(order)" : "") + " \(outputName) / " + parts.joined(separator: " ")
        case .direction(let index):
            let u = directions.indices.contains(index) ? "[" + directions[index].map(\.description).joined(separator: ", ") + "]" : "?"
            return "D^\(order) \(outputName)[u, ...] along u\(index + 1) = \(u)"
        }
    }

    /// Enough digits to show where value and reference part.
    func shownDigits(_ finding: CheckFinding) -> Int {
        let size = finding.reference.magnitude.doubleValue, gap = (finding.value - finding.reference).magnitude.doubleValue
        guard size > 0, gap > 0, size.isFinite, gap.isFinite else { return 12 }
        return min(60, max(12, Int(log10(size / gap).rounded(.up)) + 3))
    }

    func sci(_ x: Double) -> String { x.isFinite ? String(format: "%.2e", x) : "inf" }
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
