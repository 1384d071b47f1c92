// The LaTeX report of an iteration run: pgfplots figures (first-order kernel against r, second-order heat maps with
// their difference, proxy error against depth, learned against exact tensor entries) and a table of the numbers.
//
// Every figure is written twice: inline in report.tex (so the document stands alone) and as a standalone
// fig-<name>.tex that is compiled and rasterised to fig-<name>.png. All data sit inline in the .tex files.
import Foundation
import NNFeynPhysics

/// The LaTeX sources of a run's report.
public struct IterationLaTeX: Sendable {
    /// The figures as (file stem, tikzpicture body).
    public var figures: [(name: String, body: String)]
    /// The full report document.
    public var document: String

    /// Builds the figures and the document from a finished run.
    public init(run: IterationRun) {
        var figures: [(name: String, body: String)] = []
        let outcomes = run.outcomes
        figures.append(("fig-first-order", Self.firstOrderFigure(run)))
        if outcomes.count >= 2 { figures.append(("fig-second-order", Self.secondOrderFigure(run))) }
        figures.append(("fig-proxy", Self.proxyFigure(run)))
        figures.append(("fig-entries", Self.entriesFigure(run)))
        self.figures = figures
        document = Self.document(run: run, figures: figures)
    }

    /// A standalone document around one figure body.
    public static func standalone(_ body: String) -> String {
        "\\documentclass[border=4pt]{standalone}\n" + preamble + "\\begin{document}\n" + body + "\\end{document}\n"
    }

    static let preamble = """
        \\usepackage[T1]{fontenc}
        \\usepackage{amsmath}
        \\usepackage{pgfplots}
        \\pgfplotsset{compat=1.16}
        \\usepgfplotslibrary{groupplots}
        \\pgfplotsset{
          colormap={blues}{rgb255(0cm)=(8,48,107); rgb255(1cm)=(66,146,198); rgb255(2cm)=(198,219,239); rgb255(3cm)=(247,251,255)},
          colormap={diverging}{rgb255(0cm)=(33,102,172); rgb255(1cm)=(146,197,222); rgb255(2cm)=(247,247,247); rgb255(3cm)=(244,165,130); rgb255(4cm)=(178,24,43)},
        }

        """

    // MARK: figures

    /// Learned against exact d a0 / dU_i at the step midpoints, with the difference below.
    static func firstOrderFigure(_ run: IterationRun) -> String {
        let n = run.options.steps
        let edges = StepPotential.equalEdges(steps: n, range: run.options.range)
        let exact = run.exact.dense(order: 1)
        let learned = run.options.refinement != .none ? run.estimate.dense(order: 1) : run.outcomes[0].tensors.dense(order: 1)
        let r = (0..<n).map { (edges[$0] + edges[$0 + 1]) / 2 }
        let exactRows = (0..<n).map { "\(number(r[$0])) \(number(exact[$0]))" }
        let learnedRows = (0..<n).map { "\(number(r[$0])) \(number(learned[$0]))" }
        let differences = (0..<n).map { learned[$0] - exact[$0] }
        let exponent = scaleExponent(differences)
        let differenceRows = (0..<n).map { "\(number(r[$0])) \(number(differences[$0] * Foundation.pow(10, Double(exponent))))" }
        return """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=1 by 2, vertical sep=0.6cm, x descriptions at=edge bottom},
              width=9cm, xmin=0, xmax=\(number(run.options.range)), grid=major, grid style={gray!25},
              yticklabel style={/pgf/number format/fixed, /pgf/number format/precision=3}, scaled y ticks=false]
            \\nextgroupplot[height=6cm, ylabel={$\\partial a_0/\\partial U_i$ at $U=0$},
              legend pos=north west, legend cell align=left,
              title={First-order Born kernel: learned against exact}]
            \\addplot[black, thick] table[row sep=\\\\] {\(rows(exactRows))};
            \\addlegendentry{exact $(r_i^3 - r_{i-1}^3)/3$}
            \\addplot[only marks, mark=o, mark size=2.2pt, red!80!black] table[row sep=\\\\] {\(rows(learnedRows))};
            \\addlegendentry{learned (\(iterationsLearning(order: 1, run)))}
            \\nextgroupplot[height=4.2cm, xlabel={$r$ (step midpoint)},
              ylabel={\(exponent == 0 ? "learned $-$ exact" : "$(\\text{learned}-\\text{exact})\\times10^{\(exponent)}$")}]
            \\addplot[ycomb, mark=*, mark size=1.5pt, red!80!black] table[row sep=\\\\] {\(rows(differenceRows))};
            \\end{groupplot}
            \\end{tikzpicture}

            """
    }

