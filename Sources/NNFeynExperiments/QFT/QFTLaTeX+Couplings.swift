// Figures of `qft rg`, `qft sixpt` and `qft fit` (LaTeX text only; see QFTLaTeX.swift).
import Foundation

extension QFTLaTeX {
    /// log lambda against log Lambda: every tuple's lambda (grey), their mean with jackknife errors, the exact law.
    static func rgFigure(_ report: QFTReport, _ rg: RGReport) -> String {
        let finite = rg.entries.filter { $0.cutoff != nil }
        var scatter: [[Double]] = []
        for e in finite { for l in e.tuples { if let l, l > 0 { scatter.append([e.cutoff!, l]) } } }
        let means = finite.compactMap { e -> [Double]? in
            guard let v = e.lambda.value, v > 0 else { return nil }
            let s = e.lambda.stderr ?? 0
            return [e.cutoff!, v, min(s, 0.9 * v), s]
        }
        let exact = finite.compactMap { e -> [Double]? in e.lambda.exact.flatMap { $0 > 0 ? [e.cutoff!, $0] : nil } }
        var heading = "running quartic coupling at $N=\(rg.width)$"
        if let s = rg.slope.slope { heading += String(format: "\\\\fitted slope %.4f", s) }
        if let e = rg.slope.exact { heading += String(format: " (exact %.4f)", e) }
        if let l = rg.lambdaTimesCutoff5, let v = l.value, let x = l.exact {
            heading += String(format: "\\\\$\\lambda\\Lambda^5$ = %.4f $\\pm$ %.4f (exact $25/(2N\\sigma_w^8)$ = %.4f)", v, l.stderr ?? .nan, x)
        }
        var body = """
            \\begin{tikzpicture}
            \\begin{axis}[width=10cm, height=8cm, xmode=log, ymode=log, grid=major, grid style={gray!25},
              xlabel={cutoff $\\Lambda$}, ylabel={$\\lambda(\\Lambda)$}, legend pos=north east, legend cell align=left,
              legend style={font=\\scriptsize}, title={\(title(report))\\\\\(heading)}, title style={align=center, font=\\small}]

            """
        if !scatter.isEmpty {
            body += "\\addplot[only marks, mark=*, mark size=0.6pt, gray!60] table[row sep=\\\\] {\(table(scatter, header: "x y"))};\n"
            body += "\\addlegendentry{$\\lambda$ per four-point tuple}\n"
        }
        if !exact.isEmpty {
            body += "\\addplot[black, thick] table[row sep=\\\\] {\(table(exact, header: "x y"))};\n"
            body += "\\addlegendentry{exact finite-width theory}\n"
        }
        if !means.isEmpty {
            body += """
                \\addplot[red!80!black, only marks, mark=o, mark size=2pt, error bars/.cd, y dir=both, y explicit]
                  table[row sep=\\\\, x=x, y=y, y error minus=em, y error plus=ep] {\(table(means, header: "x y em ep"))};
                \\addlegendentry{tuple mean $\\pm$ jackknife error}

                """
        }
        body += "\\end{axis}\n\\end{tikzpicture}\n"
        return body
    }

