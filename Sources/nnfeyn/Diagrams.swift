import ArgumentParser
import NNFeynAlgebra
import NNFeynDiagrams
import NNFeynEmit
import NNFeynEval
import NNFeynLanguage

/// `nnfeyn diagrams`: the diagrams of one order, their multiplicities, formulas and contributions.
struct Diagrams: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the diagrams of the --order-th derivative, or count them for every order (--count).",
        discussion: """
        Each diagram: a stable id, its shape (V<layer>[<degree>](children), x = input leg), its multiplicity
        (n!/|Aut|), its formula, and its contribution at the expansion point (exact or numeric, as in 'expand').
        The sum of multiplicity x contribution over the diagrams is the derivative tensor.
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Flag(help: "Count diagrams and labelled terms for every order up to --order, without evaluating.")
    var count = false
    @Option(help: "Output format: text, json or latex.")
    var format: OutputFormat = .text
    @Flag(help: "With --format latex: a table to \\input instead of a standalone document.")
    var fragment = false
    @Option(help: "Sort: canonical (default) or size (largest contribution first).")
    var sort: DiagramSort = .canonical
    @Flag(help: "Keep only diagrams that do not vanish at the point.")
    var nonVanishing = false
    @Option(help: "Keep only diagrams whose top vertex sits on this layer (1-based, or a layer name).")
    var topLayer: String?
    @Option(help: "Keep only diagrams with this many vertices.")
    var vertices: Int?
    @Option(help: "Significant digits of doubles in text and LaTeX.")
    var digits: Int = 6
    @Option(help: "Refuse orders with more diagrams than this.")
    var maxDiagrams: Int = 20_000
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?
    @OptionGroup var diagnostics: DiagnosticOptions

    enum DiagramSort: String, ExpressibleByArgument, CaseIterable {
        case canonical
        case size
    }

    func run() throws {
        try reportingErrors(diagnostics.style) {
            let order = try model.parsedOrder()
            guard order <= 200 else {
                throw Diagnostic(code: "E0302", message: "order \(order) is beyond what diagrams can list or count (at most 200)")
            }
            let network = try model.load()
            if count {
                let counts = DiagramCounter(rules: DiagramRules(network: network)).counts(upTo: order)
                try writeOutput(format == .json ? DiagramListing.countJSON(network: network, counts: counts)
                                                : DiagramListing.countTable(network: network, counts: counts), to: output)
                return
            }
            let mode = try arithmetic.mode()
            let layer = try parsedTopLayer(network)
            var options = DiagramListingOptions(sortBySize: sort == .size, onlyNonVanishing: nonVanishing,
                                                filter: DiagramFilter(topLayer: layer, vertexCount: vertices))
            options.significantDigits = digits
            // Refuse what the fused expansion would refuse too: the same size estimate guards both.
            _ = try evaluating(network) { () throws(EvaluationError) in
                try Expander.checkedEstimate(network, order: order, limit: model.limit)
            }
            let text: String
            if mode != .numeric, let exact = try listing(network, order, options, as: Rational.self, fallible: mode == .automatic) {
                text = exact
            } else {
                text = try listing(network, order, options, as: Double.self, fallible: false) ?? ""
            }
            try writeOutput(text, to: output)
        }
    }

    /// The listing in arithmetic S; nil when `fallible` and an exact value is irrational.
    func listing<S: ActivationScalar>(_ network: Network, _ order: Int, _ options: DiagramListingOptions, as type: S.Type,
                                      fallible: Bool) throws -> String? {
        let point: PointDerivatives<S>
        do { point = try Expander.pointDerivatives(of: network, order: order, as: S.self) } catch {
            if fallible, case .irrational = error { return nil }
            throw Diagnostic(error, in: network)
        }
        let breakdown: DiagramOrderBreakdown<S>
        do { breakdown = try DiagramEvaluator(network: network, point: point).breakdown(order: order, limit: maxDiagrams) } catch {
            throw Diagnostic(diagramError: error, in: network)
        }
        let outputFormat: DiagramOutputFormat = switch format {
        case .text: .text
        case .json: .json
        case .latex: fragment ? .latexFragment : .latex
        }
        return DiagramListing.render(network: network, breakdown: breakdown, format: outputFormat, options: options)
    }

    func parsedTopLayer(_ network: Network) throws -> Int? {
        guard let topLayer else { return nil }
        if let n = Int(topLayer), n >= 1, n <= network.layers.count { return n }
        if let i = network.layers.firstIndex(where: { $0.name == topLayer }) { return i + 1 }
        throw ValidationError("--top-layer takes a layer number 1...\(network.layers.count) or a layer name, not '\(topLayer)'")
    }
}
