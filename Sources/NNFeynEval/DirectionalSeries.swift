// The univariate series of f(x0 + t v) to high order, and where it stops converging.
//
// On the line x = x0 + t v the first layer's pre-activation is (W x0 + b) + t (W v): the network restricted to the
// line is the same network with a one-dimensional input, first weight W v and first bias W x0 + b, expanded at
// t = 0. Its basis has N + 1 monomials, so order 40 (or 400) costs about what order 2 does in a few variables.
//
// Radius of convergence, two estimates from the coefficients c_k of one output:
//   - ratio: where the coefficients are dominated by one real singularity, r = |c_{k-1} / c_k|; where a complex
//     conjugate pair dominates (tanh's poles at z = +-i pi/2 give one), the plain ratio oscillates and
//     r^2 = (c_{k-1}^2 - c_{k-2} c_k) / (c_k^2 - c_{k-1} c_{k+1}) (Hunter and Guerrieri's generalised ratio) is used,
//     taken at the highest k where both are defined;
//   - Pade: the smallest modulus among the poles of the [L/M] Pade approximant (M about N/2, at most 20) that are
//     genuine: found again, to 1e-3, by the [L+4/M-4] approximant, and with a residue that is not negligible
//     (spurious poles, Froissart doublets, sit on a zero of the numerator and move when the degrees change).
// For a single tanh layer the answer is exact: tanh(a + b t) has poles at a + b t = i pi (1/2 + m), nearest at
// |t| = sqrt(a^2 + pi^2/4) / |b|, so r = min_j sqrt(a_j^2 + pi^2/4) / |b_j| with a_j = w_j.x0 + c_j, b_j = w_j.v.
import Foundation
import NNFeynAlgebra
import NNFeynModel

/// Estimates of a power series' radius of convergence (infinite for a polynomial, nil when nothing can be said).
public struct RadiusEstimate: Sendable, Equatable {
    /// From coefficient ratios (plain or generalised, see the file's header).
    public var ratio: Double?
    /// From the poles of a Pade approximant.
    public var pade: Double?
}

/// The series f(x0 + t v) and its radius of convergence.
public enum DirectionalSeries {
    /// `network` restricted to the line point + t direction: input dimension 1, expansion point t = 0.
    public static func line<S: Scalar>(_ network: Network<S>, direction v: [S]) throws(EvaluationError) -> Network<S> {
        let d = network.inputDimension
        guard v.count == d else { throw .model(.pointDimension(got: v.count, expected: d)) }
        guard let first = network.layers.first else { throw .model(.shape(layer: nil, "a network without layers has no line to restrict to")) }
        var weight = [S](repeating: .zero, count: first.width), bias = network.biases[0]
        for i in 0..<first.width {
            var slope = S.zero
            for j in 0..<d {
                slope.addProduct(network.weights[0][i * d + j], v[j])
                bias[i].addProduct(network.weights[0][i * d + j], network.point[j])
            }
            weight[i] = slope
        }
        var shapes = network.layers
        shapes[0].fanIn = 1
        do {
            let architecture = try Architecture(name: network.architecture.name, input: ModelInput(name: "t", dimension: 1),
                                                layers: shapes)
            return try Network(architecture: architecture, weights: [weight] + network.weights.dropFirst(),
                               biases: [bias] + network.biases.dropFirst(), point: [.zero])
        } catch {
            throw .model(error)
        }
    }

    /// Both estimates for the coefficients c_0 ... c_N of one series.
    public static func radius(_ c: [Double]) -> RadiusEstimate {
        var last = c.count - 1
        while last >= 0 && c[last] == 0 { last -= 1 }
        guard last >= 0 else { return RadiusEstimate(ratio: .infinity, pade: .infinity) }
        // A polynomial (exactly zero tail well past its degree) converges everywhere.
        if last + 4 <= c.count - 1 { return RadiusEstimate(ratio: .infinity, pade: .infinity) }
        return RadiusEstimate(ratio: ratioEstimate(c), pade: padeEstimate(c))
    }

    static func ratioEstimate(_ c: [Double]) -> Double? {
        let n = c.count - 1
        guard n >= 3 else { return n >= 1 && c[n] != 0 ? Swift.abs(c[n - 1] / c[n]) : nil }
        func plain(_ k: Int) -> Double? { c[k] != 0 ? Swift.abs(c[k - 1] / c[k]) : nil }
        // Plain ratios that have settled (a real singularity dominates) are the answer.
        if let p1 = plain(n), let p2 = plain(n - 1), let p3 = plain(n - 2),
           Swift.abs(p1 - p2) < 0.02 * p1, Swift.abs(p2 - p3) < 0.02 * p2 {
            return p1
        }
        // Otherwise the generalised ratio at the top, exact for one conjugate pair.
        let top = c[n - 1] * c[n - 1] - c[n - 2] * c[n], bottom = c[n - 2] * c[n - 2] - c[n - 3] * c[n - 1]
        if top != 0, bottom / top > 0 { return (bottom / top).squareRoot() }
        return plain(n)
    }

