// `nnfeyn check` must not fail correct expansions: cases an independent sweep found against the old Ridders check
// (relu near its kink, an order that vanishes exactly while intermediate values are O(1)), the old check's own
// tests carried over to the new one (with its single tolerance), and wrong expansions that must fail.
import Testing
import NNFeynAlgebra
import NNFeynEval
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport

@Suite struct CheckRegressionTests {
    /// y = relu(x - 1/12) at 1/10: the kink is 1/60 from the point, where Ridders' first step of 0.2 crossed it.
    /// relu in its local linear form is exact: the check compares exactly, whatever the distance to the kink.
    @Test func reluNearItsKinkPasses() throws {
        let network = TestNetworks.model(input: 1, point: [Rational(1, 10)], layers: [
            (.relu, [[1]], [Rational(-1, 12)]),
            (.linear, [[1]], [0]),
        ])
        let expansion = try Expander.expand(network, order: 3, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(expansion), of: network)
        #expect(report.referenceSummary.hasPrefix("exact"))
        #expect(report.orders.allSatisfy { $0.verdict == .ok && $0.maxRelativeError <= 1e-15 })
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
        #expect(try ExpansionCheck.run(.exact(exact), of: network).orders.allSatisfy { $0.verdict == .ok })
        #expect(try ExpansionCheck.run(.numeric(exact.doubleValues), of: network).orders.allSatisfy { $0.verdict == .ok })
    }

    /// A wrong expansion is a certain failure, at its order only.
    @Test func wrongExpansionFails() throws {
        let network = TestNetworks.model(input: 1, layers: [(.tanh, [[1]], [0])])
        let good = try Expander.expand(network, order: 3, mode: .numeric).numeric
        var coefficients = (0..<good.outputCount).map(good.coefficientRow)
        coefficients[0][3] += 0.01 // the x^3 coefficient
        let bad = TaylorExpansion(basis: good.basis, coefficients: coefficients)
        let report = try ExpansionCheck.run(.numeric(bad), of: network)
        #expect(!report.passed)
        #expect(report.orders.map(\.verdict) == [.ok, .ok, .ok, .fail])
    }

    /// Expansions of smooth networks at generic points pass up to order 4, the largest orders sampled.
    @Test(arguments: [("tanh", UInt64(1)), ("sigmoid", 2), ("silu", 3), ("gelu", 4), ("softplus", 5), ("sin", 6), ("erf", 11)])
    func expansionsPassTheCheck(name: String, seed: UInt64) throws {
        let activation = try #require(Activation.simpleNames[name])
        let network = TestNetworks.randomDouble(input: 3, widths: [8, 8], activation: activation, seed: seed, point: [0.2, -0.4, 0.3])
        let expansion = try Expander.expand(network, order: 4, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(expansion), of: network, options: ExpansionCheckOptions(samples: 8))
        for order in report.orders {
            #expect(order.verdict == .ok, "order \(order.order): error \(order.maxRelativeError) > \(order.tolerance)")
        }
        #expect(report.orders[4].entriesChecked == 8 && report.orders[4].entriesTotal == 15)
    }

    /// Orders 5-8 meet the same tolerance as the low ones (the Ridders check needed 1e-3 to 1e-2 there).
    @Test func highOrdersPass() throws {
        let network = TestNetworks.randomDouble(input: 2, widths: [8, 8], activation: .sigmoid, seed: 2, point: [0.2, -0.4])
        let expansion = try Expander.expand(network, order: 8, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(expansion), of: network)
        #expect(report.orders.allSatisfy { $0.verdict == .ok && $0.tolerance == 1e-10 })
        #expect(report.orders.map(\.entriesChecked) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func aWrongSecondOrderFails() throws {
        let network = TestNetworks.randomDouble(input: 2, widths: [6], activation: .tanh, seed: 8, point: [0.1, 0.2])
        let expansion = try Expander.expand(network, order: 3, mode: .numeric).numeric
        var coefficients = (0..<expansion.outputCount).map(expansion.coefficientRow)
        coefficients[0][expansion.basis.range(ofDegree: 2).lowerBound] *= 1.001
        let broken = TaylorExpansion(basis: expansion.basis, coefficients: coefficients)
        let report = try ExpansionCheck.run(.numeric(broken), of: network)
        #expect(report.orders.map(\.verdict) == [.ok, .ok, .fail, .ok])
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
