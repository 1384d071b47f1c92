import ArgumentParser
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynDiagrams
import NNFeynEmit
import NNFeynEval
import NNFeynModel

/// `nnfeyn diagrams`: the diagrams of one order, their multiplicities, formulas and contributions.
struct Diagrams: ParsableCommand, StyledCommand {
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
    @Flag(help: "With --format latex: leave out the contribution column (the term takes its place).")
    var noContribution = false
    @Option(parsing: .unconditional, help: "With --format latex: the widest a drawing may be, in cm (layers are drawn closer to fit; default 4.2).")
    var drawingWidth: Double?
    @Option(help: "Sort: canonical (default) or size (largest contribution first).")
    var sort: DiagramSort = .canonical
    @Flag(help: "Keep only diagrams that do not vanish at the point.")
    var nonVanishing = false
    @Option(help: "Keep only diagrams whose top vertex sits on this layer (1-based, or a layer name).")
    var topLayer: String?
    @Option(parsing: .unconditional, help: "Keep only diagrams with this many vertices.")
    var vertices: Int?
    @Option(parsing: .unconditional, help: "Significant digits of doubles in text and LaTeX (1 to 17).")
    var digits: Int = 6
    @Option(parsing: .unconditional, help: "Refuse orders with more diagrams than this.")
    var maxDiagrams: Int = DiagramBreakdown.defaultLimit
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?
    @OptionGroup var diagnostics: DiagnosticOptions

    enum DiagramSort: String, ExpressibleByArgument, CaseIterable {
        case canonical
        case size
    }

    func run() throws {
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        guard (1...17).contains(digits) else { throw ValidationError("--digits must be between 1 and 17 (got \(digits))") }
        guard format != .npz else { throw ValidationError("diagrams writes text, json or latex; 'nnfeyn expand --format npz' writes tensors") }
        if format != .latex {
            for (flag, given) in [("--fragment", fragment), ("--no-contribution", noContribution), ("--drawing-width", drawingWidth != nil)] where given {
                throw ValidationError("\(flag) applies to --format latex only")
            }
        }
        if count && format == .latex { throw ValidationError("--count writes text or json; the LaTeX form lists diagrams of one order") }
        if let drawingWidth, !(drawingWidth.isFinite && drawingWidth >= 1 && drawingWidth <= 30) {
            throw ValidationError("--drawing-width must be between 1 and 30 cm (got \(drawingWidth))")
        }
        guard maxDiagrams >= 1 else { throw ValidationError("--max-diagrams must be at least 1 (got \(maxDiagrams))") }
        if let vertices, vertices < 0 { throw ValidationError("--vertices must be 0 or more (got \(vertices))") }
        guard order <= 200 else {
            throw Diagnostic(code: .tooLarge, message: "order \(order) is beyond what diagrams can list or count (at most 200)")
        }
        try checkOutput(output)
        let loaded = try model.load()
        if count {
            let counts = DiagramCounter(rules: DiagramRules(loaded.architecture)).counts(upTo: order)
            try writeOutput(format == .json ? DiagramListing.countJSON(model: loaded, counts: counts)
                                            : DiagramListing.countTable(model: loaded, counts: counts), to: output)
            return
        }
        let mode = try arithmetic.mode()
        let layer = try parsedTopLayer(loaded)
        var options = DiagramListingOptions(sortBySize: sort == .size, onlyNonVanishing: nonVanishing,
                                            filter: DiagramFilter(topLayer: layer, vertexCount: vertices))
        options.significantDigits = digits
        options.showContribution = !noContribution
        if let drawingWidth { options.drawingWidth = drawingWidth }
        // Refuse what the fused expansion would refuse too: the same size estimate guards both.
        _ = try loaded.locating { () throws(EvaluationError) in try Expander.checkedEstimate(loaded, order: order, limit: limit) }
        let text: String
        if mode != .numeric, let exact = try listing(loaded, order, options, as: Rational.self, fallible: mode == .automatic) {
            text = exact
        } else {
            text = try listing(loaded, order, options, as: Double.self, fallible: false) ?? ""
        }
        try writeOutput(text, to: output)
    }

    /// The listing in arithmetic S; nil when `fallible` and an exact value is irrational.
    func listing<S: ActivationScalar>(_ model: Model, _ order: Int, _ options: DiagramListingOptions, as type: S.Type,
                                      fallible: Bool) throws -> String? {
        let network: Network<S>, point: PointDerivatives<S>
        do { (network, point) = try DiagramBreakdown.point(model, order: order, as: S.self) } catch let failure as EvaluationFailure {
            if fallible, case .irrational = failure.error { return nil }
            throw failure
        }
        let breakdown = try DiagramEvaluator(network: network, point: point).breakdown(order: order, limit: maxDiagrams)
        let outputFormat: DiagramOutputFormat = switch format {
        case .text: .text
        case .json: .json
        case .latex: fragment ? .latexFragment : .latex
        case .npz: .json
        }
        return DiagramListing.render(model: model, breakdown: breakdown, format: outputFormat, options: options)
    }

    func parsedTopLayer(_ model: Model) throws -> Int? {
        guard let topLayer else { return nil }
        if let n = Int(topLayer), n >= 1, n <= model.layers.count { return n }
        if let i = model.layers.firstIndex(where: { $0.name == topLayer }) { return i + 1 }
        throw ValidationError("--top-layer takes a layer number 1...\(model.layers.count) or a layer name, not '\(topLayer)'")
    }
}
