// Per-diagram evaluation: one diagram's contribution to the n-th derivative tensor of the output.
//
// Numbers here are *derivative-tensor entries* T[alpha] (alpha a non-decreasing index list), normalised so that
//     d^n y / dx^alpha = sum over diagrams of multiplicity * contribution[alpha].
// The tree is evaluated once with every leg equal to one symbolic direction v: values are vectors of homogeneous
// polynomials in v. A leg arriving at layer m is P^(m<-0) v; a vertex on m multiplies its children's lines
// elementwise and by sigma_m^(k)(z_m); the root is carried to the output by D_L P^(L<-m) (nothing if it sits on
// L). The resulting polynomial is T(v, ..., v) = sum_alpha (n!/alpha!) T[alpha] v^alpha for the symmetrized
// term, hence T[alpha] = coefficient * alpha!/n!: the only place where a factorial enters.
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynDiagrams
import NNFeynModel

/// Why a per-diagram evaluation cannot run; messages are lowercase and self-contained.
public enum DiagramEvaluationError: Error, Equatable, CustomStringConvertible {
    /// The point data does not match the network.
    case malformedPoint(reason: String)
    /// The point data lacks sigma_layer^(order).
    case missingDerivative(layer: Int, order: Int)
    /// A diagram refers to a layer the network does not have.
    case layerOutOfRange(Int)
    /// The symmetric tensor of this order would not fit in memory.
    case tensorTooLarge(variables: Int, order: Int)
    /// A hand-built tree breaks the diagram rules (a vertex with fewer than 2 children or a child not below it).
    case invalidDiagram(String)

    /// A lowercase, self-contained message.
    public var description: String {
        switch self {
        case .malformedPoint(let reason): return "the point derivatives do not match the network: \(reason)"
        case .missingDerivative(let layer, let order):
            return "derivative of order \(order) of layer \(layer)'s activation is not available at the point"
        case .layerOutOfRange(let layer): return "the diagram has a vertex on layer \(layer), which the network lacks"
        case .tensorTooLarge(let variables, let order):
            return "a symmetric tensor of order \(order) in \(variables) variables is too large"
        case .invalidDiagram(let shape): return "'\(shape)' is not a valid diagram"
        }
    }
}

/// Why a contribution is zero.
public enum DiagramVanishing: Sendable, Equatable, CustomStringConvertible {
    /// sigma_layer^(degree)(z_layer) is zero for every neuron of the layer (e.g. tanh'' at z = 0).
    case vertexDerivativeZero(layer: Int, degree: Int)
    /// A propagator P^(to<-from) used by the diagram is the zero matrix.
    case propagatorZero(to: Int, from: Int)
    /// All entries are zero by cancellation, with no single zero factor.
    case cancellation

    /// A short human-readable reason.
    public var description: String {
        switch self {
        case .vertexDerivativeZero(let layer, let degree):
            return "sigma_\(layer)^(\(degree))(z_\(layer)) = 0 at the point"
        case .propagatorZero(let to, let from):
            return to == from + 1 ? "W_\(to) = 0" : (from == to ? "sigma_\(to)'(z_\(to)) = 0 at the point" : "P^(\(to)<-\(from)) = 0")
        case .cancellation: return "cancellation"
        }
    }
}

/// One diagram's contribution to the derivative tensor of its order.
public struct DiagramContribution<S: Scalar>: Sendable {
    /// The diagram.
    public let diagram: Diagram
    /// n!/|Aut|, exact.
    public let multiplicity: Rational
    /// The symmetrized term's derivative-tensor entries of order n (not multiplied by the multiplicity).
    public let tensor: TaylorExpansion<S>
    /// Why the contribution vanishes, or nil if some entry is nonzero.
    public let vanishing: DiagramVanishing?

    /// Whether every entry is zero (exactly, or as a double).
    public var vanishes: Bool { vanishing != nil }

    /// The largest |entry| as a double: the size measure used to sort listings.
    public var size: Double {
        tensor.values.reduce(0.0) { Swift.max($0, Swift.abs($1.doubleValue)) }
    }
}

