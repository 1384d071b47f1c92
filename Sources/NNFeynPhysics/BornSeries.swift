// The Born series of the scattering length, a0 = a1 + a2 + a3 + ..., a_k homogeneous of degree k in U.
//
// Numbers here are *derivatives*, not Taylor coefficients: the order-k kernel is d^k a0 / dU_i ... dU_k at U = 0, so
// a_k(U) = (1/k!) Σ kernel_{i...k} U_i ... U_k. The 1/k! appears only in `BornKernels.contract`.
//
// Derivation. Expanding the variable-phase equation a' = U (r - a)^2 in powers of U gives the running quantities
//     a1' = U r^2,    a2' = -2 U r a1,    a3' = U (a1^2 - 2 r a2),    a_k(0) = 0,
// and a_k = a_k(R). On a step U is constant, so each running quantity is a polynomial in r there (degrees 3, 5, 7)
// and every integral is done exactly on polynomial coefficients. For the kernels the same recursion runs with
// *tensor-valued* coefficients: a1 is linear in U, so its coefficients are vectors (one slot per U_i), a2's are
// matrices and a3's are order-3 tensors; multiplying by U on step m puts the index m in front. The resulting
// coefficient tensors C_k (a_k = Σ C_k[i..] U_i ...) are then symmetrised: kernel = Σ over index permutations of C_k.
import Foundation
import NNFeynAlgebra

/// The first three Born terms of a step potential.
public struct BornTerms: Sendable, Equatable {
    /// a1 = ∫ r^2 U dr.
    public var a1: Double
    /// a2 = -∫∫ r r' min(r, r') U(r) U(r') dr dr'.
    public var a2: Double
    /// a3, the cubic term.
    public var a3: Double

    /// The partial sums a1, a1 + a2, a1 + a2 + a3.
    public var partialSums: [Double] { [a1, a1 + a2, a1 + a2 + a3] }
}

/// The Born series of step potentials.
public enum BornSeries {
    /// a1, a2, a3 of a step potential, by exact piecewise polynomial integration of the running quantities.
    public static func terms(_ potential: StepPotential) -> BornTerms {
        potential.values.withUnsafeBufferPointer { values in
            potential.edges.withUnsafeBufferPointer { edges in
                terms(values: values.baseAddress!, edges: edges.baseAddress!, steps: values.count)
            }
        }
    }

    /// `terms(_:)` on raw buffers, allocation-free (the scratch polynomials live on the stack).
    public static func terms(values: UnsafePointer<Double>, edges: UnsafePointer<Double>, steps: Int) -> BornTerms {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 24) { scratch in
            let p1 = scratch.baseAddress!          // a1 on the step, degree 3
            let p2 = p1 + 4                        // a2 on the step, degree 5
            let q = p1 + 10                        // the a3 integrand, degree 7 (before integration)
            var A1 = 0.0, A2 = 0.0, A3 = 0.0
            for m in 0..<steps {
                let U = values[m], a = edges[m], b = edges[m + 1]
                // a1(s) = A1 + U (s^3 - a^3)/3
                p1[0] = A1 - U * a * a * a / 3; p1[1] = 0; p1[2] = 0; p1[3] = U / 3
                // a2(s) = A2 + ∫_a^s -2 U t a1(t) dt: the integrand's t^(d+1) coefficient is -2U p1[d].
                p2[0] = 0
                for d in 0...3 { p2[d + 2] = -2 * U * p1[d] / Double(d + 2) }
                p2[1] = 0
                p2[0] = A2 - evaluate(p2, degree: 5, at: a)
                // a3 integrand U (a1^2 - 2 s a2), degree 6.
                for d in 0...6 { q[d] = 0 }
                for i in 0...3 { for j in 0...3 { q[i + j] += p1[i] * p1[j] } }
                for d in 0...5 { q[d + 1] -= 2 * p2[d] }
                A3 += U * integrate(q, degree: 6, from: a, to: b)
                A1 = evaluate(p1, degree: 3, at: b)
                A2 = evaluate(p2, degree: 5, at: b)
            }
            return BornTerms(a1: A1, a2: A2, a3: A3)
        }
    }

    /// Σ c_d x^d by Horner's rule.
    @inline(__always)
    static func evaluate(_ c: UnsafePointer<Double>, degree: Int, at x: Double) -> Double {
        var y = c[degree]
        var d = degree - 1
        while d >= 0 { y = y * x + c[d]; d -= 1 }
        return y
    }

    /// ∫_a^b Σ c_d x^d dx, exactly on the coefficients.
    @inline(__always)
    static func integrate(_ c: UnsafePointer<Double>, degree: Int, from a: Double, to b: Double) -> Double {
        var ya = 0.0, yb = 0.0
        var d = degree
        while d >= 0 {
            let coefficient = c[d] / Double(d + 1)
            ya = (ya + coefficient) * a
            yb = (yb + coefficient) * b
            d -= 1
        }
        return yb - ya
    }
}