    /// Heat maps of the exact and learned second-order kernels and their difference.
    static func secondOrderFigure(_ run: IterationRun) -> String {
        let n = run.options.steps
        // With refinement the learned order 2 is the estimate (iteration 2's, corrected by later ones), else iteration 2's own.
        let exact = run.exact.dense(order: 2)
        let learned = run.options.refinement != .none ? run.estimate.dense(order: 2) : run.outcomes[1].tensors.dense(order: 2)
        let exponent = scaleExponent(zip(learned, exact).map { $0 - $1 })
        let difference = zip(learned, exact).map { ($0 - $1) * Foundation.pow(10, Double(exponent)) }
        let lo = Swift.min(exact.min() ?? 0, learned.min() ?? 0), hi = Swift.max(exact.max() ?? 0, learned.max() ?? 0)
        let spread = difference.map(abs).max() ?? 0
        let bound = spread > 0 ? spread : 1
        func map(_ values: [Double], title: String, x: String, low: Double, high: Double, colormap: String) -> String {
            var data: [String] = []
            for i in 0..<n { for j in 0..<n { data.append("\(j + 1) \(i + 1) \(number(values[i * n + j]))") } }
            return """
                \\begin{axis}[at={(\(x),0)}, width=6.4cm, height=6.4cm, axis equal image, enlargelimits=false,
                  y dir=reverse, title={\(title)}, xlabel={$j$}, ylabel={$i$}, tick align=outside,
                  colormap name=\(colormap), point meta min=\(number(low)), point meta max=\(number(high)),
                  colorbar horizontal, colorbar style={at={(0.5,-0.3)}, anchor=north, height=0.26cm, width=4.6cm,
                    scaled x ticks=false, xticklabel style={font=\\small, /pgf/number format/fixed,
                    /pgf/number format/precision=4}, xtick distance=\(number(tickDistance(low, high)))}]
                \\addplot[matrix plot*, mesh/cols=\(n), point meta=explicit] table[meta index=2, row sep=\\\\] {\(rows(data))};
                \\end{axis}

                """
        }
        return "\\begin{tikzpicture}\n"
            + map(exact, title: "exact $\\partial^2 a_0/\\partial U_i\\partial U_j$", x: "0cm", low: lo, high: hi, colormap: "blues")
            + map(learned, title: "learned (\(iterationsLearning(order: 2, run)))", x: "6.2cm", low: lo, high: hi, colormap: "blues")
            + map(difference, title: exponent == 0 ? "learned $-$ exact" : "(learned $-$ exact)$\\times10^{\(exponent)}$", x: "12.4cm", low: -bound, high: bound, colormap: "diverging")
            + "\\end{tikzpicture}\n"
    }

