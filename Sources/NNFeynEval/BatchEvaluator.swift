// The numeric evaluator: Taylor coefficients of a network at a batch of points (one point is a batch of one),
// in double precision, with OpenBLAS for every product of matrices and runtime-dispatched kernels (CNNFeynKernels)
// for the Horner rows. Read this if you change the numeric algorithm; FusedEvaluator holds the plain version it is
// tested against.
//
// Layout: a layer's polynomials are a buffer of rows t (monomials, degree <= N - 1 only) by columns (point p, neuron
// i), value[(t * P + p) * width + i]: the points are extra GEMM rows, and a Horner row is P * width long.
//
// What is computed, for order N >= 1:
//   1. The point pass: z_l and the Taylor coefficients c_{l,k} = sigma_l^(k)(z_l)/k! at every point (GEMM rows = P).
//   2. G_l = dy/da_l at every point, by one reverse sweep (G_L = I, G_{l-1} = (G_l * c_{l,1}) W_l).
//   3. The first layer in closed form: its input is affine, so sigma(z0 + w.dx) has the coefficient
//      c_k k!/alpha! w^alpha for each monomial alpha of degree k. The powers w^alpha are shared by all points.
//   4. Later layers: one GEMM for the rows of degree 1...N-1, then Horner's rule truncated as in FusedEvaluator,
//      its last step only to degree N - 1.
//   5. The top degree without propagating it: y_N = G_1 a_{1,N} + sum_{l >= 2} G_l R_{l,N}, where R_{l,N} is the
//      part of a_{l,N} that does not come from z_{l,N} (a = c_0 + delta r_1 with r_1 = c_1 + c_2 delta + ...,
//      so R_N = sum over monomial pairs (a, b), deg a, deg b >= 1, of r_1[a] delta[b]). Contracted with G_l over
//      neurons first, every pair of degrees (N - j, j) is one GEMM (RG_{N-j} x delta_j^T); a scatter over the
//      product table then adds each pair to its monomial. For a single hidden layer this is the one-diagram closed
//      form D^N y = sum_j G_j sigma^(N)(z_j) w_j^(x N).
// Memory: four buffers of (rows of degree < N) x P x widest, the powers of the first layer, one GEMM block of the
// top degree and the result; the rows of degree N are never held per neuron.
import COpenBLAS
import CNNFeynKernels
import Foundation
import NNFeynAlgebra
import NNFeynModel

/// Taylor coefficients of every output at each of several points.
public struct BatchExpansion: Sendable {
    /// The monomials.
    public let basis: MonomialBasis
    /// The number of outputs.
    public let outputCount: Int
    /// The number of points.
    public let pointCount: Int
    /// Taylor coefficients, point-major then output-major: values[(p * outputCount + o) * basis.count + t].
    public let values: [Double]

    /// The expansion at point p.
    public func expansion(at p: Int) -> TaylorExpansion<Double> {
        let size = outputCount * basis.count
        return TaylorExpansion(basis: basis, outputCount: outputCount, convention: .coefficient,
                               values: Array(values[(p * size)..<((p + 1) * size)]))
    }
}

/// A growable scratch buffer of doubles, reused across calls (never shrinks, never copies its old contents).
final class Scratch {
    private(set) var base: UnsafeMutablePointer<Double>
    private(set) var capacity: Int

    init() {
        capacity = 16
        base = .allocate(capacity: capacity)
    }

    /// At least `count` doubles (contents undefined after growth).
    func reserve(_ count: Int) -> UnsafeMutablePointer<Double> {
        if count > capacity {
            base.deallocate()
            capacity = max(count, capacity * 2)
            base = .allocate(capacity: capacity)
        }
        return base
    }

    deinit { base.deallocate() }
}

/// The reusable parts of a numeric expansion of one network to one order: tables, first-layer data and scratch.
final class BatchEvaluator: @unchecked Sendable {
    let network: Network<Double>
    let order: Int
    let table: ProductTable
    /// Highest nonzero Taylor order per layer, capped at N.
    let tops: [Int]
    /// W_1^T, d x w_1: row v holds every neuron's weight on x_v.
    let firstTransposed: [Double]
    /// The scratch of the last evaluation, taken while one runs (a concurrent caller makes its own instead of waiting).
    private let lock = NSLock()
    private var idle: Workspace?

