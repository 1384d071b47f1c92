import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynEval

@Suite struct ExpansionTests {
    /// Polynomial activations keep everything rational at any rational point: the double result must match the
    /// exact one, both through the generic evaluator and the OpenBLAS path.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func exactAndNumericAgreeOnPolynomialNetworks(seed: UInt64) throws {
        let network = TestNetworks.random(input: 3, widths: [3, 4, 2],
                                          activations: [.poly([Rational(1, 3), 1, Rational(-1, 2), Rational(1, 5)]), .square, .poly([0, 1, 0, Rational(-1, 6)])],
                                          seed: seed)
        let exact = try Expander.expand(network, order: 5, mode: .exact)
        #expect(exact.mode == .exact)
        let reference = try #require(exact.exact).doubleValues
        let generic = try Expander.expandGeneric(try network.network(as: Double.self), order: 5)
        let blas = try Expander.expand(try network.network(as: Double.self), order: 5)
        for difference in maxRelativeDifference(generic, reference) + maxRelativeDifference(blas, reference) {
            #expect(difference < 1e-12)
        }
    }

    /// At the origin with zero biases, tanh, sin, silu and gelu map 0 to 0, so deep networks stay exact there;
    /// sigmoid, cos and exp do not (sigma(0) != 0 feeds the next layer), so they get one hidden layer and a
    /// linear read-out.
    @Test(arguments: [("tanh", 3), ("sin", 3), ("silu", 3), ("gelu", 1), ("sigmoid", 1), ("cos", 1), ("exp", 1), ("softplus", 0)])
    func exactAndNumericAgreeAtTheOrigin(name: String, hidden: Int) throws {
        let activation = try #require(Activation.simpleNames[name])
        let deep = hidden > 1
        let order = name == "gelu" ? 1 : 5
        let widths = deep ? [3, 3, 2] : [4, 2]
        let activations: [Activation] = deep ? [activation, activation, .linear] : [activation, .linear]
        let network = TestNetworks.random(input: 2, widths: widths, activations: activations, seed: 11,
                                          point: [0, 0], zeroBias: true)
        let result = try Expander.expand(network, order: order, mode: .automatic)
        if name == "softplus" {
            // softplus(0) = log 2 feeds the read-out: exact is impossible, automatic falls back.
            #expect(result.mode == .numeric)
            #expect(result.fallbackReason == .irrational(layer: 0, neuron: 0, order: 0))
            return
        }
        #expect(result.mode == .exact)
        let reference = try #require(result.exact).doubleValues
        let numeric = try Expander.expand(network, order: order, mode: .numeric).numeric
        for difference in maxRelativeDifference(numeric, reference) { #expect(difference < 1e-13) }
    }

    /// y = tanh(w . x) at the origin: d^alpha y = w^alpha tanh^(|alpha|)(0), with tanh^(k)(0) = 0, 1, 0, -2, 0, 16,...
    @Test func singleTanhNeuronHasTheClosedForm() throws {
        let w: [Rational] = [Rational(1, 2), -2, Rational(3, 4)]
        let network = TestNetworks.model(input: 3, layers: [(.tanh, [w], [0])])
        let expansion = try #require(try Expander.expand(network, order: 7, mode: .exact).exact)
        let tanhAtZero: [Rational] = [0, 1, 0, -2, 0, 16, 0, -272]
        for p in 0..<expansion.basis.count {
            let indices = expansion.basis.indexLists[p]
            let expected = indices.reduce(tanhAtZero[indices.count]) { $0 * w[$1] }
            #expect(expansion.derivative(output: 0, position: p) == expected)
        }
        #expect(expansion.derivative(output: 0, indices: [2, 0, 0]) == expansion.derivative(output: 0, indices: [0, 0, 2]))
        #expect(expansion.derivative(output: 0, indices: [3]) == nil)
        #expect(expansion.derivative(output: 1, indices: [0]) == nil)
    }

    /// Two square layers: y = (x1 + 2 x2 + 1)^4 around x0 = (1/2, -1/3), where z0 = 5/6. The coefficient of
    /// h1^p h2^q is C(4, p+q) z0^(4-p-q) C(p+q, p) 2^q, and everything above degree 4 vanishes.
    @Test func composedSquaresExpandByHand() throws {
        let network = TestNetworks.model(input: 2, point: [Rational(1, 2), Rational(-1, 3)],
                                           layers: [(.square, [[1, 2]], [1]), (.square, [[1]], [0])])
        let expansion = try #require(try Expander.expand(network, order: 6, mode: .exact).exact)
        func choose(_ n: Int, _ k: Int) -> Rational {
            guard k >= 0, k <= n else { return 0 }
            var r = Rational.one
            if k > 0 { for i in 1...k { r = r * Rational(n - k + i) / Rational(i) } }
            return r
        }
        let z0 = Rational(5, 6)
        for pos in 0..<expansion.basis.count {
            let indices = expansion.basis.indexLists[pos]
            let p = indices.filter { $0 == 0 }.count, q = indices.count - p
            let expected = p + q > 4 ? Rational.zero
                : choose(4, p + q) * z0.power(4 - p - q) * choose(p + q, p) * Rational(2).power(q)
            #expect(expansion.coefficient(output: 0, position: pos) == expected)
        }
        let numeric = try Expander.expand(network, order: 6, mode: .numeric).numeric
        for difference in maxRelativeDifference(numeric, expansion.doubleValues) { #expect(difference < 1e-14) }
    }

    /// The OpenBLAS path against the generic Double evaluator on random tanh networks at random points.
    @Test(arguments: [UInt64(21), 22, 23])
    func blasMatchesTheGenericEvaluator(seed: UInt64) throws {
        let network = TestNetworks.randomDouble(input: 4, widths: [7, 5], activation: .tanh, seed: seed, point: [0.3, -0.2, 0.1, 0.7])
        let generic = try Expander.expandGeneric(try network.network(as: Double.self), order: 5)
        let blas = try Expander.expand(try network.network(as: Double.self), order: 5)
        for difference in maxRelativeDifference(blas, generic) { #expect(difference < 1e-12) }
    }

    @Test func orderZeroIsTheForwardPass() throws {
        let network = TestNetworks.randomDouble(input: 3, widths: [5, 4], activation: .silu, seed: 5, point: [0.5, -1, 2])
        let expansion = try Expander.expand(network, order: 0, mode: .numeric).numeric
        let f = try network.network(as: Double.self)
        #expect(expansion.basis.count == 1)
        #expect(abs(expansion.coefficient(output: 0, position: 0) - f.outputs(at: f.point)[0]) <= 1e-15 * abs(f.outputs(at: f.point)[0]))
    }

    @Test func networksWithoutLayersAreTheIdentity() throws {
        let network = TestNetworks.model(input: 2, point: [Rational(1, 2), 3], layers: [])
        let expansion = try #require(try Expander.expand(network, order: 2, mode: .exact).exact)
        #expect(expansion.outputCount == 2)
        #expect(expansion.coefficientRow(0) == [Rational(1, 2), 1, 0, 0, 0, 0])
        #expect(expansion.coefficientRow(1) == [3, 0, 1, 0, 0, 0])
    }

    @Test func resultsAreDeterministic() throws {
        let network = TestNetworks.randomDouble(input: 5, widths: [16, 16], activation: .gelu, seed: 9, point: [0.1, 0.2, 0.3, 0.4, 0.5])
        let a = try Expander.expand(network, order: 4, mode: .numeric).numeric
        let b = try Expander.expand(network, order: 4, mode: .numeric).numeric
        #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
    }
}

@Suite struct EvaluationErrorTests {
    @Test func reluOnItsKinkIsReportedWithItsNeuron() throws {
        // Neuron 1 of layer 0 has z = 1/2 - 1/2 = 0 at x0 = 1/2.
        let network = TestNetworks.model(input: 1, point: [Rational(1, 2)],
                                           layers: [(.relu, [[1], [1], [-1]], [1, Rational(-1, 2), 0]), (.linear, [[1, 1, 1]], [0])])
        for mode in ExpansionMode.allCases {
            #expect(throws: EvaluationError.reluKink(layer: 0, neuron: 1)) { try Expander.expand(network, order: 2, mode: mode) }
        }
        // Off the kink relu is piecewise linear: first derivatives only.
        let shifted = TestNetworks.model(input: 1, point: [Rational(1, 3)],
                                           layers: [(.relu, [[1], [1], [-1]], [1, Rational(-1, 2), 0]), (.linear, [[1, 1, 1]], [0])])
        let expansion = try #require(try Expander.expand(shifted, order: 2, mode: .exact).exact)
        #expect(expansion.coefficientRow(0) == [Rational(4, 3), 1, 0])
    }

    @Test func irrationalValuesAreReportedAtTheirLayer() throws {
        // tanh(0) = 0, then sigmoid(0) = 1/2, then tanh(1/2 * w + b) is irrational: layer 2, neuron 0, value.
        let network = TestNetworks.model(input: 1, layers: [(.tanh, [[1]], [0]), (.sigmoid, [[1]], [0]), (.tanh, [[1], [2]], [0, 0])])
        #expect(throws: EvaluationError.irrational(layer: 2, neuron: 0, order: 0)) { try Expander.expand(network, order: 3, mode: .exact) }
        let automatic = try Expander.expand(network, order: 3, mode: .automatic)
        #expect(automatic.mode == .numeric)
        #expect(automatic.fallbackReason == .irrational(layer: 2, neuron: 0, order: 0))
        // gelu at 0: gelu''(0) = 2 phi(0) is irrational, so order 1 is exact and order 2 is not.
        let gelu = TestNetworks.model(input: 2, layers: [(.gelu, [[1, 2], [3, 4]], [0, 0])])
        #expect(try Expander.expand(gelu, order: 1, mode: .exact).mode == .exact)
        #expect(throws: EvaluationError.irrational(layer: 0, neuron: 0, order: 2)) { try Expander.expand(gelu, order: 2, mode: .exact) }
    }

    @Test func overflowIsNonFinite() throws {
        let network = TestNetworks.model(input: 1, layers: [(.exp, [[1]], [0]), (.exp, [[800]], [0])])
        #expect(throws: EvaluationError.nonFinite(layer: 1, neuron: 0)) { try Expander.expand(network, order: 2, mode: .numeric) }
        // Exact mode has no overflow: exp(800 * 1) is simply irrational.
        #expect(throws: EvaluationError.irrational(layer: 1, neuron: 0, order: 0)) { try Expander.expand(network, order: 2, mode: .exact) }
    }

    @Test func malformedRequestsAreErrorsNotTraps() throws {
        let network = TestNetworks.model(input: 2, layers: [(.tanh, [[1, 2]], [0])])
        #expect(throws: EvaluationError.negativeOrder(-1)) { try Expander.expand(network, order: -1, mode: .numeric) }
        #expect(throws: EvaluationError.orderTooHigh(order: 1001, maximum: 1000)) {
            try PointDerivatives<Double>(network: try network.network(as: Double.self), order: 1001)
        }
        // Shapes are checked once, when a network is made, so no evaluator sees a malformed one.
        #expect(throws: ModelError.self) { try network.at([1]) }
        #expect(throws: ModelError.self) {
            try Network<Double>(architecture: network.architecture, weights: [[1]], biases: [[0]])
        }
        #expect(throws: ModelError.self) {
            try Network<Double>(architecture: network.architecture, weights: [[1, 2]], biases: [[]])
        }
        // An incomplete model is refused by every arithmetic with the layers it lacks.
        let incomplete = try Model(architecture: network.architecture, parameters: [nil])
        #expect(throws: EvaluationError.model(.missingParameters(layers: ["l0"]))) {
            try Expander.expand(incomplete, order: 1, mode: .automatic)
        }
    }
}