    /// Relative RMS error against a0 per lambda bin: the proxy of each order next to the analytic Born sum.
    static func proxyFigure(_ run: IterationRun) -> String {
        let colors = ["blue!70!black", "red!75!black", "green!50!black", "orange!90!black", "violet"]
        let marks = ["*", "square*", "triangle*", "diamond*", "pentagon*"]
        var plots = ""
        for proxy in run.report.proxy {
            let centres = proxy.bins.map { ($0.lambdaMin + $0.lambdaMax) / 2 }
            let ml = proxy.bins.indices.filter { proxy.bins[$0].count > 0 }
                .map { "\(number(centres[$0])) \(number(proxy.bins[$0].relativeRMSVsA0))" }
            let born = proxy.bins.indices.filter { proxy.bins[$0].count > 0 }
                .map { "\(number(centres[$0])) \(number(proxy.bins[$0].bornRelativeRMSVsA0))" }
            let color = colors[(proxy.order - 1) % colors.count], mark = marks[(proxy.order - 1) % marks.count]
            plots += """
                \\addplot[\(color), thick, mark=\(mark)] table[row sep=\\\\] {\(rows(ml))};
                \\addlegendentry{learned, order \(proxy.order)}
                \\addplot[\(color), thick, dashed, mark=\(mark), mark options={solid, fill=white}] table[row sep=\\\\] {\(rows(born))};
                \\addlegendentry{analytic Born, order \(proxy.order)}

                """
        }
        return """
            \\begin{tikzpicture}
            \\begin{axis}[width=10cm, height=7cm, ymode=log, xmin=0, xmax=\(number(run.options.depth)),
              xlabel={depth scale $\\lambda$ (bin centre)}, ylabel={relative RMS error against $a_0$},
              title={Machine-learned against analytic Born approximations},
              legend style={font=\\normalsize, at={(1.03,0.5)}, anchor=west}, legend cell align=left,
              grid=major, grid style={gray!25}]
            \(plots)\\end{axis}
            \\end{tikzpicture}

            """
    }

    /// The networks whose order-k tensors make the learned one: "iteration k", with `.correct` "iterations k and K",
    /// with `.residual` "iterations k-K" (K the last iteration).
    static func iterationsLearning(order k: Int, _ run: IterationRun) -> String {
        let last = run.outcomes.count
        guard last > k else { return "iteration \(k)" }
        switch run.options.refinement {
        case .none: return "iteration \(k)"
        case .correct: return "iterations \(k) and \(last)"
        case .residual: return "iterations \(k)--\(last)"
        }
    }

    /// Every independent tensor entry of the learned order-k tensor (iteration k's, or refined, see `Refinement`)
    /// against the exact one.
    static func entriesFigure(_ run: IterationRun) -> String {
        // At most three panels a row, so five iterations stay legible.
        let columns = Swift.min(run.outcomes.count, 3), rowCount = (run.outcomes.count + 2) / 3
        var groups = ""
        for outcome in run.outcomes {
            let k = outcome.iteration
            let refined = run.options.refinement != .none
            let learned = refined ? run.estimate.derivatives(output: 0, order: k) : outcome.tensors.derivatives(output: 0, order: k)
            let error = refined ? run.report.estimateErrors[k - 1] : run.report.learnedErrors[k - 1]
            let reference = run.exact.derivatives(output: 0, order: k)
            let lo = Swift.min(reference.min() ?? 0, learned.min() ?? 0), hi = Swift.max(reference.max() ?? 0, learned.max() ?? 0)
            let pad = (hi - lo) * 0.05
            let data = zip(reference, learned).map { "\(number($0)) \(number($1))" }
            groups += """
                \\nextgroupplot[title={order \(k) (\(iterationsLearning(order: k, run)))\\\\relative error \(latexNumber(error))},
                  xmin=\(number(lo - pad)), xmax=\(number(hi + pad)), ymin=\(number(lo - pad)), ymax=\(number(hi + pad))]
                \\addplot[gray, dashed, domain=\(number(lo - pad)):\(number(hi + pad))] {x};
                \\addplot[only marks, mark=*, mark size=1.4pt, opacity=0.6, blue!70!black] table[row sep=\\\\] {\(rows(data))};

                """
        }
        return """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=\(columns) by \(rowCount), horizontal sep=2.1cm, vertical sep=2.6cm},
              title style={align=center, yshift=8pt},
              width=6cm, height=6cm, xlabel={exact derivative}, ylabel={learned derivative},
              grid=major, grid style={gray!25}, scaled ticks=true, tick label style={font=\\small}]
            \(groups)\\end{groupplot}
            \\end{tikzpicture}

            """
    }

    // MARK: document

