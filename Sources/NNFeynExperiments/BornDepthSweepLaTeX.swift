// The LaTeX report of a depth sweep: one pgfplots figure with three log-log panels against the maximum depth D
// (Taylor tensors against the Born tensors per order; how much of a0 is left after k Born orders beside the network's
// fit error; the network's residual after k orders against the exact one) and tables of the same numbers. The
// figure is written inline in report.tex and as the standalone fig-depth-sweep.tex, compiled by the command line.
import Foundation

/// The LaTeX sources of a sweep's report.
public struct BornDepthSweepLaTeX: Sendable {
    /// The figure body (a tikzpicture).
    public var figure: String
    /// The full report document.
    public var document: String

    /// Builds the figure and the document from a finished sweep.
    public init(report: BornDepthSweepReport) {
        figure = Self.figure(report)
        document = Self.document(report, figure: figure)
    }

    /// Line styles per order k = 0, 1, 2, ...
    static let colors = ["black", "blue!80!black", "red!80!black", "green!55!black", "orange!90!black", "violet", "brown"]
    static let marks = ["*", "o", "square", "triangle", "diamond", "pentagon", "x"]

    /// One log-log curve, with its legend entry when given: (D, y) for every depth where y is positive and finite; nothing when
    /// no point is.
    static func curve(_ points: [(Double, Double)], color: String, mark: String, legend: String?, dashed: Bool = false) -> String {
        let data = points.filter { $0.1.isFinite && $0.1 > 0 }.map { "\(IterationLaTeX.number($0.0)) \(IterationLaTeX.number($0.1))" }
        guard !data.isEmpty else { return "" }
        return "\\addplot[\(color), thick, mark=\(mark), mark size=2.2pt\(dashed ? ", dashed" : "")] table[row sep=\\\\] {"
            + IterationLaTeX.rows(data) + "};\n" + (legend.map { "\\addlegendentry{\($0)}\n" } ?? "")
    }

    /// Three log-log panels side by side with one legend below them (every panel draws the orders in the same
    /// styles, and a legend inside a panel hid data wherever it went), fonts sized to stay legible when the figure is
    /// rasterised at 60 dpi. The left panel marks a relative error of 1 (nothing of order k learned) and the middle
    /// one the network's fit error, below which an order cannot be learned.
    static func figure(_ report: BornDepthSweepReport) -> String {
        let K = report.options.orders
        let d = report.depths
        var tensors = "", left = "", residuals = ""
        for k in 1...K {
            let (color, mark) = (colors[k % colors.count], marks[k % marks.count])
            tensors += curve(d.map { ($0.depth, $0.tensors[k - 1].relativeError) }, color: color, mark: mark, legend: nil)
            left += curve(d.map { ($0.depth, $0.residuals[k].relativeToA0) }, color: color, mark: mark, legend: "order $k=\(k)$")
            residuals += curve(d.map { ($0.depth, $0.residuals[k].relativeDifference) }, color: color, mark: mark, legend: nil)
        }
        left += curve(d.map { ($0.depth, $0.testRelativeRMS) }, color: "black", mark: "*", legend: "fit error of $f_D$",
                      dashed: true)
        let range = d.isEmpty ? "" : "xmin=\(IterationLaTeX.number(d.first!.depth / 1.6)), xmax=\(IterationLaTeX.number(d.last!.depth * 1.6)), "
        let unit = d.isEmpty ? "" : "\\addplot[gray, thick, dashed, forget plot, domain=\(IterationLaTeX.number(d.first!.depth / 1.6)):\(IterationLaTeX.number(d.last!.depth * 1.6)), samples=2] {1};\n"
        return """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=3 by 1, horizontal sep=2.4cm},
              width=7cm, height=6.5cm, xmode=log, ymode=log, \(range)xlabel={maximum depth $D$},
              grid=major, grid style={gray!25}, tick label style={font=\\normalsize}, label style={font=\\large},
              title style={align=center, font=\\large}]
            \\nextgroupplot[title={error of the network's\\\\order-$k$ tensor at $U=0$}, ylabel={$\\|T_k-K_k\\|_F/\\|K_k\\|_F$}]
            \(unit)\(tensors)\\nextgroupplot[title={what is left of $a_0$\\\\after $k$ Born orders},
              ylabel={$\\mathrm{rms}(a_0-\\sum_{j\\le k}a_j)/\\mathrm{rms}(a_0)$},
              legend to name=depthsweeplegend, legend columns=-1,
              legend style={font=\\large, draw=none, /tikz/every even column/.append style={column sep=0.6cm}}]
            \(left)\\nextgroupplot[title={network residual after $k$ orders\\\\against the exact one},
              ylabel={relative RMS difference}]
            \(residuals)\\end{groupplot}
            \\node[anchor=north] at ([yshift=-1.6cm]group c2r1.south) {\\ref{depthsweeplegend}};
            \\end{tikzpicture}

            """
    }

