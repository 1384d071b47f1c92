// The LaTeX form of a diagram listing: a longtable either as a fragment to \input or wrapped in a standalone
// document. It fits the text block of a portrait A4 or letter `article` (345 pt) and anything wider: the table is
// exactly \linewidth wide, the last column takes what the id, drawing and multiplicity leave, and the term, which
// can be long, gets a row of its own under its diagram (or the last column, without contributions). Drawings wider
// than the chosen width are drawn with closer layers, so their labels keep a printable size. Only standard
// packages: amsmath, array, longtable, booktabs, tikz (and geometry in the standalone document).
import NNFeynAlgebra
import NNFeynModel
import NNFeynDiagrams
import NNFeynEval

/// LaTeX listings of diagrams.
public enum DiagramLaTeX {
    /// The packages a fragment needs in the including document's preamble.
    public static let requiredPackages = ["amsmath", "array", "longtable", "booktabs", "tikz"]

    /// The default widest drawing, in cm: about a third of a portrait article's text block.
    public static let defaultDrawingWidth = 4.2

    /// A standalone document (portrait A4) with a title, the notation and the table.
    public static func document<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>,
                                           options: DiagramListingOptions = DiagramListingOptions()) -> String {
        let shown = DiagramListing.select(breakdown.contributions, options: options).count
        return """
            \\documentclass[10pt]{article}
            \\usepackage[a4paper,margin=2cm]{geometry}
            \\usepackage{\(requiredPackages.joined(separator: ","))}
            \\pagestyle{empty}
            \\begin{document}
            \\section*{Diagrams of order \(breakdown.order) of \\texttt{\(DiagramLaTeX.escape(model.displayName))}}
            \(plural(model.input.dimension, "input")), \(plural(model.outputCount, "output")), \(S.arithmetic.description) values; \
            \(shown) of \(breakdown.contributions.count) diagrams shown.
            Indices: $o$ output, $j_1, j_2, \\dots$ vertex neurons, $a_1, \\dots, a_n$ derivative indices;
            $W^{(l)}$ the weights of layer $l$, $P^{(l\\leftarrow m)} = W^{(l)} D_{l-1} W^{(l-1)} \\cdots D_{m+1} W^{(m+1)}$,
            $D_j = \\operatorname{diag}\\sigma_j'(z_j)$; repeated indices are summed.
            $\\partial^n y_o / \\partial x^\\alpha = \\sum_{\\text{diagrams}} \\text{multiplicity} \\times
            \\text{contribution}_\\alpha$, the contribution being one term symmetrized in $a_1, \\dots, a_n$.

            \(fragment(model: model, breakdown: breakdown, options: options))
            \\end{document}

            """
    }

    /// Just the longtable, for \input into a document that loads `requiredPackages`.
    public static func fragment<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>,
                                           options: DiagramListingOptions = DiagramListingOptions()) -> String {
        let rules = DiagramRules(model.architecture)
        let tikz = DiagramTikZ(rules: rules, fittingWidth: options.drawingWidth)
        let formula = DiagramFormula(rules: rules)
        let shown = DiagramListing.select(breakdown.contributions, options: options)
        let drawing = format2(tikz.width)
        // Fixed columns (id, drawing, multiplicity) and the last one, which fills what is left of \linewidth.
        let last = "\\dimexpr\\linewidth-\(format2(1.0 + tikz.width + 0.9))cm-6\\tabcolsep\\relax"
        let header = "ID & diagram & mult. & " + (options.showContribution ? "contribution" : "term") + " \\\\"
        var out = ["% nnfeyn diagrams of order \(breakdown.order); needs \\usepackage{\(requiredPackages.joined(separator: ","))}",
                   "\\begin{longtable}{@{}>{\\raggedright\\arraybackslash}m{1.0cm} >{\\centering\\arraybackslash}m{\(drawing)cm} "
                   + ">{\\raggedleft\\arraybackslash}m{0.9cm} >{\\raggedright\\arraybackslash}m{\(last)}@{}}",
                   "\\toprule", header, "\\midrule", "\\endfirsthead",
                   "\\toprule", header, "\\midrule", "\\endhead",
                   "\\bottomrule", "\\endfoot"]
        for c in shown {
            let term = "$" + formula.latex(c.diagram) + "$"
            out.append("\(c.diagram.id) & \(tikz.picture(c.diagram))")
            if options.showContribution {
                // The term, often long, gets a full-width row of its own, kept on the page with its diagram.
                out.append("& \(c.multiplicity) & \(contributionCell(c, options: options)) \\\\*")
                out.append("\\multicolumn{4}{@{}p{\\linewidth}@{}}{\\small term: \(term)} \\\\")
            } else {
                out.append("& \(c.multiplicity) & \\small \(term) \\\\")
            }
            out.append("\\addlinespace[4pt]")
        }
        if shown.isEmpty { out.append("\\multicolumn{4}{l}{no diagrams} \\\\") }
        out.append("\\end{longtable}")
        return out.joined(separator: "\n") + "\n"
    }

    /// The contribution column: entries (up to the option's limit), the size, and the vanishing marker.
    static func contributionCell<S: Scalar>(_ c: DiagramContribution<S>, options: DiagramListingOptions) -> String {
        if let reason = c.vanishing { return "\\textit{vanishes}: \(latex(reason))" }
        var items: [String] = []
        var total = 0
        for o in 0..<c.tensor.outputCount {
            for p in c.tensor.positions {
                let value = c.tensor.stored(output: o, position: p)
                total += 1
                if let limit = options.latexEntryLimit, items.count >= limit { continue }
                let list = c.tensor.basis.indexLists[p]
                let index = list.isEmpty ? "" : "[" + list.map(String.init).joined(separator: ",") + "]"
                items.append("$y_{\(o)}\(index) = \(DiagramNumberFormat.latex(value, significantDigits: options.significantDigits))$")
            }
        }
        if total > items.count { items.append("\\dots\\ (\(total - items.count) more)") }
        items.append("{\\footnotesize size $\(DiagramNumberFormat.latex(c.size, significantDigits: min(options.significantDigits, 6)))$}")
        return items.joined(separator: "\\newline ")
    }

    /// A vanishing reason in LaTeX.
    static func latex(_ reason: DiagramVanishing) -> String {
        switch reason {
        case .vertexDerivativeZero(let layer, let degree):
            return "$\\sigma_{\(layer)}^{(\(degree))}(z_{\(layer)}) = 0$"
        case .propagatorZero(let to, let from):
            if to == from { return "$\\sigma_{\(to)}'(z_{\(to)}) = 0$" }
            return to == from + 1 ? "$W^{(\(to))} = 0$" : "$P^{(\(to)\\leftarrow \(from))} = 0$"
        case .cancellation: return "cancellation"
        }
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)" + (n == 1 ? "" : "s") }

    static func format2(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}

extension DiagramLaTeX {
    /// The text with LaTeX's special characters escaped, safe in text mode.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\textbackslash{}"
            case "{", "}", "_", "#", "$", "%", "&": out += "\\" + String(c)
            case "^": out += "\\textasciicircum{}"
            case "~": out += "\\textasciitilde{}"
            default: out.append(c)
            }
        }
        return out
    }
}