    static func document(run: IterationRun, figures: [(name: String, body: String)]) -> String {
        let o = run.options, report = run.report
        var tensorRows: [String] = []
        for iteration in report.iterations {
            let cells = iteration.tensors.map { t -> String in
                let value = latexNumber(t.role == "leftover" ? t.relativeNorm : t.relativeError)
                return t.role == "learned" ? "$\\mathbf{\(value.dropFirst().dropLast())}$" : value
            }
            tensorRows.append("\(iteration.iteration) & \(cells.joined(separator: " & ")) & "
                              + "\(latexNumber(iteration.training.finalTrainingLoss)) & "
                              + "\(iteration.training.finalValidationLoss.map(latexNumber) ?? "--") & "
                              + "\(latexNumber(iteration.testRelativeRMS)) \\\\")
        }
        let estimateRows = report.iterations.map { iteration in
            "\(iteration.iteration) & " + (1...o.tensorOrder).map { j in
                j <= iteration.estimateErrors.count ? latexNumber(iteration.estimateErrors[j - 1]) : "--"
            }.joined(separator: " & ") + " \\\\"
        }
        let proxyRows = report.proxy.map { p in
            "\(p.order) & \(latexNumber(p.relativeRMSVsA0)) & \(latexNumber(p.bornRelativeRMSVsA0)) & "
                + "\(String(format: "%.3f", p.ratioToBorn)) & \(latexNumber(p.relativeRMSVsBorn)) \\\\"
        }
        let captions = [
            "fig-first-order": "First-order kernel $\\partial a_0/\\partial U_i$ at $U=0$ read from iteration~1's network by "
                + "nnfeyn's Taylor expansion" + (o.refinement != .none && run.outcomes.count > 1 ? " (plus the later iterations' order-1 corrections)" : "")
                + ", against the exact kernel $(r_i^3-r_{i-1}^3)/3$.",
            "fig-second-order": "Second-order kernel $\\partial^2 a_0/\\partial U_i\\partial U_j$ at $U=0$: exact, learned by "
                + (o.refinement != .none && run.outcomes.count > 2
                   ? "iteration~2 (trained on $a_0-P_1$) and corrected by the later ones (\(o.refinement == .correct ? "the last one's order-2 tensor" : "the sum of their order-2 tensors"))"
                   : "iteration~2 (trained on $a_0-P_1$)") + ", and their difference.",
            "fig-proxy": "Relative RMS error against exact $a_0$ on \(o.testCount) fresh test potentials, binned by depth "
                + "$\\lambda$: the machine-learned Born approximation $\\sum_{k\\le K} P_k$ (solid) and the analytic "
                + "$a_1+\\dots+a_K$ (dashed).",
            "fig-entries": "Independent entries ($i\\le j\\le\\dots$) of each iteration's learned tensor against the exact Born "
                + "kernel of the same order" + [Refinement.none: ".", .correct: " (order $k$: $P_k$ plus the last iteration's order-$k$ tensor).",
                                                .residual: " (order $k$: the sum of the order-$k$ tensors of iterations $k$ and later)."][o.refinement]!,
        ]
        let body = figures.map { figure in
            "\\begin{figure}[htbp]\n\\centering\n\\resizebox{\\linewidth}{!}{%\n\(figure.body)}\n"
                + "\\caption{\(captions[figure.name] ?? "")}\n\\end{figure}\n"
        }.joined(separator: "\n")
        let hidden = o.hidden.map(String.init).joined(separator: "$\\to$")
        return """
            \\documentclass[11pt]{article}
            \\usepackage[margin=2cm]{geometry}
            \\usepackage{graphicx}
            \\usepackage{booktabs}
            \(preamble)\\title{Machine-learned Born series by iterative neural-network perturbation theory}
            \\author{\\texttt{nnfeyn born iterate}}
            \\date{}
            \\begin{document}
            \\maketitle

            Step potentials with \(o.steps) equal steps on $[0, \(number(o.range))]$ and
            $\\lambda \\sim \\mathcal U(0, \(number(o.depth)))$, units $2\\mu=\\hbar=1$. \(samplingSentence(o.sampling)) \(methodSentence(o))
            Iteration~1 fits $f_1 \\approx a_0(U)$; iteration $k\\ge 2$ fits a fresh $f_k$ to
            $r_k = a_0 - \\sum_{j<k} P_j(U)$, where $P_j(U) = \\frac{1}{j!}\\sum T^{(j)}_{i\\dots} U_i\\cdots$ is the order-$j$
            Taylor term of $f_j$ at $U=0$, read with nnfeyn's own expansion. Networks: \(o.steps)$\\to$\(hidden)$\\to$1,
            \(o.activation.name), trained with Adam (float64, \(o.epochs) epochs, batch \(o.batchSize), learning rate
            \(number(o.learningRate)), \(o.schedule.rawValue) schedule) on \(o.trainCount) potentials (\(number(o.validationFraction * 100))\\%
            held out), seed \(o.seed).

            \\begin{table}[htbp]
            \\centering
            \\begin{tabular}{c\(String(repeating: "c", count: o.tensorOrder))ccc}
            \\toprule
            iteration $k$ & \((1...o.tensorOrder).map { "order \($0)" }.joined(separator: " & ")) & train MSE & val.\\ MSE & test rel.\\ RMS \\\\
            \\midrule
            \(tensorRows.joined(separator: "\n"))
            \\bottomrule
            \\end{tabular}
            \\caption{Tensors of $f_k$ at $U=0$ relative to the exact Born kernel of the same order, $\\|T-E\\|_F/\\|K_j\\|_F$,
            with $E$ the exact derivative of $f_k$'s target; bold: the learned order $j=k$. For $j<k$ (leftovers, which
            should be small) the entry is $\\|T\\|_F/\\|K_j\\|_F$. MSE (loss-weighted) of the written network, after any L-BFGS
            and Levenberg--Marquardt polish, in the target's units; the last column is $f_k$ against
            $r_k$ on the test potentials.}
            \\end{table}

            \\begin{table}[htbp]
            \\centering
            \\begin{tabular}{c\(String(repeating: "c", count: o.tensorOrder))}
            \\toprule
            after iteration $k$ & \((1...o.tensorOrder).map { "order \($0)" }.joined(separator: " & ")) \\\\
            \\midrule
            \(estimateRows.joined(separator: "\n"))
            \\bottomrule
            \\end{tabular}
            \\caption{The learned Born series after iteration $k$ (\([Refinement.none: "order $j$ from iteration $j$ alone", .correct: "$P_j$ plus $f_k$'s order-$j$ tensor for $j<k$", .residual: "the sum over iterations $i\\le k$ of $f_i$'s tensors of each order $j\\le i$"][o.refinement]!)) against the exact Born kernels, $\\|E_j-K_j\\|_F/\\|K_j\\|_F$.}
            \\end{table}

            \\begin{table}[htbp]
            \\centering
            \\begin{tabular}{ccccc}
            \\toprule
            order $K$ & learned vs $a_0$ & analytic Born vs $a_0$ & ratio & learned vs analytic \\\\
            \\midrule
            \(proxyRows.joined(separator: "\n"))
            \\bottomrule
            \\end{tabular}
            \\caption{Relative RMS errors of the machine-learned Born approximation of order $K$ on \(o.testCount) test potentials.}
            \\end{table}

            \(body)
            \\end{document}

            """
    }

