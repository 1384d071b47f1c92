import Testing
import NNFeynAlgebra
@testable import NNFeynDiagrams

/// Integer partitions p(n) and Bell numbers B(n), n = 0...20 (OEIS A000041, A000110).
let partitions: [Int] = [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42, 56, 77, 101, 135, 176, 231, 297, 385, 490, 627]
let bell: [String] = ["1", "1", "2", "5", "15", "52", "203", "877", "4140", "21147", "115975", "678570", "4213597",
                      "27644437", "190899322", "1382958545", "10480142147", "82864869804", "682076806159",
                      "5832742205057", "51724158235372"]

@Suite struct DiagramCountTests {
    @Test(arguments: [Activation.tanh, .exp, .sin])
    func oneNonlinearLayerHasOneDiagramPerOrder(activation: Activation) {
        let rules = DiagramRules(activations: [activation, .linear])
        let counts = DiagramCounter(rules: rules).counts(upTo: 20)
        #expect(counts.count == 21)
        for c in counts {
            #expect(c.diagrams == .one)
            #expect(c.labelledTerms == .one)
        }
    }

    @Test func twoNonlinearLayersGivePartitionsAndBellNumbers() {
        let rules = DiagramRules(activations: [.tanh, .sigmoid, .linear])
        let counts = DiagramCounter(rules: rules).counts(upTo: 20)
        for c in counts where c.order >= 1 {
            #expect(c.diagrams == Rational(partitions[c.order]), "order \(c.order)")
            #expect(c.labelledTerms.description == bell[c.order], "order \(c.order)")
        }
    }

    @Test func twoNonlinearLayersWithLinearLayersBetweenGiveTheSame() {
        let plain = DiagramCounter(rules: DiagramRules(activations: [.tanh, .tanh])).counts(upTo: 12)
        let padded = DiagramCounter(rules: DiagramRules(activations: [.linear, .tanh, .linear, .relu, .tanh, .linear]))
            .counts(upTo: 12)
        #expect(plain == padded)
    }

    @Test func nonlinearOutputLayerCountsAsALayer() {
        // tanh -> tanh (output): the same diagrams as tanh -> tanh -> linear.
        let a = DiagramCounter(rules: DiagramRules(activations: [.tanh, .tanh])).counts(upTo: 10)
        let b = DiagramCounter(rules: DiagramRules(activations: [.tanh, .tanh, .linear])).counts(upTo: 10)
        #expect(a == b)
    }

    @Test func squareLayersOnlyHaveBinaryVertices() {
        // One square layer: only V1[2](x, x) at order 2, nothing above.
        let one = DiagramCounter(rules: DiagramRules(activations: [.square, .linear])).counts(upTo: 6)
        #expect(one.map(\.diagrams) == [1, 1, 1, 0, 0, 0, 0].map { Rational($0) })
        // Two square layers: orders 2, 3 (V2(x, V1)), 4 (V2(V1, V1)); labelled 1, 1, 3, 3.
        let two = DiagramCounter(rules: DiagramRules(activations: [.square, .square])).counts(upTo: 6)
        #expect(two.map(\.diagrams) == [1, 1, 2, 1, 1, 0, 0].map { Rational($0) })
        #expect(two.map(\.labelledTerms) == [1, 1, 2, 3, 3, 0, 0].map { Rational($0) })
    }

    @Test func polyDegreeLimitsVertexDegrees() {
        // poly of degree 3 (even with c2 = 0: 30 z is nonzero as a function): vertices of degree 2 and 3.
        let rules = DiagramRules(activations: [.poly([0, 1, 0, 5].map { Rational($0) })])
        #expect(rules.vertexDegrees(atLayer: 1, upTo: 10) == [2, 3])
        #expect(rules.vertexDegrees(atLayer: 1, upTo: 2) == [2])
        let counts = DiagramCounter(rules: rules).counts(upTo: 5)
        #expect(counts.map(\.diagrams) == [1, 1, 1, 1, 0, 0].map { Rational($0) })
        // poly(1, 2): affine, no vertices at all.
        #expect(DiagramRules(activations: [.poly([1, 2].map { Rational($0) })]).vertexDegrees(atLayer: 1, upTo: 5).isEmpty)
        // A linear layer adds no vertices; relu neither.
        #expect(DiagramCounter(rules: DiagramRules(activations: [.relu, .linear])).counts(upTo: 4).map(\.diagrams)
                == [1, 1, 0, 0, 0].map { Rational($0) })
    }

    @Test func noLayersLeavesTheIdentity() {
        let counts = DiagramCounter(rules: DiagramRules(activations: [])).counts(upTo: 3)
        #expect(counts.map(\.diagrams) == [1, 1, 0, 0].map { Rational($0) })
        #expect(DiagramEnumerator(rules: DiagramRules(activations: [])).diagrams(order: 2).isEmpty)
        #expect(DiagramCounter(rules: DiagramRules(activations: [.tanh])).counts(upTo: -1).isEmpty)
    }

    @Test func orderTwentyIsFastAndBig() {
        let rules = DiagramRules(activations: [.tanh, .tanh, .tanh, .tanh, .tanh])
        let counts = DiagramCounter(rules: rules).counts(upTo: 20)
        // Five nested exponentials: far beyond Int64 at order 20.
        #expect(counts[20].labelledTerms > Rational(Int.max))
        #expect(counts[20].diagrams.isInteger && counts[20].labelledTerms.isInteger)
        // Multiplicities sum to the labelled count: cross-check at a size where enumeration is cheap.
        let diagrams = DiagramEnumerator(rules: rules).diagrams(order: 6)
        #expect(Rational(diagrams.count) == counts[6].diagrams)
        #expect(diagrams.reduce(Rational.zero) { $0 + $1.multiplicity } == counts[6].labelledTerms)
    }
}

@Suite struct BoundedCountTests {
    static let stacks: [[Activation]] = [
        [.tanh, .linear], [.tanh, .tanh], [.tanh, .sigmoid, .linear], [.square, .square, .square],
        [.poly([0, 0, 0, 1].map { Rational($0) }), .tanh], [.tanh, .tanh, .tanh, .tanh, .linear],
    ]

    /// Machine-integer counts agree with the exact generating function wherever they fit.
    @Test(arguments: stacks)
    func boundedCountsMatchTheExactOnes(activations: [Activation]) {
        let counter = DiagramCounter(rules: DiagramRules(activations: activations))
        let exact = counter.counts(upTo: 30).map(\.diagrams)
        let bounded = counter.boundedCounts(upTo: 30)
        for (e, b) in zip(exact, bounded) {
            if let b { #expect(Rational(b) == e) } else { #expect(e > Rational(Int.max)) }
        }
    }

    @Test func firstOrderAboveALimitIsFoundWithoutCountingEveryOrder() {
        let deep = DiagramCounter(rules: DiagramRules(activations: [.tanh, .tanh, .tanh, .tanh, .linear]))
        let first = deep.firstOrder(above: 20_000, upTo: 1000)
        #expect(first?.order == 11 && first?.count == 20759)
        #expect(deep.boundedCounts(upTo: 10).allSatisfy { ($0 ?? .max) <= 20_000 })
        // One layer with vertices: one diagram per order at most, at any order.
        #expect(DiagramCounter(rules: DiagramRules(activations: [.tanh, .linear])).firstOrder(above: 1, upTo: 100_000) == nil)
        // Square layers stop at order 2^L: nothing past it, however high the order asked for.
        #expect(DiagramCounter(rules: DiagramRules(activations: [.square, .square])).firstOrder(above: 5, upTo: 500) == nil)
    }
}
