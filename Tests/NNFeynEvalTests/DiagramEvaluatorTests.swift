import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
import NNFeynDiagrams
@testable import NNFeynEval

/// A deterministic generator for test networks (the package's one generator).
struct DiagramTestRNG: RandomNumberGenerator {
    var base: Xoshiro256
    init(state: UInt64) { base = Xoshiro256(seed: state) }
    mutating func next() -> UInt64 { base.next() }
    mutating func rational() -> Rational {
        Rational(Int.random(in: -3...3, using: &self), Int.random(in: 1...3, using: &self))
    }
}

/// Test fixtures: networks built by hand and their point derivatives, computed here without the real oracle.
/// Transcendental activations get made-up derivative values: the expansion only uses the numbers, so any
/// table is a valid test of the combinatorics (and the reference below uses the same table).
enum DiagramFixture {
    static func network(_ activations: [Activation], widths: [Int], input: Int, rng: inout DiagramTestRNG,
                        point: [Rational]? = nil, zeroBias: Bool = false) -> Network<Rational> {
        var fanIn = input
        var layers: [(activation: Activation, weight: [[Rational]], bias: [Rational])] = []
        for (activation, width) in zip(activations, widths) {
            let weight = (0..<width).map { _ in (0..<fanIn).map { _ in rng.rational() } }
            let bias = (0..<width).map { _ in zeroBias ? Rational.zero : rng.rational() }
            layers.append((activation, weight, bias))
            fanIn = width
        }
        let x0 = point ?? (0..<input).map { _ in rng.rational() }
        return try! TestNetworks.model(input: input, point: x0, layers: layers).network(as: Rational.self)
    }

    static func falling(_ j: Int, _ k: Int) -> Rational {
        var r = Rational.one
        for i in 0..<k { r = r * Rational(j - i) }
        return r
    }

    /// sigma^(k)(z) for k = 0...order.
    static func derivatives(_ activation: Activation, at z: Rational, order: Int, rng: inout DiagramTestRNG) -> [Rational] {
        let coefficients: [Rational]
        switch activation {
        case .linear: coefficients = [.zero, .one]
        case .square: coefficients = [.zero, .zero, .one]
        case .poly(let c): coefficients = c
        case .relu: return (0...order).map { $0 == 0 ? (z.sign > 0 ? z : .zero) : ($0 == 1 && z.sign > 0 ? .one : .zero) }
        case .tanh where z.isZero:
            let table: [Rational] = [0, 1, 0, -2, 0, 16, 0, -272]
            return (0...order).map { $0 < table.count ? table[$0] : rng.rational() }
        default: return (0...order).map { _ in rng.rational() }
        }
        return (0...order).map { k in
            var sum = Rational.zero
            for (j, c) in coefficients.enumerated() where j >= k { sum = sum + c * falling(j, k) * z.power(j - k) }
            return sum
        }
    }

    static func point(_ network: Network<Rational>, order: Int, rng: inout DiagramTestRNG) -> PointDerivatives<Rational> {
        var a = network.point
        var pre: [[Rational]] = []
        var ders: [[[Rational]]] = []
        for (l, layer) in network.layers.enumerated() {
            let z = (0..<layer.width).map { i in
                zip(network.weights[l][(i * layer.fanIn)..<((i + 1) * layer.fanIn)], a).reduce(network.biases[l][i]) { $0 + $1.0 * $1.1 }
            }
            let table = z.map { derivatives(layer.activation, at: $0, order: max(order, 1), rng: &rng) }
            pre.append(z)
            ders.append((0...max(order, 1)).map { k in table.map { $0[k] } })
            a = table.map { $0[0] }
        }
        return PointDerivatives(preActivations: pre, derivatives: ders)
    }
}

/// The independent reference: truncated multivariate Taylor composition, layer by layer, in exact arithmetic.
/// a_l(x0 + dx) = sum_k sigma_l^(k)(z_l) / k! (z_l(x0 + dx) - z_l)^k; derivative[alpha] = coefficient * alpha!.
struct DiagramTaylorReference {
    typealias Poly = [[Int]: Rational]
    let variables: Int
    let order: Int

    func multiply(_ p: Poly, _ q: Poly) -> Poly {
        var r: Poly = [:]
        for (e, c) in p {
            for (f, d) in q {
                let g = zip(e, f).map(+)
                guard g.reduce(0, +) <= order else { continue }
                r[g, default: .zero] = r[g, default: .zero] + c * d
            }
        }
        return r.filter { !$0.value.isZero }
    }

    func add(_ p: Poly, _ q: Poly, scale: Rational = .one) -> Poly {
        var r = p
        for (e, c) in q { r[e, default: .zero] = r[e, default: .zero] + c * scale }
        return r.filter { !$0.value.isZero }
    }

