import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynDiagrams
import NNFeynEmit
import NNFeynEval
import NNFeynIO
import NNFeynModel
import NNFeynNPZ

/// `nnfeyn expand`: every derivative of every output up to an order, as a Taylor polynomial or JSON.
struct Expand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expand a network around its point: every derivative of every output up to --order.",
        discussion: """
        Exact (GMP rationals) when every needed activation value is rational, numeric (doubles, OpenBLAS) otherwise;
        the header says which. --precision BITS computes in MPFR instead, for any network at any point, and prints
        floor(BITS log10 2) significant digits, each confirmed by a second run at higher precision (text and json;
        decimal strings in json). --decimal DIGITS prints a correctly rounded decimal beside each exact fraction.
        --by-diagram breaks each order into its diagrams' contributions.
        --format npz -o FILE.npz writes NumPy arrays per order k: index_k (int64, count x k), derivative_k and
        coefficient_k (float64, outputs x count), with --dense also dense_k (outputs x d x ... x d), plus point and
        meta (a JSON string); exact values are written as their nearest doubles (--exact-strings adds exact_k).
        An output file named *.npz implies --format npz.

        Many points and reduced quantities (numeric mode runs all points as one batch and never forms the Hessian):
          --points P.npz            every row of the array 'points' (n x d; or a .npy), a point axis in the output
          --laplacian               sum_i d^2 f/dx_i^2 of every output
          --hessian-diagonal        d^2 f/dx_i^2 for each i
          --operator A.npy          sum_ij A_ij d^2 f/dx_i dx_j (A is d x d; in an .npz, the array 'operator')
          --direction 1,0,-2        the series of f(x + t v) in t to --order, with radius-of-convergence estimates
        Each writes text, json or npz as above (npz: a leading point axis, and 'points' in place of 'point').
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @OptionGroup var multiprecision: PrecisionOptions
    @Option(name: .customLong("format"), help: "Output format: text, json or npz (NumPy arrays; needs -o). Default: npz for -o *.npz, else text.")
    var formatOption: OutputFormat?
    @Flag(help: "Break each order down into its diagrams' contributions (text and json).")
    var byDiagram = false
    @Flag(help: "With --format npz: also write each order's full symmetric tensor, dense_k (outputs x d x ... x d).")
    var dense = false
    @Flag(help: "With --format npz and exact arithmetic: also write the exact derivatives as strings, exact_k.")
    var exactStrings = false
    @Option(parsing: .unconditional, help: "Significant digits of doubles in text output (1 to 17).")
    var digits: Int = 12
    @Option(parsing: .unconditional, help: ArgumentHelp("Show exact values also as decimals with this many significant digits (text and json).", valueName: "digits"))
    var decimal: Int?
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (.npz: arrays).")
    var output: String?
    @Option(help: "Expand at every point of this file: an .npz with an array 'points' (n x d), or a .npy.")
    var points: String?
    @Flag(help: "The Laplacian of every output (numeric: without forming the Hessian).")
    var laplacian = false
    @Flag(help: "The unsummed Hessian diagonal d^2 f/dx_i^2 of every output.")
    var hessianDiagonal = false
    @Option(name: .customLong("operator"), help: "sum_ij A_ij d^2 f/dx_i dx_j with A (d x d) from this .npy (or .npz array 'operator').")
    var operatorFile: String?
    @Option(parsing: .unconditional, help: "The series of f(x + t v) in t to --order along this comma-separated direction v.")
    var direction: String?
    @OptionGroup var diagnostics: DiagnosticOptions

    /// The format asked for, or implied by the output file's name.
    var format: OutputFormat { formatOption ?? (output?.hasSuffix(".npz") == true ? .npz : .text) }

    func run() throws {
        guard format != .latex else { throw ValidationError("expand writes text, json or npz; 'nnfeyn diagrams --format latex' draws diagrams") }
        if format == .npz {
            guard let output, output != "-" else { throw ValidationError("--format npz writes a binary file: name it with -o FILE.npz") }
            guard !byDiagram else { throw ValidationError("--by-diagram is available in text and json output, not npz") }
        } else {
            if dense { throw ValidationError("--dense applies to --format npz only") }
            if exactStrings { throw ValidationError("--exact-strings applies to --format npz only") }
        }
        guard (1...17).contains(digits) else { throw ValidationError("--digits must be between 1 and 17 (got \(digits))") }
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        let mode = try arithmetic.mode()
        let bits = try multiprecision.bits(besides: arithmetic)
        try checkOutput(output)
        let reductions = [laplacian, hessianDiagonal, operatorFile != nil, direction != nil].filter { $0 }.count
        guard reductions <= 1 else { throw ValidationError("choose one of --laplacian, --hessian-diagonal, --operator and --direction") }
        if let decimal {
            guard (1...100_000).contains(decimal) else { throw ValidationError("--decimal takes a number of digits from 1 to 100000, not \(decimal)") }
            guard format != .npz, points == nil, reductions == 0 else {
                throw ValidationError("--decimal applies to the text and json output of one expansion")
            }
        }
        if let bits {
            guard format != .npz, points == nil, reductions == 0, !byDiagram else {
                throw ValidationError("--precision expands one point fully, in text or json (not with --format npz, --points, --by-diagram or reduced quantities)")
            }
            let loaded = try model.load()
            let result = try expandMultiprecision(loaded, order: order, bits: bits, limit: limit)
            let label = ExpansionModeLabel(mode: "multiprecision", precision: PrecisionLabel(result))
            // alpha! of the derivatives is formed at the working precision (see MultiprecisionExpansion).
            let text = BigFloat.withPrecision(result.workingBits) { render(loaded, result.expansion, label, breakdown: nil) }
            return try writeOutput(text, to: output)
        }
        if points != nil || reductions > 0 {
            guard !byDiagram else { throw ValidationError("--by-diagram expands one point fully; it does not combine with --points or reduced quantities") }
            if reductions > 0 && (dense || exactStrings) {
                throw ValidationError("--dense and --exact-strings apply to expansions, not to --laplacian, --hessian-diagonal, --operator or --direction")
            }
            return try runPoints(order: order, limit: limit, mode: mode)
        }
        let loaded = try model.load()
        if byDiagram { try DiagramBreakdown.checkCount(loaded, upTo: order) }
        let result = try expandReportingProgress(loaded, order: order, mode: mode, limit: limit)
        let label = ExpansionModeLabel(mode: result.mode.rawValue,
                                       fallbackReason: result.fallbackReason.map { $0.diagnostic(in: loaded.architecture).message })
        if format == .npz, let output {
            let arrays: [(name: String, array: DenseArray)]
            switch result.values {
            case .exact(let expansion):
                arrays = try ExpansionArrays.arrays(model: loaded, expansion: expansion, mode: label, dense: dense, exactStrings: exactStrings)
            case .numeric(let expansion):
                arrays = try ExpansionArrays.arrays(model: loaded, expansion: expansion, mode: label, dense: dense, exactStrings: exactStrings)
            }
            var archive = NPZArchive()
            for (name, array) in arrays { archive.set(name, array) }
            try Files.write(archive.encoded(), to: output)
            return
        }
        let text: String
        switch result.values {
        case .exact(let expansion):
            text = try render(loaded, expansion, label, breakdown: byDiagram ? DiagramBreakdown.all(loaded, upTo: order, as: Rational.self) : nil)
        case .numeric(let expansion):
            text = try render(loaded, expansion, label, breakdown: byDiagram ? DiagramBreakdown.all(loaded, upTo: order, as: Double.self) : nil)
        }
        try writeOutput(text, to: output)
    }

    /// Many points, Hessian functionals, directional series.
    func runPoints(order: Int, limit: Int, mode: ExpansionMode) throws {
        let loaded = try model.load()
        let d = loaded.input.dimension
        var exactPoints = [loaded.point]
        if let points {
            let array = try Self.readArray(points, member: "points")
            guard (array.shape.count == 2 && array.shape[1] == d) || (array.shape.count == 1 && array.shape[0] == d) else {
                throw ValidationError("'\(points)' holds an array of shape \(array.shape), not n x \(d)")
            }
            guard array.values.allSatisfy(\.isFinite) else { throw ValidationError("'\(points)' holds a value that is not finite") }
            exactPoints = stride(from: 0, to: array.values.count, by: d).map { start in array.values[start..<(start + d)].map { Rational($0) } }
        }
        let doublePoints = exactPoints.map { $0.map(\.doubleValue) }
        func label(_ mode: ExpansionMode, _ reason: EvaluationError?) -> ExpansionModeLabel {
            ExpansionModeLabel(mode: mode.rawValue, fallbackReason: reason.map { $0.diagnostic(in: loaded.architecture).message })
        }
        let npz = format == .npz
        var arrays: [(name: String, array: DenseArray)] = []
        var text = ""
        if let direction {
            let v = try direction.split(separator: ",").map { part -> Double in
                guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw ValidationError("--direction takes \(d) comma-separated numbers, not '\(direction)'")
                }
                return value
            }
            guard v.count == d else { throw ValidationError("--direction has \(v.count) components; the input has dimension \(d)") }
            let series = try loaded.locating { () throws(EvaluationError) in
                try Expander.series(loaded, direction: v.map { Rational($0) }, order: order, points: exactPoints, mode: mode, limit: limit)
            }
            let tag = label(series.mode, series.fallbackReason)
            if npz { arrays = PointsOutput.arrays(model: loaded, series: series, direction: v, points: doublePoints, mode: tag) } else {
                text = format == .json ? PointsOutput.json(model: loaded, series: series, direction: v, points: doublePoints, mode: tag)
                    : PointsOutput.text(model: loaded, series: series, direction: v, points: doublePoints, mode: tag, significantDigits: digits)
            }
        } else if laplacian || hessianDiagonal || operatorFile != nil {
            var reduction = laplacian ? HessianReduction.laplacian : .diagonal
            if let operatorFile {
                let array = try Self.readArray(operatorFile, member: "operator")
                guard array.shape == [d, d] else { throw ValidationError("'\(operatorFile)' holds an array of shape \(array.shape), not \(d) x \(d)") }
                guard array.values.allSatisfy(\.isFinite) else { throw ValidationError("'\(operatorFile)' holds a value that is not finite") }
                reduction = .weighted(array.values)
            }
            let reduced = try loaded.locating { () throws(EvaluationError) in
                try Expander.reduce(loaded, reduction, points: exactPoints, mode: mode, limit: limit)
            }
            let tag = label(reduced.mode, reduced.fallbackReason)
            if npz { arrays = PointsOutput.arrays(model: loaded, reduced: reduced, points: doublePoints, mode: tag) } else {
                text = format == .json ? PointsOutput.json(model: loaded, reduced: reduced, points: doublePoints, mode: tag)
                    : PointsOutput.text(model: loaded, reduced: reduced, points: doublePoints, mode: tag, significantDigits: digits)
            }
        } else {
            let result = try loaded.locating { () throws(EvaluationError) in
                try Expander.expand(loaded, order: order, points: exactPoints, mode: mode, limit: limit)
            }
            let tag = label(result.mode, result.fallbackReason)
            func render<S: Scalar>(_ expansions: [TaylorExpansion<S>]) throws {
                if npz {
                    arrays = try ExpansionArrays.arrays(model: loaded, expansions: expansions, points: exactPoints, mode: tag,
                                                        dense: dense, exactStrings: exactStrings)
                } else if format == .json {
                    text = PointsOutput.json(model: loaded, expansions: expansions, points: doublePoints, exactPoints: exactPoints, mode: tag)
                } else {
                    text = PointsOutput.text(model: loaded, expansions: expansions, exactPoints: exactPoints, mode: tag, significantDigits: digits)
                }
            }
            switch result.expansions {
            case .exact(let expansions): try render(expansions)
            case .numeric(let batch): try render((0..<batch.pointCount).map { batch.expansion(at: $0) })
            }
        }
        if npz, let output {
            var archive = NPZArchive()
            for (name, array) in arrays { archive.set(name, array) }
            try Files.write(try archive.encoded(), to: output)
        } else {
            try writeOutput(text, to: output)
        }
    }

    /// The doubles of an array from a .npy file, or of the member `member` of an .npz, with its shape.
    static func readArray(_ path: String, member: String) throws -> (shape: [Int], values: [Double]) {
        let array: DenseArray
        do {
            if path.hasSuffix(".npy") {
                array = try DenseArray(npy: try Files.read(path, limit: 1 << 30), name: path)
            } else {
                let archive = try NPZArchive(contentsOf: URL(fileURLWithPath: path), displayPath: path)
                guard archive.contains(member) else {
                    throw ValidationError("'\(path)' has no array '\(member)' (it has: \(archive.names.joined(separator: ", ")))")
                }
                array = try archive.array(member)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("cannot read '\(path)': \(error)")
        }
        guard let values = array.doubles else { throw ValidationError("'\(path)' holds text, not numbers") }
        return (array.shape, values)
    }

    func render<S: Scalar>(_ model: Model, _ expansion: TaylorExpansion<S>, _ label: ExpansionModeLabel,
                           breakdown: [DiagramOrderBreakdown<S>]?) -> String {
        format == .json
            ? ExpansionOutput.json(model: model, expansion: expansion, mode: label, breakdown: breakdown, decimalDigits: decimal)
            : ExpansionOutput.text(model: model, expansion: expansion, mode: label, significantDigits: digits, breakdown: breakdown,
                                   decimalDigits: decimal)
    }
}

/// The per-diagram evaluation behind `expand --by-diagram` and `diagrams`.
enum DiagramBreakdown {
    /// Most diagrams an order may have before listing is refused (each is evaluated on its own).
    static let defaultLimit = 20_000

    /// Refuses, before any enumeration, orders whose diagrams the generating function counts beyond `limit`.
    static func checkCount(_ model: Model, upTo order: Int, limit: Int = defaultLimit) throws {
        if let first = DiagramCounter(rules: DiagramRules(model.architecture)).firstOrder(above: limit, upTo: order) {
            throw DiagramLimitExceeded(order: first.order, count: first.count, limit: limit)
        }
    }

    /// The point derivatives of `model` in `S` (errors located in the model's source).
    static func point<S: ActivationScalar>(_ model: Model, order: Int, as type: S.Type) throws -> (Network<S>, PointDerivatives<S>) {
        try model.locating { () throws(EvaluationError) in
            let network = try Expander.converted(model, as: S.self)
            return (network, try PointDerivatives<S>(network: network, order: order))
        }
    }

    /// Every order's diagrams with their contributions.
    static func all<S: ActivationScalar>(_ model: Model, upTo order: Int, as type: S.Type) throws -> [DiagramOrderBreakdown<S>] {
        let (network, point) = try point(model, order: order, as: S.self)
        return try DiagramEvaluator(network: network, point: point).breakdown(upTo: order, limit: defaultLimit)
    }
}
