import Testing
import NNFeynAlgebra
@testable import NNFeynDiagrams

@Suite struct DiagramModelTests {
    let rules = DiagramRules(activations: [.tanh, .tanh, .linear])

    @Test func orderFourListingIsCanonicalAndStable() {
        let diagrams = DiagramEnumerator(rules: rules).diagrams(order: 4)
        #expect(diagrams.map(\.id) == ["D4.1", "D4.2", "D4.3", "D4.4", "D4.5"])
        #expect(diagrams.map(\.shape) == [
            "V1[4](x, x, x, x)",
            "V2[4](x, x, x, x)",
            "V2[2](x, V1[3](x, x, x))",
            "V2[3](x, x, V1[2](x, x))",
            "V2[2](V1[2](x, x), V1[2](x, x))",
        ])
        #expect(diagrams.map(\.multiplicity) == [1, 1, 4, 6, 3].map { Rational($0) })
        #expect(diagrams.map(\.vertexCount) == [1, 1, 2, 2, 3])
        #expect(diagrams.map(\.topLayer) == [1, 2, 2, 2, 2])
        // Enumerating twice gives the same ids for the same trees.
        #expect(DiagramEnumerator(rules: rules).diagrams(order: 4).map(\.description) == diagrams.map(\.description))
    }

    @Test func canonicalFormIgnoresChildOrder() {
        let inner = DiagramNode.vertex(layer: 1, children: [.leg, .leg])
        let a = Diagram(root: .vertex(layer: 2, children: [inner, .leg, .leg]))
        let b = Diagram(root: .vertex(layer: 2, children: [.leg, inner, .leg]))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.shape == "V2[3](x, x, V1[2](x, x))")
        #expect(a.automorphismOrder == Rational(4))
        #expect(a.multiplicity == Rational(6))
        #expect(a.vertices.map(\.layer) == [2, 1])
        #expect(a.vertices.map(\.degree) == [3, 2])
    }

    @Test func lowOrders() {
        let enumerator = DiagramEnumerator(rules: rules)
        #expect(enumerator.diagrams(order: 0).map(\.description) == ["D0.1 value"])
        #expect(enumerator.diagrams(order: 1).map(\.description) == ["D1.1 x"])
        #expect(enumerator.diagrams(order: -3).isEmpty)
        #expect(enumerator.diagrams(order: 1)[0].multiplicity == .one)
    }

    @Test func limitRefusesHugeOrders() {
        let enumerator = DiagramEnumerator(rules: DiagramRules(activations: [.tanh, .tanh, .tanh, .tanh]))
        #expect(throws: DiagramLimitExceeded.self) { try enumerator.diagrams(order: 20, limit: 1000) }
        #expect((try? enumerator.diagrams(order: 3, limit: 1000))?.count == 10)
    }

    @Test func filters() {
        let diagrams = DiagramEnumerator(rules: rules).diagrams(order: 4)
        #expect(diagrams.filter(DiagramFilter(topLayer: 1).accepts).map(\.id) == ["D4.1"])
        #expect(diagrams.filter(DiagramFilter(vertexCount: 2).accepts).map(\.id) == ["D4.3", "D4.4"])
        #expect(diagrams.filter(DiagramFilter(topLayer: 2, vertexCount: 3).accepts).map(\.id) == ["D4.5"])
    }

    @Test func formulas() {
        let formula = DiagramFormula(rules: rules)
        let d = Diagram(root: .vertex(layer: 2, children: [.leg, .vertex(layer: 1, children: [.leg, .leg])]))
        #expect(formula.text(d) == "W_3[o,j1] sigma_2^(2)(z_2)[j1] P^(2<-0)[j1,a1] W_2[j1,j2] sigma_1^(2)(z_1)[j2] W_1[j2,a2] W_1[j2,a3]")
        #expect(formula.latex(d).contains("P^{(2\\leftarrow 0)}_{j_{1}a_{1}}"))
        // A nonlinear output: roots below get sigma_L', a root on L carries the output index itself.
        let nonlinear = DiagramFormula(rules: DiagramRules(activations: [.tanh, .tanh]))
        #expect(nonlinear.text(d) == "sigma_2^(2)(z_2)[o] P^(2<-0)[o,a1] W_2[o,j1] sigma_1^(2)(z_1)[j1] W_1[j1,a2] W_1[j1,a3]")
        let low = Diagram(root: .vertex(layer: 1, children: [.leg, .leg]))
        #expect(nonlinear.text(low) == "sigma_2^(1)(z_2)[o] W_2[o,j1] sigma_1^(2)(z_1)[j1] W_1[j1,a1] W_1[j1,a2]")
        #expect(nonlinear.text(Diagram.value) == "y[o]")
        #expect(nonlinear.text(Diagram(root: .leg)) == "sigma_2^(1)(z_2)[o] P^(2<-0)[o,a1]")
    }
}

@Suite struct DiagramShapeTests {
    @Test func shapesRoundTripForEveryEnumeratedDiagram() {
        let rules = DiagramRules(activations: [.tanh, .square, .linear, .exp])
        for n in 0...6 {
            for diagram in DiagramEnumerator(rules: rules).diagrams(order: n) {
                let parsed = Diagram(shape: diagram.shape)
                #expect(parsed == diagram, "\(diagram.shape)")
                #expect(parsed?.shape == diagram.shape)
            }
        }
    }

    @Test(arguments: ["", "y", "V1[2](x)", "V1[2](x, x", "V0[2](x, x)", "V1[2](x, V1[2](x, x))", "V1[2](x, x) x",
                      "V99999999999999[2](x, x)", String(repeating: "V2[1](", count: 2000)])
    func malformedShapesAreRejected(shape: String) {
        #expect(DiagramNode(shape: shape) == nil)
    }

    @Test func spacesAndChildOrderAreFree() {
        #expect(Diagram(shape: " V2[3]( V1[2](x,x), x , x ) ")?.shape == "V2[3](x, x, V1[2](x, x))")
        #expect(Diagram(shape: "value")?.order == 0)
    }
}
