// The Double fast path of the fused evaluator (see FusedEvaluator.swift for the algorithm and the layout):
// the linear step is one OpenBLAS dgemm per layer, and the Horner steps are loops over contiguous rows of a
// layer's neurons, on preallocated buffers, which the compiler vectorizes.
import COpenBLAS
import NNFeynAlgebra
import NNFeynModel

enum BLASEvaluator {
    /// The numeric expansion to `table.basis.maxDegree`, given the point derivatives.
    static func expand(_ network: Network<Double>, points: PointDerivatives<Double>,
                       table: ProductTable, progress: ExpansionProgress? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        let basis = table.basis
        let m = basis.count, n = basis.maxDegree
        let widest = network.architecture.widestLayer
        // Four buffers of M x widest, allocated once: the layer's input A, Z, and Horner's two accumulators.
        var current = FusedEvaluator.inputPolynomials(network, basis: basis)
        current.append(contentsOf: repeatElement(0, count: m * widest - current.count))
        var currentWidth = network.inputDimension
        var z = [Double](repeating: 0, count: m * widest)
        var r = [Double](repeating: 0, count: m * widest)
        var next = [Double](repeating: 0, count: m * widest)
        for (l, layer) in network.layers.enumerated() {
            let w = layer.width, fanIn = layer.fanIn
            linearStep(current, rows: m, fanIn: fanIn, width: w, weight: network.weights[l], bias: network.biases[l], into: &z)
            let c = FusedEvaluator.taylorCoefficients(points.derivatives[l], activation: layer.activation, order: n)
            horner(z: z, coefficients: c, width: w, table: table, r: &r, next: &next)
            swap(&current, &r)
            currentWidth = w
            if let bad = firstNonFinite(current, count: m * w, width: w) { throw .nonFinite(layer: l, neuron: bad) }
            progress?(l + 1, network.layers.count)
        }
        return FusedEvaluator.outputMajor(Array(current[0..<(m * currentWidth)]), width: currentWidth, basis: basis)
    }

    /// The first neuron with a non-finite coefficient among the first `count` values; one pass of sums first,
    /// since NaN and infinities propagate through them and the common case is "none".
    static func firstNonFinite(_ values: [Double], count: Int, width w: Int) -> Int? {
        // x * 0 is 0 for finite x and NaN otherwise; four independent sums keep the adder pipeline busy.
        var sums = (0.0, 0.0, 0.0, 0.0)
        values.withUnsafeBufferPointer { p in
            var e = 0
            while e + 4 <= count {
                sums.0 += p[e] * 0
                sums.1 += p[e + 1] * 0
                sums.2 += p[e + 2] * 0
                sums.3 += p[e + 3] * 0
                e += 4
            }
            while e < count {
                sums.0 += p[e] * 0
                e += 1
            }
        }
        guard (sums.0 + sums.1 + sums.2 + sums.3).isNaN else { return nil }
        return FusedEvaluator.firstNonFinite(Array(values[0..<count]), width: w)
    }

    /// Z (rows x width, row-major) = A (rows x fanIn) * W^T, plus the bias on row 0.
    static func linearStep(_ a: [Double], rows m: Int, fanIn: Int, width w: Int, weight: [Double], bias: [Double],
                           into z: inout [Double]) {
        z.withUnsafeMutableBufferPointer { zp in
            guard let zBase = zp.baseAddress else { return }
            if m > 0, w > 0, fanIn > 0 {
                a.withUnsafeBufferPointer { ap in
                    weight.withUnsafeBufferPointer { wp in
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(w), Int32(fanIn),
                                    1.0, ap.baseAddress, Int32(fanIn), wp.baseAddress, Int32(fanIn), 0.0, zBase, Int32(w))
                    }
                }
            } else {
                for e in 0..<(m * w) { zBase[e] = 0 }
            }
            for i in 0..<w { zBase[i] += bias[i] }
        }
    }

    /// The truncated Horner scheme of FusedEvaluator.horner on raw buffers; the result is in r[0..<M*w].
    static func horner(z: [Double], coefficients c: [[Double]], width w: Int, table: ProductTable,
                       r: inout [Double], next: inout [Double]) {
        let basis = table.basis
        let m = basis.count, n = basis.maxDegree
        let top = c.count - 1
        z.withUnsafeBufferPointer { zp in
            r.withUnsafeMutableBufferPointer { rp in
                next.withUnsafeMutableBufferPointer { np in
                    guard let delta = zp.baseAddress, var rBase = rp.baseAddress, var nBase = np.baseAddress else { return }
                    // r = c_top, then the scaling step r = c_top delta + c_{top-1}.
                    for e in 0..<(m * w) { rBase[e] = 0 }
                    c[top].withUnsafeBufferPointer { ct in for i in 0..<w { rBase[i] = ct[i] } }
                    guard top >= 1 else { return }
                    let firstEnd = basis.degreeOffsets[min(n - top + 1, n) + 1]
                    c[top].withUnsafeBufferPointer { ct in
                        for t in 1..<max(firstEnd, 1) {
                            let row = rBase + t * w, dRow = delta + t * w
                            for i in 0..<w { row[i] = ct[i] * dRow[i] }
                        }
                    }
                    c[top - 1].withUnsafeBufferPointer { ct in for i in 0..<w { rBase[i] = ct[i] } }
                    guard top >= 2 else { return }
                    // Rows of delta that vanish for every neuron (all of degree >= 2 in the first layer, whose input
                    // is linear in x) contribute nothing: skip their pairs.
                    var deltaRowIsZero = [Bool](repeating: false, count: m)
                    for t in 0..<m {
                        let row = delta + t * w
                        var zero = true
                        for i in 0..<w where row[i] != 0 { zero = false; break }
                        deltaRowIsZero[t] = zero
                    }
                    var resultInNext = false
                    table.left.withUnsafeBufferPointer { lp in
                        table.right.withUnsafeBufferPointer { bp in
                            table.target.withUnsafeBufferPointer { tp in
                                for k in stride(from: top - 2, through: 0, by: -1) {
                                    let degree = n - k
                                    let rows = basis.degreeOffsets[degree + 1]
                                    nBase.update(repeating: 0, count: rows * w)
                                    c[k].withUnsafeBufferPointer { ck in for i in 0..<w { nBase[i] = ck[i] } }
                                    for p in 0..<table.end(ofDegree: degree) where !deltaRowIsZero[Int(bp[p])] {
                                        let src = rBase + Int(lp[p]) * w
                                        let dRow = delta + Int(bp[p]) * w
                                        let dst = nBase + Int(tp[p]) * w
                                        for i in 0..<w { dst[i] += src[i] * dRow[i] }
                                    }
                                    swap(&rBase, &nBase)
                                    resultInNext.toggle()
                                }
                            }
                        }
                    }
                    // The result must end up in r: copy back if the last swap left it in the other buffer.
                    if resultInNext, let dst = rp.baseAddress, let src = np.baseAddress { dst.update(from: src, count: m * w) }
                }
            }
        }
    }
}
