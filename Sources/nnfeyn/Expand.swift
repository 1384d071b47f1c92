import ArgumentParser
import NNFeynAlgebra
import NNFeynDiagrams
import NNFeynEmit
import NNFeynEval
import NNFeynLanguage

/// `nnfeyn expand`: every derivative of every output up to an order, as a Taylor polynomial or JSON.
struct Expand: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expand a network around its point: every derivative of every output up to --order.",
        discussion: """
        Exact (GMP rationals) when every needed activation value is rational, numeric (doubles, OpenBLAS) otherwise;
        the header says which. --by-diagram breaks each order into its diagrams' contributions.
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text
    @Flag(help: "Break each order down into its diagrams' contributions.")
    var byDiagram = false
    @Option(help: "Significant digits of doubles in text output.")
    var digits: Int = 12
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        try reportingErrors(diagnostics.style) {
            guard format != .latex else { throw ValidationError("expand writes text or json; 'nnfeyn diagrams --format latex' draws diagrams") }
            let order = try model.parsedOrder()
            let mode = try arithmetic.mode()
            let network = try model.load()
            let result = try evaluating(network) { () throws(EvaluationError) in
                let estimate = Expander.estimate(network: network, order: order)
                let progress = expansionProgress(network, estimatedCost: mode == .numeric ? estimate.cost : estimate.exactCost,
                                                 label: "expanding")
                return try Expander.expand(network, order: order, mode: mode, limit: model.limit, progress: progress)
            }
            let label = ExpansionModeLabel(mode: result.mode.rawValue,
                                           fallbackReason: result.fallbackReason.map { Diagnostic($0, in: network).message })
            let text: String
            switch result.values {
            case .exact(let expansion):
                text = try render(network, expansion, label, breakdown: byDiagram ? breakdown(network, order, as: Rational.self) : nil)
            case .numeric(let expansion):
                text = try render(network, expansion, label, breakdown: byDiagram ? breakdown(network, order, as: Double.self) : nil)
            }
            try writeOutput(text, to: output)
        }
    }

    func render<S: Scalar>(_ network: Network, _ expansion: TaylorExpansion<S>, _ label: ExpansionModeLabel,
                           breakdown: [DiagramOrderBreakdown<S>]?) throws -> String {
        format == .json
            ? ExpansionOutput.json(network: network, expansion: expansion, mode: label, breakdown: breakdown)
            : ExpansionOutput.text(network: network, expansion: expansion, mode: label, significantDigits: digits, breakdown: breakdown)
    }

    func breakdown<S: ActivationScalar>(_ network: Network, _ order: Int, as type: S.Type) throws -> [DiagramOrderBreakdown<S>] {
        let point = try evaluating(network) { () throws(EvaluationError) in
            try Expander.pointDerivatives(of: network, order: order, as: S.self)
        }
        do { return try DiagramEvaluator(network: network, point: point).breakdown(upTo: order) } catch {
            throw Diagnostic(diagramError: error, in: network)
        }
    }
}
