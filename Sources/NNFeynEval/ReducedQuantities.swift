// Linear functionals of the Hessian, sum_ij A_ij d_ij f (the Laplacian, A = I; the unsummed diagonal d_ii f; any
// weighted operator), at many points without ever forming the d x d Hessian. Read with BatchEvaluator.swift.
//
// With J_l = dz_l/dx (d x width, the degree-1 rows of the evaluator's delta), G_l = dy/da_l from the reverse sweep
// and c_{l,2} = sigma_l''(z_l)/2, the Hessian is  H = sum_l sum_i 2 G_l[i] c_{l,2}[i] J_l[:, i] J_l[:, i]^T, so
//   sum_ij A_ij H_ij = sum_l sum_i 2 G_l[i] c_{l,2}[i] J_l[:, i]^T A J_l[:, i].
// Forward work is d + 1 GEMM rows per point (the forward-Laplacian cost); each functional is then a weighted sum
// over neurons. `reduce` computes the same numbers from a full expansion (any scalar, exact for Rational): the
// reference the batched path is tested against.
import COpenBLAS
import CNNFeynKernels
import NNFeynAlgebra
import NNFeynModel

/// Which functional of the Hessian to compute.
public enum HessianReduction: Sendable, Equatable {
    /// sum_i d^2 f / dx_i^2.
    case laplacian
    /// d^2 f / dx_i^2 for every i (d values per output).
    case diagonal
    /// sum_ij A_ij d^2 f / dx_i dx_j with A (d x d, row-major) given.
    case weighted([Double])

    /// Values per output: d for the diagonal, 1 otherwise.
    public func valuesPerOutput(variables d: Int) -> Int { self == .diagonal ? d : 1 }

    /// A short name for output ("laplacian", "hessian_diagonal", "operator").
    public var name: String {
        switch self {
        case .laplacian: "laplacian"
        case .diagonal: "hessian_diagonal"
        case .weighted: "operator"
        }
    }

    /// The functional of output `o` of a full expansion of order >= 2, in its own arithmetic (exact for Rational).
    public func reduce<S: Scalar>(_ expansion: TaylorExpansion<S>, output o: Int) -> [S] {
        let d = expansion.basis.variables
        func second(_ i: Int, _ j: Int) -> S { expansion.derivative(output: o, indices: [i, j]) ?? .zero }
        switch self {
        case .laplacian:
            var sum = S.zero
            for i in 0..<d { sum += second(i, i) }
            return [sum]
        case .diagonal:
            return (0..<d).map { second($0, $0) }
        case .weighted(let a):
            var sum = S.zero
            for i in 0..<d { for j in 0..<d where a[i * d + j] != 0 { sum.addProduct(S(a[i * d + j]), second(i, j)) } }
            return [sum]
        }
    }
}

/// A Hessian functional at many points, with the values it came with.
public struct ReducedBatch: Sendable {
    public let reduction: HessianReduction
    public let pointCount: Int
    public let outputCount: Int
    /// Values per output (d for the diagonal, else 1).
    public let width: Int
    /// values[(p * outputCount + o) * width + k].
    public let values: [Double]
    /// The outputs themselves, outputsAtPoints[p * outputCount + o].
    public let outputsAtPoints: [Double]
}