    /// Output polynomials in dx.
    func outputs(_ network: Network<Rational>, _ point: PointDerivatives<Rational>) -> [Poly] {
        let zero = [Int](repeating: 0, count: variables)
        var a: [Poly] = (0..<variables).map { i in
            var unit = zero
            unit[i] = 1
            return [zero: network.point[i], unit: .one].filter { !$0.value.isZero }
        }
        for (l, layer) in network.layers.enumerated() {
            a = (0..<layer.width).map { i in
                var z: Poly = [zero: network.biases[l][i]]
                for j in 0..<layer.fanIn { z = add(z, a[j], scale: network.weights[l][i * layer.fanIn + j]) }
                var dz = z
                dz[zero] = nil
                var result: Poly = [:]
                var power: Poly = [zero: .one]
                var factorial = Rational.one
                for k in 0...order {
                    if k > 0 { power = multiply(power, dz); factorial = factorial * Rational(k) }
                    result = add(result, power, scale: point.derivatives[l][k][i] / factorial)
                }
                return result
            }
        }
        return a
    }

    /// d^n y_o / dx^alpha for the non-decreasing index list alpha.
    static func derivative(_ poly: [[Int]: Rational], _ alpha: [Int], variables: Int) -> Rational {
        var exponent = [Int](repeating: 0, count: variables)
        for i in alpha { exponent[i] += 1 }
        var factorial = Rational.one
        for e in exponent where e > 1 { for m in 2...e { factorial = factorial * Rational(m) } }
        return (poly[exponent] ?? .zero) * factorial
    }
}

@Suite struct DiagramEvaluatorTests {
    static let palette: [Activation] = [
        .linear, .tanh, .square, .exp, .sigmoid, .relu,
        .poly([1, -1, 1, 2].map { Rational($0) }), .poly([0, 1, 0, 0, 3].map { Rational($0) }),
    ]