/// All diagrams of one order with their contributions.
public struct DiagramOrderBreakdown<S: Scalar>: Sendable {
    /// The derivative order.
    public let order: Int
    /// The monomials of the order (its tensor slots are the positions of degree `order`).
    public let basis: MonomialBasis
    /// The number of network outputs.
    public let outputCount: Int
    /// One entry per diagram, in canonical order (empty when the order has no diagrams).
    public let contributions: [DiagramContribution<S>]

    /// The derivative tensor of this order: the sum of multiplicity * contribution.
    public var total: TaylorExpansion<S> {
        let slots = basis.range(ofDegree: order).count
        var sum = [S](repeating: .zero, count: outputCount * slots)
        for c in contributions {
            let m = S(c.multiplicity)
            for (e, value) in c.tensor.values.enumerated() where e < sum.count { sum[e].addProduct(m, value) }
        }
        return TaylorExpansion(basis: basis, lowestOrder: order, outputCount: outputCount, convention: .derivative, values: sum)
    }
}

/// Evaluates diagrams of one network at one point, generic over the scalar type.
public struct DiagramEvaluator<S: Scalar>: Sendable {
    /// The network.
    public let network: Network<S>
    /// Pre-activations and activation derivatives at the point.
    public let point: PointDerivatives<S>
    /// The vertex rules derived from the network.
    public let rules: DiagramRules
    /// propagators[l][m] = P^(l<-m) (width_l x width_m) for 0 <= m < l <= L; P^(0<-0) = identity when L = 0.
    let propagators: [[[[S]]]]
    /// widths[l] = width of layer l (widths[0] = input dimension).
    let widths: [Int]
    /// The first layer whose sigma' the point lacks although orders >= 1 need it (then only order 0 evaluates).
    let missingFirstDerivative: Int?

    /// The largest monomial basis (all degrees up to the order) an evaluation builds before refusing.
    public static var maximumSlots: Int { 2_000_000 }

    /// Checks the point data against the network and computes all propagators once.
    public init(network: Network<S>, point: PointDerivatives<S>) throws(DiagramEvaluationError) {
        self.network = network
        self.point = point
        self.rules = DiagramRules(network.architecture)
        let L = network.layers.count
        let widths = [network.inputDimension] + network.layers.map(\.width)
        self.widths = widths
        guard point.derivatives.count == L, point.preActivations.count == L else {
            throw .malformedPoint(reason: "\(point.derivatives.count) layers of derivatives for \(L) layers")
        }
        for l in 0..<L {
            guard point.preActivations[l].count == widths[l + 1] else {
                throw .malformedPoint(reason: "layer \(l + 1) has \(point.preActivations[l].count) pre-activations, not \(widths[l + 1])")
            }
            for (k, row) in point.derivatives[l].enumerated() where row.count != widths[l + 1] {
                throw .malformedPoint(reason: "sigma_\(l + 1)^(\(k)) has \(row.count) entries, not \(widths[l + 1])")
            }
        }
        // Orders >= 1 need D_j = sigma_j'(z_j) on every hidden layer (and on a nonlinear output); order 0 does not.
        let outputFactor = rules.outputHasDerivativeFactor
        self.missingFirstDerivative = (0..<L).first { l in
            (l < L - 1 || outputFactor) && point.derivatives[l].count < 2
        }.map { $0 + 1 }
        // P^(l<-l-1) = W_l and P^(l<-m) = W_l D_{l-1} P^(l-1<-m).
        var props = [[[[S]]]](repeating: [], count: L + 1)
        if L == 0 {
            let d = network.inputDimension
            props[0] = [(0..<d).map { i in (0..<d).map { $0 == i ? S.one : S.zero } }]
        }
        for l in stride(from: 1, through: L, by: 1) {
            let fanIn = network.layers[l - 1].fanIn
            let flat = network.weights[l - 1]
            let w = (0..<network.layers[l - 1].width).map { Array(flat[($0 * fanIn)..<(($0 + 1) * fanIn)]) }
            var row = [[[S]]](repeating: [], count: l)
            row[l - 1] = w
            if l >= 2, point.derivatives[l - 2].count >= 2 {
                let dPrev = point.derivatives[l - 2][1]
                // W_l D_{l-1}: scale the columns.
                let wd = w.map { r in r.indices.map { r[$0] * dPrev[$0] } }
                for m in 0..<(l - 1) { row[m] = DiagramEvaluator.multiply(wd, props[l - 1][m]) }
            }
            props[l] = row
        }
        self.propagators = props
    }