    /// Per six-point tuple, in units of G6_GP: the sampled deviation, the quartic prediction and the exact parts;
    /// below, what the quartic term leaves, against the exact connected six-point function.
    static func sixPointFigure(_ report: QFTReport, _ six: SixPointReport) -> String {
        var sampled: [[Double]] = [], quartic: [[Double]] = [], fourTwo: [[Double]] = [], total: [[Double]] = []
        var residual: [[Double]] = [], connected: [[Double]] = []
        for (i, t) in six.tuples.enumerated() {
            guard let gp = t.gp, gp != 0 else { continue }
            let x = Double(i)
            if let s = t.sampled {
                sampled.append([x, (s - gp) / gp, (t.stderr ?? 0) / abs(gp)])
                if let q = t.quartic { residual.append([x, (s - gp - q) / gp, (t.stderr ?? 0) / abs(gp)]) }
            }
            if let q = t.quartic { quartic.append([x, q / gp]) }
            if let f = t.exactFourTwo { fourTwo.append([x, f / gp]) }
            if let e = t.exact { total.append([x, (e - gp) / gp]) }
            if let c = t.exactConnected { connected.append([x, c / gp]) }
        }
        let cutoff = six.tupleCutoff.map { number($0) } ?? "\\infty"
        var body = """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=1 by 2, vertical sep=1.0cm, x descriptions at=edge bottom},
              width=15cm, grid=major, grid style={gray!25}, xmin=-2, xmax=\(six.tuples.count + 1), legend cell align=left,
              legend style={font=\\scriptsize}, legend pos=outer north east]
            \\nextgroupplot[height=7cm, ylabel={$(G_6 - G_6^{\\mathrm{GP}})/G_6^{\\mathrm{GP}}$},
              title={\(title(report)), $N=\(six.width)$: six-point contributions per tuple (cutoff $\\Lambda=\(cutoff)$)},
              title style={font=\\small, yshift=2ex}]

            """
        if !sampled.isEmpty {
            body += "\\addplot[only marks, mark=*, mark size=0.7pt, red!80!black, error bars/.cd, y dir=both, y explicit, error bar style={red!25, line width=0.3pt}, error mark=none] table[row sep=\\\\, x=x, y=y, y error=e] {\(table(sampled, header: "x y e"))};\n\\addlegendentry{sampled $\\pm$ stderr}\n"
        }
        if !quartic.isEmpty {
            body += "\\addplot[blue!80!black, thick] table[row sep=\\\\] {\(table(quartic, header: "x y"))};\n\\addlegendentry{quartic prediction $\\sum_{15} K\\,24\\lambda\\int\\prod\\tilde K$ (sampled $\\lambda$)}\n"
        }
        if !fourTwo.isEmpty {
            body += "\\addplot[black, dashed] table[row sep=\\\\] {\(table(fourTwo, header: "x y"))};\n\\addlegendentry{exact $\\sum_{15} G_4^c K$ (order $1/N$)}\n"
        }
        if !total.isEmpty {
            body += "\\addplot[green!50!black, thin] table[row sep=\\\\] {\(table(total, header: "x y"))};\n\\addlegendentry{exact $G_6 - G_6^{\\mathrm{GP}}$}\n"
        }
        body += "\\nextgroupplot[height=5cm, xlabel={six-point tuple (lexicographic)}, ylabel={residual $/G_6^{\\mathrm{GP}}$}]\n"
        if !residual.isEmpty {
            body += "\\addplot[only marks, mark=*, mark size=0.7pt, red!80!black, error bars/.cd, y dir=both, y explicit, error bar style={red!25, line width=0.3pt}, error mark=none] table[row sep=\\\\, x=x, y=y, y error=e] {\(table(residual, header: "x y e"))};\n\\addlegendentry{sampled $-$ GP $-$ quartic}\n"
        }
        if !connected.isEmpty {
            body += "\\addplot[orange!90!black, thick] table[row sep=\\\\] {\(table(connected, header: "x y"))};\n\\addlegendentry{exact connected $G_6^c$ (order $1/N^2$)}\n"
        }
        body += "\\end{groupplot}\n\\end{tikzpicture}\n"
        return body
    }

