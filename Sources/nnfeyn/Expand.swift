import ArgumentParser
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
        the header says which. --by-diagram breaks each order into its diagrams' contributions.
        --format npz -o FILE.npz writes NumPy arrays per order k: index_k (int64, count x k), derivative_k and
        coefficient_k (float64, outputs x count), with --dense also dense_k (outputs x d x ... x d), plus point and
        meta (a JSON string); exact values are written as their nearest doubles (--exact-strings adds exact_k).
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(help: "Output format: text, json or npz (NumPy arrays; needs -o).")
    var format: OutputFormat = .text
    @Flag(help: "Break each order down into its diagrams' contributions (text and json).")
    var byDiagram = false
    @Flag(help: "With --format npz: also write each order's full symmetric tensor, dense_k (outputs x d x ... x d).")
    var dense = false
    @Flag(help: "With --format npz and exact arithmetic: also write the exact derivatives as strings, exact_k.")
    var exactStrings = false
    @Option(parsing: .unconditional, help: "Significant digits of doubles in text output (1 to 17).")
    var digits: Int = 12
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?
    @OptionGroup var diagnostics: DiagnosticOptions

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
        try checkOutput(output)
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

    func render<S: Scalar>(_ model: Model, _ expansion: TaylorExpansion<S>, _ label: ExpansionModeLabel,
                           breakdown: [DiagramOrderBreakdown<S>]?) throws -> String {
        format == .json
            ? ExpansionOutput.json(model: model, expansion: expansion, mode: label, breakdown: breakdown)
            : ExpansionOutput.text(model: model, expansion: expansion, mode: label, significantDigits: digits, breakdown: breakdown)
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
