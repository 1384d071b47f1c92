// What training needs around `Network<Double>`: initial parameters for an architecture (or the missing layers of a
// model), forward passes and gradients for tests, and the affine maps that fold standardization into a trained
// network. The training loop is in MLPTrainer.swift and the BLAS kernels in MLPWorkspace.swift.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel

/// What can go wrong preparing or running training; `description` is a lowercase standalone sentence.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option is out of range (the message names it).
    case invalidOption(String)
    /// Data and network disagree in shape.
    case shapeMismatch(String)
    /// The data hold non-finite numbers or no rows.
    case unusableData(String)
    /// The loss became NaN or infinite.
    case diverged(epoch: Int)

    /// The message.
    public var description: String {
        switch self {
        case .invalidOption(let message), .shapeMismatch(let message), .unusableData(let message): message
        case .diverged(let epoch): "training diverged in epoch \(epoch): the loss is not finite (try a smaller --lr)"
        }
    }
}

extension TrainingError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        let code: DiagnosticCode = switch self {
        case .invalidOption: .usage
        case .shapeMismatch: .dataArray
        case .unusableData: .unusableData
        case .diverged: .diverged
        }
        return [Diagnostic(code: code, message: description)]
    }
}

/// Starting parameters.
public enum Initializer {
    /// The model's network, with seeded random parameters for the layers that have none: Glorot-uniform for tanh,
    /// sigmoid and other saturating or smooth activations, He-uniform for relu-like ones (relu, softplus, silu,
    /// gelu), zero biases. Layers are drawn in order from one stream of `seed`.
    public static func network(for model: Model, seed: UInt64) throws(ModelError) -> Network<Double> {
        var rng = Xoshiro256(seed: seed)
        var weights: [[Double]] = [], biases: [[Double]] = []
        for (layer, given) in zip(model.architecture.layers, model.parameters) {
            if let given {
                weights.append(given.weight.nearest)
                biases.append(given.bias.nearest)
                continue
            }
            let limit: Double
            switch layer.activation {
            case .relu, .softplus, .silu, .gelu: limit = (6.0 / Double(layer.fanIn)).squareRoot()
            default: limit = (6.0 / Double(layer.fanIn + layer.width)).squareRoot()
            }
            weights.append((0..<layer.width * layer.fanIn).map { _ in rng.uniform(-limit, limit) })
            biases.append([Double](repeating: 0, count: layer.width))
        }
        return try Network(architecture: model.architecture, weights: weights, biases: biases,
                           point: model.point.map { Double($0) })
    }

    /// Random parameters as peers.py draws them for benchmarks: weights ~ N(0, 1/fanIn), biases ~ N(0, biasScale^2).
    public static func gaussian(_ architecture: Architecture, seed: UInt64, biasScale: Double = 0.1,
                                point: [Double]? = nil) throws(ModelError) -> Network<Double> {
        var rng = Xoshiro256(seed: seed)
        var weights: [[Double]] = [], biases: [[Double]] = []
        for layer in architecture.layers {
            let scale = 1 / Double(layer.fanIn).squareRoot()
            weights.append((0..<layer.width * layer.fanIn).map { _ in rng.normal() * scale })
            biases.append((0..<layer.width).map { _ in rng.normal() * biasScale })
        }
        return try Network(architecture: architecture, weights: weights, biases: biases, point: point)
    }
}

extension Network where S == Double {
    /// All parameters in one vector: each layer's weight (row-major) then its bias, input side first.
    public var flatParameters: [Double] { zip(weights, biases).flatMap { $0 + $1 } }

    /// The same network with parameters from a vector laid out like `flatParameters`.
    public func with(flatParameters values: [Double]) throws(ModelError) -> Network<Double> {
        guard values.count == parameterCount else {
            throw .shape(layer: nil, "\(values.count) parameters for a network of \(parameterCount)")
        }
        var offset = 0
        var newWeights: [[Double]] = [], newBiases: [[Double]] = []
        for (w, b) in zip(weights, biases) {
            newWeights.append(Array(values[offset..<offset + w.count])); offset += w.count
            newBiases.append(Array(values[offset..<offset + b.count])); offset += b.count
        }
        return try with(weights: newWeights, biases: newBiases)
    }

