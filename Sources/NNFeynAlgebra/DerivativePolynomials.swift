// Machinery behind the "own value" rule family; read only if you change a recurrence or the numeric evaluation.
//
// For tanh, sigmoid and exp the k-th derivative is an integer polynomial in the function's own value:
// sigma^(k) = P_k(sigma), P_0 = y, P_{k+1} = P_k'(y) * g(y) where g(y) is sigma' written in sigma. The same
// recurrence, started from 1 - u with g = u^2 - 2u, gives tanh's derivatives in u = 1 - tanh(z), which is how we
// evaluate them accurately where tanh is close to 1. Coefficients are exact big integers (as `Rational`: they pass
// Int64 near order 20), computed once per order and cached for the process.
//
// Numerically the polynomials are evaluated by Horner's rule in double-double arithmetic (coefficients split into
// hi + lo): their condition numbers reach 1e5..1e9 by order 20, which plain Horner would turn into lost digits.
import Foundation

/// One recurrence P_{k+1}(y) = P_k'(y) * g(y), P_0 given.
enum DerivativeRecurrence: Hashable, Sendable, CaseIterable {
    /// tanh^(k) = P_k(t), g = 1 - t^2.
    case tanh
    /// sigmoid^(k) = P_k(s), g = s - s^2.
    case sigmoid
    /// exp^(k) = P_k(y) = y, g = y.
    case exp
    /// tanh^(k) = Q_k(u) with u = 1 - tanh z: Q_0 = 1 - u, g = du/dz = u^2 - 2u.
    case tanhComplement

    var initial: [Rational] {
        switch self {
        case .tanh, .sigmoid, .exp: [0, 1]
        case .tanhComplement: [1, -1]
        }
    }

    var generator: [Rational] {
        switch self {
        case .tanh: [1, 0, -1]
        case .sigmoid: [0, 1, -1]
        case .exp: [0, 1]
        case .tanhComplement: [0, -2, 1]
        }
    }

    /// The next polynomial: P' * g.
    func next(_ p: [Rational]) -> [Rational] {
        guard p.count > 1 else { return [0] }
        let derivative = (1..<p.count).map { p[$0] * Rational($0) }
        let g = generator
        var product = [Rational](repeating: 0, count: derivative.count + g.count - 1)
        for (i, a) in derivative.enumerated() where !a.isZero {
            for (j, b) in g.enumerated() where !b.isZero { product[i + j].addProduct(a, b) }
        }
        while product.count > 1, product.last?.isZero == true { product.removeLast() }
        return product
    }
}

/// A double-double number hi + lo with |lo| <= ulp(hi) / 2.
struct DoubleDouble: Sendable {
    var hi: Double
    var lo: Double

    init(hi: Double, lo: Double) {
        self.hi = hi
        self.lo = lo
    }

    /// The double-double nearest to an exact rational (to about 106 bits).
    init(_ value: Rational) {
        let hi = value.doubleValue
        let lo = Rational(exactly: hi).map { (value - $0).doubleValue } ?? 0
        self.init(hi: hi, lo: lo)
    }

    /// self * x + c, to about 106 bits before the final rounding (Dekker products with fma, Knuth's TwoSum).
    @inline(__always)
    func multiplyAdd(_ x: Double, _ c: DoubleDouble) -> DoubleDouble {
        let p = hi * x
        // hi * x - p exactly, by one fused multiply-add.
        let productError = (-p).addingProduct(hi, x)
        let pLow = productError + lo * x
        let s = p + c.hi
        let bb = s - p
        let sumError = (p - (s - bb)) + (c.hi - bb)
        let low = sumError + pLow + c.lo
        let hiOut = s + low
        return DoubleDouble(hi: hiOut, lo: low - (hiOut - s))
    }

    var value: Double { hi + lo }
}

/// The cached polynomials of every recurrence, exact and as double-double coefficients.
final class DerivativePolynomials: @unchecked Sendable {
    static let shared = DerivativePolynomials()

    private let lock = NSLock()
    private var exact: [DerivativeRecurrence: [[Rational]]] = [:]
    private var split: [DerivativeRecurrence: [[DoubleDouble]]] = [:]
    private var flat: [DerivativeRecurrence: (hi: [Double], lo: [Double], order: Int)] = [:]

    /// P_0 ... P_n of a recurrence (exact coefficients, constant term first).
    func exactPolynomials(_ recurrence: DerivativeRecurrence, upTo n: Int) -> ArraySlice<[Rational]> {
        lock.lock()
        defer { lock.unlock() }
        return extendExact(recurrence, to: n)[0...n]
    }

    /// P_0 ... P_n as double-double coefficients.
    func splitPolynomials(_ recurrence: DerivativeRecurrence, upTo n: Int) -> ArraySlice<[DoubleDouble]> {
        lock.lock()
        defer { lock.unlock() }
        var table = split[recurrence] ?? []
        if table.count <= n {
            let polynomials = extendExact(recurrence, to: n)
            for k in table.count...n { table.append(polynomials[k].map(DoubleDouble.init)) }
            split[recurrence] = table
        }
        return table[0...n]
    }

    /// P_0 ... P_n of tanh or tanhComplement (each P_k of degree k + 1) as one table, the layout CNNFeynKernels
    /// reads: P_k's double-double coefficients, constant first, at k (k + 3) / 2 ..< (k + 1) (k + 4) / 2.
    func flatSplitPolynomials(_ recurrence: DerivativeRecurrence, upTo n: Int) -> (hi: [Double], lo: [Double]) {
        if let cached = lock.withLock({ flat[recurrence] }), cached.order >= n { return (cached.hi, cached.lo) }
        var hi: [Double] = [], lo: [Double] = []
        for (k, p) in splitPolynomials(recurrence, upTo: n).enumerated() {
            precondition(p.count == k + 2, "P_\(k) of \(recurrence) does not have degree \(k + 1)")
            hi += p.map(\.hi)
            lo += p.map(\.lo)
        }
        lock.withLock { flat[recurrence] = (hi, lo, n) }
        return (hi, lo)
    }

    /// Must be called with the lock held.
    private func extendExact(_ recurrence: DerivativeRecurrence, to n: Int) -> [[Rational]] {
        var table = exact[recurrence] ?? [recurrence.initial]
        while table.count <= n, let last = table.last { table.append(recurrence.next(last)) }
        exact[recurrence] = table
        return table
    }

    /// Exact value of P(y).
    static func evaluate(_ p: [Rational], at y: Rational) -> Rational {
        var result = Rational.zero
        for c in p.reversed() { result = result * y + c }
        return result
    }

    /// P(x) by Horner's rule in double-double arithmetic, rounded once at the end.
    static func evaluate(_ p: [DoubleDouble], at x: Double) -> Double {
        guard var acc = p.last else { return 0 }
        var j = p.count - 2
        while j >= 0 {
            acc = acc.multiplyAdd(x, p[j])
            j -= 1
        }
        return acc.value
    }
}
