// Tensor arithmetic on packed expansions against the dense tensors it avoids building: Frobenius norms, the
// homogeneous term at a point (exactly, in rationals), sums and differences across conventions, orders kept.
import Foundation
import Testing
@testable import NNFeynAlgebra

@Suite struct TaylorExpansionTensorTests {
    /// A random expansion of 3 variables, orders 0...4, two outputs, seeded; small rationals, exact.
    static func random(seed: UInt64, convention: TaylorConvention) -> TaylorExpansion<Rational> {
        let basis = MonomialBasis(variables: 3, maxDegree: 4)
        var rng = Xoshiro256(seed: seed)
        let values = (0..<2 * basis.count).map { _ in Rational(rng.index(below: 21) - 10, rng.index(below: 4) + 1) }
        return TaylorExpansion(basis: basis, outputCount: 2, convention: convention, values: values)
    }

    @Test(arguments: [TaylorConvention.coefficient, .derivative])
    func frobeniusNormIsTheDenseNorm(convention: TaylorConvention) {
        let x = Self.random(seed: 1, convention: convention).doubleValues
        for output in 0..<2 {
            for k in 0...4 {
                let dense = TensorNorm.frobenius(x.dense(order: k, output: output))
                #expect(abs(x.frobeniusNorm(order: k, output: output) - dense) <= 1e-13 * dense, "order \(k)")
            }
        }
        #expect(x.frobeniusNorm(order: 7) == 0)
    }

    @Test func relativeErrorIsTheDenseOne() {
        let a = Self.random(seed: 2, convention: .coefficient).doubleValues
        let b = Self.random(seed: 3, convention: .derivative).doubleValues
        for k in 1...4 {
            let dense = TensorNorm.relativeFrobenius(a.dense(order: k), b.dense(order: k))
            #expect(abs(a.relativeFrobeniusError(against: b, order: k) - dense) <= 1e-13 * dense, "order \(k)")
        }
        #expect(a.relativeFrobeniusError(against: a, order: 3) == 0)
    }

    @Test func sumsDifferencesAndOneOrderAreExact() {
        let a = Self.random(seed: 4, convention: .coefficient), b = Self.random(seed: 5, convention: .derivative)
        let sum = a + b, difference = a - b
        #expect(sum.convention == .coefficient && difference.convention == .coefficient)
        for output in 0..<2 {
            for position in a.positions {
                let (x, y) = (a.derivative(output: output, position: position), b.derivative(output: output, position: position))
                #expect(sum.derivative(output: output, position: position) == x + y)
                #expect(difference.derivative(output: output, position: position) == x - y)
            }
        }
        for kept in [3...3, 1...2, 0...4] {
            let part = a.keeping(orders: kept)
            for output in 0..<2 {
                for k in 0...4 {
                    let expected = kept.contains(k) ? a.coefficients(output: output, order: k)
                        : [Rational](repeating: .zero, count: a.basis.range(ofDegree: k).count)
                    #expect(part.coefficients(output: output, order: k) == expected)
                }
            }
        }
        #expect(a.zero.values.allSatisfy(\.isZero) && (a - a).values == a.zero.values)
    }

    @Test func termValueIsTheHomogeneousTerm() {
        let a = Self.random(seed: 6, convention: .derivative)
        let x = [Rational(1, 2), Rational(-2, 3), Rational(3)]
        for k in 0...4 {
            // (1/k!) D^k y(x, ..., x) summed over every index tuple, each tuple once.
            var total = Rational.zero
            var tuple = [Int](repeating: 0, count: k)
            func visit(_ depth: Int) {
                if depth == k {
                    var product = a.derivative(output: 1, indices: tuple)!
                    for i in tuple { product = product * x[i] }
                    total += product
                    return
                }
                for i in 0..<3 { tuple[depth] = i; visit(depth + 1) }
            }
            visit(0)
            #expect(a.termValue(order: k, output: 1, at: x) == total / Combinatorics.factorial(k), "order \(k)")
            let numeric = a.doubleValues.termValues(order: k, output: 1, rows: x.map(\.doubleValue))[0]
            #expect(abs(numeric - a.termValue(order: k, output: 1, at: x).doubleValue) <= 1e-12 * Swift.max(1, abs(numeric)))
        }
    }
}