    final class Workspace {
        let a = Scratch(), delta = Scratch(), r = Scratch(), next = Scratch()
        let powers = Scratch(), mixed = Scratch(), product = Scratch(), contracted = Scratch()
        var pointZ: [Scratch] = [], coefficients: [Scratch] = [], gradients: [Scratch] = []

        func ensureLayers(_ count: Int) {
            while pointZ.count < count {
                pointZ.append(Scratch())
                coefficients.append(Scratch())
                gradients.append(Scratch())
            }
        }
    }

    init(network: Network<Double>, order: Int, table: ProductTable) {
        self.network = network
        self.order = order
        self.table = table
        tops = network.layers.map { min(order, $0.activation.maximumVertexDegree ?? order) }
        let d = network.inputDimension
        if let first = network.layers.first {
            var transposed = [Double](repeating: 0, count: d * first.width)
            let weight = network.weights[0]
            for i in 0..<first.width { for v in 0..<d { transposed[v * first.width + i] = weight[i * d + v] } }
            firstTransposed = transposed
        } else {
            firstTransposed = []
        }
    }

    /// Floating-point operations of one expansion at `points` points (a multiply-add counts two), as the
    /// algorithm above performs them: for achieved GFLOP/s in benchmarks.
    func flopCount(points P: Int) -> Double {
        let basis = table.basis, n = order, offsets = basis.degreeOffsets
        let layers = network.layers, outputs = Double(network.outputCount), p = Double(P)
        guard let first = layers.first else { return 0 }
        var flops = 0.0
        for layer in layers { flops += 2 * p * Double(layer.width * layer.fanIn) }  // point pass
        guard n >= 1 else { return flops }
        for layer in layers.dropFirst() { flops += 2 * p * outputs * Double(layer.width * layer.fanIn) }  // gradients
        let rows = offsets[n], m = basis.count, w1 = Double(first.width)
        flops += Double(rows) * w1 * (1 + 2 * p)  // first-layer powers and rows
        if n <= tops[0] {
            // The degree-N GEMM: parents (degree N - 1) x (d x points x outputs) x w_1, and the weighted rows.
            let parents = Double(rows - offsets[n - 1]), d = Double(network.inputDimension)
            flops += 2 * parents * d * p * outputs * w1 + 2 * d * p * outputs * w1 + Double(m - rows) * p * outputs
        }
        for (l, layer) in layers.enumerated().dropFirst() {
            let w = Double(layer.width), W = p * w, k = tops[l]
            flops += 2 * Double(rows - 1) * W * Double(layer.fanIn)
            guard k >= 2 else { flops += Double(rows) * W; continue }
            flops += Double(offsets[n - k + 2]) * W
            for step in stride(from: k - 2, through: 0, by: -1) {
                let degree = step == 0 ? n - 1 : n - step
                flops += 2 * Double(table.end(ofDegree: degree)) * W
            }
            var pairs = 0
            for group in table.topGroups { pairs += (offsets[n - group.j + 1] - offsets[n - group.j]) * (offsets[group.j + 1] - offsets[group.j]) }
            flops += p * outputs * (Double(rows) * w + 2 * Double(pairs) * w)
        }
        return flops
    }

    /// Points per chunk so that the four layer buffers stay within about 64 MB (at least one point).
    func chunkSize(points: Int) -> Int {
        let rows = order >= 1 ? table.basis.degreeOffsets[order] : 1
        let perPoint = 4 * rows * max(network.architecture.widestLayer, network.outputCount) * 8
        return max(1, min(points, (64 << 20) / max(perPoint, 1)))
    }

