// The one result type for Taylor data: every evaluator returns it, every emitter, the diagram breakdown and the
// experiments read it.
//
// Numbers: for a monomial x^alpha (alpha a non-decreasing list of input indices) the *derivative* is
// d^|alpha| y / dx^alpha and the *Taylor coefficient* is derivative / alpha!. An expansion stores one of the two,
// whichever its producer computes (`convention`), and converts at the accessors, so a value read in the convention it
// was stored in is exactly what was computed. Storage is symmetric: one value per monomial, never d^n entries.
import Foundation

/// Which numbers a `TaylorExpansion` stores.
public enum TaylorConvention: Sendable, Equatable {
    /// Taylor coefficients c_alpha of (x - x0)^alpha.
    case coefficient
    /// Derivatives d^|alpha| y / dx^alpha.
    case derivative
}

/// The derivatives (or Taylor coefficients) of every output for the monomials of degrees `orders`, one value per
/// (output, monomial).
public struct TaylorExpansion<S: Scalar>: Sendable {
    /// The monomials; `basis.maxDegree` is the highest order held.
    public let basis: MonomialBasis
    /// The lowest order held (0 for a full expansion, n for the diagrams of one order).
    public let lowestOrder: Int
    /// The number of outputs.
    public let outputCount: Int
    /// What `values` are.
    public let convention: TaylorConvention
    /// Output-major: values[output * monomialCount + (position - firstPosition)].
    public let values: [S]

    /// Wraps values laid out output-major over the basis positions of degrees `lowestOrder...basis.maxDegree`.
    public init(basis: MonomialBasis, lowestOrder: Int = 0, outputCount: Int, convention: TaylorConvention, values: [S]) {
        precondition(lowestOrder >= 0 && lowestOrder <= basis.maxDegree, "orders outside the basis")
        let count = basis.count - basis.degreeOffsets[lowestOrder]
        precondition(values.count == outputCount * count, "values do not fill the outputs and monomials")
        self.basis = basis
        self.lowestOrder = lowestOrder
        self.outputCount = outputCount
        self.convention = convention
        self.values = values
    }

    /// Taylor coefficients of every monomial of every output: coefficients[output][position].
    public init(basis: MonomialBasis, coefficients: [[S]]) {
        self.init(basis: basis, outputCount: coefficients.count, convention: .coefficient,
                  values: coefficients.flatMap { $0 })
    }

    /// The highest order N.
    public var order: Int { basis.maxDegree }
    /// The orders held.
    public var orders: ClosedRange<Int> { lowestOrder...basis.maxDegree }
    /// The first basis position held.
    public var firstPosition: Int { basis.degreeOffsets[lowestOrder] }
    /// Monomials held per output.
    public var monomialCount: Int { basis.count - firstPosition }
    /// The basis positions held.
    public var positions: Range<Int> { firstPosition..<basis.count }

    /// The stored value at a held position.
    @inline(__always)
    public func stored(output: Int, position: Int) -> S { values[output * monomialCount + position - firstPosition] }

    /// The Taylor coefficient of the monomial at `position` (a held position) of `output`.
    public func coefficient(output: Int, position: Int) -> S {
        let value = stored(output: output, position: position)
        return convention == .coefficient ? value : value / basis.multiplicityFactorial(at: position, as: S.self)
    }

    /// The derivative d^|alpha| y_output / dx^alpha = coefficient * alpha! at a held position.
    public func derivative(output: Int, position: Int) -> S {
        let value = stored(output: output, position: position)
        return convention == .derivative ? value : value * basis.multiplicityFactorial(at: position, as: S.self)
    }

    /// The derivative with respect to the listed variables, in any order (e.g. [2, 0, 0] = d^3 y / dx0^2 dx2);
    /// nil for an unknown output, a variable out of range or an order that is not held.
    public func derivative(output: Int, indices: [Int]) -> S? {
        guard output >= 0, output < outputCount, let position = basis.position(of: indices.sorted()),
              position >= firstPosition else { return nil }
        return derivative(output: output, position: position)
    }

    /// Every derivative of one order of one output, in basis order (empty for an order that is not held).
    public func derivatives(output: Int, order k: Int) -> [S] {
        guard output >= 0, output < outputCount, orders.contains(k) else { return [] }
        return basis.range(ofDegree: k).map { derivative(output: output, position: $0) }
    }

