// A diagram: one term shape of the n-th derivative of a network's output, as a canonical rooted tree.
//
// Conventions used throughout NNFeynDiagrams and the per-diagram evaluator: layers are 1-based (layer l is
// network.layers[l - 1]), layer 0 is the input. The order-0 "value" diagram has no tree (root == nil); the
// order-1 bare line is a single leg. Everything else is a vertex tree whose vertex degrees are >= 2.
import NNFeynAlgebra

/// One diagram of a given order: a canonical tree plus its position in the network's canonical listing.
public struct Diagram: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The canonical tree; nil for the order-0 value diagram.
    public let root: DiagramNode?
    /// The 1-based position among the network's diagrams of this order in canonical order (0 when unknown).
    public let index: Int

    /// A diagram from a tree (canonicalized here) and its listing position.
    public init(root: DiagramNode?, index: Int = 0) {
        self.root = root?.canonicalized()
        self.index = index
    }

    /// The order-0 diagram: the network's value at the point.
    public static let value = Diagram(root: nil, index: 1)

    /// The derivative order n: the number of input legs.
    public var order: Int { root?.legCount ?? 0 }

    /// The listing id "D<order>.<index>", stable for a given network and order; "D<order>" when the index is unknown.
    public var id: String { index > 0 ? "D\(order).\(index)" : "D\(order)" }

    /// The network-independent canonical shape, e.g. `V2[3](x, x, V1[2](x, x))`; "value" at order 0.
    public var shape: String { root?.shape ?? "value" }

    /// Number of vertices (0 for the value and the bare line).
    public var vertexCount: Int { root?.vertexCount ?? 0 }

    /// The layer of the top vertex: 0 for the value and the bare line.
    public var topLayer: Int { root?.layer ?? 0 }

    /// The vertices as (layer, degree) in depth-first pre-order.
    public var vertices: [(layer: Int, degree: Int)] {
        (root?.verticesPreorder ?? []).map { ($0.layer, $0.degree) }
    }

    /// |Aut| of the rooted tree with indistinguishable legs.
    public var automorphismOrder: Rational { root?.automorphismOrder ?? .one }

    /// n!/|Aut|: the number of labelled terms of the n-th derivative with this shape (exact).
    public var multiplicity: Rational { Combinatorics.factorial(order) / automorphismOrder }

    /// The id followed by the shape.
    public var description: String { "\(id) \(shape)" }

    /// Diagram identity is tree identity; the listing index is not part of it.
    public static func == (lhs: Diagram, rhs: Diagram) -> Bool { lhs.root == rhs.root }
    /// Hashes the tree only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(root) }

    /// Canonical listing order: by order, then fewer vertices first, then the canonical tree order.
    public static func < (lhs: Diagram, rhs: Diagram) -> Bool {
        if lhs.order != rhs.order { return lhs.order < rhs.order }
        if lhs.vertexCount != rhs.vertexCount { return lhs.vertexCount < rhs.vertexCount }
        switch (lhs.root, rhs.root) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let a?, let b?): return a < b
        }
    }

    /// The same tree with another listing index.
    public func withIndex(_ index: Int) -> Diagram { Diagram(canonicalRoot: root, index: index) }

    init(canonicalRoot: DiagramNode?, index: Int) {
        self.root = canonicalRoot
        self.index = index
    }
}

/// Which diagrams a listing keeps.
public struct DiagramFilter: Sendable, Equatable {
    /// Keep only diagrams whose top vertex sits on this layer (0: value and bare line).
    public var topLayer: Int?
    /// Keep only diagrams with exactly this many vertices.
    public var vertexCount: Int?

    /// A filter; nil fields keep everything.
    public init(topLayer: Int? = nil, vertexCount: Int? = nil) {
        self.topLayer = topLayer
        self.vertexCount = vertexCount
    }

    /// Whether the diagram passes.
    public func accepts(_ diagram: Diagram) -> Bool {
        if let topLayer, diagram.topLayer != topLayer { return false }
        if let vertexCount, diagram.vertexCount != vertexCount { return false }
        return true
    }
}
