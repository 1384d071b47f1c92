// Figures of the QFT reports as pgfplots LaTeX text. This file only writes text: compiling (pdflatex) and
// rasterising (pdftoppm) belong to the command-line tool. Every figure is a standalone document with its data
// inline, so it compiles on its own and the numbers in it are the report's.
import Foundation

/// The LaTeX figures of a report.
public enum QFTLaTeX {
    /// (file stem, standalone document) for every figure the report supports.
    public static func figures(_ report: QFTReport) -> [(name: String, document: String)] {
        var result: [(name: String, document: String)] = []
        if !report.widths.isEmpty, report.command == "run" || report.command == "theory" || report.command == "derivs" {
            result.append(("fig-mn", standalone(deviationFigure(report))))
        }
        if let rg = report.rg { result.append(("fig-rg", standalone(rgFigure(report, rg)))) }
        if let six = report.sixpt { result.append(("fig-sixpt", standalone(sixPointFigure(report, six)))) }
        if let fit = report.fit { result.append(("fig-fit", standalone(fitFigure(report, fit)))) }
        if let depth = report.depth { result.append(("fig-depth", standalone(depthFigure(report, depth)))) }
        if let derivs = report.derivs, !derivs.diagonal.isEmpty { result.append(("fig-derivs", standalone(derivsFigure(report, derivs)))) }
        return result
    }

    /// A standalone document around a tikzpicture.
    static func standalone(_ body: String) -> String {
        """
        \\documentclass[border=4pt]{standalone}
        \\usepackage[T1]{fontenc}
        \\usepackage{amsmath}
        \\usepackage{pgfplots}
        \\pgfplotsset{compat=1.16}
        \\usepgfplotslibrary{groupplots}
        \\usetikzlibrary{calc}
        \\begin{document}
        \(body)\\end{document}

        """
    }