/// The derivatives of a0 at U = 0 with respect to the step values, orders 1 to 3.
public struct BornKernels: Sendable, Equatable {
    /// Number of steps n.
    public var steps: Int
    /// d a0 / dU_i (n values): g_i = (r_i^3 - r_{i-1}^3)/3.
    public var first: [Double]
    /// d^2 a0 / dU_i dU_j, n x n row-major, symmetric: -2 K.
    public var second: [Double]
    /// d^3 a0 / dU_i dU_j dU_k, n x n x n row-major, symmetric.
    public var third: [Double]

    /// The kernels of a step potential with the given edges (r_0 = 0 < ... < r_n = R).
    public init(edges: [Double]) {
        precondition(edges.count >= 2 && edges[0] == 0, "edges start at 0 and bound at least one step")
        let n = edges.count - 1
        steps = n
        let n2 = n * n, n3 = n2 * n
        // Running tensor-valued polynomials: coefficient d of a_k is a flat tensor with n^k entries.
        var A1 = [Double](repeating: 0, count: n)
        var A2 = [Double](repeating: 0, count: n2)
        var A3 = [Double](repeating: 0, count: n3)
        var p1 = [[Double]](repeating: [Double](repeating: 0, count: n), count: 4)
        var p2 = [[Double]](repeating: [Double](repeating: 0, count: n2), count: 6)
        var square = [[Double]](repeating: [Double](repeating: 0, count: n2), count: 7)
        for m in 0..<n {
            let a = edges[m], b = edges[m + 1]
            // a1(s) = A1 + e_m (s^3 - a^3)/3.
            for d in 0...3 { for j in 0..<n { p1[d][j] = 0 } }
            p1[0] = A1
            p1[0][m] -= a * a * a / 3
            p1[3][m] = 1.0 / 3
            // a2(s) = A2 + ∫_a^s -2 e_m ⊗ t a1(t) dt: only the block of first index m is new.
            for d in 0...5 { for j in 0..<n2 { p2[d][j] = 0 } }
            for d in 0...3 {
                for j in 0..<n { p2[d + 2][m * n + j] = -2 * p1[d][j] / Double(d + 2) }
            }
            for j in 0..<n {
                var atA = 0.0
                var power = 1.0
                for d in 0...5 { atA += p2[d][m * n + j] * power; power *= a }
                p2[0][m * n + j] = -atA
            }
            for j in 0..<n2 { p2[0][j] += A2[j] }
            // a3 += ∫_a^b e_m ⊗ (a1 ⊗ a1 - 2 s a2) ds.
            for d in 0...6 { for j in 0..<n2 { square[d][j] = 0 } }
            for d in 0...3 {
                for e in 0...3 {
                    for i in 0..<n where p1[d][i] != 0 {
                        let x = p1[d][i]
                        for j in 0..<n { square[d + e][i * n + j] += x * p1[e][j] }
                    }
                }
            }
            for d in 0...5 { for j in 0..<n2 { square[d + 1][j] -= 2 * p2[d][j] } }
            var weights = [Double](repeating: 0, count: 7)
            for d in 0...6 { weights[d] = (Foundation.pow(b, Double(d + 1)) - Foundation.pow(a, Double(d + 1))) / Double(d + 1) }
            for j in 0..<n2 {
                var integral = 0.0
                for d in 0...6 { integral += square[d][j] * weights[d] }
                A3[m * n2 + j] += integral
            }
            // Move the running values to the step's right edge.
            for j in 0..<n {
                var y = 0.0, power = 1.0
                for d in 0...3 { y += p1[d][j] * power; power *= b }
                A1[j] = y
            }
            for j in 0..<n2 {
                var y = 0.0, power = 1.0
                for d in 0...5 { y += p2[d][j] * power; power *= b }
                A2[j] = y
            }
        }
        // Symmetrise the coefficient tensors into derivatives.
        first = A1
        second = [Double](repeating: 0, count: n2)
        for i in 0..<n { for j in 0..<n { second[i * n + j] = A2[i * n + j] + A2[j * n + i] } }
        third = [Double](repeating: 0, count: n3)
        for i in 0..<n {
            for j in 0..<n {
                for k in 0..<n {
                    third[(i * n + j) * n + k] = A3[(i * n + j) * n + k] + A3[(i * n + k) * n + j]
                        + A3[(j * n + i) * n + k] + A3[(j * n + k) * n + i]
                        + A3[(k * n + i) * n + j] + A3[(k * n + j) * n + i]
                }
            }
        }
    }