    /// Which potentials trained the networks and which test the proxy.
    static func samplingSentence(_ sampling: PotentialSampling) -> String {
        switch sampling {
        case .attractive:
            return "Training and test potentials are attractive, $U_i = -\\lambda u_i$ with $u_i \\sim \\mathcal U(0,1)$."
        case .mixed:
            return "The networks are trained on potentials with steps of both signs, $U_i \\sim \\mathcal U(-\\lambda, \\lambda)$, "
                + "so that $U=0$, where the Taylor tensors are read, lies inside the data; the test potentials are "
                + "attractive, $U_i = -\\lambda u_i$ with $u_i \\sim \\mathcal U(0,1)$ (a corner of the training data, "
                + "which is why the networks themselves fit them less well than their Taylor terms do)."
        }
    }

    /// How the residuals were fitted, when it differs from a plain mean squared error.
    static func methodSentence(_ o: IterationOptions) -> String {
        var parts: [String] = []
        if o.anchored { parts.append("each network is trained as $f_k(U) - f_k(0)$, so it vanishes at $U=0$ as $r_k$ does") }
        if o.weightExponent != 0 {
            parts.append("iteration $k$ weights each squared error by $\\max(\\lambda, \(number(o.weightFloor * o.depth)))^{-\(number(o.weightExponent))k}$")
        }
        if case .power(let p) = o.depthSampling { parts.append("training depths are $\\lambda = \(number(o.depth))\\,v^{\(number(p))}$") }
        if o.ensemble > 1 { parts.append("each iteration averages \(o.ensemble) networks") }
        if o.weightDecay > 0 { parts.append("weights decay at rate \(number(o.weightDecay))") }
        if o.inputGain != 1 { parts.append("standardized inputs are scaled by \(number(o.inputGain))") }
        if o.polishSteps > 0 {
            parts.append("after its Adam epochs each network takes up to \(o.polishSteps) L-BFGS steps on the full training loss"
                         + (o.polishPenalty > 0 ? " plus $\\tfrac{\\mu}{2}\\sum w^2$ on its weights, $\\mu = $ \(latexNumber(o.polishPenalty))" : ""))
        }
        if o.levenbergMarquardtSteps > 0 && o.levenbergMarquardtFrom <= o.iterations {
            parts.append((o.levenbergMarquardtFrom > 1 ? "from iteration \(o.levenbergMarquardtFrom) on, each network then takes"
                                                       : "each network then takes")
                         + " up to \(o.levenbergMarquardtSteps) Levenberg--Marquardt steps on the same loss"
                         + (o.curvatureRows > 0 ? ", the Gauss--Newton matrix from the \(o.curvatureRows) rows of largest weight" : ""))
        }
        switch o.refinement {
        case .none: break
        case .correct:
            parts.append("after iteration $k$ the learned order $j<k$ is $P_j$ plus $f_k$'s order-$j$ tensor, its fit of "
                         + "$K_j-P_j$ (the order-$j$ derivative of $r_k$), so the last network corrects every earlier order")
        case .residual:
            parts.append("iteration $k$ subtracts all of $f_k$'s Taylor terms of orders $1,\\dots,k$, so later networks "
                         + "refine every order learned so far and the estimate of order $j$ is the sum of all networks' "
                         + "order-$j$ tensors")
        }
        guard !parts.isEmpty else { return "" }
        let text = parts.joined(separator: "; ")
        return text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    // MARK: numbers

    /// A double for pgfplots data: 6 significant digits, plain exponent form.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "nan" }
        return String(format: "%.6g", x)
    }