    /// A number for pgfplots: plain decimal or scientific, never nan.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "nan" }
        if x == 0 { return "0" }
        return String(format: "%.6g", x)
    }

    static func table(_ rows: [[Double]], header: String) -> String {
        "\(header)\\\\\n" + rows.map { $0.map(number).joined(separator: " ") + "\\\\" }.joined(separator: "\n") + "\n"
    }

    static func title(_ report: QFTReport) -> String {
        let e = report.ensemble
        var t = "\(e.activation.displayName), $d_\\text{in}=\(e.dIn)$, $\\sigma_w=\(number(e.sw))$, $\\sigma_b=\(number(e.sb))$"
        if e.depth > 1 { t += ", \(e.depth) hidden layers" }
        if let s = report.sampling { t += ", \(s.modelsSampled) models" }
        return t
    }

    // MARK: m_n against N

    /// log m_n against log N: sampled with standard errors, the background, the exact theory, and the value the
    /// exact theory predicts at this many models (noise included). One panel per order, plus the connected six.
    static func deviationFigure(_ report: QFTReport) -> String {
        var panels: [(label: String, pick: (WidthReport) -> MeasureReport?)] = []
        if report.orders.contains(2) { panels.append(("m_2", { $0.m2 })) }
        if report.orders.contains(4) { panels.append(("m_4", { $0.m4 })) }
        if report.orders.contains(6) {
            panels.append(("m_6", { $0.m6 }))
            panels.append(("|G_6^{c}|/G_6^{\\mathrm{GP}}", { $0.c6 }))
        }
        // Only panels with something to draw (an exact m2 is zero: G2 is the GP kernel at every width).
        panels = panels.filter { panel in
            report.widths.contains { w in
                guard let m = panel.pick(w) else { return false }
                return (m.value ?? 0) > 0 || (m.exact ?? 0) > 0 || (m.background ?? 0) > 0
            }
        }
        guard !panels.isEmpty else { return "\\begin{tikzpicture}\\node{no data};\\end{tikzpicture}\n" }
        // The legend goes on the first panel that draws every kind of line (m2 has no exact curve: it is zero).
        let legendPanel = panels.firstIndex { panel in report.widths.contains { (panel.pick($0)?.exact ?? 0) > 0 } } ?? 0
        let columns = min(panels.count, 2), rowsCount = (panels.count + 1) / 2
        var body = """
            \\begin{tikzpicture}
            \\begin{groupplot}[group style={group size=\(columns) by \(rowsCount), horizontal sep=1.8cm, vertical sep=2.2cm},
              width=7.2cm, height=6cm, xmode=log, ymode=log, log basis x=10, log basis y=10, grid=major, grid style={gray!25},
              xlabel={width $N$}, legend cell align=left, legend style={font=\\scriptsize, fill opacity=0.8}]

            """
        for (k, panel) in panels.enumerated() {
            let slopeKey = ["m_2": "m2", "m_4": "m4", "m_6": "m6"][panel.label] ?? "c6"
            var heading = "$\(panel.label)$"
            if let s = report.slopes[slopeKey], s.slope != nil || s.exact != nil {
                heading += "\\\\slope on $N\\in[\(s.widths.first ?? 0),\(s.widths.last ?? 0)]$:"
                if let slope = s.slope, let se = s.stderr { heading += String(format: " %.3f$\\pm$%.3f", slope, se) }
                if let e = s.exact { heading += String(format: " (exact %.3f)", e) }
            }
            // Ticks on the 1-2-5 sequence over the widths' range (the widths themselves crowd at 500, 1000).
            let lowest = report.widths.map(\.width).min() ?? 1, highest = report.widths.map(\.width).max() ?? 1
            var sequence: [Int] = []
            var decade = 1
            while decade <= highest {
                for m in decade >= 100 ? [1] : [1, 2, 5] where m * decade >= lowest && m * decade <= highest { sequence.append(m * decade) }
                decade *= 10
            }
            let ticks = sequence.map(String.init).joined(separator: ",")
            body += "\\nextgroupplot[title={\(heading)}, title style={font=\\small, align=center}, ylabel={$\(panel.label)$}, "
                + "xtick={\(ticks)}, xticklabel={\\pgfmathparse{10^\\tick}\\pgfmathprintnumber[fixed, precision=0, 1000 sep={}]{\\pgfmathresult}}, "
                + "xticklabel style={font=\\scriptsize}\(k == legendPanel ? ", legend to name=mnlegend, legend columns=2" : "")]\n"
            let sampled = report.widths.compactMap { w -> [Double]? in
                guard let m = panel.pick(w), let v = m.value, v > 0 else { return nil }
                let se = m.stderr ?? 0
                return [Double(w.width), v, min(se, 0.9 * v), se]
            }
            let background = report.widths.compactMap { w -> [Double]? in
                guard let b = panel.pick(w)?.background, b > 0 else { return nil }
                return [Double(w.width), b]
            }
            let exact = report.widths.compactMap { w -> [Double]? in
                guard let e = panel.pick(w)?.exact, e > 0 else { return nil }
                return [Double(w.width), e]
            }
            let expected = report.widths.compactMap { w -> [Double]? in
                guard let e = panel.pick(w)?.expected, e > 0 else { return nil }
                return [Double(w.width), e]
            }
            if !exact.isEmpty {
                body += "\\addplot[black, thick] table[row sep=\\\\] {\(table(exact, header: "x y"))};\n"
                if k == legendPanel { body += "\\addlegendentry{exact finite-width theory}\n" }
            }
            if !expected.isEmpty {
                body += "\\addplot[black, dotted, thick] table[row sep=\\\\] {\(table(expected, header: "x y"))};\n"
                if k == legendPanel { body += "\\addlegendentry{exact theory + sampling noise}\n" }
            }
            if !background.isEmpty {
                body += "\\addplot[blue!70!black, dashed, mark=none] table[row sep=\\\\] {\(table(background, header: "x y"))};\n"
                if k == legendPanel { body += "\\addlegendentry{background (chunk spread)}\n" }
            }
            if !sampled.isEmpty {
                body += """
                    \\addplot[red!80!black, only marks, mark=*, mark size=1.6pt, error bars/.cd, y dir=both, y explicit]
                      table[row sep=\\\\, x=x, y=y, y error minus=em, y error plus=ep] {\(table(sampled, header: "x y em ep"))};

                    """
                if k == legendPanel { body += "\\addlegendentry{sampled $\\pm$ stderr}\n" }
            }
        }
        body += "\\end{groupplot}\n"
        body += "\\node[anchor=south] at ($(group c1r1.north)!0.5!(group c\(columns)r1.north) + (0,1.5cm)$) {\(title(report))};\n"
        // The legend below the panels, where it hides no data.
        let bottom = panels.count % 2 == 0 || columns == 1
            ? "($(group c1r\(rowsCount).south)!0.5!(group c\(columns)r\(rowsCount).south) - (0,1.4cm)$)"
            : "($(group c1r\(rowsCount).south) - (0,1.4cm)$)"
        body += "\\node[anchor=north] at \(bottom) {\\ref{mnlegend}};\n"
        body += "\\end{tikzpicture}\n"
        return body
    }

    // Figures of the other commands live with their sections (QFTCouplings.swift and friends).
}
