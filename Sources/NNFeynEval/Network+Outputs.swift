// Finite differences, the independent check behind `nnfeyn check`: the network evaluated plainly in doubles at
// arbitrary inputs, and mixed partial derivatives d^k f / dx^alpha at x0 by nested central differences with
// Ridders' Richardson extrapolation (Numerical Recipes' dfridr, generalised to a multi-index).
//
// For alpha with multiplicity m_v of variable v, the stencil with step h is the tensor product of m_v-th central
// differences, sum over j_v in 0...m_v of prod_v (-1)^(j_v) C(m_v, j_v) f(x0 + sum_v (m_v/2 - j_v) h e_v) / h^k.
// Its error is a series in even powers of h, so Richardson in h^2 applies; the tableau shrinks h by 1.4 per row
// from an initial step that grows with the order (roundoff grows like eps / h^k), keeps the entry whose
// neighbours agree best, and reports that disagreement as the error estimate.
import NNFeynAlgebra
import NNFeynModel

extension Network where S == Double {
    /// The outputs at x, by activation values alone (the independent forward pass of finite differences); NaNs
    /// when x has the wrong dimension.
    public func outputs(at x: [Double]) -> [Double] {
        guard x.count == inputDimension else { return [Double](repeating: .nan, count: outputCount) }
        var a = x
        for (l, layer) in layers.enumerated() {
            let weight = weights[l], bias = biases[l]
            var next = [Double](repeating: 0, count: layer.width)
            for i in 0..<layer.width {
                var z = bias[i]
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn { z += weight[row + j] * a[j] }
                next[i] = ActivationRules.numericValue(layer.activation, at: z)
            }
            a = next
        }
        return a
    }
}

extension Network where S == Double {
    /// Half the linearised distance, in the max-norm of x, from x0 to the nearest relu kink (infinity without relu
    /// neurons): a stencil that stays inside it never straddles a kink, where differences are meaningless.
    /// z_i(x0 + dx) ~ z_i + grad z_i . dx, so |dz_i| <= ||grad z_i||_1 ||dx||_inf; the factor 1/2 absorbs curvature.
    public var smoothRadius: Double {
        let d = inputDimension
        var a = point
        // Jacobian of the current activations with respect to x, row-major (neurons x d).
        var jacobian = [Double](repeating: 0, count: d * d)
        for i in 0..<d { jacobian[i * d + i] = 1 }
        var radius = Double.infinity
        for (l, layer) in layers.enumerated() {
            let weight = weights[l], bias = biases[l]
            var next = [Double](repeating: 0, count: layer.width)
            var nextJacobian = [Double](repeating: 0, count: layer.width * d)
            for i in 0..<layer.width {
                var z = bias[i]
                var gradient = [Double](repeating: 0, count: d)
                for j in 0..<layer.fanIn {
                    let w = weight[i * layer.fanIn + j]
                    z += w * a[j]
                    for v in 0..<d { gradient[v] += w * jacobian[j * d + v] }
                }
                if case .relu = layer.activation {
                    let norm = gradient.reduce(0) { $0 + abs($1) }
                    if norm > 0 { radius = min(radius, 0.5 * abs(z) / norm) }
                }
                let slope = (try? ActivationRules.numericDerivatives(layer.activation, at: z, upTo: 1))?[1] ?? 0
                next[i] = ActivationRules.numericValue(layer.activation, at: z)
                for v in 0..<d { nextJacobian[i * d + v] = slope * gradient[v] }
            }
            a = next
            jacobian = nextJacobian
        }
        return radius
    }
}

/// A finite-difference estimate of one mixed partial derivative, per output.
public struct FiniteDifferenceEstimate: Sendable, Equatable {
    /// The derivative of each output.
    public var values: [Double]
    /// Ridders' error estimate of each value.
    public var errors: [Double]
}

/// Mixed partial derivatives by central differences and Richardson extrapolation.
public enum FiniteDifferences {
    /// The initial steps tried, best estimate kept per output. The stencil spans k h / 2, so a larger step at
    /// higher orders reaches past the nearest complex singularity of a tanh network (measured: at order 7-8,
    /// h0 = 0.6 gives O(1) errors, h0 = 0.2 gives 1e-5); 0.2 and 0.1 cover orders 1-8 on O(1)-weight networks.
    public static let initialSteps: [Double] = [0.2, 0.1]

