// `nnfeyn check` must not fail correct expansions: cases an independent sweep found (relu near its kink, an order
// that vanishes exactly while intermediate values are O(1)).
import Testing
import NNFeynAlgebra
import NNFeynEval
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport

@Suite struct CheckRegressionTests {
    /// y = relu(x - 1/12): the kink is 1/12 from the point, inside the default first step of 0.2.
    @Test func reluNearItsKinkPasses() throws {
        let network = TestNetworks.model(input: 1, layers: [
            (.relu, [[1]], [Rational(-1, 12)]),
            (.linear, [[1]], [0]),
        ])
        let f = try network.network(as: Double.self)
        #expect(abs(f.smoothRadius - 1.0 / 24) < 1e-15)
        let expansion = try Expander.expand(network, order: 3, mode: .numeric).numeric
        let report = FiniteDifferences.check(expansion, of: try network.network(as: Double.self))
        #expect(report.passed)
        #expect(report.orders.allSatisfy { !$0.inconclusive && $0.maxRelativeError <= 1e-8 })
    }

    /// Without relu the radius is unbounded and the steps are the defaults.
    @Test func smoothNetworksHaveNoRadius() throws {
        let network = TestNetworks.model(input: 2, layers: [(.tanh, [[1, 2]], [0])])
        #expect(try network.network(as: Double.self).smoothRadius == .infinity)
    }

    /// y = tanh(1/3 - 1/3 cos(2/3 x^2 - 1/3 (3/2 x)^2 ...)): orders 1-3 vanish exactly; roundoff of the O(1)
    /// intermediate values must not read as a failure of order 2.
    @Test func exactlyVanishingOrderPasses() throws {
        let network = TestNetworks.model(input: 1, layers: [
            (.square, [[-1], [0], [Rational(3, 2)]], [0, 0, 0]),
            (.cos, [[Rational(2, 3), Rational(1, 2), Rational(-1, 3)]], [0]),
            (.tanh, [[Rational(-1, 3)]], [Rational(1, 3)]),
        ])
        let result = try Expander.expand(network, order: 4, mode: .exact)
        let exact = try #require(result.exact)
        #expect(exact.derivatives(output: 0, order: 2) == [0])
        let report = FiniteDifferences.check(result.numeric, of: try network.network(as: Double.self))
        #expect(report.passed)
    }

    /// A wrong expansion is still a confident failure.
    @Test func wrongExpansionFails() throws {
        let network = TestNetworks.model(input: 1, layers: [(.tanh, [[1]], [0])])
        let good = try Expander.expand(network, order: 3, mode: .numeric).numeric
        var coefficients = (0..<good.outputCount).map(good.coefficientRow)
        coefficients[0][3] += 0.01 // the x^3 coefficient
        let bad = TaylorExpansion(basis: good.basis, coefficients: coefficients)
        let report = FiniteDifferences.check(bad, of: try network.network(as: Double.self))
        #expect(!report.passed)
        #expect(!report.orders[3].passed && !report.orders[3].inconclusive)
    }
}

@Suite struct ExpansionProgressTests {
    final class Calls: @unchecked Sendable {
        var seen: [(Int, Int)] = []
    }

    @Test(arguments: [ExpansionMode.exact, .numeric])
    func reportsEveryLayerInOrder(mode: ExpansionMode) throws {
        let network = TestNetworks.model(input: 2, layers: [
            (.tanh, [[1, 2], [0, 1]], [0, 0]),
            (.square, [[1, -1]], [0]),
            (.linear, [[Rational(1, 2)]], [0]),
        ])
        let calls = Calls()
        _ = try Expander.expand(network, order: 3, mode: mode, progress: { done, count in calls.seen.append((done, count)) })
        #expect(calls.seen.map(\.0) == [1, 2, 3])
        #expect(calls.seen.allSatisfy { $0.1 == 3 })
    }
}