extension BatchEvaluator {
    /// The functional at each row of `points` (P x d, row-major); the evaluator's order must be 2.
    func reduce(_ reduction: HessianReduction, points: [Double]) throws(EvaluationError) -> ReducedBatch {
        precondition(order == 2, "Hessian functionals need an order-2 evaluator")
        let d = network.inputDimension, outputs = network.outputCount
        let count = d == 0 ? 1 : points.count / d
        let k = reduction.valuesPerOutput(variables: d)
        var values = [Double](repeating: 0, count: count * outputs * k)
        var outputValues = [Double](repeating: 0, count: count * outputs)
        // Three buffers of d rows per point, each row the widest layer: a chunk of points keeps one buffer near 4 MB
        // (the GEMM's output is still in cache when the next pass reads it) but gives the GEMMs at least 2048 rows,
        // and all three within 64 MB.
        let rowBytes = max(network.architecture.widestLayer, d, outputs) * 8
        let perPoint = 3 * max(d, 1) * rowBytes
        let rows = max(2048, (4 << 20) / rowBytes)
        let chunk = max(1, min(count, rows / max(d, 1), (64 << 20) / max(perPoint, 1)))
        let space = takeWorkspace()
        defer { returnWorkspace(space) }
        var start = 0
        while start < count {
            let size = min(chunk, count - start)
            try points.withUnsafeBufferPointer { (p: UnsafeBufferPointer<Double>) throws(EvaluationError) in
                try values.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<Double>) throws(EvaluationError) in
                    try outputValues.withUnsafeMutableBufferPointer { (y: inout UnsafeMutableBufferPointer<Double>) throws(EvaluationError) in
                        try reduceChunk(reduction, points: p.baseAddress! + start * d, count: size,
                                        into: out.baseAddress! + start * outputs * k, outputs: y.baseAddress! + start * outputs,
                                        space: space)
                    }
                }
            }
            start += size
        }
        return ReducedBatch(reduction: reduction, pointCount: count, outputCount: outputs, width: k, values: values,
                            outputsAtPoints: outputValues)
    }

    func reduceChunk(_ reduction: HessianReduction, points: UnsafePointer<Double>, count P: Int, into out: UnsafeMutablePointer<Double>,
                     outputs y: UnsafeMutablePointer<Double>, space: Workspace) throws(EvaluationError) {
        let d = network.inputDimension, layers = network.layers, L = layers.count, outputs = network.outputCount
        let k = reduction.valuesPerOutput(variables: d)
        space.ensureLayers(L)
        try pointPass(points: points, count: P, space: space)
        let last = space.coefficients[L - 1].base
        for p in 0..<P { for o in 0..<outputs { y[p * outputs + o] = last[p * layers[L - 1].width + o] } }
        out.update(repeating: 0, count: P * outputs * k)
        // Only layers with a second derivative contribute: no Jacobian past the last of them (a linear read-out's
        // GEMM and the rows feeding it are skipped).
        guard d > 0, let curved = tops.lastIndex(where: { $0 >= 2 }) else { return }
        gradientPass(count: P, space: space)
        var widest = d
        for layer in layers { widest = max(widest, layer.width) }
        // jacobian: row p d + v (width long) = dz_l/dx_v at point p, a point's rows together; derived: the same rows of
        // a_l = c_1 * jacobian.
        let jacobian = space.delta.reserve(d * P * widest), derived = space.a.reserve(d * P * widest)
        let applied = space.r.reserve(d * P * widest), weights = space.next.reserve(P * outputs * widest)
        for (l, layer) in layers.enumerated() where l <= curved {
            let w = layer.width, W = P * w
            let c = space.coefficients[l].base
            if l == 0 {
                // dz_1/dx = W_1^T at every point.
                firstTransposed.withUnsafeBufferPointer { wt in
                    for p in 0..<P { (jacobian + p * d * w).update(from: wt.baseAddress!, count: d * w) }
                }
            } else {
                network.weights[l].withUnsafeBufferPointer { weight in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(d * P), Int32(w), Int32(layer.fanIn), 1.0, derived,
                                Int32(layer.fanIn), weight.baseAddress, Int32(layer.fanIn), 0.0, jacobian, Int32(w))
                }
            }
            switch reduction {
            case .laplacian, .diagonal:
                // One pass over each point's Jacobian rows: the weighted squares and the next layer's c_1 * J.
                let scratch = space.mixed.reserve((outputs + 1) * w)
                nnf_hessian_layer(Int64(d), Int64(P), Int64(w), Int64(outputs), jacobian, tops[l] >= 1 ? c + W : nil,
                                  tops[l] >= 2 ? c + 2 * W : nil, space.gradients[l].base, l < curved ? derived : nil,
                                  reduction == .diagonal ? 1 : 0, out, scratch)
            case .weighted(let a):
                if tops[l] >= 2 {
                    // h[p, o, i] = 2 G_l[p, o, i] c_{l,2}[p, i]: each neuron's weight in the functional.
                    let g = space.gradients[l].base
                    for p in 0..<P {
                        for o in 0..<outputs {
                            nnf_scaled_multiply(Int64(w), 2, g + (p * outputs + o) * w, c + 2 * W + p * w, weights + (p * outputs + o) * w)
                        }
                    }
                    // (A J) at every point: d x d times d x width.
                    a.withUnsafeBufferPointer { ap in
                        for p in 0..<P {
                            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(w), Int32(d), 1.0, ap.baseAddress, Int32(d),
                                        jacobian + p * d * w, Int32(w), 0.0, applied + p * d * w, Int32(w))
                        }
                    }
                    for p in 0..<P {
                        for o in 0..<outputs {
                            let h = weights + (p * outputs + o) * w
                            var sum = 0.0
                            for v in 0..<d {
                                let row = jacobian + (p * d + v) * w, arow = applied + (p * d + v) * w
                                for i in 0..<w { sum += h[i] * row[i] * arow[i] }
                            }
                            out[(p * outputs + o) * k] += sum
                        }
                    }
                }
                if tops[l] >= 1 {
                    for p in 0..<P { for v in 0..<d { nnf_multiply(Int64(w), c + W + p * w, jacobian + (p * d + v) * w, derived + (p * d + v) * w) } }
                }
            }
            if tops[l] < 1 && l < curved { derived.update(repeating: 0, count: d * W) }
        }
        for e in 0..<(P * outputs * k) where !out[e].isFinite { throw .nonFinite(layer: L - 1, neuron: (e / k) % outputs) }
    }
}