    static func padeEstimate(_ c: [Double]) -> Double? {
        let n = c.count - 1
        guard n >= 4 else { return nil }
        // Rescale t by a rough radius so that the coefficients stay near 1 (the linear system is then well scaled).
        var scale = 1.0
        if c[n] != 0 { scale = pow(Swift.abs(c[n]), -1 / Double(n)) }
        if !scale.isFinite || scale <= 0 { scale = 1 }
        let s = (0...n).map { c[$0] * pow(scale, Double($0)) }
        // Poles of two approximants: genuine ones are found by both, spurious ones (Froissart doublets, a pole on top
        // of a zero) move when the degrees change and have tiny residues.
        let m1 = min(n / 2, 20), m2 = max(m1 - 4, 1)
        guard let first = padePoles(s, denominatorDegree: m1), let second = padePoles(s, denominatorDegree: m2) else { return nil }
        let genuine = first.filter { pole in second.contains { ($0 - pole).magnitude <= 1e-3 * max(pole.magnitude, 1e-300) } }
        guard let nearest = genuine.map(\.magnitude).filter({ $0 > 0 }).min() else { return nil }
        return nearest * scale
    }

    /// The poles of the [n - m / m] Pade approximant of sum s_k t^k whose residues are not negligible.
    static func padePoles(_ s: [Double], denominatorDegree m: Int) -> [Complex]? {
        let n = s.count - 1, l = n - m
        // Denominator q (q_0 = 1): sum_{j=0}^{m} q_j s_{l+i-j} = 0 for i = 1...m.
        var matrix = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
        for i in 1...m {
            for j in 1...m { matrix[(i - 1) * m + (j - 1)] = l + i - j >= 0 ? s[l + i - j] : 0 }
            rhs[i - 1] = -s[l + i]
        }
        guard let q = solve(matrix, rhs, size: m) else { return nil }
        let denominator = [1.0] + q
        var numerator = [Double](repeating: 0, count: l + 1)
        for i in 0...l { for j in 0...min(i, m) { numerator[i] += denominator[j] * s[i - j] } }
        var derivative = [Double]()
        for k in 1..<denominator.count { derivative.append(Double(k) * denominator[k]) }
        let size = s.map(Swift.abs).max() ?? 1
        return polynomialRoots(denominator).filter { root in
            let residue = (evaluate(numerator, at: root) / evaluate(derivative, at: root)).magnitude
            return residue.isFinite && residue > 1e-9 * size
        }
    }

    /// Gaussian elimination with partial pivoting; nil for a singular system.
    static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
        var a = a, b = b
        for col in 0..<n {
            var pivot = col
            for row in col..<n where Swift.abs(a[row * n + col]) > Swift.abs(a[pivot * n + col]) { pivot = row }
            guard a[pivot * n + col] != 0 else { return nil }
            if pivot != col {
                for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
                b.swapAt(col, pivot)
            }
            for row in (col + 1)..<n {
                let f = a[row * n + col] / a[col * n + col]
                if f == 0 { continue }
                for k in col..<n { a[row * n + k] -= f * a[col * n + k] }
                b[row] -= f * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<n { sum -= a[row * n + k] * x[k] }
            x[row] = sum / a[row * n + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// A complex number, for roots.
    struct Complex {
        var re: Double, im: Double
        static func + (a: Complex, b: Complex) -> Complex { Complex(re: a.re + b.re, im: a.im + b.im) }
        static func - (a: Complex, b: Complex) -> Complex { Complex(re: a.re - b.re, im: a.im - b.im) }
        static func * (a: Complex, b: Complex) -> Complex { Complex(re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re) }
        static func / (a: Complex, b: Complex) -> Complex {
            let d = b.re * b.re + b.im * b.im
            return Complex(re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d)
        }
        var magnitude: Double { (re * re + im * im).squareRoot() }
    }

    static func evaluate(_ p: [Double], at z: Complex) -> Complex {
        var result = Complex(re: 0, im: 0)
        for coefficient in p.reversed() { result = result * z + Complex(re: coefficient, im: 0) }
        return result
    }

    /// Roots of sum p_k t^k by the Aberth-Ehrlich iteration (after dropping vanishing leading coefficients).
    static func polynomialRoots(_ p: [Double]) -> [Complex] {
        var p = p
        while p.count > 1, let top = p.last, Swift.abs(top) <= 1e-14 * (p.map(Swift.abs).max() ?? 0) { p.removeLast() }
        let degree = p.count - 1
        guard degree >= 1 else { return [] }
        var derivative = [Double]()
        for k in 1...degree { derivative.append(Double(k) * p[k]) }
        // Start on a circle of the roots' geometric-mean size, rotated off the real axis.
        let radius = pow(Swift.abs(p[0] / p[degree]), 1 / Double(degree))
        var roots = (0..<degree).map { k -> Complex in
            let angle = 2 * Double.pi * Double(k) / Double(degree) + 0.4
            let r = radius.isFinite && radius > 0 ? radius : 1
            return Complex(re: r * cos(angle), im: r * sin(angle))
        }
        for _ in 0..<1000 {
            var change = 0.0
            for i in 0..<degree {
                let ratio = evaluate(p, at: roots[i]) / evaluate(derivative, at: roots[i])
                var sum = Complex(re: 0, im: 0)
                for j in 0..<degree where j != i { sum = sum + Complex(re: 1, im: 0) / (roots[i] - roots[j]) }
                let step = ratio / (Complex(re: 1, im: 0) - ratio * sum)
                if step.re.isFinite && step.im.isFinite {
                    roots[i] = roots[i] - step
                    change = max(change, step.magnitude / max(roots[i].magnitude, 1e-300))
                }
            }
            if change < 1e-14 { break }
        }
        return roots
    }
}
