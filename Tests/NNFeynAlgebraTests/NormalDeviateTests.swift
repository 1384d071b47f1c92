// The generator's normal deviates: the ziggurat's layers have equal areas, and samples have the normal moments and
// tails.
import Foundation
import Testing
@testable import NNFeynAlgebra

@Suite struct NormalDeviateTests {
    @Test func zigguratLayersHaveEqualAreas() {
        let t = ZigguratTables.shared
        #expect(t.x.count == 257 && t.x[1] == ZigguratTables.r && t.x[256] == 0)
        for i in 1..<256 {
            let area = t.x[i] * (t.f[i + 1] - t.f[i])
            #expect(abs(area - t.area) <= 1e-12 * t.area, "layer \(i)")
        }
        #expect(zip(t.x, t.x.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func momentsAndTailsAreNormal() {
        var sampler = Xoshiro256(seed: 42)
        let count = 4_000_000
        var sums = [Double](repeating: 0, count: 7)
        var beyondR = 0, beyondOne = 0
        for _ in 0..<count {
            let x = sampler.normal()
            var power = 1.0
            for k in 0..<7 { sums[k] += power; power *= x }
            if abs(x) > ZigguratTables.r { beyondR += 1 }
            if abs(x) > 1 { beyondOne += 1 }
        }
        let n = Double(count)
        // Moments 1..6 against 0, 1, 0, 3, 0, 15, each within 5 standard errors (Var x^k = E x^2k - (E x^k)^2).
        let exact = [1.0, 0, 1, 0, 3, 0, 15], variance = [0.0, 1, 2, 15, 96, 945, 10170]
        for k in 1...6 {
            let mean = sums[k] / n
            #expect(abs(mean - exact[k]) < 5 * (variance[k] / n).squareRoot(), "E x^\(k) = \(mean)")
        }
        let tail = Foundation.erfc(ZigguratTables.r / 2.0.squareRoot()), one = Foundation.erfc(1 / 2.0.squareRoot())
        #expect(abs(Double(beyondR) / n - tail) < 5 * (tail / n).squareRoot())
        #expect(abs(Double(beyondOne) / n - one) < 5 * (one * (1 - one) / n).squareRoot())
    }

    @Test func sameSeedSameStream() {
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7), c = Xoshiro256(seed: 8)
        let first = (0..<100).map { _ in a.normal() }
        #expect(first == (0..<100).map { _ in b.normal() })
        #expect(first != (0..<100).map { _ in c.normal() })
    }
}
