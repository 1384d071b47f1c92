// A diagram's term in index notation, as text and as LaTeX.
//
// Notation: o is the output index, j1, j2, ... the neuron indices of the vertices (pre-order), a1, ..., an the
// derivative indices carried by the legs (left to right). W_l = P^(l<-l-1) is a layer's weight matrix and
// P^(l<-m) = W_l D_{l-1} W_{l-1} ... D_{m+1} W_{m+1} the propagator, D_j = diag(sigma_j'(z_j)). Repeated indices
// are summed. The printed term is one labelled term; the diagram's contribution is its symmetrization in a1..an.

/// Renders a diagram's term in index notation.
public struct DiagramFormula: Sendable {
    /// The network's rules (layer count and whether the output carries D_L).
    public let rules: DiagramRules

    /// A formatter for these rules.
    public init(rules: DiagramRules) { self.rules = rules }

    /// One factor of a term, independent of the output format.
    enum Factor {
        case sigma(layer: Int, degree: Int, index: String)
        case propagator(to: Int, from: Int, row: String, column: String)
        case value(index: String)
    }

    /// The factors of the diagram's term, left to right.
    func factors(of diagram: Diagram) -> [Factor] {
        let L = rules.layerCount
        guard let root = diagram.root else { return [.value(index: "o")] }
        var vertexCounter = 0
        var legCounter = 0
        var result: [Factor] = []
        func expand(_ node: DiagramNode, index: String) {
            // `index` names the neuron of node's layer this subtree feeds.
            guard case .vertex(let layer, let children) = node else { return }
            result.append(.sigma(layer: layer, degree: children.count, index: index))
            for child in children {
                switch child {
                case .leg:
                    legCounter += 1
                    result.append(.propagator(to: layer, from: 0, row: index, column: "a\(legCounter)"))
                case .vertex(let childLayer, _):
                    vertexCounter += 1
                    let childIndex = "j\(vertexCounter)"
                    result.append(.propagator(to: layer, from: childLayer, row: index, column: childIndex))
                    expand(child, index: childIndex)
                }
            }
        }
        if root.layer == L && L > 0 {
            expand(root, index: "o")
            return result
        }
        if rules.outputHasDerivativeFactor { result.append(.sigma(layer: L, degree: 1, index: "o")) }
        switch root {
        case .leg:
            result.append(.propagator(to: L, from: 0, row: "o", column: "a1"))
        case .vertex(let layer, _):
            vertexCounter += 1
            result.append(.propagator(to: L, from: layer, row: "o", column: "j1"))
            expand(root, index: "j1")
        }
        return result
    }

    /// Plain-text form, e.g. `sigma_2^(2)(z_2)[o] W_2[o,j1] sigma_1^(2)(z_1)[j1] W_1[j1,a1] W_1[j1,a2] P^(2<-0)[o,a3]`.
    public func text(_ diagram: Diagram) -> String {
        if rules.layerCount == 0 { return diagram.order == 0 ? "x0[o]" : "delta[o,a1]" }
        return factors(of: diagram).map { factor -> String in
            switch factor {
            case .value: return "y[o]"
            case .sigma(let layer, let degree, let index):
                return "sigma_\(layer)^(\(degree))(z_\(layer))[\(index)]"
            case .propagator(let to, let from, let row, let column):
                let name = to == from + 1 ? "W_\(to)" : "P^(\(to)<-\(from))"
                return "\(name)[\(row),\(column)]"
            }
        }.joined(separator: " ")
    }

    /// LaTeX math (without delimiters); with `breakable`, factors are separated by `\allowbreak` so long terms wrap.
    public func latex(_ diagram: Diagram, breakable: Bool = true) -> String {
        if rules.layerCount == 0 { return diagram.order == 0 ? "x_{0,o}" : "\\delta_{o a_{1}}" }
        func idx(_ name: String) -> String {
            // "j12" -> "j_{12}", "o" -> "o".
            guard let first = name.first, name.count > 1 else { return name }
            return "\(first)_{\(name.dropFirst())}"
        }
        return factors(of: diagram).map { factor -> String in
            switch factor {
            case .value: return "y_{o}"
            case .sigma(let layer, let degree, let index):
                let prime = degree == 1 ? "'" : degree == 2 ? "''" : "^{(\(degree))}"
                return "\\sigma_{\(layer)}\(prime)(z_{\(layer)})_{\(idx(index))}"
            case .propagator(let to, let from, let row, let column):
                if to == from + 1 { return "W^{(\(to))}_{\(idx(row))\(idx(column))}" }
                return "P^{(\(to)\\leftarrow \(from))}_{\(idx(row))\(idx(column))}"
            }
        }.joined(separator: breakable ? "\\,\\allowbreak " : "\\,")
    }
}