    /// Outputs for a batch of inputs (row-major, `inputDimension` per row), row-major `outputCount` per row.
    public func predict(_ inputs: [Double]) -> [Double] {
        precondition(inputs.count % Swift.max(inputDimension, 1) == 0, "inputs are not whole rows")
        let count = inputs.count / inputDimension
        guard count > 0 else { return [] }
        let workspace = MLPWorkspace(network: self, capacity: Swift.min(count, 1024))
        var outputs = [Double](repeating: 0, count: count * outputCount)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                var start = 0
                while start < count {
                    let b = Swift.min(workspace.capacity, count - start)
                    workspace.input.update(from: x.baseAddress! + start * inputDimension, count: b * inputDimension)
                    workspace.forward(batch: b, derivatives: false)
                    (y.baseAddress! + start * outputCount).update(from: workspace.output, count: b * outputCount)
                    start += b
                }
            }
        }
        return outputs
    }

    /// The mean squared error over all outputs, and its gradient with respect to `flatParameters` (backpropagation).
    public func lossAndGradient(inputs: [Double], targets: [Double]) -> (loss: Double, gradient: [Double]) {
        let count = inputs.count / inputDimension
        precondition(count > 0 && targets.count == count * outputCount, "inputs and targets disagree")
        let workspace = MLPWorkspace(network: self, capacity: count)
        inputs.withUnsafeBufferPointer { workspace.input.update(from: $0.baseAddress!, count: inputs.count) }
        targets.withUnsafeBufferPointer { workspace.target.update(from: $0.baseAddress!, count: targets.count) }
        workspace.forward(batch: count, derivatives: true)
        let loss = workspace.backward(batch: count)
        return (loss, Array(UnsafeBufferPointer(start: workspace.gradients, count: workspace.parameterCount)))
    }

    /// The network whose outputs are `scale * f(x) + shift` (per output). A linear output layer absorbs the map;
    /// otherwise a linear layer named `<output>_scale` with a diagonal weight is appended.
    public func rescalingOutputs(scale: [Double], shift: [Double]) throws(ModelError) -> Network<Double> {
        let out = outputCount
        precondition(scale.count == out && shift.count == out)
        if let last = layers.last, last.activation == .linear {
            var weight = weights[weights.count - 1], bias = biases[biases.count - 1]
            for i in 0..<out {
                for j in 0..<last.fanIn { weight[i * last.fanIn + j] *= scale[i] }
                bias[i] = scale[i] * bias[i] + shift[i]
            }
            return try with(weights: Array(weights.dropLast()) + [weight], biases: Array(biases.dropLast()) + [bias])
        }
        var weight = [Double](repeating: 0, count: out * out)
        for i in 0..<out { weight[i * out + i] = scale[i] }
        let base = layers.last?.name ?? "output"
        var name = base + "_scale"
        while layers.contains(where: { $0.name == name }) || name == architecture.input.name { name += "_" }
        let extended = try Architecture(name: architecture.name, input: architecture.input,
                                        layers: layers + [LayerShape(name: name, width: out, fanIn: out, activation: .linear)])
        return try Network(architecture: extended, weights: weights + [weight], biases: biases + [shift], point: point)
    }

    /// The network g(x) = f((x - shift) / scale) (per input): the affine map is folded into the first layer,
    /// W' = W / scale (column-wise) and b' = b - W' shift.
    public func composingInputs(scale: [Double], shift: [Double]) throws(ModelError) -> Network<Double> {
        guard let first = layers.first else { return self }
        let n = first.fanIn
        precondition(scale.count == n && shift.count == n)
        var weight = weights[0], bias = biases[0]
        for row in 0..<first.width {
            var offset = 0.0
            for j in 0..<n {
                weight[row * n + j] /= scale[j]
                offset += weight[row * n + j] * shift[j]
            }
            bias[row] -= offset
        }
        return try with(weights: [weight] + weights.dropFirst(), biases: [bias] + biases.dropFirst())
    }

    /// The network g(x) = f(A (x - shift)) for an n x n matrix A (row-major): folded into the first layer,
    /// W' = W A and b' = b - W' shift.
    public func composingInputs(matrix: [Double], shift: [Double]) throws(ModelError) -> Network<Double> {
        guard let first = layers.first else { return self }
        let n = first.fanIn
        precondition(matrix.count == n * n && shift.count == n)
        let weight = weights[0]
        var composed = [Double](repeating: 0, count: weight.count), bias = biases[0]
        for row in 0..<first.width {
            for k in 0..<n {
                let w = weight[row * n + k]
                for j in 0..<n { composed[row * n + j] += w * matrix[k * n + j] }
            }
            var offset = 0.0
            for j in 0..<n { offset += composed[row * n + j] * shift[j] }
            bias[row] -= offset
        }
        return try with(weights: [composed] + weights.dropFirst(), biases: [bias] + biases.dropFirst())
    }
}
