// TikZ drawings of diagrams on the network's grid. Layout: x = layer (input legs start at x = 0, the output
// is at x = L + 1); legs get evenly spaced rows in depth-first order, so every subtree owns a contiguous band
// of rows and a vertex sits at the mean height of its children: vertices on the same layer never collide.
// Lines are cubic curves with horizontal tangents at both ends; vertices are black discs showing their degree.
import NNFeynDiagrams

/// Draws diagrams as TikZ pictures.
struct DiagramTikZ: Sendable {
    /// The network's rules (layer count and names for the grid).
    let rules: DiagramRules
    /// Horizontal distance between layers, in cm.
    var layerSpacing: Double
    /// Vertical distance between legs, in cm.
    var legSpacing: Double

    /// A drawer for one network.
    init(rules: DiagramRules, layerSpacing: Double = 1.0, legSpacing: Double = 0.45) {
        self.rules = rules
        self.layerSpacing = layerSpacing
        self.legSpacing = legSpacing
    }

    /// A drawer whose pictures are at most `width` cm wide: layers 1 cm apart unless that is too wide, but never
    /// closer than 0.45 cm (labels would collide).
    init(rules: DiagramRules, fittingWidth width: Double) {
        let columns = Double(rules.layerCount + 1)
        self.init(rules: rules, layerSpacing: min(1.0, max(0.45, (width - 0.5) / columns)))
    }

    /// The picture's width in cm (grid plus a margin for the labels).
    var width: Double { Double(rules.layerCount + 1) * layerSpacing + 0.5 }

    /// A `tikzpicture` environment for the diagram, vertically centred on the text baseline.
    func picture(_ diagram: Diagram) -> String {
        let L = rules.layerCount
        let n = max(diagram.order, 1)
        let top = Double(n - 1) / 2 * legSpacing
        var lines: [String] = []
        var dots: [String] = []
        var slot = 0
        func f(_ v: Double) -> String {
            let r = (v * 1000).rounded() / 1000
            return r == 0 ? "0" : String(r)
        }
        func curve(_ a: (Double, Double), _ b: (Double, Double)) -> String {
            let mid = (b.0 - a.0) / 2
            if a.1 == b.1 { return "\\draw[line] (\(f(a.0)),\(f(a.1))) -- (\(f(b.0)),\(f(b.1)));" }
            return "\\draw[line] (\(f(a.0)),\(f(a.1))) .. controls (\(f(a.0 + mid)),\(f(a.1))) and "
                + "(\(f(b.0 - mid)),\(f(b.1))) .. (\(f(b.0)),\(f(b.1)));"
        }
        // Returns the node's position after emitting its subtree.
        func place(_ node: DiagramNode) -> (Double, Double) {
            switch node {
            case .leg:
                let y = top - Double(slot) * legSpacing
                slot += 1
                return (0, y)
            case .vertex(let layer, let children):
                let points = children.map(place)
                let y = points.map(\.1).reduce(0, +) / Double(max(points.count, 1))
                let p = (Double(layer) * layerSpacing, y)
                for c in points { lines.append(curve(c, p)) }
                dots.append("\\node[vertex] at (\(f(p.0)),\(f(p.1))) {\(children.count)};")
                return p
            }
        }
        let outX = Double(L + 1) * layerSpacing
        if let root = diagram.root {
            let r = place(root)
            lines.append("\\draw[line,->] (\(f(r.0)),\(f(r.1))) -- (\(f(outX)),\(f(r.1)));")
        } else {
            dots.append("\\draw[line] (\(f(outX)),0) circle (2pt);")
        }
        // The grid: one faint line per layer, labelled below.
        let low = -top - 0.25, high = top + 0.25
        var grid: [String] = []
        for l in stride(from: 1, through: L, by: 1) {
            let x = f(Double(l) * layerSpacing)
            grid.append("\\draw[grid] (\(x),\(f(low))) -- (\(x),\(f(high)));")
            let name = DiagramLaTeX.escape(rules.layerNames[l - 1])
            grid.append("\\node[layer] at (\(x),\(f(low))) {\(name)};")
        }
        grid.append("\\node[layer] at (0,\(f(low))) {$x$};")
        grid.append("\\node[layer] at (\(f(outX)),\(f(low))) {$y$};")
        return (["\\begin{tikzpicture}[baseline={([yshift=-0.5ex]current bounding box.center)},"
                 + "line/.style={thick,black!75},grid/.style={gray!35,dashed,very thin},"
                 + "vertex/.style={circle,fill=black,text=white,font=\\tiny\\bfseries,inner sep=0pt,minimum size=7.5pt},"
                 + "layer/.style={below,font=\\scriptsize,black!75,inner sep=1pt}]"]
                + grid + lines + dots + ["\\end{tikzpicture}"]).joined(separator: "\n")
    }
}