@Suite struct PointDerivativesTests {
    @Test func exactPointDerivativesFillTheContract() throws {
        let network = TestNetworks.model(input: 1, point: [Rational(1, 2)],
                                           layers: [(.square, [[2], [-1]], [0, 1]), (.poly([0, 0, 0, 1]), [[1, 1]], [0])])
        let points = try PointDerivatives<Rational>(network: try network.network(as: Rational.self), order: 3)
        // Layer 0: z = (1, 1/2), square derivatives (z^2, 2z, 2, 0). Layer 1: z = 1 + 1/4, cube derivatives.
        #expect(points.preActivations == [[1, Rational(1, 2)], [Rational(5, 4)]])
        #expect(points.derivatives[0] == [[1, Rational(1, 4)], [2, 1], [2, 2], [0, 0]])
        #expect(points.derivatives[1] == [[Rational(125, 64)], [Rational(75, 16)], [Rational(15, 2)], [6]])
    }

    @Test func numericPointDerivativesMatchTheRules() throws {
        let network = TestNetworks.randomDouble(input: 2, widths: [3], activation: .sigmoid, seed: 3, point: [0.25, -0.5])
        let points = try PointDerivatives<Double>(network: try network.network(as: Double.self), order: 4)
        for i in 0..<3 {
            let rules = try ActivationRules.numericDerivatives(.sigmoid, at: points.preActivations[0][i], upTo: 4)
            #expect((0...4).map { points.derivatives[0][$0][i] } == rules)
        }
    }
}