    /// G4 - G4_GP per four-point tuple of the training and test points, with the local and the full fits.
    static func fitFigure(_ report: QFTReport, _ fit: FitReport) -> String {
        func series(_ rows: [[Double?]], column: Int, offset: Int) -> [[Double]] {
            rows.enumerated().compactMap { i, r in r.count > column ? r[column].map { [Double(offset + i), $0] } : nil }
        }
        let n = fit.trainDelta.count
        let sampled = series(fit.trainDelta, column: 0, offset: 0) + series(fit.testDelta, column: 0, offset: n + 5)
        let exact = series(fit.trainDelta, column: 1, offset: 0) + series(fit.testDelta, column: 1, offset: n + 5)
        let local = series(fit.trainDelta, column: 2, offset: 0) + series(fit.testDelta, column: 2, offset: n + 5)
        let full = series(fit.trainDelta, column: 3, offset: 0) + series(fit.testDelta, column: 3, offset: n + 5)
        var heading = "quartic fits at $N=\(fit.width)$, $\\Lambda=\(fit.cutoff.map(number) ?? "\\infty")$"
        if let l = fit.models.first, let m = l.mapeTrain, let t = l.mapeTest {
            heading += String(format: "\\\\local: MAPE train %.2g\\%%, test %.2g\\%%", m, t)
        }
        if let a = fit.models.last, let m = a.mapeTrain, let t = a.mapeTest {
            heading += String(format: "; all terms: %.2g\\%%, %.2g\\%%", m, t)
        }
        var body = """
            \\begin{tikzpicture}
            \\begin{axis}[width=14cm, height=8cm, grid=major, grid style={gray!25}, xlabel={four-point tuple (training set, then test set)},
              xmin=-3, xmax=\(n + 5 + fit.testDelta.count + 2),
              ylabel={$G_4 - G_4^{\\mathrm{GP}}$}, legend cell align=left, legend style={font=\\scriptsize}, legend pos=outer north east,
              title={\(title(report))\\\\\(heading)}, title style={align=center, font=\\small}]

            """
        if !sampled.isEmpty { body += "\\addplot[only marks, mark=*, mark size=1pt, red!80!black] table[row sep=\\\\] {\(table(sampled, header: "x y"))};\n\\addlegendentry{sampled}\n" }
        if !exact.isEmpty { body += "\\addplot[only marks, mark=x, mark size=1.5pt, black] table[row sep=\\\\] {\(table(exact, header: "x y"))};\n\\addlegendentry{exact}\n" }
        if !local.isEmpty { body += "\\addplot[only marks, mark=o, mark size=1.5pt, blue!80!black] table[row sep=\\\\] {\(table(local, header: "x y"))};\n\\addlegendentry{local fit $\\lambda_0$}\n" }
        if !full.isEmpty { body += "\\addplot[only marks, mark=square, mark size=1.3pt, green!50!black] table[row sep=\\\\] {\(table(full, header: "x y"))};\n\\addlegendentry{local + derivative + non-local fit}\n" }
        body += "\\end{axis}\n\\end{tikzpicture}\n"
        return body
    }

    static func depthFigure(_ report: QFTReport, _ depth: DepthReport) -> String { depthFigureBody(report, depth) }

    /// E[c_alpha^2] sampled over exact against N, one series per monomial: 1 at every width.
    static func derivsFigure(_ report: QFTReport, _ derivs: DerivsReport) -> String {
        let colors = ["red!80!black", "blue!80!black", "green!50!black", "orange!90!black", "violet", "teal", "brown", "gray"]
        let point = derivs.point.map(number).joined(separator: ", ")
        let low = Double(derivs.diagonal.map(\.width).min() ?? 1) / 1.4, high = Double(derivs.diagonal.map(\.width).max() ?? 1) * 1.4
        var body = """
            \\begin{tikzpicture}
            \\begin{axis}[width=11cm, height=7.5cm, xmode=log, grid=major, grid style={gray!25}, xlabel={width $N$},
              ylabel={$\\langle c_\\alpha^2\\rangle_{\\text{sampled}} / \\langle c_\\alpha^2\\rangle_{\\text{exact}}$},
              legend pos=outer north east, legend cell align=left, legend style={font=\\scriptsize},
              title={\(title(report))\\\\Taylor coefficients $c_\\alpha$ at $x_0=(\(point))$ by nnfeyn's expansion}, title style={align=center, font=\\small}]
            \\addplot[black, thin, domain=\(number(low)):\(number(high)), samples=2] {1};
            \\addlegendentry{exact (every $N$)}

            """
        for (k, monomial) in derivs.monomials.enumerated() {
            let rows = derivs.diagonal.filter { $0.monomial == monomial }.compactMap { e -> [Double]? in
                guard let s = e.sampled, let x = e.exact, x != 0 else { return nil }
                let shift = 1 + 0.03 * (Double(k) - Double(derivs.monomials.count - 1) / 2)
                return [Double(e.width) * shift, s / x, (e.stderr ?? 0) / abs(x)]
            }
            guard !rows.isEmpty else { continue }
            let label = monomial.count == 1 ? "c_{\(monomial[0])}" : "c_{(" + monomial.map(String.init).joined(separator: ",") + ")}"
            body += "\\addplot[only marks, mark=*, mark size=1.4pt, \(colors[k % colors.count]), error bars/.cd, y dir=both, y explicit] "
                + "table[row sep=\\\\, x=x, y=y, y error=e] {\(table(rows, header: "x y e"))};\n\\addlegendentry{$\(label)$}\n"
        }
        body += "\\end{axis}\n\\end{tikzpicture}\n"
        return body
    }
}