    /// Every Taylor coefficient of one order of one output, in basis order (empty for an order that is not held).
    public func coefficients(output: Int, order k: Int) -> [S] {
        guard output >= 0, output < outputCount, orders.contains(k) else { return [] }
        return basis.range(ofDegree: k).map { coefficient(output: output, position: $0) }
    }

    /// The same expansion with every stored value transformed.
    public func map<T: Scalar>(_ transform: (S) -> T) -> TaylorExpansion<T> {
        TaylorExpansion<T>(basis: basis, lowestOrder: lowestOrder, outputCount: outputCount, convention: convention,
                           values: values.map(transform))
    }

    /// The values as the nearest doubles.
    public var doubleValues: TaylorExpansion<Double> { map(\.doubleValue) }

    /// The same numbers stored in the other convention (exact for exact types).
    public func converted(to target: TaylorConvention) -> TaylorExpansion<S> {
        guard target != convention else { return self }
        var converted: [S] = []
        converted.reserveCapacity(values.count)
        for o in 0..<outputCount {
            for p in positions {
                converted.append(target == .coefficient ? coefficient(output: o, position: p) : derivative(output: o, position: p))
            }
        }
        return TaylorExpansion(basis: basis, lowestOrder: lowestOrder, outputCount: outputCount, convention: target,
                               values: converted)
    }
}

extension TaylorExpansion: Equatable where S: Equatable {}

extension TaylorExpansion {
    /// The order-k derivative tensor of one output as a dense row-major array of d^k doubles (every index
    /// permutation filled): for comparisons with tensors from elsewhere. The caller bounds d^k.
    public func dense(order k: Int, output: Int = 0) -> [Double] {
        let d = basis.variables
        var result = [Double](repeating: 0, count: TaylorExpansion.power(d, k))
        for position in basis.range(ofDegree: k) {
            let value = derivative(output: output, position: position).doubleValue
            TaylorExpansion.forEachPermutation(of: basis.indexLists[position]) { indices in
                var flat = 0
                for i in indices { flat = flat * d + i }
                result[flat] = value
            }
        }
        return result
    }

    /// The homogeneous order-k term (1/k!) D^k y(dx, ..., dx) = sum over |alpha| = k of c_alpha dx^alpha at every row
    /// of `rows` (row-major displacements, `basis.variables` per row).
    public func termValues(order k: Int, output: Int = 0, rows: [Double]) -> [Double] {
        let d = basis.variables
        let count = d == 0 ? 0 : rows.count / d
        // The coefficients once, as doubles, beside their index lists: rows are many, monomials few.
        let positions = Array(basis.range(ofDegree: k))
        let coefficients = positions.map { coefficient(output: output, position: $0).doubleValue }
        let lists = positions.map { basis.indexLists[$0] }
        return rows.withUnsafeBufferPointer { buffer in
            (0..<count).map { row in
                let x = buffer.baseAddress! + row * d
                var total = 0.0
                for (c, list) in zip(coefficients, lists) {
                    var product = c
                    for i in list { product *= x[i] }
                    total += product
                }
                return total
            }
        }
    }

    static func power(_ n: Int, _ k: Int) -> Int { (0..<k).reduce(1) { value, _ in value * n } }

    /// Calls `body` with each distinct ordering of `list` (a multiset), lexicographically.
    static func forEachPermutation(of list: [Int], _ body: ([Int]) -> Void) {
        var current = list.sorted()
        while true {
            body(current)
            // Next permutation: find the rightmost ascent, swap with the smallest larger element, reverse the tail.
            guard current.count > 1 else { return }
            var i = current.count - 2
            while i >= 0 && current[i] >= current[i + 1] { i -= 1 }
            if i < 0 { return }
            var j = current.count - 1
            while current[j] <= current[i] { j -= 1 }
            current.swapAt(i, j)
            current[(i + 1)...].reverse()
        }
    }
}

/// Comparisons of dense tensors.
public enum TensorNorm {
    /// ||a - b||_F / ||b||_F over dense tensors (||a - b||_F when b vanishes).
    public static func relativeFrobenius(_ a: [Double], _ b: [Double]) -> Double {
        var difference = 0.0, norm = 0.0
        for i in a.indices {
            let d = a[i] - b[i]
            difference += d * d
            norm += b[i] * b[i]
        }
        return norm > 0 ? (difference / norm).squareRoot() : difference.squareRoot()
    }

    /// ||a||_F.
    public static func frobenius(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
