import Foundation
import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynEval

@Suite struct FiniteDifferenceTests {
    @Test func ridderRecoversKnownDerivatives() {
        // f(x, y) = sin(x) e^(2y): d^3 f / dx^2 dy = -2 sin(x) e^(2y).
        let f: ([Double]) -> [Double] = { [sin($0[0]) * exp(2 * $0[1])] }
        let estimate = FiniteDifferences.derivative(of: f, at: [0.7, -0.3], indices: [1, 0, 0])
        let exact = -2 * sin(0.7) * exp(-0.6)
        #expect(abs(estimate.values[0] - exact) < 1e-8 * abs(exact))
        #expect(estimate.errors[0] < 1e-7)
    }

    /// Expansions of smooth networks at generic points pass the default per-order tolerances up to order 4.
    @Test(arguments: [("tanh", UInt64(1)), ("sigmoid", 2), ("silu", 3), ("gelu", 4), ("softplus", 5), ("sin", 6)])
    func expansionsPassTheCheck(name: String, seed: UInt64) throws {
        let activation = try #require(Activation.simpleNames[name])
        let network = TestNetworks.randomDouble(input: 3, widths: [8, 8], activation: activation, seed: seed, point: [0.2, -0.4, 0.3])
        let expansion = try Expander.expand(network, order: 4, mode: .numeric).numeric
        let report = FiniteDifferences.check(expansion, of: try network.network(as: Double.self), options: CheckOptions(sampleLimit: 8))
        for order in report.orders {
            #expect(order.passed, "order \(order.order): error \(order.maxRelativeError) > \(order.tolerance)")
        }
        print(name, report.orders.map { String(format: "%d: %.1e", $0.order, $0.maxRelativeError) }.joined(separator: ", "))
        #expect(report.orders[4].sampled && report.orders[4].checked == 8 && report.orders[4].total == 15)
    }

    /// Orders 5-8 meet their looser tolerances too (measured: ~1e-7 at 5-6, ~1e-4 at 7-8).
    @Test func highOrdersPassTheirLooserTolerances() throws {
        let network = TestNetworks.randomDouble(input: 2, widths: [8, 8], activation: .sigmoid, seed: 2, point: [0.2, -0.4])
        let expansion = try Expander.expand(network, order: 8, mode: .numeric).numeric
        let report = FiniteDifferences.check(expansion, of: try network.network(as: Double.self))
        #expect(report.passed)
        #expect(report.orders.map(\.checked) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func aWrongExpansionFailsTheCheck() throws {
        let network = TestNetworks.randomDouble(input: 2, widths: [6], activation: .tanh, seed: 8, point: [0.1, 0.2])
        let expansion = try Expander.expand(network, order: 3, mode: .numeric).numeric
        var coefficients = (0..<expansion.outputCount).map(expansion.coefficientRow)
        coefficients[0][expansion.basis.range(ofDegree: 2).lowerBound] *= 1.001
        let broken = TaylorExpansion(basis: expansion.basis, coefficients: coefficients)
        let report = FiniteDifferences.check(broken, of: try network.network(as: Double.self))
        #expect(!report.passed)
        #expect(report.orders[2].passed == false && report.orders[3].passed)
    }

    @Test func samplingIsSeededAndBounded() {
        let items = Array(0..<100)
        let a = FiniteDifferences.sample(items, limit: 10, seed: 42, order: 3)
        #expect(a == FiniteDifferences.sample(items, limit: 10, seed: 42, order: 3))
        #expect(a != FiniteDifferences.sample(items, limit: 10, seed: 43, order: 3))
        #expect(a.count == 10 && Set(a).count == 10 && a == a.sorted())
        #expect(FiniteDifferences.sample(items, limit: 200, seed: 1, order: 0) == items)
        #expect(FiniteDifferences.sample(items, limit: -1, seed: 1, order: 0).isEmpty)
    }
}