    /// d^|alpha| f / dx^alpha at x0 for the variables listed in `indices` (any order, repeats allowed), from
    /// the tableau started at `initialStep`, or the better of the `initialSteps` (per output) when nil.
    /// An empty list gives f(x0) with zero error; an index out of range gives NaN.
    /// `smoothRadius` caps the stencil's reach (k h / 2 per variable) so that it stays where f is smooth.
    public static func derivative(of f: ([Double]) -> [Double], at x0: [Double], indices: [Int],
                                  initialStep: Double? = nil, smoothRadius: Double = .infinity) -> FiniteDifferenceEstimate {
        guard initialStep == nil else { return ridders(of: f, at: x0, indices: indices, initialStep: initialStep ?? 0) }
        let cap = indices.isEmpty ? Double.infinity : 2 * smoothRadius / Double(indices.count)
        let steps = initialSteps.map { min($0, cap) }
        var best = ridders(of: f, at: x0, indices: indices, initialStep: steps[0])
        for h0 in steps.dropFirst() where h0 != steps[0] {
            let other = ridders(of: f, at: x0, indices: indices, initialStep: h0)
            for o in best.values.indices where other.errors[o] < best.errors[o] || best.values[o].isNaN {
                best.values[o] = other.values[o]
                best.errors[o] = other.errors[o]
            }
        }
        return best
    }

    /// One Ridders tableau from `initialStep`.
    static func ridders(of f: ([Double]) -> [Double], at x0: [Double], indices: [Int],
                        initialStep: Double) -> FiniteDifferenceEstimate {
        let value = f(x0)
        guard !indices.isEmpty else { return FiniteDifferenceEstimate(values: value, errors: value.map { _ in 0 }) }
        guard indices.allSatisfy({ x0.indices.contains($0) }) else {
            return FiniteDifferenceEstimate(values: value.map { _ in .nan }, errors: value.map { _ in .nan })
        }
        var multiplicity: [Int: Int] = [:]
        for v in indices { multiplicity[v, default: 0] += 1 }
        let variables = multiplicity.keys.sorted()
        let orders = variables.map { multiplicity[$0] ?? 0 }
        let k = indices.count

        // One stencil application at step h.
        func stencil(_ h: Double) -> [Double] {
            var sum = [Double](repeating: 0, count: value.count)
            var j = [Int](repeating: 0, count: variables.count)
            while true {
                var x = x0
                var weight = 1.0
                for (slot, v) in variables.enumerated() {
                    let m = orders[slot]
                    x[v] += (Double(m) / 2 - Double(j[slot])) * h
                    weight *= Combinatorics.binomial(m, j[slot]) * (j[slot] % 2 == 0 ? 1 : -1)
                }
                for (o, y) in f(x).enumerated() where o < sum.count { sum[o] += weight * y }
                // Next combination (an odometer over j_v in 0...m_v).
                var slot = 0
                while slot < j.count {
                    j[slot] += 1
                    if j[slot] <= orders[slot] { break }
                    j[slot] = 0
                    slot += 1
                }
                if slot == j.count { break }
            }
            var scale = 1.0
            for _ in 0..<k { scale *= h }
            return sum.map { $0 / scale }
        }

        let rows = 10, shrink = 1.4, shrink2 = shrink * shrink, safe = 2.0
        var h = initialStep
        var best = [Double](repeating: .nan, count: value.count)
        var error = [Double](repeating: .infinity, count: value.count)
        var done = [Bool](repeating: false, count: value.count)
        var previousRow: [[Double]] = [stencil(h)]
        for i in 1..<rows {
            h /= shrink
            var row: [[Double]] = [stencil(h)]
            var factor = shrink2
            for j in 1...i {
                let a = row[j - 1], b = previousRow[j - 1]
                row.append(zip(a, b).map { ($0 * factor - $1) / (factor - 1) })
                factor *= shrink2
                for o in 0..<value.count where !done[o] {
                    let e = max(abs(row[j][o] - row[j - 1][o]), abs(row[j][o] - b[o]))
                    if e <= error[o] {
                        error[o] = e
                        best[o] = row[j][o]
                    }
                }
            }
            // Higher rows only got worse: roundoff has taken over. Not before row 4, though: at the largest steps a
            // single unlucky row can look like divergence and stop the tableau with a 1e-6 answer.
            for o in 0..<value.count where !done[o] && i >= 4 {
                if abs(row[i][o] - previousRow[i - 1][o]) >= safe * error[o] { done[o] = true }
            }
            previousRow = row
            if done.allSatisfy({ $0 }) { break }
        }
        return FiniteDifferenceEstimate(values: best, errors: error)
    }

}