    static func document(_ report: BornDepthSweepReport, figure: String) -> String {
        let o = report.options, K = o.orders
        let tensorRows = report.depths.map { d in
            "\(IterationLaTeX.number(d.depth)) & " + d.tensors.map { IterationLaTeX.latexNumber($0.relativeError) }.joined(separator: " & ")
                + " & \(IterationLaTeX.latexNumber(d.testRelativeRMS)) \\\\"
        }
        let residualRows = report.depths.map { d in
            "\(IterationLaTeX.number(d.depth)) & " + d.residuals.dropFirst().map {
                "\(IterationLaTeX.latexNumber($0.relativeToA0)) & \(IterationLaTeX.latexNumber($0.relativeDifference))"
            }.joined(separator: " & ") + " \\\\"
        }
        let hidden = o.hidden.map(String.init).joined(separator: "$\\to$")
        let method = o.anchored || o.weightExponent != 0
            ? " As in iteration~1 of \\texttt{born iterate}, "
                + [o.anchored ? "each network is trained as $f(U)-f(0)$" : nil,
                   o.weightExponent != 0 ? "squared errors are weighted by $\\max(\\lambda, \(IterationLaTeX.number(o.weightFloor))D)^{-\(IterationLaTeX.number(o.weightExponent))}$" : nil]
                    .compactMap { $0 }.joined(separator: " and ") + "."
            : ""
        return """
            \\documentclass[11pt]{article}
            \\usepackage[margin=2cm]{geometry}
            \\usepackage{booktabs}
            \\usepackage{graphicx}
            \(IterationLaTeX.preamble)\\title{What a network trained on $a_0$ learns of the Born series, depth by depth}
            \\author{\\texttt{nnfeyn born depth-sweep}}
            \\date{}
            \\begin{document}
            \\maketitle

            One network $f_D$ per maximum depth $D$, trained on $a_0$ alone (no subtraction) for \(o.steps)-step
            \(o.sampling) wells on $[0, \(IterationLaTeX.number(o.range))]$ with $\\lambda \\sim \\mathcal U(0, D)$, units
            $2\\mu=\\hbar=1$. Networks: \(o.steps)$\\to$\(hidden)$\\to$1, \(o.activation), Adam (float64, \(o.epochs) epochs,
            batch \(o.batch), learning rate \(IterationLaTeX.number(o.lr)), \(o.schedule) schedule) on \(o.trainCount)
            wells, seed \(o.seed); every depth uses the same draws, scaled by $D$.\(method) Its Taylor tensors $T_k$ at
            $U=0$ (nnfeyn's expansion) are compared with the exact Born tensors $K_k$, and on \(o.testCount) fresh wells
            of the same depth its residual after $k$ orders, $f_D-\\sum_{j\\le k}P_j$, with the exact residual
            $a_0-\\sum_{j\\le k}a_j$.

            \\begin{figure}[htbp]
            \\centering
            \\resizebox{\\linewidth}{!}{%
            \(figure.trimmingCharacters(in: .whitespacesAndNewlines))}
            \\caption{Against the maximum depth $D$ of the training wells. Left: relative Frobenius error of the network's
            order-$k$ tensor at $U=0$ (dashed gray: an error of 1, nothing of order $k$ learned). Middle: what is left of $a_0$ after $k$ exact Born orders, beside the network's
            own fit error (dashed): order $k+1$ can only be learned where it rises above the fit error. Right: the
            network's residual after $k$ orders against the exact residual, relative RMS.}
            \\end{figure}

            \\begin{table}[htbp]
            \\centering
            \\begin{tabular}{c\(String(repeating: "c", count: K))c}
            \\toprule
            $D$ & \((1...K).map { "order \($0)" }.joined(separator: " & ")) & fit rel.\\ RMS \\\\
            \\midrule
            \(tensorRows.joined(separator: "\n"))
            \\bottomrule
            \\end{tabular}
            \\caption{Relative Frobenius errors $\\|T_k-K_k\\|_F/\\|K_k\\|_F$ and the fit error $\\mathrm{rms}(f_D-a_0)/\\mathrm{rms}(a_0)$.}
            \\end{table}

            \\begin{table}[htbp]
            \\centering
            \\resizebox{\\linewidth}{!}{%
            \\begin{tabular}{c\(String(repeating: "cc", count: K))}
            \\toprule
            $D$ & \((1...K).map { "left, $k=\($0)$ & net vs exact, $k=\($0)$" }.joined(separator: " & ")) \\\\
            \\midrule
            \(residualRows.joined(separator: "\n"))
            \\bottomrule
            \\end{tabular}}
            \\caption{Per order $k$: $\\mathrm{rms}(a_0-\\sum_{j\\le k}a_j)/\\mathrm{rms}(a_0)$ and the relative RMS
            difference of the network's residual after $k$ orders from the exact one.}
            \\end{table}

            \\end{document}

            """
    }
}

extension BornDepthSweepRun {
    /// report.tex and fig-depth-sweep.tex, as (file name, text); compiling them is the command line's job.
    public var latexSources: [(name: String, text: String)] {
        let latex = BornDepthSweepLaTeX(report: report)
        return [("report.tex", latex.document), ("fig-depth-sweep.tex", IterationLaTeX.standalone(latex.figure))]
    }
}
