// Networks with erf layers: the fused expansion against the independent check, and a one-hidden-layer Erf-net against
// its closed form d^k f / dx^k = sum_i w1_i erf^(k)(z_i) w0_i^k (Maclaurin values of erf^(k)(0) at x = 0).
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynEval

@Suite struct ErfExpansionTests {
    @Test func deepErfExpansionsPassTheCheck() throws {
        let network = TestNetworks.randomDouble(input: 3, widths: [8, 8], activation: .erf, seed: 11, point: [0.2, -0.4, 0.3])
        let expansion = try Expander.expand(network, order: 4, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(expansion), of: network, options: ExpansionCheckOptions(samples: 8))
        for order in report.orders {
            #expect(order.verdict == .ok, "order \(order.order): error \(order.maxRelativeError) > \(order.tolerance)")
        }
    }

    @Test func oneHiddenLayerMatchesItsClosedForm() throws {
        // f(x) = sum_i v_i erf(w_i x + b_i) + c at x = 0: the k-th Taylor coefficient is
        // sum_i v_i w_i^k erf^(k)(b_i) / k!, with erf^(k) from the Hermite rule checked against mpmath elsewhere.
        let w: [Rational] = [1, Rational(-1, 2), 2], b: [Rational] = [0, Rational(1, 4), -1], v: [Rational] = [1, -1, Rational(1, 2)]
        let network = TestNetworks.model(input: 1, layers: [(.erf, w.map { [$0] }, b), (.linear, [v], [Rational(1, 10)])])
        let order = 6
        let expansion = try Expander.expand(network, order: order, mode: .automatic)
        #expect(expansion.mode == .numeric)
        let coefficients = expansion.numeric.coefficientRow(0)
        var factorial = 1.0
        for k in 0...order {
            if k > 0 { factorial *= Double(k) }
            var expected = k == 0 ? 0.1 : 0
            for i in 0..<3 {
                let d = try ActivationRules.numericDerivatives(.erf, at: b[i].doubleValue, upTo: k)[k]
                expected += v[i].doubleValue * Foundation.pow(w[i].doubleValue, Double(k)) * d / factorial
            }
            #expect(abs(coefficients[k] - expected) <= 1e-14 * max(abs(expected), 1), "order \(k)")
        }
    }

    @Test func erfAtTheOriginIsExactOnlyAtOrderZero() throws {
        let network = TestNetworks.model(input: 1, layers: [(.erf, [[1], [2]], [0, 0]), (.linear, [[1, 1]], [0])])
        #expect(try Expander.expand(network, order: 0, mode: .exact).mode == .exact)
        #expect(throws: EvaluationError.irrational(layer: 0, neuron: 0, order: 1)) { try Expander.expand(network, order: 1, mode: .exact) }
    }
}
