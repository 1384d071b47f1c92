// The fused evaluator: truncated multivariate Taylor polynomials pushed through the network layer by layer, so
// every shared subexpression (each neuron's polynomial) is computed once. Read this if you change the algorithm.
//
// Buffers hold one polynomial per neuron in monomial-major layout: value[t * width + i] is the coefficient of
// monomial t for neuron i, so one monomial's coefficients across a layer are contiguous.
//   linear step      Z = A_prev W^T (+ bias on the constant row), every coefficient row at once;
//   activation step  a = sigma(z0 + delta) = sum_k sigma^(k)(z0)/k! delta^k, where delta = Z without its
//                    constant row, by Horner's rule r_K = c_K, r_k = r_{k+1} delta + c_k. Since delta has no
//                    constant term and r_k is still multiplied by delta k more times, r_k only needs degrees
//                    <= N - k: step k walks the prefix of the product table with product degree <= N - k.
// K = min(N, the activation's highest nonzero derivative), so polynomial activations stop early and linear
// layers skip Horner altogether. This generic version runs on Rational (exact) and Double; BatchEvaluator is the
// Double fast path with the same layout.
import NNFeynAlgebra
import NNFeynModel

/// Called after each layer of an expansion with (layers done, layer count): long exact runs can show progress.
public typealias ExpansionProgress = @Sendable (_ layersDone: Int, _ layerCount: Int) -> Void

enum FusedEvaluator {
    /// The expansion to `basis.maxDegree` given the point derivatives, in `S` arithmetic.
    static func expand<S: Scalar>(_ network: Network<S>, points: PointDerivatives<S>,
                                  table: ProductTable, progress: ExpansionProgress? = nil) throws(EvaluationError) -> TaylorExpansion<S> {
        let basis = table.basis
        let m = basis.count, n = basis.maxDegree
        var current = inputPolynomials(network, basis: basis)
        var currentWidth = network.inputDimension
        for (l, layer) in network.layers.enumerated() {
            let w = layer.width
            let weight = network.weights[l], bias = network.biases[l]
            // Linear step.
            var z = [S](repeating: .zero, count: m * w)
            for t in 0..<m {
                let aRow = t * currentWidth
                for i in 0..<w {
                    var sum = t == 0 ? bias[i] : S.zero
                    let wRow = i * layer.fanIn
                    for j in 0..<layer.fanIn { sum.addProduct(weight[wRow + j], current[aRow + j]) }
                    z[t * w + i] = sum
                }
            }
            let coefficients = taylorCoefficients(points.derivatives[l], activation: layer.activation, order: n)
            current = horner(delta: z, coefficients: coefficients, width: w, table: table)
            currentWidth = w
            if let bad = firstNonFinite(current, width: w) { throw .nonFinite(layer: l, neuron: bad) }
            progress?(l + 1, network.layers.count)
        }
        return outputMajor(current, width: currentWidth, basis: basis)
    }

    /// x0 + (x - x0): the constant row is the point, the degree-1 row of x_v has a 1 in column v.
    static func inputPolynomials<S: Scalar>(_ network: Network<S>, basis: MonomialBasis) -> [S] {
        let d = network.inputDimension
        var a = [S](repeating: .zero, count: basis.count * d)
        for v in 0..<d {
            a[v] = network.point[v]
            if basis.maxDegree >= 1, let p = basis.position(of: [v]) { a[p * d + v] = .one }
        }
        return a
    }

    /// c[k][i] = sigma^(k)(z_i) / k! for k = 0...K, K = min(N, highest nonzero derivative).
    static func taylorCoefficients<S: Scalar>(_ derivatives: [[S]], activation: Activation, order n: Int) -> [[S]] {
        let top = min(n, activation.maximumVertexDegree ?? n)
        var result: [[S]] = []
        var factorial = S.one
        for k in 0...top {
            if k > 0 { factorial = factorial * S(k) }
            result.append(k == 0 ? derivatives[0] : derivatives[k].map { $0 / factorial })
        }
        return result
    }

    /// sum_k c_k delta^k truncated at degree N, by the truncated Horner scheme described at the top.
    static func horner<S: Scalar>(delta: [S], coefficients c: [[S]], width w: Int, table: ProductTable) -> [S] {
        let m = table.basis.count, n = table.basis.maxDegree
        let top = c.count - 1
        var r = [S](repeating: .zero, count: m * w)
        for i in 0..<w { r[i] = c[top][i] }
        guard top >= 1 else { return r }
        // First step, k = top - 1: r is still the constant c_top, so r * delta is a scaling.
        let firstEnd = table.basis.degreeOffsets[min(n - top + 1, n) + 1]
        for t in 1..<max(firstEnd, 1) {
            for i in 0..<w { r[t * w + i] = c[top][i] * delta[t * w + i] }
        }
        for i in 0..<w { r[i] = c[top - 1][i] }
        guard top >= 2 else { return r }
        var next = [S](repeating: .zero, count: m * w)
        // Rows of delta that vanish for every neuron contribute nothing (all rows of degree >= 2 in the first layer).
        let deltaRowIsZero = (0..<m).map { t in (0..<w).allSatisfy { delta[t * w + $0].isZero } }
        for k in stride(from: top - 2, through: 0, by: -1) {
            let degree = n - k
            let rows = table.basis.degreeOffsets[degree + 1]
            for e in 0..<(rows * w) { next[e] = .zero }
            for i in 0..<w { next[i] = c[k][i] }
            for p in 0..<table.end(ofDegree: degree) where !deltaRowIsZero[Int(table.right[p])] {
                let a = Int(table.left[p]) * w, b = Int(table.right[p]) * w, t = Int(table.target[p]) * w
                for i in 0..<w { next[t + i].addProduct(r[a + i], delta[b + i]) }
            }
            swap(&r, &next)
        }
        return r
    }

    /// The expansion from a monomial-major buffer (value[t * width + i]): Taylor coefficients, output-major.
    static func outputMajor<S: Scalar>(_ buffer: [S], width: Int, basis: MonomialBasis) -> TaylorExpansion<S> {
        let m = basis.count
        var values: [S] = []
        values.reserveCapacity(m * width)
        for i in 0..<width { for t in 0..<m { values.append(buffer[t * width + i]) } }
        return TaylorExpansion(basis: basis, outputCount: width, convention: .coefficient, values: values)
    }

    /// The first neuron (column) holding a non-finite coefficient.
    static func firstNonFinite<S: Scalar>(_ values: [S], width w: Int) -> Int? {
        guard w > 0, S.arithmetic != .exact else { return nil }
        var first: Int?
        for (e, value) in values.enumerated() where !value.doubleValue.isFinite {
            first = min(first ?? Int.max, e % w)
        }
        return first
    }
}