extension QFTLaTeX {
    /// N ratio4 against N per depth, and the 1/N coefficient against the depth.
    static func depthFigureBody(_ report: QFTReport, _ depth: DepthReport) -> String {
        let colors = ["red!80!black", "blue!80!black", "green!50!black", "orange!90!black", "violet", "teal", "brown", "gray"]
        var body = """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=2 by 1, horizontal sep=2cm}, width=8cm, height=7cm, grid=major,
              grid style={gray!25}, legend cell align=left, legend style={font=\\scriptsize}]
            \\nextgroupplot[xmode=log, log basis x=10, xlabel={width $N$}, ylabel={$N\\,(G_4 - G_4^{\\mathrm{GP}})/G_4^{\\mathrm{GP}}$},
              title={per width: sampled (marks), exact (lines)}, legend columns=-1,
              legend style={at={(0.5,-0.2)}, anchor=north}, xtick={\(depth.depths.first.map { $0.widths.map { String($0.width) }.joined(separator: ",") } ?? "")},
              xticklabel={\\pgfmathparse{10^\\tick}\\pgfmathprintnumber[fixed, precision=0, 1000 sep={}]{\\pgfmathresult}}]

            """
        for (k, entry) in depth.depths.enumerated() {
            let color = colors[k % colors.count]
            let sampled = entry.widths.compactMap { w -> [Double]? in
                guard let r = w.ratio4, let v = r.value else { return nil }
                return [Double(w.width), Double(w.width) * v, Double(w.width) * (r.stderr ?? 0)]
            }
            let exact = entry.widths.compactMap { w -> [Double]? in w.ratio4?.exact.map { [Double(w.width), Double(w.width) * $0] } }
            if !exact.isEmpty { body += "\\addplot[\(color), thin, forget plot] table[row sep=\\\\] {\(table(exact, header: "x y"))};\n" }
            if !sampled.isEmpty {
                body += "\\addplot[\(color), only marks, mark=*, mark size=1.5pt, error bars/.cd, y dir=both, y explicit] table[row sep=\\\\, x=x, y=y, y error=e] {\(table(sampled, header: "x y e"))};\n"
                body += "\\addlegendentry{$L=\(entry.depth)$}\n"
            }
        }
        var heading = "coefficient against depth"
        if let g = depth.growthPerLayer, let v = g.value {
            heading += String(format: "\\\\growth per layer %.2f $\\pm$ %.2f", v, g.stderr ?? .nan)
            if let e = g.exact { heading += String(format: " (exact %.2f)", e) }
        }
        body += "\\nextgroupplot[xlabel={hidden layers $L$}, ylabel={$c = \\lim_{N\\to\\infty} N\\,(G_4 - G_4^{\\mathrm{GP}})/G_4^{\\mathrm{GP}}$}, title={\(heading)}, title style={align=center}, xtick={\(depth.depths.map { String($0.depth) }.joined(separator: ","))}, legend pos=north west]\n"
        let sampled = depth.depths.compactMap { e -> [Double]? in e.coefficient?.value.map { [Double(e.depth), $0, e.coefficient?.stderr ?? 0] } }
        let exact = depth.depths.compactMap { e -> [Double]? in e.coefficient?.exact.map { [Double(e.depth), $0] } }
        if !exact.isEmpty { body += "\\addplot[black, thick, mark=x, mark size=3pt] table[row sep=\\\\] {\(table(exact, header: "x y"))};\n\\addlegendentry{exact}\n" }
        if !sampled.isEmpty { body += "\\addplot[red!80!black, only marks, mark=*, error bars/.cd, y dir=both, y explicit] table[row sep=\\\\, x=x, y=y, y error=e] {\(table(sampled, header: "x y e"))};\n\\addlegendentry{sampled (fit $c + c'/N + c''/N^2$)}\n" }
        body += "\\end{groupplot}\n"
        body += "\\node[anchor=south] at ($(group c1r1.north)!0.5!(group c2r1.north) + (0,1.6cm)$) {\(title(report))};\n"
        body += "\\end{tikzpicture}\n"
        return body
    }
}