    @Test(arguments: 0..<16)
    func diagramSumEqualsTaylorReference(seed: Int) throws {
        var rng = DiagramTestRNG(state: UInt64(seed) &* 104_729 &+ 17)
        let layers = Int.random(in: 1...4, using: &rng)
        let activations = (0..<layers).map { _ in Self.palette.randomElement(using: &rng)! }
        let widths = (0..<layers).map { _ in Int.random(in: 1...3, using: &rng) }
        let input = Int.random(in: 1...3, using: &rng)
        let order = layers >= 3 ? 4 : 5
        let network = DiagramFixture.network(activations, widths: widths, input: input, rng: &rng)
        let point = DiagramFixture.point(network, order: order, rng: &rng)
        let evaluator = try DiagramEvaluator(network: network, point: point)
        let reference = DiagramTaylorReference(variables: input, order: order)
        let outputs = reference.outputs(network, point)
        for breakdown in try evaluator.breakdown(upTo: order) {
            let total = breakdown.total
            for (o, poly) in outputs.enumerated() {
                for (s, alpha) in breakdown.indexLists.enumerated() {
                    #expect(total.rows[o][s] == DiagramTaylorReference.derivative(poly, alpha, variables: input),
                            "\(activations) order \(breakdown.order) output \(o) index \(alpha)")
                }
            }
            // Double agrees with the exact result up to rounding.
            let numeric = try DiagramEvaluator<Double>(network: network.map(\.doubleValue), point: PointDerivatives(
                preActivations: point.preActivations.map { $0.map(\.doubleValue) },
                derivatives: point.derivatives.map { $0.map { $0.map(\.doubleValue) } }))
            let diagrams = breakdown.contributions.map(\.diagram)
            for (exact, diagram) in zip(breakdown.contributions, diagrams) {
                let approx = try numeric.contribution(of: diagram)
                for (e, a) in zip(exact.entries.joined(), approx.entries.joined()) {
                    #expect(abs(e.doubleValue - a) <= 1e-9 * max(1, abs(e.doubleValue)))
                }
            }
        }
    }

    /// Hand-picked stacks: linear layers in between, nonlinear outputs, square and poly degree limits.
    static let stacks: [[Activation]] = [
        [.tanh, .linear, .tanh],
        [.square, .linear, .square, .exp],
        [.linear, .sigmoid],
        [.poly([0, 0, 1, 1].map { Rational($0) }), .relu, .tanh, .linear],
        [.tanh],
    ]

    @Test(arguments: stacks)
    func handPickedStacksMatchTheReference(activations: [Activation]) throws {
        var rng = DiagramTestRNG(state: UInt64(activations.count) &* 31 &+ 3)
        let order = activations.count >= 4 ? 4 : 5
        let network = DiagramFixture.network(activations, widths: activations.map { _ in 2 }, input: 2, rng: &rng)
        let point = DiagramFixture.point(network, order: order, rng: &rng)
        let evaluator = try DiagramEvaluator(network: network, point: point)
        let outputs = DiagramTaylorReference(variables: 2, order: order).outputs(network, point)
        for breakdown in try evaluator.breakdown(upTo: order) {
            let total = breakdown.total
            for (o, poly) in outputs.enumerated() {
                for (s, alpha) in breakdown.indexLists.enumerated() {
                    #expect(total.rows[o][s] == DiagramTaylorReference.derivative(poly, alpha, variables: 2))
                }
            }
        }
    }

    @Test func orderZeroNeedsOnlyValues() throws {
        var rng = DiagramTestRNG(state: 77)
        let network = DiagramFixture.network([.tanh, .linear], widths: [2, 1], input: 2, rng: &rng)
        let full = DiagramFixture.point(network, order: 1, rng: &rng)
        let valuesOnly = PointDerivatives(preActivations: full.preActivations, derivatives: full.derivatives.map { [$0[0]] })
        let evaluator = try DiagramEvaluator(network: network, point: valuesOnly)
        #expect(try evaluator.contribution(of: .value).entries == full.derivatives[1][0].map { [$0] })
        #expect(throws: DiagramEvaluationError.missingDerivative(layer: 1, order: 1)) {
            try evaluator.contribution(of: Diagram(root: .leg))
        }
    }

    @Test func vanishingIsStructuralAtTheOrigin() throws {
        var rng = DiagramTestRNG(state: 5)
        // tanh at z = 0 (zero bias, zero point): even derivatives vanish.
        let network = DiagramFixture.network([.tanh, .linear], widths: [2, 1], input: 2, rng: &rng, point: [0, 0], zeroBias: true)
        let point = DiagramFixture.point(network, order: 4, rng: &rng)
        let evaluator = try DiagramEvaluator(network: network, point: point)
        let orders = try evaluator.breakdown(upTo: 4)
        #expect(orders[2].contributions.map(\.vanishing) == [.vertexDerivativeZero(layer: 1, degree: 2)])
        #expect(orders[3].contributions.map(\.vanishes) == [false])
        #expect(orders[4].contributions[0].vanishing == .vertexDerivativeZero(layer: 1, degree: 4))
        #expect(orders[0].contributions[0].vanishing == .cancellation)
        #expect(orders[2].contributions[0].size == 0)
        #expect(orders[3].contributions[0].size > 0)
    }

    @Test func knownSecondDerivative() throws {
        // y = (x0 + 2 x1)^2 through a square layer and a linear output with weight 3: d2y/dx0dx1 = 3 * 2 * 2.
        let network = try TestNetworks.model(input: 2, point: [1, 0], layers: [
            (.square, [[1, 2]], [0]), (.linear, [[3]], [0]),
        ]).network(as: Rational.self)
        let point = PointDerivatives<Rational>(preActivations: [[1], [3]], derivatives: [[[1], [2], [2]], [[3], [1], [0]]])
        let evaluator = try DiagramEvaluator(network: network, point: point)
        let c = try evaluator.contribution(of: Diagram(root: .vertex(layer: 1, children: [.leg, .leg])))
        #expect(c.indexLists == [[0, 0], [0, 1], [1, 1]])
        #expect(c.entries == [[6, 12, 24]])
        #expect(c.multiplicity == 1)
        #expect(c.size == 24)
    }

    @Test func malformedInputsThrowInsteadOfTrapping() throws {
        var rng = DiagramTestRNG(state: 9)
        let network = DiagramFixture.network([.tanh, .tanh], widths: [2, 1], input: 2, rng: &rng)
        let point = DiagramFixture.point(network, order: 2, rng: &rng)
        #expect(throws: DiagramEvaluationError.self) {
            try DiagramEvaluator(network: network, point: PointDerivatives<Rational>(preActivations: [], derivatives: []))
        }
        let evaluator = try DiagramEvaluator(network: network, point: point)
        // Needs sigma^(3), which the point lacks.
        #expect(throws: DiagramEvaluationError.missingDerivative(layer: 1, order: 3)) {
            try evaluator.contribution(of: Diagram(root: .vertex(layer: 1, children: [.leg, .leg, .leg])))
        }
        #expect(throws: DiagramEvaluationError.layerOutOfRange(7)) {
            try evaluator.contribution(of: Diagram(root: .vertex(layer: 7, children: [.leg, .leg])))
        }
        #expect(throws: DiagramEvaluationError.self) {
            try evaluator.contribution(of: Diagram(root: .vertex(layer: 1, children: [.leg, .vertex(layer: 2, children: [.leg, .leg])])))
        }
    }
}

// Rows of entries per output, as the tests compare them.
extension TaylorExpansion {
    var rows: [[S]] { (0..<outputCount).map { o in positions.map { stored(output: o, position: $0) } } }
}

extension DiagramContribution {
    var entries: [[S]] { tensor.rows }
    var indexLists: [[Int]] { tensor.positions.map { tensor.basis.indexLists[$0] } }
}

extension DiagramOrderBreakdown {
    var indexLists: [[Int]] { basis.range(ofDegree: order).map { basis.indexLists[$0] } }
}
