// Gaussian quadrature rules: Gauss-Hermite for expectations over standard normals (probabilists' weight
// e^(-t^2/2)/sqrt(2 pi), weights summing to 1) and Gauss-Legendre on [-1, 1] (composite rules for the kernel
// integrals). Nodes are the eigenvalues of the Jacobi matrix (Golub-Welsch; implicit QL with Wilkinson shifts),
// polished by Newton steps on the three-term recurrence; weights are 1 / sum_k p_k(x)^2 over the orthonormal
// polynomials, which keeps tiny tail weights accurate to full relative precision.
import Foundation

/// A one-dimensional quadrature rule.
public struct QuadratureRule: Sendable {
    public var nodes: [Double]
    public var weights: [Double]

    /// The n-point Gauss-Hermite rule for E[g(t)], t ~ N(0, 1): exact for polynomials of degree <= 2n - 1.
    public static func gaussHermite(_ n: Int) -> QuadratureRule {
        precondition(n >= 1)
        // Orthonormal probabilists' Hermite: p_{k+1} = (t p_k - sqrt(k) p_{k-1}) / sqrt(k+1).
        let offDiagonal = (1..<max(n, 1)).map { Double($0).squareRoot() }
        let nodes = polish(symmetricTridiagonalEigenvalues(diagonal: [Double](repeating: 0, count: n), offDiagonal: offDiagonal),
                           n: n, recurrence: { k in (0, Double(k + 1).squareRoot(), Double(k).squareRoot()) }, p0: 1)
        return QuadratureRule(nodes: nodes, weights: nodes.map { 1 / orthonormalSquares(at: $0, n: n,
            recurrence: { k in (0, Double(k + 1).squareRoot(), Double(k).squareRoot()) }, p0: 1) })
    }

    /// The n-point Gauss-Legendre rule on [-1, 1]: exact for polynomials of degree <= 2n - 1.
    public static func gaussLegendre(_ n: Int) -> QuadratureRule {
        precondition(n >= 1)
        // Orthonormal Legendre for the weight 1 on [-1, 1]: b_k = k / sqrt(4k^2 - 1), p_0 = 1/sqrt(2).
        func b(_ k: Int) -> Double { Double(k) / (4 * Double(k * k) - 1).squareRoot() }
        let recurrence: (Int) -> (Double, Double, Double) = { k in (0, b(k + 1), k == 0 ? 0 : b(k)) }
        let p0 = 1 / 2.0.squareRoot()
        let eigen = symmetricTridiagonalEigenvalues(diagonal: [Double](repeating: 0, count: n), offDiagonal: (1..<max(n, 1)).map(b))
        let nodes = polish(eigen, n: n, recurrence: recurrence, p0: p0)
        return QuadratureRule(nodes: nodes, weights: nodes.map { 1 / orthonormalSquares(at: $0, n: n, recurrence: recurrence, p0: p0) })
    }

    /// The rule mapped to [a, b] (Legendre rules).
    public func mapped(to a: Double, _ b: Double) -> QuadratureRule {
        let half = (b - a) / 2, middle = (a + b) / 2
        return QuadratureRule(nodes: nodes.map { middle + half * $0 }, weights: weights.map { $0 * half })
    }

    /// A composite Gauss-Legendre rule over consecutive panels [breaks[i], breaks[i+1]].
    public static func composite(breaks: [Double], pointsPerPanel: Int) -> QuadratureRule {
        let base = gaussLegendre(pointsPerPanel)
        var nodes: [Double] = [], weights: [Double] = []
        for i in 0..<max(breaks.count - 1, 0) where breaks[i + 1] > breaks[i] {
            let panel = base.mapped(to: breaks[i], breaks[i + 1])
            nodes += panel.nodes
            weights += panel.weights
        }
        return QuadratureRule(nodes: nodes, weights: weights)
    }

    /// sum_k p_k(x)^2 for the orthonormal polynomials p_0..p_{n-1} of a recurrence
    /// b_{k+1} p_{k+1} = (x - a_k) p_k - b_k p_{k-1}, given as k -> (a_k, b_{k+1}, b_k).
    static func orthonormalSquares(at x: Double, n: Int, recurrence: (Int) -> (Double, Double, Double), p0: Double) -> Double {
        var previous = 0.0, current = p0, total = p0 * p0
        for k in 0..<(n - 1) {
            let (a, bNext, b) = recurrence(k)
            let next = ((x - a) * current - b * previous) / bNext
            previous = current
            current = next
            total += current * current
        }
        return total
    }

    /// Newton steps on p_n(x) = 0, with p_n and p_n' from the recurrence.
    static func polish(_ guesses: [Double], n: Int, recurrence: (Int) -> (Double, Double, Double), p0: Double) -> [Double] {
        guesses.sorted().map { guess in
            var x = guess
            for _ in 0..<3 {
                var p = 0.0, q = p0, dp = 0.0, dq = 0.0
                for k in 0..<n {
                    let (a, bNext, b) = recurrence(k)
                    let next = ((x - a) * q - b * p) / bNext
                    let dNext = (q + (x - a) * dq - b * dp) / bNext
                    (p, q, dp, dq) = (q, next, dq, dNext)
                }
                guard dq != 0, dq.isFinite, q.isFinite else { break }
                let step = q / dq
                x -= step
                if abs(step) <= 1e-16 * max(abs(x), 1) { break }
            }
            return x
        }
    }

    /// Eigenvalues of a symmetric tridiagonal matrix (implicit QL with Wilkinson shifts, as in EISPACK's tql1).
    static func symmetricTridiagonalEigenvalues(diagonal: [Double], offDiagonal: [Double]) -> [Double] {
        var d = diagonal
        let n = d.count
        var e = offDiagonal + [0]
        guard n > 1 else { return d }
        for l in 0..<n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let dd = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * dd { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > 60 { break }
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = (g * g + 1).squareRoot()
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var deflated = false
                while i >= l {
                    let f = s * e[i]
                    let b = c * e[i]
                    r = (f * f + g * g).squareRoot()
                    e[i + 1] = r
                    if r == 0 {
                        d[i + 1] -= p
                        e[m] = 0
                        deflated = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    i -= 1
                }
                if deflated { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
        return d.sorted()
    }
}
