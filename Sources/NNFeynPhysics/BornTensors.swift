// The Born series of the scattering length to any order K, exactly, as symmetric derivative tensors.
//
// Numbers here are *derivatives* (the BornKernels convention): the order-k tensor holds d^k a0 / dU_i ... dU_l at
// U = 0, one value per non-decreasing multi-index in `MonomialBasis` order, so a_k(U) = (1/k!) Σ T_{i..l} U_i...U_l
// = Σ_{|alpha|=k} (T[alpha] / alpha!) U^alpha. Internally everything is a Taylor coefficient (a polynomial in U);
// alpha! enters once, when the result is stored.
//
// Derivation. Expanding the variable-phase equation a' = U (r - a)^2 in powers of U, with b_0 = r and b_i = -a_i,
//     a_k' = U Σ_{i+j=k-1} b_i b_j,    a_k(0) = 0,    a_k = a_k(R).
// On step m (r in [r_m, r_{m+1}]) U = U_m is constant, so a_k is a polynomial of degree 2k+1 in r whose coefficients
// are homogeneous polynomials of degree k in the step values U_0 ... U_{n-1}. The recursion runs on exactly these
// objects: per order, one r-polynomial per monomial U^alpha. Multiplying by U on step m maps U^alpha to
// U^(alpha + e_m); the r-integral is done on the coefficients. Each step needs a_1 ... a_{K-1} as polynomials in r
// and a_K only at the step's right edge.
//
// Cost. Order k has C(n+k-1, k) monomials with up to 2k+2 r-coefficients each; `BornTensors.slots` counts them and
// `BornTensors.expansion` refuses above a limit. Monomials without U_m are constant on step m, and zero coefficients are
// skipped, so the products stay sparse in practice.
import NNFeynAlgebra
import NNFeynDiagnostics

/// A request for Born tensors that is too large or malformed.
public enum BornTensorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The running polynomials would hold more than `limit` scalars.
    case tooLarge(order: Int, steps: Int, slots: Int?, limit: Int)
    /// The order is below 1.
    case invalidOrder(Int)
    /// The edges do not start at 0 and increase, or bound no step.
    case invalidEdges(String)

    /// The message, lowercase and standalone.
    public var description: String {
        switch self {
        case .tooLarge(let order, let steps, let slots, let limit):
            let size = slots.map { "\($0)" } ?? "more than Int.max"
            return "born tensors of order \(order) in \(steps) steps need \(size) polynomial coefficients "
                + "(C(n+K-1, K) monomials x (2K+2) per order, summed), above the limit of \(limit)"
        case .invalidOrder(let order): return "the order of the born tensors must be at least 1 (got \(order))"
        case .invalidEdges(let message): return message
        }
    }
}

extension BornTensorError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        switch self {
        case .tooLarge:
            [Diagnostic(code: .tooLarge, message: description, help: "lower --order or --steps, or raise --limit")]
        case .invalidOrder, .invalidEdges: [Diagnostic(code: .usage, message: description)]
        }
    }
}

/// The exact derivatives of a0 at U = 0 of orders 0...K for step potentials, as `TaylorExpansion`s.
public enum BornTensors {
    /// The default limit on `slots`: 2 x 10^7 scalars (K = 8 at 16 steps needs about 10^7).
    public static var defaultLimit: Int { 20_000_000 }

    /// Σ_{k=1}^{K} C(n+k-1, k) (2k+2): the scalars of the running polynomials; nil on overflow.
    public static func slots(steps n: Int, order K: Int) -> Int? {
        guard n >= 1, K >= 1 else { return 0 }
        var total = 0
        for k in 1...K {
            guard let c = MonomialBasis.multichoose(n, k) else { return nil }
            let (p, o1) = c.multipliedReportingOverflow(by: 2 * k + 2)
            let (s, o2) = total.addingReportingOverflow(p)
            if o1 || o2 { return nil }
            total = s
        }
        return total
    }

    /// The derivatives of a0 of orders 0 (a0(0) = 0) to K at U = 0 for the potential with `edges`
    /// (r_0 = 0 < ... < r_n): one output, n variables (the step values), `.derivative` convention, computed exactly
    /// in `S` (every step is exact for `Rational`).
    public static func expansion<S: Scalar>(edges: [S], order K: Int,
                                            limit: Int = defaultLimit) throws(BornTensorError) -> TaylorExpansion<S> {
        guard K >= 1 else { throw .invalidOrder(K) }
        guard edges.count >= 2, edges[0].isZero else {
            throw .invalidEdges("the edges must start at 0 and bound at least one step")
        }
        for m in 1..<edges.count where !((edges[m] - edges[m - 1]).doubleValue > 0) {
            throw .invalidEdges("the edges must increase (edge \(m) is not above edge \(m - 1))")
        }
        let n = edges.count - 1
        guard let slots = Self.slots(steps: n, order: K), slots <= limit else {
            throw .tooLarge(order: K, steps: n, slots: Self.slots(steps: n, order: K), limit: limit)
        }
        let basis = MonomialBasis(variables: n, maxDegree: K)
        let coefficients = Recursion(basis: basis, edges: edges).run()
        var values: [S] = [.zero]
        for k in 1...K {
            for (offset, position) in basis.range(ofDegree: k).enumerated() {
                values.append(coefficients[k][offset] * basis.multiplicityFactorial(at: position, as: S.self))
            }
        }
        return TaylorExpansion(basis: basis, outputCount: 1, convention: .derivative, values: values)
    }