    /// The expansion at each row of `points` (P x d, row-major).
    func expand(points: [Double], progress: ExpansionProgress? = nil) throws(EvaluationError) -> BatchExpansion {
        let d = network.inputDimension
        let count = d == 0 ? 1 : points.count / d
        let m = table.basis.count, o = network.outputCount
        var values = [Double](repeating: 0, count: count * o * m)
        let chunk = chunkSize(points: count)
        var start = 0
        let space = takeWorkspace()
        defer { returnWorkspace(space) }
        while start < count {
            let size = min(chunk, count - start)
            try points.withUnsafeBufferPointer { (p: UnsafeBufferPointer<Double>) throws(EvaluationError) in
                try values.withUnsafeMutableBufferPointer { (out: inout UnsafeMutableBufferPointer<Double>) throws(EvaluationError) in
                    try evaluate(points: p.baseAddress! + start * d, count: size, into: out.baseAddress! + start * o * m,
                                 space: space, progress: start == 0 ? progress : nil)
                }
            }
            start += size
        }
        return BatchExpansion(basis: table.basis, outputCount: o, pointCount: count, values: values)
    }

    func takeWorkspace() -> Workspace {
        lock.lock()
        defer { lock.unlock() }
        let space = idle ?? Workspace()
        idle = nil
        return space
    }

    func returnWorkspace(_ space: Workspace) {
        lock.lock()
        idle = space
        lock.unlock()
    }

    // MARK: The evaluation of one chunk