    /// The propagator P^(to<-from) for 0 <= from < to <= L, as a width_to x width_from matrix.
    public func propagator(to: Int, from: Int) -> [[S]]? {
        guard to >= 0, to < propagators.count, from >= 0, from < propagators[to].count else { return nil }
        return propagators[to][from]
    }

    /// Evaluates one diagram; the diagram's order fixes the tensor order.
    public func contribution(of diagram: Diagram) throws(DiagramEvaluationError) -> DiagramContribution<S> {
        var context: PolynomialContext? = nil
        return try contribution(of: diagram, context: &context)
    }

    /// Evaluates one diagram, reusing product tables and subtree values from earlier diagrams of the same order.
    func contribution(of diagram: Diagram, context shared: inout PolynomialContext?) throws(DiagramEvaluationError)
        -> DiagramContribution<S> {
        let n = diagram.order
        let d = network.inputDimension
        guard let size = MonomialBasis.count(variables: d, maxDegree: n), size <= DiagramEvaluator.maximumSlots else {
            throw .tensorTooLarge(variables: d, order: n)
        }
        if shared?.basis.maxDegree != n { shared = PolynomialContext(basis: MonomialBasis(variables: d, maxDegree: n)) }
        guard var context = shared else { throw .tensorTooLarge(variables: d, order: n) }
        defer { shared = context }
        let basis = context.basis
        let slots = basis.range(ofDegree: n)
        let indexLists = Array(basis.indexLists[slots])
        let outputs = widths.last ?? d
        func tensor(_ entries: [[S]]) -> TaylorExpansion<S> {
            TaylorExpansion(basis: basis, lowestOrder: n, outputCount: outputs, convention: .derivative,
                            values: entries.flatMap { $0 })
        }
        let L = network.layers.count

        guard let root = diagram.root else {
            // Order 0: the value y(x0).
            let value: [S] = L == 0 ? network.point : point.derivatives[L - 1].first ?? []
            guard value.count == outputs else { throw .missingDerivative(layer: L, order: 0) }
            return DiagramContribution(diagram: diagram, multiplicity: .one, tensor: tensor(value.map { [$0] }),
                                       vanishing: value.allSatisfy(\.isZero) ? .cancellation : nil)
        }
        if let layer = missingFirstDerivative { throw .missingDerivative(layer: layer, order: 1) }
        for vertex in root.verticesPreorder {
            guard vertex.layer >= 1, vertex.layer <= L else { throw .layerOutOfRange(vertex.layer) }
            guard vertex.degree >= 2, vertex.children.allSatisfy({ $0.layer < vertex.layer }) else {
                throw .invalidDiagram(diagram.shape)
            }
            guard point.derivatives[vertex.layer - 1].count > vertex.degree else {
                throw .missingDerivative(layer: vertex.layer, order: vertex.degree)
            }
        }

        var reason: DiagramVanishing? = structuralZero(root)
        var output: [[S]]
        if reason != nil {
            output = [[S]](repeating: [S](repeating: .zero, count: slots.count), count: outputs)
        } else {
            let top = evaluate(root, context: &context)
            if root.layer == L && L > 0 {
                output = top.values
            } else {
                let p = propagators[L][root.layer]
                output = context.apply(p, to: top)
                if rules.outputHasDerivativeFactor {
                    let dL = point.derivatives[L - 1][1]
                    for o in output.indices { output[o] = output[o].map { $0 * dL[o] } }
                }
            }
        }
        // Coefficient of v^alpha -> derivative entry: times alpha!/n!.
        let nFactorial = Combinatorics.factorial(n)
        let scales = indexLists.map { S(Combinatorics.multiIndexFactorial($0, as: Rational.self) / nFactorial) }
        let entries = output.map { poly in poly.indices.map { poly[$0] * scales[$0] } }
        if reason == nil && entries.allSatisfy({ $0.allSatisfy(\.isZero) }) { reason = .cancellation }
        return DiagramContribution(diagram: diagram, multiplicity: diagram.multiplicity, tensor: tensor(entries),
                                   vanishing: reason)
    }

