import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynEval

@Suite struct EstimateTests {
    static func wide(input d: Int, widths: [Int]) -> Model {
        TestNetworks.model(input: d, layers: widths.enumerated().map { l, w in
            let fanIn = l == 0 ? d : widths[l - 1]
            return (.tanh, [[Rational]](repeating: [Rational](repeating: 0, count: fanIn), count: w), [Rational](repeating: 0, count: w))
        })
    }

    @Test func countsMatchTheBasisAndTheProductTable() {
        for (d, n) in [(1, 0), (1, 6), (2, 4), (3, 5), (5, 3)] {
            let network = Self.wide(input: d, widths: [3, 2])
            let estimate = Expander.estimate(network, order: n)
            let basis = MonomialBasis(variables: d, maxDegree: n)
            let table = ProductTable(basis: basis)
            #expect(estimate.monomials == basis.count)
            #expect(estimate.entries == basis.count * 2)
            #expect(estimate.productPairs == table.left.count)
            // The Horner pair count telescopes to the prefix sums the evaluator walks.
            let walked = n >= 2 ? (2...n).reduce(0) { $0 + table.end(ofDegree: $1) } : 0
            #expect(ExpansionEstimate.hornerPairs(variables: d, order: n, top: n) == walked)
        }
    }

    @Test func productTableIsSortedAndCorrect() {
        let basis = MonomialBasis(variables: 3, maxDegree: 4)
        let table = ProductTable(basis: basis)
        var previousDegree = 0
        for p in 0..<table.left.count {
            let a = Int(table.left[p]), b = Int(table.right[p]), t = Int(table.target[p])
            #expect(basis.productPosition(a, b) == t)
            #expect(basis.degree(of: b) >= 1)
            #expect(basis.degree(of: t) >= previousDegree)
            previousDegree = basis.degree(of: t)
            #expect(p < table.end(ofDegree: basis.degree(of: t)))
        }
    }

    @Test func moderateExpansionsFitTheDefaultLimit() throws {
        let network = Self.wide(input: 6, widths: [64, 64, 64, 1])
        let estimate = try Expander.checkedEstimate(network, order: 8, limit: Expander.defaultLimit)
        #expect(estimate.monomials == 3003)
    }

    @Test(arguments: [(16, 1000), (16, 1_000_000_000), (1, Int.max), (1000, 100), (1_000_000, 1_000_000), (Int.max / 2, 3)])
    func absurdExpansionsAreRefusedWithoutTrapping(d: Int, order: Int) {
        // A network whose input is huge but whose layers are small (the estimate must not build anything).
        let architecture = try! Architecture(name: nil, input: ModelInput(name: "x", dimension: d),
                                             layers: [LayerShape(name: "y", width: 1, fanIn: d, activation: .tanh)])
        // The architecture alone: nothing of size d may be built before the estimate refuses.
        let estimate = ExpansionEstimate(architecture: architecture, order: order)
        #expect(estimate.cost > Expander.defaultLimit)
        #expect(throws: EvaluationError.self) { try Expander.checked(estimate, limit: Expander.defaultLimit) }
        #expect(throws: EvaluationError.self) { try Expander.checked(estimate, limit: .max) }
    }

    @Test func everyEntryPointRefusesAbsurdOrders() {
        let network = Self.wide(input: 2, widths: [3, 1])
        let doubles = try! network.network(as: Double.self), exact = try! network.network(as: Rational.self)
        #expect(throws: EvaluationError.orderTooHigh(order: 1_000_000_000, maximum: 1000)) {
            try PointDerivatives<Double>(network: doubles, order: 1_000_000_000)
        }
        #expect(throws: EvaluationError.self) { try Expander.expand(exact, order: 1_000_000_000) }
        #expect(throws: EvaluationError.self) { try Expander.expand(doubles, order: Int.max) }
        #expect(throws: EvaluationError.self) { try ExpansionPlan(doubles, order: 1 << 40) }
        #expect(throws: EvaluationError.self) { try Expander.expand(network, order: 1_000_000_000, mode: .automatic) }
    }

    @Test func theLimitCanBeRaised() throws {
        let network = Self.wide(input: 4, widths: [8, 1])
        let estimate = Expander.estimate(network, order: 6)
        #expect(throws: EvaluationError.tooLarge(estimate: estimate, limit: 10)) { try Expander.expand(network, order: 6, mode: .numeric, limit: 10) }
        #expect(try Expander.expand(network, order: 6, mode: .numeric, limit: estimate.cost).mode == .numeric)
    }
}

@Suite struct ExactCostTests {
    @Test func automaticModeFallsBackWhenExactIsTooExpensive() throws {
        let network = TestNetworks.random(input: 3, widths: [6, 1], activations: [.square, .linear], seed: 4)
        let estimate = Expander.estimate(network, order: 4)
        let limit = estimate.cost * 2
        #expect(estimate.exactCost > limit)
        let result = try Expander.expand(network, order: 4, mode: .automatic, limit: limit)
        #expect(result.mode == .numeric)
        #expect(result.fallbackReason == .tooLarge(estimate: estimate, limit: limit))
        #expect(throws: EvaluationError.tooLarge(estimate: estimate, limit: limit)) { try Expander.expand(network, order: 4, mode: .exact, limit: limit) }
        #expect(try Expander.expand(network, order: 4, mode: .automatic).mode == .exact)
    }
}

@Suite struct ExactBitSizeTests {
    /// The toy network with one weight of 100000 digits: its order-12 coefficients have millions of bits, so exact
    /// arithmetic costs seconds, and the estimate must say so before any work (it used to say 4.5e6).
    @Test func hugeWeightsMakeExactExpansionsExpensive() throws {
        let huge = try #require(Rational(literal: "1e99999"))
        let model = TestNetworks.model(input: 2, layers: [
            (.tanh, [[huge, Rational(-1, 2)], [0, 2], [Rational(3, 4), 1]], [0, 0, 0]),
            (.linear, [[2, -3, 1]], [Rational(1, 4)]),
        ])
        let estimate = Expander.estimate(model, order: 12)
        #expect(estimate.exactBits > 1_000_000)
        #expect(estimate.exactCost > Expander.defaultLimit)
        #expect(estimate.cost < Expander.defaultLimit)
        #expect(throws: EvaluationError.tooLarge(estimate: estimate, limit: Expander.defaultLimit)) {
            try Expander.expand(model, order: 12, mode: .exact)
        }
        // The same network with small weights stays cheap in exact arithmetic.
        let small = TestNetworks.model(input: 2, layers: [
            (.tanh, [[1, Rational(-1, 2)], [0, 2], [Rational(3, 4), 1]], [0, 0, 0]),
            (.linear, [[2, -3, 1]], [Rational(1, 4)]),
        ])
        #expect(Expander.estimate(small, order: 12).exactCost < Expander.defaultLimit)
        #expect(Expander.estimate(small, order: 12).exactBits < Expander.estimate(model, order: 12).exactBits / 1000)
    }

    @Test func bitSizesGrowWithTheOrderAndTheDepth() {
        let shallow = EstimateTests.wide(input: 2, widths: [3, 1]), deep = EstimateTests.wide(input: 2, widths: [3, 3, 3, 1])
        #expect(Expander.estimate(shallow, order: 8).exactBits < Expander.estimate(shallow, order: 16).exactBits)
        #expect(Expander.estimate(shallow, order: 8).exactBits < Expander.estimate(deep, order: 8).exactBits)
    }
}