    /// A double for text: $1.23\times10^{-3}$ (3 significant digits).
    static func latexNumber(_ x: Double) -> String {
        guard x.isFinite else { return "--" }
        if x == 0 { return "$0$" }
        let exponent = Int(Foundation.floor(Foundation.log10(abs(x))))
        if exponent >= -2 && exponent <= 2 { return "$" + String(format: "%.3g", x) + "$" }
        let mantissa = x / Foundation.pow(10, Double(exponent))
        return "$" + String(format: "%.2f", mantissa) + "\\times10^{\(exponent)}$"
    }

    /// The power of ten that makes the largest magnitude of `values` order one (0 when all vanish).
    static func scaleExponent(_ values: [Double]) -> Int {
        let largest = values.map(abs).max() ?? 0
        return largest > 0 && largest.isFinite ? -Int(Foundation.floor(Foundation.log10(largest))) : 0
    }

    /// A round tick spacing giving about four ticks over [low, high].
    static func tickDistance(_ low: Double, _ high: Double) -> Double {
        let span = high - low
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / 4
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= raw { return step * magnitude }
        return 10 * magnitude
    }

    /// Inline table rows for `table[row sep=\\]`.
    static func rows(_ lines: [String]) -> String {
        "x y\(lines.first.map { $0.split(separator: " ").count == 3 ? " c" : "" } ?? "")\\\\\n"
            + lines.map { $0 + "\\\\" }.joined(separator: "\n") + "\n"
    }
}

extension IterationRun {
    /// The LaTeX sources of the report: report.tex and one standalone fig-<name>.tex per figure, as (file name,
    /// text). Compiling them (pdflatex, pdftoppm) is the command line's job.
    public var latexSources: [(name: String, text: String)] {
        let latex = IterationLaTeX(run: self)
        return [("report.tex", latex.document)]
            + latex.figures.map { ($0.name + ".tex", IterationLaTeX.standalone($0.body)) }
    }
}