    /// The tensors for n equal steps on [0, range] with the edges of `StepPotential.equalEdges`.
    public static func expansion(steps: Int, range: Double, order: Int,
                                 limit: Int = defaultLimit) throws(BornTensorError) -> TaylorExpansion<Double> {
        guard steps >= 1 else { throw .invalidEdges("a potential needs at least one step (got \(steps))") }
        return try expansion(edges: StepPotential.equalEdges(steps: steps, range: range), order: order, limit: limit)
    }

    /// The exact tensors for n equal steps on [0, range]: edges i range / n as exact rationals.
    public static func expansion(steps: Int, range: Rational, order: Int,
                                 limit: Int = defaultLimit) throws(BornTensorError) -> TaylorExpansion<Rational> {
        guard steps >= 1 else { throw .invalidEdges("a potential needs at least one step (got \(steps))") }
        return try expansion(edges: equalEdges(steps: steps, range: range), order: order, limit: limit)
    }

    /// Edges i range / n, i = 0...n, exactly.
    public static func equalEdges(steps: Int, range: Rational) -> [Rational] {
        (0...steps).map { range * Rational($0, steps) }
    }
}

/// The running polynomials of the variable-phase recursion; read only if you change the recursion.
///
/// Storage: order k holds `count[k]` monomials (the degree-k block of the basis, in order), each with an r-polynomial
/// of at most `width[k] = 2k+2` coefficients in `poly[k][offset * width[k] + d]`, and `top[k][offset]`, the highest
/// nonzero r-degree (-1 for a zero polynomial), so products and evaluations skip zeros.
private struct Recursion<S: Scalar> {
    let basis: MonomialBasis
    let edges: [S]
    let K: Int
    let n: Int
    /// productTable[i][j][p * count[j] + q]: the offset in degree i+j of monomial p (degree i) times q (degree j),
    /// for 1 <= i <= j, i + j <= K - 1.
    let productTable: [[[Int]]]
    /// shiftTable[k][p * n + m]: the offset in degree k+1 of monomial p (degree k) times U_m, k = 0...K-1.
    let shiftTable: [[Int]]