@Suite struct ExpansionPlanTests {
    @Test func plansMatchExpandAndMoveThePoint() throws {
        let network = TestNetworks.randomDouble(input: 3, widths: [6, 5], activation: .tanh, seed: 31, point: [0.1, 0.2, 0.3])
        let plan = try ExpansionPlan(try network.network(as: Double.self), order: 3)
        let direct = try Expander.expand(network, order: 3, mode: .numeric).numeric
        #expect(try plan.numeric() == direct)
        let moved = try network.at([Rational(1, 2), Rational(-1, 4), 0])
        let atMoved = try Expander.expand(moved, order: 3, mode: .numeric).numeric
        for difference in maxRelativeDifference(try plan.numeric(at: [0.5, -0.25, 0]), atMoved) { #expect(difference < 1e-14) }
        #expect(throws: EvaluationError.self) { try plan.numeric(at: [1]) }
    }
}

@Suite struct ErrorMessageTests {
    @Test func messagesAreLowercaseSentencesNamingTheCulprit() {
        let network = EstimateTests.wide(input: 16, widths: [4, 1])
        let estimate = Expander.estimate(network, order: 1000)
        let errors: [EvaluationError] = [
            .irrational(layer: 2, neuron: 0, order: 0), .irrational(layer: 1, neuron: 3, order: 2), .reluKink(layer: 0, neuron: 1),
            .nonFinite(layer: 1, neuron: 0), .tooLarge(estimate: estimate, limit: Expander.defaultLimit), .negativeOrder(-1),
            .orderTooHigh(order: 5000, maximum: 1000), .model(.shape(layer: 0, "the bias has 2 values, not 3")),
        ]
        for error in errors {
            let text = error.description
            #expect(text.first?.isLowercase == true)
            #expect(!text.hasSuffix("."))
        }
        #expect(errors[1].description.contains("derivative 2") && errors[1].description.contains("layer 1, neuron 3"))
        #expect(errors[4].description.contains("more than 9.2e18"))
    }
}
