// The `nnfeyn diagrams` outputs as strings: the text listing, the count table and JSON (schema nnfeyn.diagrams/1).
// Values are derivative-tensor entries: d^n y_o / dx^alpha = sum over diagrams of multiplicity * contribution.
import NNFeynAlgebra
import NNFeynModel
import NNFeynDiagrams
import NNFeynEval

/// What a diagram listing shows and how.
public struct DiagramListingOptions: Sendable, Equatable {
    /// Sort by size (largest |entry|) descending instead of canonical order; ties keep canonical order.
    public var sortBySize: Bool
    /// Drop diagrams whose contribution vanishes.
    public var onlyNonVanishing: Bool
    /// Keep only diagrams with this top layer and/or vertex count.
    public var filter: DiagramFilter
    /// Significant digits of doubles in text and LaTeX.
    public var significantDigits: Int
    /// At most this many contribution entries per diagram in LaTeX (the rest are counted); nil shows all.
    public var latexEntryLimit: Int?
    /// Whether LaTeX tables have a contribution column (the term then gets its own row).
    public var showContribution: Bool
    /// The widest a LaTeX drawing may be, in cm: wider grids are drawn with closer layers (labels keep their size).
    public var drawingWidth: Double

    /// Options; the defaults show every diagram in canonical order.
    public init(sortBySize: Bool = false, onlyNonVanishing: Bool = false, filter: DiagramFilter = DiagramFilter(),
                significantDigits: Int = 10, latexEntryLimit: Int? = 8, showContribution: Bool = true,
                drawingWidth: Double = DiagramLaTeX.defaultDrawingWidth) {
        self.sortBySize = sortBySize
        self.onlyNonVanishing = onlyNonVanishing
        self.filter = filter
        self.significantDigits = significantDigits
        self.latexEntryLimit = latexEntryLimit
        self.showContribution = showContribution
        self.drawingWidth = drawingWidth
    }
}