    init(basis: MonomialBasis, edges: [S]) {
        self.basis = basis
        self.edges = edges
        let K = basis.maxDegree, n = basis.variables
        self.K = K
        self.n = n
        let count = (0...K).map { basis.range(ofDegree: $0).count }
        func offset(_ list: [Int]) -> Int {
            let position = basis.position(of: list)!
            return position - basis.degreeOffsets[list.count]
        }
        func merged(_ a: [Int], _ b: [Int]) -> [Int] {
            var out: [Int] = []
            out.reserveCapacity(a.count + b.count)
            var i = 0, j = 0
            while i < a.count || j < b.count {
                if j == b.count || (i < a.count && a[i] <= b[j]) { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
            }
            return out
        }
        var products = [[[Int]]](repeating: [[Int]](repeating: [], count: K + 1), count: K + 1)
        if K >= 3 {
            for i in 1...(K - 1) / 2 {
                for j in i...(K - 1 - i) {
                    var table = [Int](repeating: 0, count: count[i] * count[j])
                    for (p, pp) in basis.range(ofDegree: i).enumerated() {
                        for (q, qq) in basis.range(ofDegree: j).enumerated() {
                            table[p * count[j] + q] = offset(merged(basis.indexLists[pp], basis.indexLists[qq]))
                        }
                    }
                    products[i][j] = table
                }
            }
        }
        productTable = products
        shiftTable = (0..<K).map { k in
            var table = [Int](repeating: 0, count: count[k] * n)
            for (p, pp) in basis.range(ofDegree: k).enumerated() {
                for m in 0..<n { table[p * n + m] = offset(merged(basis.indexLists[pp], [m])) }
            }
            return table
        }
    }

    /// The Taylor coefficients of a_1(R) ... a_K(R) per monomial: result[k][offset] (result[0] is empty).
    func run() -> [[S]] {
        let count = (0...K).map { basis.range(ofDegree: $0).count }
        let width = (0...K).map { 2 * $0 + 2 }
        // a_k at the current step's left edge (constants in r), per monomial.
        var left: [[S]] = (0...K).map { [S](repeating: .zero, count: count[$0]) }
        // a_k as r-polynomials on the current step.
        var poly: [[S]] = (0...K).map { [S](repeating: .zero, count: count[$0] * width[$0]) }
        var top: [[Int]] = (0...K).map { [Int](repeating: -1, count: count[$0]) }
        // Scratch: the integrand Q_k = Σ_{i+j=k-1} b_i b_j (degree k-1 in U, degree <= 2k in r).
        var integrand: [S] = []
        var integrandTop: [Int] = []

        for m in 0..<n {
            let a = edges[m], b = edges[m + 1]
            let aPowers = Self.powers(a, upTo: 2 * K + 2), bPowers = Self.powers(b, upTo: 2 * K + 2)
            for k in 1...K {
                // Q_k, degree k-1 in U, r-width 2k+1 (degree 2k).
                let qWidth = 2 * k + 1
                integrand = [S](repeating: .zero, count: count[k - 1] * qWidth)
                integrandTop = [Int](repeating: -1, count: count[k - 1])
                if k == 1 {
                    // b_0 b_0 = r^2.
                    integrand[2] = .one
                    integrandTop[0] = 2
                } else {
                    // 2 b_0 b_{k-1} = -2 r a_{k-1}.
                    let w = width[k - 1]
                    for p in 0..<count[k - 1] where top[k - 1][p] >= 0 {
                        for d in 0...top[k - 1][p] {
                            let c = poly[k - 1][p * w + d]
                            if c.isZero { continue }
                            integrand[p * qWidth + d + 1] = integrand[p * qWidth + d + 1] - S(2) * c
                        }
                        integrandTop[p] = Swift.max(integrandTop[p], top[k - 1][p] + 1)
                    }
                    // b_i b_j = a_i a_j for i, j >= 1, i + j = k - 1: pairs i < j twice, i == j once.
                    if k >= 3 {
                        for i in 1...(k - 1) / 2 {
                            let j = k - 1 - i
                            let factor = i == j ? S.one : S(2)
                            let table = productTable[i][j]
                            let wi = width[i], wj = width[j]
                            for p in 0..<count[i] where top[i][p] >= 0 {
                                for q in 0..<count[j] where top[j][q] >= 0 {
                                    let target = table[p * count[j] + q]
                                    for d in 0...top[i][p] {
                                        let x = poly[i][p * wi + d]
                                        if x.isZero { continue }
                                        let fx = factor * x
                                        for e in 0...top[j][q] {
                                            let y = poly[j][q * wj + e]
                                            if y.isZero { continue }
                                            integrand[target * qWidth + d + e].addProduct(fx, y)
                                        }
                                    }
                                    integrandTop[target] = Swift.max(integrandTop[target], top[i][p] + top[j][q])
                                }
                            }
                        }
                    }
                }
                // a_k(s) = left_k + ∫_a^s U_m Q_k(t) dt: monomial p of Q_k moves to p + e_m; coefficient d to d + 1.
                let w = width[k]
                for p in 0..<count[k] {
                    for d in 0..<w { poly[k][p * w + d] = .zero }
                    poly[k][p * w] = left[k][p]
                    top[k][p] = left[k][p].isZero ? -1 : 0
                }
                for p in 0..<count[k - 1] where integrandTop[p] >= 0 {
                    let target = shiftTable[k - 1][p * n + m]
                    var atA = S.zero
                    for d in 0...integrandTop[p] {
                        let c = integrand[p * qWidth + d]
                        if c.isZero { continue }
                        let coefficient = c / S(d + 1)
                        poly[k][target * w + d + 1] += coefficient
                        atA.addProduct(coefficient, aPowers[d + 1])
                    }
                    poly[k][target * w] -= atA
                    top[k][target] = Swift.max(top[k][target], integrandTop[p] + 1)
                }
            }
            // Carry every order to the right edge.
            for k in 1...K {
                let w = width[k]
                for p in 0..<count[k] where top[k][p] >= 0 {
                    var y = S.zero
                    for d in 0...top[k][p] {
                        let c = poly[k][p * w + d]
                        if !c.isZero { y.addProduct(c, bPowers[d]) }
                    }
                    left[k][p] = y
                }
            }
        }
        return left
    }

    /// [1, x, x^2, ..., x^degree].
    static func powers(_ x: S, upTo degree: Int) -> [S] {
        var result = [S.one]
        for _ in 0..<degree { result.append(result[result.count - 1] * x) }
        return result
    }
}