    /// Every diagram of order n with its contribution, in canonical order (the `diagrams` listing).
    /// Throws `DiagramLimitExceeded` when the order has more than `limit` diagrams, or a `DiagramEvaluationError`.
    public func breakdown(order n: Int, limit: Int = 100_000) throws -> DiagramOrderBreakdown<S> {
        let d = network.inputDimension
        guard n >= 0, let size = MonomialBasis.count(variables: d, maxDegree: n), size <= DiagramEvaluator.maximumSlots else {
            throw DiagramEvaluationError.tensorTooLarge(variables: d, order: n)
        }
        let diagrams = try DiagramEnumerator(rules: rules).diagrams(order: n, limit: limit)
        var context: PolynomialContext? = nil
        var contributions: [DiagramContribution<S>] = []
        contributions.reserveCapacity(diagrams.count)
        for diagram in diagrams { contributions.append(try contribution(of: diagram, context: &context)) }
        let basis = contributions.first?.tensor.basis ?? MonomialBasis(variables: d, maxDegree: n)
        return DiagramOrderBreakdown(order: n, basis: basis, outputCount: widths.last ?? 0, contributions: contributions)
    }

    /// For `expand --by-diagram`: every order 0...maxOrder with all its diagrams' contributions.
    /// Throws when an order has more than `limit` diagrams or the point lacks a needed derivative.
    public func breakdown(upTo maxOrder: Int, limit: Int = 100_000) throws -> [DiagramOrderBreakdown<S>] {
        guard maxOrder >= 0 else { return [] }
        return try (0...maxOrder).map { try breakdown(order: $0, limit: limit) }
    }

    /// The first structurally zero factor of the tree (a zero sigma^(k) vector or a zero propagator), if any.
    func structuralZero(_ root: DiagramNode) -> DiagramVanishing? {
        let L = network.layers.count
        func isZeroMatrix(_ m: [[S]]) -> Bool { m.allSatisfy { $0.allSatisfy(\.isZero) } }
        func check(_ node: DiagramNode) -> DiagramVanishing? {
            guard case .vertex(let layer, let children) = node else { return nil }
            if point.derivatives[layer - 1][children.count].allSatisfy(\.isZero) {
                return .vertexDerivativeZero(layer: layer, degree: children.count)
            }
            for child in children {
                if isZeroMatrix(propagators[layer][child.layer]) { return .propagatorZero(to: layer, from: child.layer) }
                if let r = check(child) { return r }
            }
            return nil
        }
        if !(root.layer == L && L > 0) {
            if isZeroMatrix(propagators[L][root.layer]) { return .propagatorZero(to: L, from: root.layer) }
            if rules.outputHasDerivativeFactor && point.derivatives[L - 1][1].allSatisfy(\.isZero) {
                return .propagatorZero(to: L, from: L)
            }
        }
        return check(root)
    }

    /// The value a subtree sends out of its own layer: a vector (over that layer's neurons) of polynomials.
    func evaluate(_ node: DiagramNode, context: inout PolynomialContext) -> PolynomialVector {
        if let cached = context.subtrees[node] { return cached }
        let value = evaluateUncached(node, context: &context)
        // Legs are trivial; vertices recur across the diagrams of one order, so keep them.
        if case .vertex = node { context.subtrees[node] = value }
        return value
    }