/// Text and JSON listings of diagrams with their contributions, and count tables.
public enum DiagramListing {
    /// The contributions the options keep, in the order they ask for.
    public static func select<S: Scalar>(_ contributions: [DiagramContribution<S>],
                                         options: DiagramListingOptions) -> [DiagramContribution<S>] {
        let kept = contributions.filter {
            options.filter.accepts($0.diagram) && !(options.onlyNonVanishing && $0.vanishes)
        }
        guard options.sortBySize else { return kept }
        // Sizes of NaN (numeric overflow) sort last; enumerated() keeps the sort stable.
        return kept.enumerated().sorted { a, b in
            let sa = a.element.size.isNaN ? -1 : a.element.size, sb = b.element.size.isNaN ? -1 : b.element.size
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
    }

    /// The notation legend printed above listings.
    public static let legend = """
        notation: o output index, j1 j2 ... vertex neurons, a1 ... an derivative indices; W_l layer weights,
          P^(l<-m) = W_l D_(l-1) W_(l-1) ... D_(m+1) W_(m+1), D_j = diag sigma_j'(z_j); repeated indices are summed.
        d^n y_o / dx^alpha = sum over diagrams of multiplicity * contribution[alpha] (contribution: one symmetrized term)
        """

    /// The text listing of one order.
    public static func text<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>,
                                       options: DiagramListingOptions = DiagramListingOptions()) -> String {
        let rules = DiagramRules(model.architecture)
        let formula = DiagramFormula(rules: rules)
        let shown = select(breakdown.contributions, options: options)
        var lines: [String] = []
        lines.append("diagrams of order \(breakdown.order) for '\(model.displayName)' "
                     + "(\(DiagramLaTeX.plural(model.input.dimension, "input")), "
                     + "\(DiagramLaTeX.plural(model.outputCount, "output")), "
                     + S.arithmetic.description + "): "
                     + "\(shown.count) of \(breakdown.contributions.count) shown")
        lines.append(legend)
        for c in shown {
            lines.append("")
            lines.append("\(c.diagram.id)  \(c.diagram.shape)")
            lines.append("  multiplicity  \(c.multiplicity)")
            lines.append("  formula       \(formula.text(c.diagram))")
            lines.append("  size          \(DiagramNumberFormat.text(c.size, significantDigits: options.significantDigits))")
            lines.append("  vanishes      " + (c.vanishing.map { "yes (\($0))" } ?? "no"))
            lines.append("  contribution")
            for o in 0..<c.tensor.outputCount {
                for p in c.tensor.positions {
                    let value = c.tensor.stored(output: o, position: p)
                    let list = c.tensor.basis.indexLists[p]
                    let index = list.isEmpty ? "" : " [" + list.map(String.init).joined(separator: ", ") + "]"
                    lines.append("    y_\(o)\(index) = \(DiagramNumberFormat.text(value, significantDigits: options.significantDigits))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `--count` table: order, diagrams and labelled terms for every order.
    public static func countTable(model: Model, counts: [DiagramCount]) -> String {
        let header = ["order", "diagrams", "labelled terms"]
        let rows = counts.map { [String($0.order), $0.diagrams.description, $0.labelledTerms.description] }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }
                .joined(separator: "  ")
        }
        let layers = model.layers.map { "\($0.name) \($0.activation.sourceForm)" }.joined(separator: ", ")
        var lines = ["diagram counts for '\(model.displayName)' (layers: \(layers.isEmpty ? "none" : layers))"]
        lines.append(line(header))
        lines.append(contentsOf: rows.map(line))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The count table as JSON (schema nnfeyn.diagram-counts/1); counts are exact JSON integers of any size.
    public static func countJSON(model: Model, counts: [DiagramCount]) -> String {
        let value: JSONValue = .object([
            "schema": "nnfeyn.diagram-counts/1",
            "network": .string(model.displayName),
            "model": networkJSON(model),
            "counts": .array(counts.map {
                ["order": .integer($0.order), "diagrams": DiagramNumberFormat.jsonInteger($0.diagrams),
                 "labelledTerms": DiagramNumberFormat.jsonInteger($0.labelledTerms)]
            }),
        ])
        return value.serialized() + "\n"
    }

    /// The network summary used in JSON outputs.
    public static func networkJSON(_ model: Model) -> JSONValue {
        .object([
            "name": .string(model.displayName),
            "inputs": .integer(model.input.dimension),
            "outputs": .integer(model.outputCount),
            "point": .array(model.point.map { .string($0.description) }),
            "layers": .array(model.layers.enumerated().map { i, layer in
                ["index": .integer(i + 1), "name": .string(layer.name), "width": .integer(layer.width),
                 "activation": .string(layer.activation.sourceForm)]
            }),
        ])
    }

    /// One diagram as a JSON object.
    public static func json<S: Scalar>(_ c: DiagramContribution<S>, formula: DiagramFormula) -> JSONValue {
        var entries: [JSONValue] = []
        for o in 0..<c.tensor.outputCount {
            for p in c.tensor.positions {
                let value = c.tensor.stored(output: o, position: p)
                // Same entry form as `expand`: the derivative and the Taylor coefficient (derivative / alpha!).
                let coefficient = c.tensor.coefficient(output: o, position: p)
                entries.append(["output": .integer(o), "index": .array(c.tensor.basis.indexLists[p].map { .integer($0) }),
                                "derivative": DiagramNumberFormat.json(value),
                                "coefficient": DiagramNumberFormat.json(coefficient)])
            }
        }
        var object: [String: JSONValue] = [
            "id": .string(c.diagram.id),
            "shape": .string(c.diagram.shape),
            "multiplicity": DiagramNumberFormat.jsonInteger(c.multiplicity),
            "automorphisms": DiagramNumberFormat.jsonInteger(c.diagram.automorphismOrder),
            "topLayer": .integer(c.diagram.topLayer),
            "vertices": .array(c.diagram.vertices.map { ["layer": .integer($0.layer), "degree": .integer($0.degree)] }),
            "formula": .string(formula.text(c.diagram)),
            "latex": .string(formula.latex(c.diagram, breakable: false)),
            "vertexCount": .integer(c.diagram.vertexCount),
            "size": .number(c.size),
            "vanishes": .bool(c.vanishes),
            "contribution": .array(entries),
        ]
        if let reason = c.vanishing { object["vanishing"] = .string(reason.description) }
        return .object(object)
    }

    /// The JSON listing (schema nnfeyn.diagrams/1): exact entries as "p/q" strings, numeric ones as numbers.
    public static func json<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>,
                                       options: DiagramListingOptions = DiagramListingOptions()) -> String {
        let formula = DiagramFormula(rules: DiagramRules(model.architecture))
        let shown = select(breakdown.contributions, options: options)
        let value: JSONValue = .object([
            "schema": "nnfeyn.diagrams/1",
            "network": .string(model.displayName),
            "model": networkJSON(model),
            "order": .integer(breakdown.order),
            "exact": .bool(S.arithmetic == .exact),
            "diagramCount": .integer(breakdown.contributions.count),
            "diagrams": .array(shown.map { json($0, formula: formula) }),
        ])
        return value.serialized() + "\n"
    }
}

/// The output formats of `nnfeyn diagrams`.
public enum DiagramOutputFormat: String, Sendable, CaseIterable {
    /// The text listing.
    case text
    /// JSON, schema nnfeyn.diagrams/1.
    case json
    /// A standalone LaTeX document.
    case latex
    /// Just the LaTeX longtable, for \input.
    case latexFragment = "latex-fragment"
}

extension DiagramListing {
    /// One order's listing in the requested format: the single entry point for the `diagrams` command.
    public static func render<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>, format: DiagramOutputFormat,
                                         options: DiagramListingOptions = DiagramListingOptions()) -> String {
        switch format {
        case .text: return text(model: model, breakdown: breakdown, options: options)
        case .json: return json(model: model, breakdown: breakdown, options: options)
        case .latex: return DiagramLaTeX.document(model: model, breakdown: breakdown, options: options)
        case .latexFragment: return DiagramLaTeX.fragment(model: model, breakdown: breakdown, options: options)
        }
    }
}