    func evaluate(points: UnsafePointer<Double>, count pointCount: Int, into out: UnsafeMutablePointer<Double>,
                  space: Workspace, progress: ExpansionProgress?) throws(EvaluationError) {
        let n = order, basis = table.basis
        let layers = network.layers, L = layers.count
        let m = basis.count, outputs = network.outputCount, P = pointCount
        space.ensureLayers(L)
        try pointPass(points: points, count: P, space: space)
        let last = layers[L - 1]
        guard n >= 1 else {
            let values = space.coefficients[L - 1].base
            for p in 0..<P { for o in 0..<outputs { out[(p * outputs + o) * m] = values[p * last.width + o] } }
            return
        }
        gradientPass(count: P, space: space)
        let rows = basis.degreeOffsets[n]  // degrees 0...N-1
        let top = basis.degreeOffsets[n]
        for q in 0..<(P * outputs) { (out + q * m + top).update(repeating: 0, count: m - top) }
        var widest = network.inputDimension
        for layer in layers { widest = max(widest, layer.width) }
        let size = rows * P * widest
        let a = space.a.reserve(size), delta = space.delta.reserve(size)
        var r = space.r.reserve(size), next = space.next.reserve(size)
        firstLayer(count: P, into: a, out: out, space: space)
        try checkFinite(a, count: rows * P * layers[0].width, width: layers[0].width, layer: 0)
        progress?(1, L)
        for l in 1..<max(L, 1) {
            let layer = layers[l], w = layer.width, fanIn = layer.fanIn, W = P * w
            let c = space.coefficients[l].base
            let k = tops[l]
            if rows > 1 {
                network.weights[l].withUnsafeBufferPointer { weight in
                    if w == 1 {
                        // A one-neuron layer (a scalar read-out): a matrix-vector product, no packing of the rows.
                        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32((rows - 1) * P), Int32(fanIn), 1.0, a + P * fanIn, Int32(fanIn),
                                    weight.baseAddress, 1, 0.0, delta + W, 1)
                    } else {
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32((rows - 1) * P), Int32(w), Int32(fanIn),
                                    1.0, a + P * fanIn, Int32(fanIn), weight.baseAddress, Int32(fanIn), 0.0, delta + W, Int32(w))
                    }
                }
            }
            if k <= 1 {
                // Linear in delta: a = c_0 + c_1 delta.
                a.update(from: c, count: W)
                for t in 1..<rows {
                    if k == 1 { nnf_multiply(Int64(W), c + W, delta + t * W, a + t * W) } else { (a + t * W).update(repeating: 0, count: W) }
                }
            } else {
                // r = c_k, then the scaling step r = c_k delta + c_{k-1} on degrees <= N - k + 1.
                let firstRows = basis.degreeOffsets[n - k + 2]
                r.update(from: c + (k - 1) * W, count: W)
                for t in 1..<firstRows { nnf_multiply(Int64(W), c + k * W, delta + t * W, r + t * W) }
                for step in stride(from: k - 2, through: 1, by: -1) {
                    next.update(from: c + step * W, count: W)
                    horner(width: W, r: r, delta: delta, into: next, through: n - step)
                    swap(&r, &next)
                }
                // r is r_1 now; the last step only to degree N - 1, into a (the layer's input is no longer needed).
                a.update(from: c, count: W)
                horner(width: W, r: r, delta: delta, into: a, through: n - 1)
                contractTop(layer: l, count: P, r: r, delta: delta, out: out, space: space)
            }
            try checkFinite(a, count: rows * W, width: w, layer: l)
            progress?(l + 1, L)
        }
        // Rows of degree < N from the last layer's buffer; degree N was accumulated in place.
        for p in 0..<P {
            for o in 0..<outputs {
                let row = out + (p * outputs + o) * m
                for t in 0..<rows { row[t] = a[(t * P + p) * outputs + o] }
            }
        }
        for q in 0..<(P * outputs) {
            for t in top..<m where !out[q * m + t].isFinite { throw .nonFinite(layer: L - 1, neuron: q % outputs) }
        }
    }

    /// Rows 1 ..< end(degree D) of one Horner step (row 0 is set by the caller).
    @inline(__always)
    func horner(width: Int, r: UnsafeMutablePointer<Double>, delta: UnsafeMutablePointer<Double>,
                into next: UnsafeMutablePointer<Double>, through degree: Int) {
        let end = table.basis.degreeOffsets[degree + 1]
        table.starts.withUnsafeBufferPointer { s in
            table.left.withUnsafeBufferPointer { lp in
                table.right.withUnsafeBufferPointer { rp in
                    nnf_horner_rows(Int64(width), r, delta, next, s.baseAddress, lp.baseAddress, rp.baseAddress, 1, Int64(end))
                }
            }
        }
    }

    /// z_l and c_{l,k} at every point: coefficients[l][k * P * w + p * w + i].
    func pointPass(points: UnsafePointer<Double>, count P: Int, space: Workspace) throws(EvaluationError) {
        var input = points
        for (l, layer) in network.layers.enumerated() {
            let w = layer.width, fanIn = layer.fanIn, W = P * w
            let z = space.pointZ[l].reserve(W)
            network.weights[l].withUnsafeBufferPointer { weight in
                if fanIn > 0 && P == 1 {
                    // One point: a matrix-vector product (dgemm would pack the whole weight matrix first).
                    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(w), Int32(fanIn), 1.0, weight.baseAddress, Int32(fanIn), input, 1,
                                0.0, z, 1)
                } else if fanIn > 0 {
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(P), Int32(w), Int32(fanIn), 1.0, input, Int32(fanIn),
                                weight.baseAddress, Int32(fanIn), 0.0, z, Int32(w))
                } else {
                    z.update(repeating: 0, count: W)
                }
            }
            network.biases[l].withUnsafeBufferPointer { bias in
                for p in 0..<P { for i in 0..<w { z[p * w + i] += bias[i] } }
            }
            if !allFinite(z, count: W) { for e in 0..<W where !z[e].isFinite { throw .nonFinite(layer: l, neuron: e % w) } }
            let c = space.coefficients[l].reserve((tops[l] + 1) * W)
            if let kink = ActivationRules.numericTaylorCoefficients(layer.activation, at: UnsafeBufferPointer(start: z, count: W),
                                                                    upTo: tops[l], into: c, stride: W) {
                throw .reluKink(layer: l, neuron: kink % w)
            }
            if !allFinite(c, count: (tops[l] + 1) * W) {
                for e in 0..<((tops[l] + 1) * W) where !c[e].isFinite { throw .nonFinite(layer: l, neuron: e % w) }
            }
            input = UnsafePointer(c)
        }
    }

    /// gradients[l] = dy/da_l at every point: rows (p, o), columns the neurons of layer l.
    func gradientPass(count P: Int, space: Workspace) {
        let layers = network.layers, L = layers.count, outputs = network.outputCount
        let g = space.gradients[L - 1].reserve(P * outputs * outputs)
        g.update(repeating: 0, count: P * outputs * outputs)
        for p in 0..<P { for o in 0..<outputs { g[(p * outputs + o) * outputs + o] = 1 } }
        let scaled = space.mixed
        for l in stride(from: L - 1, through: 1, by: -1) {
            let w = layers[l].width, fanIn = layers[l].fanIn, rows = P * outputs
            let gl = space.gradients[l].base
            let below = space.gradients[l - 1].reserve(rows * fanIn)
            guard tops[l] >= 1 else {
                below.update(repeating: 0, count: rows * fanIn)
                continue
            }
            let c1 = space.coefficients[l].base + P * w
            let h = scaled.reserve(rows * w)
            if outputs == 1 {
                nnf_multiply(Int64(P * w), gl, c1, h)
            } else {
                for p in 0..<P {
                    for o in 0..<outputs {
                        nnf_multiply(Int64(w), gl + (p * outputs + o) * w, c1 + p * w, h + (p * outputs + o) * w)
                    }
                }
            }
            network.weights[l].withUnsafeBufferPointer { weight in
                if rows == 1 {
                    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(w), Int32(fanIn), 1.0, weight.baseAddress, Int32(fanIn), h, 1, 0.0, below, 1)
                } else {
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(fanIn), Int32(w), 1.0, h, Int32(w),
                                weight.baseAddress, Int32(fanIn), 0.0, below, Int32(fanIn))
                }
            }
        }
    }

    /// The first layer in closed form: rows of degree < N into `a`, its degree-N contribution into `out`.
    func firstLayer(count P: Int, into a: UnsafeMutablePointer<Double>, out: UnsafeMutablePointer<Double>, space: Workspace) {
        let n = order, basis = table.basis, m = basis.count
        let w = network.layers[0].width, W = P * w, k0 = tops[0]
        let rows = basis.degreeOffsets[n]
        let c = space.coefficients[0].base
        let powers = space.powers.reserve(rows * w)
        powers.update(repeating: 1, count: w)
        firstTransposed.withUnsafeBufferPointer { wt in
            for t in 1..<rows {
                nnf_multiply(Int64(w), powers + Int(table.parent[t]) * w, wt.baseAddress! + Int(table.lastVariable[t]) * w, powers + t * w)
            }
            a.update(from: c, count: W)
            for t in 1..<rows {
                let k = basis.degree(of: t)
                for p in 0..<P {
                    let row = a + (t * P + p) * w
                    if k <= k0 { nnf_scaled_multiply(Int64(w), table.multinomial[t], c + k * W + p * w, powers + t * w, row) } else { row.update(repeating: 0, count: w) }
                }
            }
            guard n <= k0 else { return }
            // Degree N: out[(p, o)][t] += k!/alpha! sum_i w_i^alpha (G_1[p, o, i] c_N[p, i]). With alpha = beta + e_v
            // (beta its parent, of degree N - 1), the sum is P[beta] . (w_v * h_q): one GEMM of the kept powers of
            // degree N - 1 against the d x columns rows w_v * h_q gives every (beta, v, q), and a scatter picks the
            // pairs that are monomials (v >= the last variable of beta). No degree-N power is ever stored.
            let outputs = network.outputCount, columns = P * outputs, d = network.inputDimension
            let g = space.gradients[0].base
            let weighted = space.mixed.reserve(d * columns * w)
            for v in 0..<d {
                let row = wt.baseAddress! + v * w
                for p in 0..<P {
                    for o in 0..<outputs {
                        let target = weighted + (v * columns + p * outputs + o) * w
                        let gRow = g + (p * outputs + o) * w, cRow = c + n * W + p * w
                        for i in 0..<w { target[i] = row[i] * gRow[i] * cRow[i] }
                    }
                }
            }
            let lower = basis.degreeOffsets[n - 1], upper = basis.degreeOffsets[n]  // the parents: degree N - 1
            let span = d * columns
            let chunkRows = max(1, min(upper - lower, (1 << 20) / max(span, 1)))
            let product = space.product.reserve(chunkRows * span)
            var b0 = lower
            // Monomials of degree N in position order have non-decreasing parents, so one pass follows the chunks.
            var t = basis.degreeOffsets[n]
            while b0 < upper {
                let count = min(chunkRows, upper - b0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(span), Int32(w), 1.0, powers + b0 * w, Int32(w),
                            weighted, Int32(w), 0.0, product, Int32(span))
                while t < m, Int(table.parent[t]) < b0 + count {
                    let row = product + (Int(table.parent[t]) - b0) * span + Int(table.lastVariable[t]) * columns
                    let scale = table.multinomial[t]
                    for q in 0..<columns { out[q * m + t] += scale * row[q] }
                    t += 1
                }
                b0 += count
            }
        }
    }

    /// Layer l's degree-N contribution sum_i G_l[p, o, i] R_{l,N}[t, p, i], pair degrees (N - j, j) one GEMM each.
    func contractTop(layer l: Int, count P: Int, r: UnsafeMutablePointer<Double>, delta: UnsafeMutablePointer<Double>,
                     out: UnsafeMutablePointer<Double>, space: Workspace) {
        let n = order, basis = table.basis, m = basis.count, offsets = basis.degreeOffsets
        let w = network.layers[l].width, W = P * w, outputs = network.outputCount
        let rows = offsets[n]
        let g = space.gradients[l].base
        let scaled = space.mixed.reserve((rows - 1) * w)
        var blockSize = 0
        for group in table.topGroups { blockSize = max(blockSize, (offsets[n - group.j + 1] - offsets[n - group.j]) * (offsets[group.j + 1] - offsets[group.j])) }
        let block = space.contracted.reserve(blockSize)
        for p in 0..<P {
            for o in 0..<outputs {
                let gRow = g + (p * outputs + o) * w
                for t in 1..<rows { nnf_multiply(Int64(w), r + t * W + p * w, gRow, scaled + (t - 1) * w) }
                let target = out + (p * outputs + o) * m
                for group in table.topGroups {
                    let j = group.j
                    let leftRows = offsets[n - j + 1] - offsets[n - j], rightRows = offsets[j + 1] - offsets[j]
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(leftRows), Int32(rightRows), Int32(w), 1.0,
                                scaled + (offsets[n - j] - 1) * w, Int32(w), delta + offsets[j] * W + p * w, Int32(W),
                                0.0, block, Int32(rightRows))
                    group.targets.withUnsafeBufferPointer { ts in
                        group.blockIndex.withUnsafeBufferPointer { bs in
                            for e in 0..<ts.count { target[Int(ts[e])] += block[Int(bs[e])] }
                        }
                    }
                }
            }
        }
    }

    /// Throws `.nonFinite` naming the first neuron (column modulo `width`) with a non-finite value.
    func checkFinite(_ values: UnsafeMutablePointer<Double>, count: Int, width: Int, layer: Int) throws(EvaluationError) {
        guard !allFinite(values, count: count) else { return }
        var first = Int.max
        for e in 0..<count where !values[e].isFinite { first = min(first, e % width) }
        throw .nonFinite(layer: layer, neuron: first)
    }

    /// Whether every value is finite, by a branch-free sum of x * 0 (NaN for an infinity or a NaN).
    @inline(__always)
    func allFinite(_ values: UnsafeMutablePointer<Double>, count: Int) -> Bool {
        var sums = (0.0, 0.0, 0.0, 0.0)
        var e = 0
        while e + 4 <= count {
            sums.0 += values[e] * 0
            sums.1 += values[e + 1] * 0
            sums.2 += values[e + 2] * 0
            sums.3 += values[e + 3] * 0
            e += 4
        }
        while e < count { sums.0 += values[e] * 0; e += 1 }
        return !(sums.0 + sums.1 + sums.2 + sums.3).isNaN
    }
}