    /// The kernels for n equal steps on [0, range].
    public init(steps: Int, range: Double) {
        self.init(edges: StepPotential.equalEdges(steps: steps, range: range))
    }

    /// The kernels as derivatives of a0 at U = 0, orders 0 (a0(0) = 0) to 3, stored once per monomial: the form the
    /// experiments compare learned tensors with.
    public var tensors: TaylorExpansion<Double> {
        let basis = MonomialBasis(variables: steps, maxDegree: 3)
        let dense = [[0.0], first, second, third]
        let values = (0..<basis.count).map { position -> Double in
            var flat = 0
            for i in basis.indexLists[position] { flat = flat * steps + i }
            return dense[basis.degree(of: position)][flat]
        }
        return TaylorExpansion(basis: basis, outputCount: 1, convention: .derivative, values: values)
    }

    /// d^2 a0 / dU_i dU_j.
    public func second(_ i: Int, _ j: Int) -> Double { second[i * steps + j] }
    /// d^3 a0 / dU_i dU_j dU_k.
    public func third(_ i: Int, _ j: Int, _ k: Int) -> Double { third[(i * steps + j) * steps + k] }

    /// The Born terms of U from the kernels: a_k = (1/k!) Σ kernel_{i..k} U_i ... U_k.
    public func contract(_ U: [Double]) -> BornTerms {
        precondition(U.count == steps)
        let n = steps
        var a1 = 0.0, a2 = 0.0, a3 = 0.0
        for i in 0..<n {
            a1 += first[i] * U[i]
            for j in 0..<n {
                a2 += second[i * n + j] * U[i] * U[j]
                var inner = 0.0
                for k in 0..<n { inner += third[(i * n + j) * n + k] * U[k] }
                a3 += inner * U[i] * U[j]
            }
        }
        return BornTerms(a1: a1, a2: a2 / 2, a3: a3 / 6)
    }
}

extension BornKernels {
    /// `{"first": [...], "second": [[...]], "third": [[[...]]]}`: sorted keys, one innermost row per line, doubles
    /// in Swift's shortest form that reads back to the same value. Deterministic.
    public var json: String {
        let n = steps
        func row(_ values: ArraySlice<Double>) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        let second = (0..<n).map { "    " + row(self.second[$0 * n..<($0 + 1) * n]) }.joined(separator: ",\n")
        let third = (0..<n).map { i in
            "    [\n" + (0..<n).map { j in
                "      " + row(self.third[(i * n + j) * n..<(i * n + j + 1) * n])
            }.joined(separator: ",\n") + "\n    ]"
        }.joined(separator: ",\n")
        return "{\n  \"first\": \(row(first[...])),\n  \"second\": [\n\(second)\n  ],\n  \"third\": [\n\(third)\n  ]\n}\n"
    }

    /// One entry per line, independent entries only (i <= j <= k), 1-based step indices.
    public var text: String {
        let n = steps
        var lines = ["# derivatives of a0 at U = 0 (not Taylor coefficients); steps are 1-based", "first"]
        for i in 0..<n { lines.append("  \(i + 1)  \(first[i])") }
        lines.append("second")
        for i in 0..<n { for j in i..<n { lines.append("  \(i + 1) \(j + 1)  \(second(i, j))") } }
        lines.append("third")
        for i in 0..<n { for j in i..<n { for l in j..<n { lines.append("  \(i + 1) \(j + 1) \(l + 1)  \(third(i, j, l))") } } }
        return lines.joined(separator: "\n") + "\n"
    }
}
