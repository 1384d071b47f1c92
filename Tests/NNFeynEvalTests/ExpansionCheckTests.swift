// The check against the independent reference: correct expansions pass at high orders in every arithmetic, one
// entry off by a relative 1e-8 fails at every order from 1 to 12, exact expansions of polynomial networks are
// compared exactly, and the reference's error bounds hold against exact values.
import Testing
@testable import NNFeynAlgebra
@testable import NNFeynEval
import NNFeynModel
import NNFeynTestSupport

@Suite struct ExpansionCheckTests {
    /// A smooth network with nonzero biases and point: numeric expansion, d = 2, three hidden layers.
    static let smooth = TestNetworks.random(input: 2, widths: [5, 4, 3, 1], activations: [.tanh, .gelu, .softplus, .linear], seed: 21)

    /// The expansion with the entries at these positions multiplied by 1 + 1e-8 (output 0).
    func perturbed(_ e: TaylorExpansion<Double>, _ entries: [Int]) -> TaylorExpansion<Double> {
        var c = (0..<e.outputCount).map(e.coefficientRow)
        for p in entries { c[0][p] *= 1 + 1e-8 }
        return TaylorExpansion(basis: e.basis, coefficients: c)
    }

    /// Per order 1...N: the largest entry, and a seeded random one of those at least 5% of the order's largest.
    func choices(_ e: TaylorExpansion<Double>, seed: UInt64) -> (largest: [Int], resolvable: [Int]) {
        var generator = Xoshiro256(seed: seed)
        var largest: [Int] = [], resolvable: [Int] = []
        for k in 1...e.order {
            let positions = Array(e.basis.range(ofDegree: k))
            let size = positions.map { abs(e.derivative(output: 0, position: $0)) }
            let top = size.max() ?? 0
            largest.append(positions[size.firstIndex(of: top) ?? 0])
            let candidates = positions.indices.filter { size[$0] >= 0.05 * top }.map { positions[$0] }
            resolvable.append(candidates[generator.index(below: candidates.count)])
        }
        return (largest, resolvable)
    }

    @Test func correctNumericExpansionPassesToOrder12() throws {
        let e = try Expander.expand(Self.smooth, order: 12, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(e), of: Self.smooth)
        #expect(report.orders.allSatisfy { $0.verdict == .ok }, "\(report.orders.map(\.verdict))")
        #expect(report.orders.allSatisfy { $0.maxReferenceError < $0.tolerance / 16 })
    }

