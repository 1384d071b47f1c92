// The tree behind a diagram, its canonical form and symmetry.
//
// Canonical form: every vertex lists its children in ascending `DiagramNode` order (a leg before any vertex;
// vertices by layer, then number of legs, then degree, then children lexicographically). Two trees are the same
// diagram iff their canonical forms are equal, so `==` on canonical nodes is diagram identity. Read this only if
// you change the order: diagram ids and listing order follow from it.
import NNFeynAlgebra

/// A node of a diagram tree: an input leg (layer 0) or a vertex sigma_l^(k) on layer l with k = children.count.
public indirect enum DiagramNode: Sendable, Hashable {
    /// An input line: one derivative index.
    case leg
    /// A vertex on `layer` (1-based) carrying sigma_layer^(k)(z_layer), k = number of children (k >= 2 in diagrams).
    case vertex(layer: Int, children: [DiagramNode])

    /// A vertex whose children are put in canonical order (recursively).
    public static func makeVertex(layer: Int, children: [DiagramNode]) -> DiagramNode {
        .vertex(layer: layer, children: children.map { $0.canonicalized() }.sorted())
    }

    /// The same tree with every vertex's children in canonical order.
    public func canonicalized() -> DiagramNode {
        switch self {
        case .leg: return .leg
        case .vertex(let layer, let children): return DiagramNode.makeVertex(layer: layer, children: children)
        }
    }

    /// The layer the node sits on: 0 for a leg.
    public var layer: Int {
        if case .vertex(let layer, _) = self { return layer }
        return 0
    }

    /// The children of a vertex; empty for a leg.
    public var children: [DiagramNode] {
        if case .vertex(_, let children) = self { return children }
        return []
    }

    /// The number of children (the derivative order k of the vertex's sigma^(k)); 0 for a leg.
    public var degree: Int { children.count }

    /// The number of input legs below (and including) this node.
    public var legCount: Int {
        switch self {
        case .leg: return 1
        case .vertex(_, let children): return children.reduce(0) { $0 + $1.legCount }
        }
    }

    /// The number of vertices in the subtree.
    public var vertexCount: Int {
        switch self {
        case .leg: return 0
        case .vertex(_, let children): return 1 + children.reduce(0) { $0 + $1.vertexCount }
        }
    }

    /// The vertices in depth-first pre-order (a vertex before its children, children in canonical order).
    public var verticesPreorder: [DiagramNode] {
        guard case .vertex(_, let children) = self else { return [] }
        return [self] + children.flatMap(\.verticesPreorder)
    }

    /// The order of the automorphism group of the rooted tree with indistinguishable legs:
    /// product over vertices of m_c! |Aut(c)|^m_c over classes c of identical children. Assumes canonical form.
    public var automorphismOrder: Rational {
        guard case .vertex(_, let children) = self else { return .one }
        var result = Rational.one
        var start = 0
        // Canonical children are sorted, so identical children are adjacent.
        while start < children.count {
            var end = start + 1
            while end < children.count && children[end] == children[start] { end += 1 }
            let run = end - start
            result = result * Combinatorics.factorial(run) * children[start].automorphismOrder.power(run)
            start = end
        }
        return result
    }

    /// Compact shape notation: `x` for a leg, `V<layer>[<degree>](children...)` for a vertex.
    public var shape: String {
        switch self {
        case .leg: return "x"
        case .vertex(let layer, let children):
            return "V\(layer)[\(children.count)](" + children.map(\.shape).joined(separator: ", ") + ")"
        }
    }
}

extension DiagramNode: Comparable {
    /// The canonical order: leg first; vertices by layer, legs, degree, then children lexicographically.
    public static func < (lhs: DiagramNode, rhs: DiagramNode) -> Bool { compare(lhs, rhs) < 0 }

    /// -1, 0 or 1 in the canonical order.
    static func compare(_ lhs: DiagramNode, _ rhs: DiagramNode) -> Int {
        switch (lhs, rhs) {
        case (.leg, .leg): return 0
        case (.leg, .vertex): return -1
        case (.vertex, .leg): return 1
        case (.vertex(let la, let ca), .vertex(let lb, let cb)):
            if la != lb { return la < lb ? -1 : 1 }
            let na = lhs.legCount, nb = rhs.legCount
            if na != nb { return na < nb ? -1 : 1 }
            if ca.count != cb.count { return ca.count < cb.count ? -1 : 1 }
            for (a, b) in zip(ca, cb) {
                let c = compare(a, b)
                if c != 0 { return c }
            }
            return 0
        }
    }
}