    func evaluateUncached(_ node: DiagramNode, context: inout PolynomialContext) -> PolynomialVector {
        switch node {
        case .leg:
            // The input itself: neuron a carries the monomial v_a.
            let d = network.inputDimension
            return PolynomialVector(degree: 1, values: (0..<d).map { a in (0..<d).map { $0 == a ? S.one : S.zero } })
        case .vertex(let layer, let children):
            let sigma = point.derivatives[layer - 1][children.count]
            var product: PolynomialVector? = nil
            for child in children {
                let line = context.apply(propagators[layer][child.layer], to: evaluate(child, context: &context))
                let lineVector = PolynomialVector(degree: child.legCount, values: line)
                product = product.map { context.multiply($0, lineVector) } ?? lineVector
            }
            guard var result = product else { return PolynomialVector(degree: 0, values: []) }
            for i in result.values.indices { result.values[i] = result.values[i].map { $0 * sigma[i] } }
            return result
        }
    }

    /// A plain matrix product.
    static func multiply(_ a: [[S]], _ b: [[S]]) -> [[S]] {
        let inner = b.count
        let columns = b.first?.count ?? 0
        return a.map { row in
            var out = [S](repeating: .zero, count: columns)
            for k in 0..<min(inner, row.count) where !row[k].isZero {
                for j in 0..<columns { out[j].addProduct(row[k], b[k][j]) }
            }
            return out
        }
    }

    /// Homogeneous polynomials of one degree, one per neuron, coefficients over that degree's basis slots.
    struct PolynomialVector {
        var degree: Int
        var values: [[S]]
    }

    /// Product tables of the monomial basis, built on demand.
    struct PolynomialContext {
        let basis: MonomialBasis
        var tables: [Int: [[Int]]] = [:]
        /// Values of subtrees already evaluated (they do not depend on the diagram around them).
        var subtrees: [DiagramNode: PolynomialVector] = [:]

        init(basis: MonomialBasis) { self.basis = basis }

        /// table[i][j] = slot (within degree a+b) of the product of slot i of degree a and slot j of degree b.
        mutating func table(_ a: Int, _ b: Int) -> [[Int]] {
            let key = a * (basis.maxDegree + 1) + b
            if let t = tables[key] { return t }
            let ra = basis.range(ofDegree: a), rb = basis.range(ofDegree: b)
            let offset = basis.range(ofDegree: a + b).lowerBound
            let t = ra.map { i in rb.map { j in (basis.productPosition(i, j) ?? offset) - offset } }
            tables[key] = t
            return t
        }

        /// Elementwise product of two polynomial vectors of equal length.
        mutating func multiply(_ x: PolynomialVector, _ y: PolynomialVector) -> PolynomialVector {
            let t = table(x.degree, y.degree)
            let size = basis.range(ofDegree: x.degree + y.degree).count
            let values = zip(x.values, y.values).map { p, q -> [S] in
                var r = [S](repeating: .zero, count: size)
                for i in p.indices where !p[i].isZero {
                    for j in q.indices where !q[j].isZero { r[t[i][j]].addProduct(p[i], q[j]) }
                }
                return r
            }
            return PolynomialVector(degree: x.degree + y.degree, values: values)
        }

        /// The matrix applied to a polynomial vector: out_i = sum_j m[i][j] x_j.
        func apply(_ m: [[S]], to x: PolynomialVector) -> [[S]] {
            let size = basis.range(ofDegree: x.degree).count
            return m.map { row in
                var r = [S](repeating: .zero, count: size)
                for j in 0..<min(row.count, x.values.count) where !row[j].isZero {
                    for s in 0..<size { r[s].addProduct(row[j], x.values[j][s]) }
                }
                return r
            }
        }
    }
}

extension DiagramEvaluationError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(code: .diagramEvaluation, message: description)] }
}

extension DiagramLimitExceeded: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(code: .tooManyDiagrams, message: description,
                    help: "lower --order or filter; 'nnfeyn diagrams --count' counts without enumerating")]
    }
}