    @Test(arguments: [0, 1, 2])
    func oneEntryOffByRelative1e8FailsAtEveryOrder(trial: UInt64) throws {
        let e = try Expander.expand(Self.smooth, order: 12, mode: .numeric).numeric
        let (largest, resolvable) = choices(e, seed: 100 + trial)
        // One wrong entry in every order at once: each order is judged on its own entries and directions.
        let report = try ExpansionCheck.run(.numeric(perturbed(e, trial == 0 ? largest : resolvable)), of: Self.smooth)
        #expect(report.orders[0].verdict == .ok)
        for k in 1...12 { #expect(report.orders[k].verdict == .fail, "order \(k): \(report.orders[k])") }
        #expect(!report.passed)
    }

    @Test(arguments: Array(1...12))
    func aSingleWrongEntryFailsOnlyItsOrder(order k: Int) throws {
        let e = try Expander.expand(Self.smooth, order: 12, mode: .numeric).numeric
        let entry = choices(e, seed: 7).resolvable[k - 1]
        let report = try ExpansionCheck.run(.numeric(perturbed(e, [entry])), of: Self.smooth)
        for o in report.orders { #expect(o.verdict == (o.order == k ? .fail : .ok), "order \(o.order)") }
        let worst = try #require(report.orders[k].worst)
        #expect(worst.probe == .entry(e.basis.indexLists[entry]) && worst.output == 0)
        // The report names the reference and its bound, far below the gap.
        #expect(worst.referenceError < (worst.value - worst.reference).magnitude.scaled(byPowerOfTwo: -10))
    }

    @Test func exactAndMultiprecisionExpansionsPassAndCatchTinyErrors() throws {
        // Pre-activations vanish at the origin, so the exact expansion exists (tanh, sigmoid, silu at 0).
        let network = TestNetworks.random(input: 2, widths: [3, 3, 1], activations: [.tanh, .silu, .linear], seed: 4,
                                          point: [0, 0], zeroBias: true)
        let exact = try #require(try Expander.expand(network, order: 10, mode: .exact).exact)
        #expect(try ExpansionCheck.run(.exact(exact), of: network).orders.allSatisfy { $0.verdict == .ok })
        var c = (0..<exact.outputCount).map(exact.coefficientRow)
        let p = exact.basis.range(ofDegree: 7).lowerBound + 2
        c[0][p] = c[0][p] * (1 + Rational(1, 10).power(15))
        let report = try ExpansionCheck.run(.exact(TaylorExpansion(basis: exact.basis, coefficients: c)), of: network)
        #expect(report.orders[7].verdict == .fail && report.orders.filter { $0.verdict == .fail }.count == 1)

        let mp = try Expander.multiprecisionExpansion(Self.smooth, order: 8, bits: 120)
        #expect(try ExpansionCheck.run(.multiprecision(mp.expansion, bits: 120), of: Self.smooth).passed)
    }

    @Test func polynomialNetworksAreComparedExactly() throws {
        let network = TestNetworks.model(input: 2, point: [Rational(1, 2), Rational(-1, 3)], layers: [
            (.poly([1, Rational(-1, 2), 0, Rational(1, 6)]), [[1, 0], [0, 1], [1, 1]], [0, Rational(1, 2), Rational(-1, 10)]),
            (.square, [[1, -1, 0], [0, 1, 1]], [0, 0]),
            (.relu, [[1, 1]], [Rational(1, 5)]),
            (.linear, [[2]], [0]),
        ])
        let f = try ReferenceFunction(network)
        #expect(f.polynomialDegree == 6)
        let exact = try #require(try Expander.expand(network, order: 9, mode: .exact).exact)
        let report = try ExpansionCheck.run(.exact(exact), of: network)
        #expect(report.referenceSummary.hasPrefix("exact"))
        #expect(report.orders.allSatisfy { $0.verdict == .ok && $0.maxRelativeError == 0 && $0.exactReference })
        // Off by 1e-40: exact against exact means equal, whatever the tolerance.
        var c = (0..<exact.outputCount).map(exact.coefficientRow)
        c[0][4] = c[0][4] + Rational(1, 10).power(40)
        let wrong = try ExpansionCheck.run(.exact(TaylorExpansion(basis: exact.basis, coefficients: c)), of: network,
                                           options: ExpansionCheckOptions(tolerance: 1))
        #expect(wrong.orders[2].verdict == .fail)
        // The numeric expansion is judged against the exact reference with the double tolerance.
        let numeric = try Expander.expand(network, order: 9, mode: .numeric).numeric
        #expect(try ExpansionCheck.run(.numeric(numeric), of: network).passed)
    }

    @Test func reluUsesItsLocalLinearFormAndRefusesTheKink() throws {
        let network = TestNetworks.model(input: 2, point: [Rational(1, 4), Rational(1, 4)], layers: [
            (.relu, [[1, 0], [0, 1], [1, -1]], [1, -1, Rational(1, 2)]),
            (.tanh, [[1, 2, 3]], [Rational(1, 9)]),
        ])
        let numeric = try Expander.expand(network, order: 8, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(numeric), of: network)
        #expect(report.passed && !report.orders.contains { $0.verdict == .unsure })
        let kink = TestNetworks.model(input: 1, point: [Rational(1, 3)], layers: [(.relu, [[3]], [-1]), (.linear, [[1]], [0])])
        #expect(throws: EvaluationError.reluKink(layer: 0, neuron: 0)) { try ReferenceFunction(kink) }
    }

    @Test func sinNetworkAtOrder14() throws {
        // The example: Ridders differences in doubles failed orders 12-14 of a correct 1-D sin network.
        let network = TestNetworks.model(input: 1, point: [Rational(3, 10)], layers: [
            (.sin, [[2], [-1], [Rational(3, 2)]], [Rational(1, 5), Rational(1, 2), 0]),
            (.linear, [[1, -1, Rational(1, 2)]], [0]),
        ])
        let e = try Expander.expand(network, order: 14, mode: .numeric).numeric
        let report = try ExpansionCheck.run(.numeric(e), of: network)
        #expect(report.orders.allSatisfy { $0.verdict == .ok }, "\(report.orders.map(\.verdict))")
    }

    @Test func referenceErrorBoundsHoldAgainstExactDerivatives() throws {
        // Exact derivatives exist at the origin; every MPFR reference value must be within its own bound.
        let network = TestNetworks.random(input: 3, widths: [4, 3, 2], activations: [.tanh, .sin, .linear], seed: 9,
                                          point: [0, 0, 0], zeroBias: true)
        let exact = try #require(try Expander.expand(network, order: 8, mode: .exact).exact)
        let f = try ReferenceFunction(network)
        let engine = ReferenceDerivatives(function: f, randomDirections: [], threads: 2)
        let probes = (0..<exact.basis.count).map { ReferenceProbe(entry: exact.basis.indexLists[$0]) }
        var targets: [ReferenceProbe: BigFloat] = [:]
        for p in probes { targets[p] = BigFloat(Rational(1, 10).power(20), precision: 64) }
        let (values, _) = engine.approximate(probes, targets: targets, parameters: .init(stepExponent: 14, precision: 300))
        for (p, probe) in probes.enumerated() {
            let value = try #require(values[probe])
            for o in 0..<2 {
                let truth = BigFloat(exact.derivative(output: o, position: p), precision: 400)
                #expect((value.approximate[o] - truth).magnitude <= value.errors[o], "\(exact.basis.indexLists[p]) output \(o)")
                #expect(value.errors[o] <= targets[probe]!)
            }
        }
    }

    @Test func perOrderTolerancesWin() {
        let options = ExpansionCheckOptions(tolerance: 1e-3, orderTolerances: [3: 1e-30])
        let e = CheckedExpansion.numeric(TaylorExpansion(basis: MonomialBasis(variables: 1, maxDegree: 4), coefficients: [[0, 0, 0, 0, 0]]))
        #expect(options.tolerance(order: 3, for: e) == 1e-30)
        #expect(options.tolerance(order: 2, for: e) == 1e-3)
        #expect(ExpansionCheckOptions().tolerance(order: 2, for: e) == 1e-10)
    }

    @Test func unsureOnlyWhenTheReferenceCannotResolve() {
        let scale = BigFloat(1, precision: 64), resolution = BigFloat(1e-10, precision: 64)
        func verdict(gap: Double, bound: Double, reason: String? = nil) -> CheckVerdict {
            let reference = ReferenceValue(exact: nil, approximate: [BigFloat(1, precision: 200)],
                                           errors: [BigFloat(bound, precision: 64)], reason: reason)
            return ExpansionCheck.compare(value: BigFloat(1 + gap, precision: 200), exactValue: nil, reference: reference, output: 0,
                                          probe: .entry([0]), scale: scale, resolution: resolution, precision: 200).1
        }
        #expect(verdict(gap: 1e-12, bound: 1e-14) == .ok)
        #expect(verdict(gap: 1e-8, bound: 1e-14) == .fail)
        #expect(verdict(gap: 1e-10, bound: 1e-11) == .unsure)
        #expect(verdict(gap: 1e-9, bound: .infinity, reason: "did not converge") == .unsure)
        #expect(verdict(gap: 1e-9, bound: 1e-8) == .unsure)
    }

    @Test func vanishingOrdersAreJudgedAgainstTheirNeighbours() {
        let m = [1.0, 0, 0, 8, 16].map { BigFloat($0, precision: 64) }
        let floored = ExpansionCheck.floored(m, fraction: 1e-3)
        #expect(floored[0] == m[0] && floored[3] == m[3])
        // Geometric interpolation between orders 0 and 3: 2 and 4, times 1e-3.
        #expect(abs(floored[1].doubleValue - 2e-3) < 1e-12 && abs(floored[2].doubleValue - 4e-3) < 1e-12)
    }

    @Test func samplesKeepPureAndLargestEntriesAndStayWithinBudget() {
        let basis = MonomialBasis(variables: 5, maxDegree: 9)
        let required = (0...9).map { Array(basis.range(ofDegree: $0).suffix(2)) }
        let chosen = ExpansionCheck.selectEntries(basis, limit: 30, budget: 600, seed: 3, required: required)
        for k in 0...9 {
            let positions = basis.range(ofDegree: k)
            #expect(chosen[k].count <= max(30, positions.count <= 30 ? positions.count : 0))
            if positions.count > 30 {
                for p in positions where Set(basis.indexLists[p]).count == 1 { #expect(chosen[k].contains(p)) }
                for p in required[k] { #expect(chosen[k].contains(p)) }
            } else {
                #expect(chosen[k] == Array(positions))
            }
        }
        #expect(chosen == ExpansionCheck.selectEntries(basis, limit: 30, budget: 600, seed: 3, required: required))
        #expect(chosen != ExpansionCheck.selectEntries(basis, limit: 30, budget: 600, seed: 4, required: required))
    }

    @Test func randomDirectionsAreDyadicWithUnitL1NormAndNoZeros() {
        for d in [1, 3, 6, 20] {
            let directions = ExpansionCheck.randomDirections(count: 5, dimension: d, seed: 1)
            #expect(directions.count == 5)
            for u in directions {
                #expect(u.reduce(Rational.zero) { $0 + $1.magnitude } == 1)
                #expect(u.allSatisfy { !$0.isZero })
            }
        }
    }
}
