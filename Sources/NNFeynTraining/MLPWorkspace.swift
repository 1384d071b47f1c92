// The training hot loop: preallocated buffers and OpenBLAS. Read only if you change the kernels.
//
// Layout is batch-major (row b of every activation matrix is sample b). For layer l with W (width x fanIn):
//     forward    Z = A_prev W^T (+ b)          dgemm NoTrans/Trans
//     weights    dW = Delta^T A_prev           dgemm Trans/NoTrans
//     inputs     dA_prev = Delta W             dgemm NoTrans/NoTrans
// and db is the column sum of Delta (dgemv with a vector of ones). Nothing in a step allocates.
import COpenBLAS
import Foundation
import NNFeynAlgebra
import NNFeynModel

/// Buffers for forward, backward and Adam on batches of up to `capacity` samples.
final class MLPWorkspace {
    let capacity: Int
    let widths: [Int]                   // widths[0] = input dimension, then each layer's width
    let activations: [Activation]
    let parameterCount: Int
    let weightOffsets: [Int], biasOffsets: [Int]
    let parameters: UnsafeMutablePointer<Double>
    let gradients: UnsafeMutablePointer<Double>
    let moment1: UnsafeMutablePointer<Double>, moment2: UnsafeMutablePointer<Double>
    /// Batch inputs (capacity x widths[0]) and targets (capacity x output width), filled by the caller.
    let input: UnsafeMutablePointer<Double>
    let target: UnsafeMutablePointer<Double>
    /// Per-sample loss weights (capacity), 1 unless the caller fills them: the loss is mean of w (y - t)^2.
    let weight: UnsafeMutablePointer<Double>
    /// Per layer: post-activations, activation derivatives, and dLoss/dZ.
    let values: [UnsafeMutablePointer<Double>]
    let slopes: [UnsafeMutablePointer<Double>]
    let deltas: [UnsafeMutablePointer<Double>]
    let ones: UnsafeMutablePointer<Double>
    var adamStep = 0

    init(network: Network<Double>, capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
        widths = [network.inputDimension] + network.layers.map(\.width)
        activations = network.layers.map(\.activation)
        var w: [Int] = [], b: [Int] = [], offset = 0
        for (weight, bias) in zip(network.weights, network.biases) {
            w.append(offset); offset += weight.count
            b.append(offset); offset += bias.count
        }
        weightOffsets = w
        biasOffsets = b
        parameterCount = offset
        parameters = .allocate(capacity: Swift.max(offset, 1))
        gradients = .allocate(capacity: Swift.max(offset, 1))
        moment1 = .allocate(capacity: Swift.max(offset, 1))
        moment2 = .allocate(capacity: Swift.max(offset, 1))
        gradients.initialize(repeating: 0, count: Swift.max(offset, 1))
        moment1.initialize(repeating: 0, count: Swift.max(offset, 1))
        moment2.initialize(repeating: 0, count: Swift.max(offset, 1))
        for (l, (weight, bias)) in zip(network.weights, network.biases).enumerated() {
            (parameters + w[l]).initialize(from: weight, count: weight.count)
            (parameters + b[l]).initialize(from: bias, count: bias.count)
        }
        input = .allocate(capacity: capacity * Swift.max(widths[0], 1))
        input.initialize(repeating: 0, count: capacity * Swift.max(widths[0], 1))
        let out = widths.last!
        target = .allocate(capacity: capacity * out)
        target.initialize(repeating: 0, count: capacity * out)
        weight = .allocate(capacity: capacity)
        weight.initialize(repeating: 1, count: capacity)
        func buffers() -> [UnsafeMutablePointer<Double>] {
            network.layers.map { layer in
                let p = UnsafeMutablePointer<Double>.allocate(capacity: capacity * layer.width)
                p.initialize(repeating: 0, count: capacity * layer.width)
                return p
            }
        }
        values = buffers()
        slopes = buffers()
        deltas = buffers()
        ones = .allocate(capacity: capacity)
        ones.initialize(repeating: 1, count: capacity)
    }

    deinit {
        for p in [parameters, gradients, moment1, moment2, input, target, weight, ones] + values + slopes + deltas {
            p.deallocate()
        }
    }

    /// The network's output for the last forward pass (batch x output width).
    var output: UnsafeMutablePointer<Double> { values.last ?? input }

