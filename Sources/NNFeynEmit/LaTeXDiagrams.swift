// The LaTeX form of a diagram listing: a longtable (one row per diagram: id, drawing, term, multiplicity,
// contribution) either as a fragment to \input or wrapped in a standalone document. Only standard packages:
// amsmath, array, longtable, booktabs, tikz (and geometry in the standalone document).
import NNFeynAlgebra
import NNFeynModel
import NNFeynDiagrams
import NNFeynEval

/// LaTeX listings of diagrams.
public enum DiagramLaTeX {
    /// The packages a fragment needs in the including document's preamble.
    public static let requiredPackages = ["amsmath", "array", "longtable", "booktabs", "tikz"]

    /// A standalone document (landscape A4) with a title, the notation and the table.
    public static func document<S: Scalar>(model: Model, breakdown: DiagramOrderBreakdown<S>,
                                           options: DiagramListingOptions = DiagramListingOptions()) -> String {
        let shown = DiagramListing.select(breakdown.contributions, options: options).count
        return """
            \\documentclass[10pt]{article}
            \\usepackage[a4paper,landscape,margin=1.5cm]{geometry}
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
        let tikz = DiagramTikZ(rules: rules)
        let formula = DiagramFormula(rules: rules)
        let shown = DiagramListing.select(breakdown.contributions, options: options)
        let drawing = String(format2(tikz.width))
        let header = "ID & diagram & term & mult. & contribution \\\\"
        var out = ["% nnfeyn diagrams of order \(breakdown.order); needs \\usepackage{\(requiredPackages.joined(separator: ","))}",
                   "\\begin{longtable}{@{}>{\\raggedright\\arraybackslash}m{1.1cm} m{\(drawing)cm} "
                   + ">{\\raggedright\\arraybackslash}m{8.4cm} >{\\raggedleft\\arraybackslash}m{1.2cm} "
                   + ">{\\raggedright\\arraybackslash}m{5.6cm}@{}}",
                   "\\toprule", header, "\\midrule", "\\endfirsthead",
                   "\\toprule", header, "\\midrule", "\\endhead",
                   "\\bottomrule", "\\endfoot"]
        for c in shown {
            let term = "$" + formula.latex(c.diagram) + "$"
            out.append("\(c.diagram.id) & \(tikz.picture(c.diagram))")
            out.append("& \(term) & \(c.multiplicity) & \(contributionCell(c, options: options)) \\\\")
            out.append("\\addlinespace[4pt]")
        }
        if shown.isEmpty { out.append("\\multicolumn{5}{l}{no diagrams} \\\\") }
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
