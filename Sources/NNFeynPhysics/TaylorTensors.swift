// Derivative tensors of a trained one-output network at U = 0, and the homogeneous Taylor terms built from them.
//
// Numbers here follow BornSeries.swift: a tensor of order k holds *derivatives* d^k f / dU_i ... dU_l, and the
// order-k Taylor term is P_k(U) = (1/k!) Σ T_{i...l} U_i ... U_l = Σ_{|alpha| = k} (T[alpha] / alpha!) U^alpha.
// The 1/alpha! enters only in `HomogeneousTerm.init(order:tensor:basis:)`.
//
// `NetworkTaylorTensors.expand` is the one place that asks for derivatives of a network; everything else reads
// them from here.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage

/// The derivatives of orders 0...order of a one-output network at its expansion point, one value per monomial.
public struct NetworkTaylorTensors: Sendable {
    /// The monomials, graded lexicographic (see `MonomialBasis`).
    public var basis: MonomialBasis
    /// derivatives[k]: d^k f / dU^alpha for every alpha of degree k, in basis order.
    public var derivatives: [[Double]]

    /// Wraps per-order derivatives laid out over `basis`.
    public init(basis: MonomialBasis, derivatives: [[Double]]) {
        self.basis = basis
        self.derivatives = derivatives
    }

    /// The highest order held.
    public var order: Int { derivatives.count - 1 }
    /// The number of inputs.
    public var variables: Int { basis.variables }

    /// The order-k tensor as a dense row-major array of n^k entries (every index permutation filled).
    public func dense(order k: Int) -> [Double] {
        SymmetricTensor.dense(derivatives[k], basis: basis, order: k)
    }

    /// The order-k Taylor term P_k(U) = (1/k!) Σ T U...U.
    public func term(order k: Int) -> HomogeneousTerm {
        HomogeneousTerm(order: k, derivatives: derivatives[k], basis: basis)
    }
}

/// Dense views of symmetric tensors stored one value per monomial.
public enum SymmetricTensor {
    /// Fills all n^k entries of a symmetric tensor from its values at non-decreasing index lists.
    public static func dense(_ values: [Double], basis: MonomialBasis, order k: Int) -> [Double] {
        let n = basis.variables
        var result = [Double](repeating: 0, count: power(n, k))
        for (offset, position) in basis.range(ofDegree: k).enumerated() {
            forEachPermutation(of: basis.indexLists[position]) { indices in
                var flat = 0
                for i in indices { flat = flat * n + i }
                result[flat] = values[offset]
            }
        }
        return result
    }

    /// The values of a dense symmetric tensor at the non-decreasing index lists of degree k, in basis order.
    public static func packed(_ dense: [Double], basis: MonomialBasis, order k: Int) -> [Double] {
        let n = basis.variables
        return basis.range(ofDegree: k).map { position in
            var flat = 0
            for i in basis.indexLists[position] { flat = flat * n + i }
            return dense[flat]
        }
    }

    /// ||a - b||_F / ||b||_F over dense tensors (||a||_F when b vanishes).
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

    /// ||a||_F of the dense symmetric tensor whose values at the degree-k monomials of `basis` are `packed`: each
    /// value counts k!/alpha! times (its number of index permutations), without building the n^k entries.
    public static func frobenius(_ packed: [Double], basis: MonomialBasis, order k: Int) -> Double {
        var total = 0.0
        var factorial = 1.0
        for i in stride(from: 2, through: k, by: 1) { factorial *= Double(i) }
        for (offset, position) in basis.range(ofDegree: k).enumerated() {
            let permutations = factorial / Double(basis.multiplicityFactorial(at: position))
            total += permutations * packed[offset] * packed[offset]
        }
        return total.squareRoot()
    }

    /// ||a - b||_F / ||b||_F over packed symmetric tensors (||a||_F when b vanishes).
    public static func relativeFrobenius(_ a: [Double], _ b: [Double], basis: MonomialBasis, order k: Int) -> Double {
        let difference = frobenius(zip(a, b).map { $0 - $1 }, basis: basis, order: k)
        let norm = frobenius(b, basis: basis, order: k)
        return norm > 0 ? difference / norm : difference
    }

    /// n^k.
    static func power(_ n: Int, _ k: Int) -> Int { (0..<k).reduce(1) { value, _ in value * n } }

    /// Calls `body` with each distinct ordering of `list` (a multiset), lexicographically.
    static func forEachPermutation(of list: [Int], _ body: ([Int]) -> Void) {
        var current = list.sorted()
        while true {
            body(current)
            // Next permutation: find the rightmost ascent, swap with the smallest larger element, reverse the tail.
            guard current.count > 1, var i = Optional(current.count - 2) else { return }
            while i >= 0 && current[i] >= current[i + 1] { i -= 1 }
            if i < 0 { return }
            var j = current.count - 1
            while current[j] <= current[i] { j -= 1 }
            current.swapAt(i, j)
            current[(i + 1)...].reverse()
        }
    }
}

/// A homogeneous polynomial P(U) = Σ_{|alpha| = k} c_alpha U^alpha with Taylor coefficients c_alpha.
public struct HomogeneousTerm: Sendable, Equatable {
    /// The degree k.
    public var order: Int
    /// The variables' count n.
    public var variables: Int
    /// Monomials as flat index lists, `order` entries each (non-decreasing per monomial).
    public var indices: [Int]
    /// The Taylor coefficient of each monomial (derivative / alpha!).
    public var coefficients: [Double]

    /// The term whose derivative tensor is `derivatives` (basis order, degree k); the only place where 1/alpha! enters.
    public init(order k: Int, derivatives: [Double], basis: MonomialBasis) {
        order = k
        variables = basis.variables
        var indices: [Int] = [], coefficients: [Double] = []
        for (offset, position) in basis.range(ofDegree: k).enumerated() {
            indices += basis.indexLists[position]
            coefficients.append(derivatives[offset] / Double(basis.multiplicityFactorial(at: position)))
        }
        self.indices = indices
        self.coefficients = coefficients
    }

    /// P(U) at one point of `variables` values.
    public func value(_ U: UnsafePointer<Double>) -> Double {
        var total = 0.0
        indices.withUnsafeBufferPointer { index in
            var slot = 0
            for c in coefficients {
                var product = c
                for _ in 0..<order { product *= U[index[slot]]; slot += 1 }
                total += product
            }
        }
        return total
    }

    /// P at every row of `rows` (row-major, `variables` per row).
    public func values(_ rows: [Double]) -> [Double] {
        let count = variables == 0 ? 0 : rows.count / variables
        return rows.withUnsafeBufferPointer { buffer in
            (0..<count).map { value(buffer.baseAddress! + $0 * variables) }
        }
    }
}