    /// Fills the batch: input, target and weight row k from row `rows[k]` of `inputs`, `targets` and `weights`
    /// (weight 1 without them), and the anchor, if any, into the row after the batch.
    func load(_ rows: ArraySlice<Int>, inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>,
              weights: [Double]?, anchor: [Double]?) {
        let dIn = widths[0], dOut = widths[widths.count - 1]
        for (k, row) in rows.enumerated() {
            (input + k * dIn).update(from: inputs + row * dIn, count: dIn)
            (target + k * dOut).update(from: targets + row * dOut, count: dOut)
            weight[k] = weights?[row] ?? 1
        }
        if let anchor { (input + rows.count * dIn).update(from: anchor, count: dIn) }
    }

    /// Forward and backward passes over `rows` in consecutive batches of at most `size` (the anchor, if any, riding
    /// along), calling `step(b, loss)` after each batch's backward pass, while `gradients` hold that batch's.
    func passes(over rows: [Int], size: Int, inputs: [Double], targets: [Double], weights: [Double]?, anchor: [Double]?,
                step: (_ batch: Int, _ loss: Double) -> Void) {
        let anchored = anchor != nil
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                var first = 0
                while first < rows.count {
                    let b = Swift.min(size, rows.count - first)
                    load(rows[first..<first + b], inputs: x.baseAddress!, targets: t.baseAddress!, weights: weights, anchor: anchor)
                    forward(batch: anchored ? b + 1 : b, derivatives: true)
                    step(b, backward(batch: b, anchored: anchored))
                    first += b
                }
            }
        }
    }

    /// Forward pass on the first `batch` rows of `input`; with `derivatives`, also stores sigma'(z) for backward.
    func forward(batch: Int, derivatives: Bool) {
        var previous = UnsafePointer(input)
        for l in 0..<activations.count {
            let fanIn = widths[l], width = widths[l + 1]
            let z = values[l]
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(batch), blasint(width), blasint(fanIn),
                        1, previous, blasint(fanIn), parameters + weightOffsets[l], blasint(fanIn), 0, z, blasint(width))
            let bias = parameters + biasOffsets[l]
            for row in 0..<batch {
                let zr = z + row * width
                for j in 0..<width { zr[j] += bias[j] }
            }
            // Activate in place: value and slope are computed from z before z is overwritten.
            ActivationKernels.apply(activations[l], z: z, a: z, d: derivatives ? slopes[l] : nil, count: batch * width)
            previous = UnsafePointer(z)
        }
    }

    /// Backward pass after `forward(derivatives: true)`: fills `gradients` with d(MSE)/d(parameters) for the batch
    /// against `target`, and returns the batch's mean squared error (mean over samples and outputs), each sample's
    /// squared errors multiplied by its `weight` (exactly the unweighted numbers when the weights are 1).
    ///
    /// With `anchored`, row `batch` of the forward pass is an anchor point x0 (not a sample) and the model is
    /// y(x) - y(x0): every sample's error is taken against that difference and the anchor row collects minus the
    /// samples' output deltas, so the gradients are those of the anchored model.
    func backward(batch: Int, anchored: Bool = false) -> Double {
        let L = activations.count
        let out = widths[L]
        let y = values[L - 1], d = slopes[L - 1], delta = deltas[L - 1]
        let n = batch * out
        let scale = 2 / Double(n)
        var loss = 0.0
        if anchored {
            let anchor = batch * out
            for j in 0..<out { delta[anchor + j] = 0 }
            for i in 0..<n {
                let j = i % out
                let r = y[i] - y[anchor + j] - target[i]
                let w = weight[i / out]
                loss += w * r * r
                let g = scale * w * r
                delta[i] = g * d[i]
                delta[anchor + j] -= g * d[anchor + j]
            }
        } else {
            for i in 0..<n {
                let r = y[i] - target[i]
                let w = weight[i / out]
                loss += w * r * r
                delta[i] = scale * w * r * d[i]
            }
        }
        let batch = anchored ? batch + 1 : batch
        for l in stride(from: L - 1, through: 0, by: -1) {
            let fanIn = widths[l], width = widths[l + 1]
            let previous = l == 0 ? UnsafePointer(input) : UnsafePointer(values[l - 1])
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasint(width), blasint(fanIn), blasint(batch),
                        1, deltas[l], blasint(width), previous, blasint(fanIn), 0, gradients + weightOffsets[l], blasint(fanIn))
            cblas_dgemv(CblasRowMajor, CblasTrans, blasint(batch), blasint(width), 1, deltas[l], blasint(width),
                        ones, 1, 0, gradients + biasOffsets[l], 1)
            if l > 0 {
                let below = deltas[l - 1]
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(batch), blasint(fanIn), blasint(width),
                            1, deltas[l], blasint(width), parameters + weightOffsets[l], blasint(fanIn), 0, below, blasint(fanIn))
                let slope = slopes[l - 1]
                for i in 0..<batch * fanIn { below[i] *= slope[i] }
            }
        }
        return loss / Double(n)
    }

    /// After `forward(batch:derivatives: true)`: row k of `jacobian` (stride `parameterCount`) becomes the gradient of
    /// output `o` at sample k with respect to every parameter, for the first `batch` rows. With `anchored`, row
    /// `batch` of the forward pass is the anchor and its gradient (written to `anchorRow`) is subtracted from every
    /// row, the Jacobian of y(x) - y(x0). The weight gradient of row k is the outer product of its delta at the
    /// layer and its activations below, so the rows are filled directly, without a BLAS call per row.
    func jacobian(batch: Int, output o: Int, anchored: Bool, into jacobian: UnsafeMutablePointer<Double>,
                  anchorRow: UnsafeMutablePointer<Double>) {
        let L = activations.count, out = widths[L]
        let total = anchored ? batch + 1 : batch
        let top = deltas[L - 1], topSlope = slopes[L - 1]
        for k in 0..<total { for j in 0..<out { top[k * out + j] = j == o ? topSlope[k * out + j] : 0 } }
        for l in stride(from: L - 1, through: 1, by: -1) {
            let fanIn = widths[l], width = widths[l + 1]
            let below = deltas[l - 1], slope = slopes[l - 1]
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(total), blasint(fanIn), blasint(width),
                        1, deltas[l], blasint(width), parameters + weightOffsets[l], blasint(fanIn), 0, below, blasint(fanIn))
            for i in 0..<total * fanIn { below[i] *= slope[i] }
        }
        for k in 0..<total {
            let row = k == batch ? anchorRow : jacobian + k * parameterCount
            for l in 0..<L {
                let fanIn = widths[l], width = widths[l + 1]
                let below = (l == 0 ? UnsafePointer(input) : UnsafePointer(values[l - 1])) + k * fanIn
                let delta = deltas[l] + k * width
                for j in 0..<width {
                    let d = delta[j], w = row + weightOffsets[l] + j * fanIn
                    for i in 0..<fanIn { w[i] = d * below[i] }
                    row[biasOffsets[l] + j] = d
                }
            }
        }
        if anchored {
            for k in 0..<batch {
                let row = jacobian + k * parameterCount
                for p in 0..<parameterCount { row[p] -= anchorRow[p] }
            }
        }
    }

    /// One Adam update with PyTorch's conventions (bias-corrected moments, eps added to the corrected root).
    func adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double) {
        adamStep += 1
        let correction1 = 1 - Foundation.pow(beta1, Double(adamStep))
        let correction2 = 1 - Foundation.pow(beta2, Double(adamStep))
        let stepSize = learningRate / correction1
        let rootCorrection = 1 / correction2.squareRoot()
        let p = parameters, g = gradients, m = moment1, v = moment2
        for i in 0..<parameterCount {
            let gi = g[i]
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (vi.squareRoot() * rootCorrection + epsilon)
        }
    }

    /// Decoupled weight decay (AdamW): every weight, not the biases, shrinks by the factor 1 - rate.
    func decayWeights(rate: Double) {
        for l in 0..<activations.count {
            let w = parameters + weightOffsets[l]
            for i in 0..<widths[l] * widths[l + 1] { w[i] -= rate * w[i] }
        }
    }

    /// The current parameters in `network`'s shape.
    func network(like network: Network<Double>) throws(ModelError) -> Network<Double> {
        let weights = (0..<activations.count).map { l in
            Array(UnsafeBufferPointer(start: parameters + weightOffsets[l], count: widths[l + 1] * widths[l]))
        }
        let biases = (0..<activations.count).map { l in
            Array(UnsafeBufferPointer(start: parameters + biasOffsets[l], count: widths[l + 1]))
        }
        return try network.with(weights: weights, biases: biases)
    }
}
