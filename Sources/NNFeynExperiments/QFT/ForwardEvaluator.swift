// Batched forward passes of random networks at fixed input points: the observables of `qft run`.
//
// Draw order within a block (fixed, so a block is reproducible from its seed): all first-layer weights of the block
// (model-major, then neuron, then input), then all first-layer biases (when sb > 0); for each deeper layer, per
// model, its weights (row-major) then its biases; then all output weights, then all output biases (when sb > 0).
import COpenBLAS
import Foundation
import NNFeynDiagnostics

/// Outputs f(x_a) of networks drawn from an ensemble, at a list of input points.
struct ForwardEvaluator: BlockEvaluator {
    let ensemble: QFTEnsemble
    let points: [[Double]]

    var observableCount: Int { points.count }

    /// About 64k pre-activations per block, between 16 and 512 models.
    func blockSize(width: Int) -> Int { Swift.max(16, Swift.min(512, 65536 / Swift.max(width * points.count, 1))) }

    func makeWorker(width: Int) -> any BlockWorker {
        ForwardWorker(ensemble: ensemble, points: points, width: width, blockSize: blockSize(width: width))
    }
}

final class ForwardWorker: BlockWorker {
    let ensemble: QFTEnsemble
    let width: Int
    let p: Int
    let d: Int
    /// Points, row-major P x d_in.
    let x: [Double]
    /// Var z(x_a) of the first layer (for the Gauss-net's normalisation).
    let variance: [Double]
    var firstWeights: [Double]
    var biases: [Double]
    var activations: [Double]
    var deepWeights: [Double]
    var deepBias: [Double]
    var deepOut: [Double]
    var outputWeights: [Double]
    var outputBiases: [Double]

    init(ensemble: QFTEnsemble, points: [[Double]], width: Int, blockSize: Int) {
        self.ensemble = ensemble
        self.width = width
        p = points.count
        d = ensemble.dIn
        x = points.flatMap { $0 }
        variance = points.map { ensemble.inputCovariance($0, $0) }
        firstWeights = [Double](repeating: 0, count: blockSize * width * d)
        biases = [Double](repeating: 0, count: blockSize * width)
        activations = [Double](repeating: 0, count: blockSize * width * p)
        deepWeights = [Double](repeating: 0, count: ensemble.depth > 1 ? width * width : 0)
        deepBias = [Double](repeating: 0, count: width)
        deepOut = [Double](repeating: 0, count: width * p)
        outputWeights = [Double](repeating: 0, count: blockSize * width)
        outputBiases = [Double](repeating: 0, count: blockSize)
    }

    func evaluate(count: Int, rng: inout NormalSampler, output: UnsafeMutablePointer<Double>) throws(QFTError) {
        let n = width, rows = count * n
        let sw = ensemble.sw, sb = ensemble.sb
        // First layer: Z (rows x P) = W0 (rows x d) X^T (d x P) + b0, one GEMM over the block's models.
        firstWeights.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: rows * d, scale: sw / Double(d).squareRoot()) }
        if sb > 0 { biases.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: rows, scale: sb) } }
        firstWeights.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xp in
                activations.withUnsafeMutableBufferPointer { z in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(p), Int32(d),
                                1, w.baseAddress, Int32(d), xp.baseAddress, Int32(d), 0, z.baseAddress, Int32(p))
                }
            }
        }
        activations.withUnsafeMutableBufferPointer { z in
            biases.withUnsafeBufferPointer { b in
                if sb > 0 { for r in 0..<rows { for a in 0..<p { z[r * p + a] += b[r] } } }
                Self.activate(ensemble.activation, z.baseAddress!, count: rows * p, columns: p, variance: variance)
            }
        }
        // Deeper layers: one GEMM per model, Z_m (N x P) = W (N x N) A_m (N x P) + b.
        if ensemble.depth > 1 {
            for _ in 1..<ensemble.depth {
                for m in 0..<count {
                    deepWeights.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: n * n, scale: sw / Double(n).squareRoot()) }
                    if sb > 0 { deepBias.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: n, scale: sb) } }
                    deepWeights.withUnsafeBufferPointer { w in
                        activations.withUnsafeMutableBufferPointer { a in
                            deepOut.withUnsafeMutableBufferPointer { z in
                                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(p), Int32(n),
                                            1, w.baseAddress, Int32(n), a.baseAddress! + m * n * p, Int32(p), 0, z.baseAddress, Int32(p))
                                if sb > 0 { for i in 0..<n { for c in 0..<p { z[i * p + c] += deepBias[i] } } }
                                Self.activate(ensemble.activation, z.baseAddress!, count: n * p, columns: p, variance: variance)
                                (a.baseAddress! + m * n * p).update(from: z.baseAddress!, count: n * p)
                            }
                        }
                    }
                }
            }
        }
        // Output: f_m(x_a) = b_m + sum_i w_{m,i} a_{m,i}(x_a).
        outputWeights.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: rows, scale: sw / Double(n).squareRoot()) }
        if sb > 0 { outputBiases.withUnsafeMutableBufferPointer { rng.fill($0.baseAddress!, count: count, scale: sb) } }
        activations.withUnsafeBufferPointer { a in
            outputWeights.withUnsafeBufferPointer { w in
                for m in 0..<count {
                    let f = output + m * p
                    let b = sb > 0 ? outputBiases[m] : 0
                    for c in 0..<p { f[c] = b }
                    for i in 0..<n {
                        let weight = w[m * n + i]
                        let row = a.baseAddress! + (m * n + i) * p
                        for c in 0..<p { f[c] += weight * row[c] }
                    }
                }
            }
        }
        for k in 0..<(count * p) where !output[k].isFinite {
            throw QFTError("a sampled network output is not finite (width \(width)); the ensemble overflows double precision",
                           code: .experimentFailed)
        }
    }

    /// a = act(z) in place over a row-major block with `columns` points per row.
    static func activate(_ activation: QFTActivation, _ z: UnsafeMutablePointer<Double>, count: Int, columns: Int, variance: [Double]) {
        switch activation {
        case .erf:
            for k in 0..<count { z[k] = Foundation.erf(z[k]) }
        case .relu:
            for k in 0..<count { z[k] = Swift.max(z[k], 0) }
        case .gauss:
            var k = 0
            while k < count {
                for c in 0..<columns { z[k + c] = Foundation.exp(z[k + c] - variance[c]) }
                k += columns
            }
        }
    }
}
