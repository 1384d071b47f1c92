// The numerical machinery of the NN field theory: quadrature rules, exact sums, the normal sampler.
import Foundation
import Testing
import NNFeynAlgebra
@testable import NNFeynExperiments

@Suite struct QuadratureTests {
    @Test(arguments: [1, 2, 5, 20, 80, 160, 200])
    func gaussHermiteIntegratesNormalMoments(n: Int) {
        let rule = QuadratureRule.gaussHermite(n)
        #expect(rule.nodes.count == n)
        // E[t^(2k)] = (2k - 1)!!, exact for 2k <= 2n - 1.
        var doubleFactorial = 1.0
        for k in 0..<min(n, 12) {
            if k > 0 { doubleFactorial *= Double(2 * k - 1) }
            let value = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * Foundation.pow($1.0, Double(2 * k)) }
            #expect(abs(value - doubleFactorial) <= 1e-13 * doubleFactorial, "n = \(n), E t^\(2 * k)")
            let odd = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * Foundation.pow($1.0, Double(2 * k + 1)) }
            #expect(abs(odd) <= 1e-13 * max(doubleFactorial, 1) * 10)
        }
    }

    @Test func gaussHermiteConvergesForSmoothIntegrands() {
        // E[cos t] = e^(-1/2), E[erf(t)^2] = (2/pi) arcsin(2/3).
        let rule = QuadratureRule.gaussHermite(160)
        let cosine = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * Foundation.cos($1.0) }
        #expect(abs(cosine - Foundation.exp(-0.5)) < 1e-15)
        let erfSquare = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * Foundation.erf($1.0) * Foundation.erf($1.0) }
        #expect(abs(erfSquare - 2 / Double.pi * Foundation.asin(2.0 / 3)) < 1e-13)
    }

    @Test(arguments: [1, 3, 16, 24, 40])
    func gaussLegendreIntegratesPolynomials(n: Int) {
        let rule = QuadratureRule.gaussLegendre(n)
        #expect(abs(rule.weights.reduce(0, +) - 2) < 1e-14)
        for k in 0..<(2 * n) {
            let value = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * Foundation.pow($1.0, Double(k)) }
            let exact = k % 2 == 1 ? 0 : 2 / Double(k + 1)
            #expect(abs(value - exact) < 1e-14, "n = \(n), x^\(k)")
        }
        let panel = QuadratureRule.composite(breaks: [0, 1, 3], pointsPerPanel: n).nodes.count
        #expect(panel == 2 * n)
    }
}

@Suite struct ExactSumTests {
    /// Doubles spread over the whole exponent range, of both signs.
    static func wildDoubles(_ count: Int, seed: UInt64) -> [Double] {
        var g = Xoshiro256(seed: seed)
        return (0..<count).map { _ in
            let bits = g.next()
            let exponent = Int(bits % 2000) - 1000
            let mantissa = 1 + Double(g.next() >> 11) * 0x1p-53
            return (bits & (1 << 40) == 0 ? 1 : -1) * mantissa * Foundation.pow(2, Double(exponent)) * (bits % 97 == 0 ? 0x1p-100 : 1)
        } + [Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude / 4, 0, -0.0]
    }

    @Test func sumsAreExactAndOrderIndependent() throws {
        let values = Self.wildDoubles(500, seed: 3)
        let forward = ExactSum(values)
        let backward = ExactSum(values.reversed())
        var shuffled = values
        var g = Xoshiro256(seed: 9)
        shuffled.shuffle(using: &g)
        var pieces = ExactSum(shuffled[0..<100])
        pieces.add(ExactSum(shuffled[100...]))
        #expect(forward == backward)
        #expect(forward == pieces)
        #expect(forward.description == pieces.description)
        // The exact rational sum, rounded, against ours (within one ulp).
        var exact = Rational.zero
        for v in values { exact = exact + Rational(exactly: v)! }
        let reference = exact.doubleValue
        #expect(abs(forward.doubleValue - reference) <= reference.ulp)
    }

    @Test func cancellationIsExact() {
        var sum = ExactSum([1e300, 1, -1e300, 0x1p-1074])
        #expect(sum.doubleValue == 1 + 0)
        sum.add(-1)
        #expect(sum.doubleValue == 0x1p-1074)
        sum.add(-0x1p-1074)
        #expect(sum.isZero && sum.description == "0")
        // The binary fractions 0.1 + 0.2 - 0.3 sum to exactly 2^-55; double arithmetic rounds 0.1 + 0.2 up and says 2^-54.
        #expect(ExactSum([0.1, 0.2, -0.3]).doubleValue == 0x1p-55)
        #expect(0.1 + 0.2 - 0.3 == 0x1p-54)
        #expect(ExactSum([1, -3]).doubleValue == -2)
    }

    @Test func textFormRoundTrips() throws {
        for seed in UInt64(1)...20 {
            let sum = ExactSum(Self.wildDoubles(50, seed: seed))
            let text = sum.description
            let parsed = try #require(ExactSum(text: text))
            #expect(parsed == sum, "\(text) -> \(parsed.description)")
            #expect(parsed.description == text)
            let json = try JSONEncoder().encode([sum])
            #expect(try JSONDecoder().decode([ExactSum].self, from: json) == [sum])
        }
        #expect(ExactSum(text: "0x1zp0") == nil)
        #expect(ExactSum(text: "0x1p3") == nil)
        #expect(ExactSum(text: "12:ab") == nil)
        #expect(ExactSum(text: "-0xffffffff0000000200000001p-96")?.description == "-0xffffffff0000000200000001p-96")
        #expect(ExactSum(text: "0x00000000000000001p-32")?.description == "0x1p-32")
        #expect(ExactSum(text: "-0x1p-32")?.doubleValue == -0x1p-32)
        #expect(ExactSum([3.0 * 0x1p-40, 0x1p40]).description == "0x100000000000000000003000000p-64")
        var invalid = ExactSum()
        invalid.add(.nan)
        #expect(invalid.doubleValue.isNaN && invalid.description == "nan")
    }

    @Test func manyAdditionsPropagateCarries() {
        // 2^30 additions would overflow 64-bit digits without the periodic carry propagation; 3e6 of the same large
        // value exercise the pending counter's path cheaply, and the result is exact.
        var sum = ExactSum()
        for _ in 0..<3_000_000 { sum.add(0x1.fffffffffffffp1000) }
        var exact = Rational(exactly: 0x1.fffffffffffffp1000)! * Rational(3_000_000)
        #expect(sum.doubleValue == exact.doubleValue)
        sum.add(-0x1.fffffffffffffp1000)
        exact = exact - Rational(exactly: 0x1.fffffffffffffp1000)!
        #expect(sum.doubleValue == exact.doubleValue)
    }
}

