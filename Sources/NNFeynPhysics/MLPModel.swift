// A multilayer perceptron with Double parameters: what training reads and writes. Conversion to and from the exact
// `Network` IR lives here; the training loop is in MLPTrainer.swift and the BLAS kernels in MLPWorkspace.swift.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage

/// One dense layer with Double parameters: z = W a_prev + b, a = activation(z).
public struct DenseParameters: Sendable, Equatable {
    /// The layer's name in the model file.
    public var name: String
    /// Number of neurons.
    public var width: Int
    /// Number of inputs.
    public var fanIn: Int
    /// The activation.
    public var activation: Activation
    /// width x fanIn, row-major (one row per neuron, the PyTorch layout).
    public var weight: [Double]
    /// One bias per neuron.
    public var bias: [Double]

    /// A layer from explicit parameters; the shapes must agree.
    public init(name: String, width: Int, fanIn: Int, activation: Activation, weight: [Double], bias: [Double]) {
        precondition(weight.count == width * fanIn && bias.count == width, "layer '\(name)': parameter shapes")
        self.name = name
        self.width = width
        self.fanIn = fanIn
        self.activation = activation
        self.weight = weight
        self.bias = bias
    }
}

/// What can go wrong preparing or running training; `description` is a lowercase standalone sentence.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option is out of range (the message names it).
    case invalidOption(String)
    /// Data and network disagree in shape, or the data are unusable.
    case shapeMismatch(String)
    /// A given parameter is NaN or infinite.
    case nonFiniteParameter(layer: String)
    /// The loss became NaN or infinite.
    case diverged(epoch: Int)

    /// The message.
    public var description: String {
        switch self {
        case .invalidOption(let message), .shapeMismatch(let message): message
        case .nonFiniteParameter(let layer): "layer '\(layer)' has a parameter that is not a finite number"
        case .diverged(let epoch): "training diverged in epoch \(epoch): the loss is not finite (try a smaller --lr)"
        }
    }
}

/// A trained (or initialised) MLP in Double, with what is needed to write it back as a model file.
public struct TrainedMLP: Sendable {
    /// The network's declared name, if any.
    public var name: String?
    /// The input declaration.
    public var input: InputSpec
    /// The expansion point carried over from the model file.
    public var point: [Rational]
    /// The layers, input side first.
    public var layers: [DenseParameters]

    /// A model from explicit layers (shapes must chain from `input.dimension`).
    public init(name: String?, input: InputSpec, point: [Rational]? = nil, layers: [DenseParameters]) {
        var fanIn = input.dimension
        for layer in layers {
            precondition(layer.fanIn == fanIn, "layer '\(layer.name)' expects \(layer.fanIn) inputs, gets \(fanIn)")
            fanIn = layer.width
        }
        self.name = name
        self.input = input
        self.point = point ?? Array(repeating: Rational.zero, count: input.dimension)
        self.layers = layers
    }

    /// The model a `Network` describes. Layers without parameters (`weight == []`) get seeded random weights:
    /// Glorot-uniform for tanh, sigmoid and other saturating or smooth activations, He-uniform for relu-like ones
    /// (relu, softplus, silu, gelu); a missing bias is zero.
    public init(network: Network, seed: UInt64) throws(TrainingError) {
        var rng = Xoshiro256(seed: seed)
        var layers: [DenseParameters] = []
        for layer in network.layers {
            var weight: [Double]
            if layer.weight.isEmpty {
                let limit: Double
                switch layer.activation {
                case .relu, .softplus, .silu, .gelu: limit = (6.0 / Double(layer.fanIn)).squareRoot()
                default: limit = (6.0 / Double(layer.fanIn + layer.width)).squareRoot()
                }
                weight = (0..<layer.width * layer.fanIn).map { _ in rng.uniform(-limit, limit) }
            } else {
                guard layer.weight.count == layer.width, layer.weight.allSatisfy({ $0.count == layer.fanIn }) else {
                    throw .shapeMismatch("layer '\(layer.name)': weight is not \(layer.width) x \(layer.fanIn)")
                }
                weight = layer.weight.flatMap { $0.map(\.doubleValue) }
            }
            var bias: [Double]
            if layer.bias.isEmpty {
                bias = Array(repeating: 0, count: layer.width)
            } else {
                guard layer.bias.count == layer.width else {
                    throw .shapeMismatch("layer '\(layer.name)': bias has \(layer.bias.count) entries, expected \(layer.width)")
                }
                bias = layer.bias.map(\.doubleValue)
            }
            guard weight.allSatisfy(\.isFinite), bias.allSatisfy(\.isFinite) else {
                throw .nonFiniteParameter(layer: layer.name)
            }
            layers.append(DenseParameters(name: layer.name, width: layer.width, fanIn: layer.fanIn,
                                          activation: layer.activation, weight: weight, bias: bias))
        }
        self.init(name: network.name, input: network.input, point: network.point, layers: layers)
    }

    /// Number of inputs.
    public var inputDimension: Int { input.dimension }
    /// Number of outputs.
    public var outputDimension: Int { layers.last?.width ?? input.dimension }
    /// Total number of parameters.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weight.count + $1.bias.count } }

    /// All parameters in one vector: each layer's weight (row-major) then its bias, input side first.
    public var flatParameters: [Double] {
        get { layers.flatMap { $0.weight + $0.bias } }
        set {
            precondition(newValue.count == parameterCount, "parameter vector has the wrong length")
            var offset = 0
            for l in layers.indices {
                let w = layers[l].weight.count, b = layers[l].bias.count
                layers[l].weight = Array(newValue[offset..<offset + w])
                layers[l].bias = Array(newValue[offset + w..<offset + w + b])
                offset += w + b
            }
        }
    }

    /// Outputs for a batch of inputs (row-major, `inputDimension` per row), row-major `outputDimension` per row.
    public func predict(_ inputs: [Double]) -> [Double] {
        precondition(inputs.count % Swift.max(inputDimension, 1) == 0, "inputs are not whole rows")
        let count = inputDimension == 0 ? 0 : inputs.count / inputDimension
        guard count > 0 else { return [] }
        let workspace = MLPWorkspace(model: self, capacity: Swift.min(count, 1024))
        var outputs = [Double](repeating: 0, count: count * outputDimension)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                var start = 0
                while start < count {
                    let b = Swift.min(workspace.capacity, count - start)
                    workspace.input.update(from: x.baseAddress! + start * inputDimension, count: b * inputDimension)
                    workspace.forward(batch: b, derivatives: false)
                    (y.baseAddress! + start * outputDimension).update(from: workspace.output, count: b * outputDimension)
                    start += b
                }
            }
        }
        return outputs
    }

    /// The mean squared error over all outputs, and its gradient with respect to `flatParameters` (backpropagation).
    public func lossAndGradient(inputs: [Double], targets: [Double]) -> (loss: Double, gradient: [Double]) {
        let count = inputs.count / inputDimension
        precondition(count > 0 && targets.count == count * outputDimension, "inputs and targets disagree")
        let workspace = MLPWorkspace(model: self, capacity: count)
        inputs.withUnsafeBufferPointer { workspace.input.update(from: $0.baseAddress!, count: inputs.count) }
        targets.withUnsafeBufferPointer { workspace.target.update(from: $0.baseAddress!, count: targets.count) }
        workspace.forward(batch: count, derivatives: true)
        let loss = workspace.backward(batch: count)
        return (loss, Array(UnsafeBufferPointer(start: workspace.gradients, count: workspace.parameterCount)))
    }

    /// The exact IR of this model: every double becomes the exact binary fraction it stores.
    public func network() -> Network {
        let irLayers = layers.map { layer in
            Layer(name: layer.name, width: layer.width, fanIn: layer.fanIn, activation: layer.activation,
                  weight: (0..<layer.width).map { row in
                      (0..<layer.fanIn).map { Rational(exactly: layer.weight[row * layer.fanIn + $0])! }
                  },
                  bias: layer.bias.map { Rational(exactly: $0)! })
        }
        return Network(name: name, input: InputSpec(name: input.name, dimension: input.dimension), layers: irLayers,
                       point: point)
    }

    /// The model whose outputs are `scale * f(x) + shift` (per output). A linear output layer absorbs the map;
    /// otherwise a linear layer named `<output>_scale` with a diagonal weight is appended.
    public func rescalingOutputs(scale: [Double], shift: [Double]) -> TrainedMLP {
        let out = outputDimension
        precondition(scale.count == out && shift.count == out)
        var copy = self
        if let last = layers.last, last.activation == .linear {
            var layer = last
            for i in 0..<out {
                for j in 0..<layer.fanIn { layer.weight[i * layer.fanIn + j] *= scale[i] }
                layer.bias[i] = scale[i] * layer.bias[i] + shift[i]
            }
            copy.layers[copy.layers.count - 1] = layer
        } else {
            var weight = [Double](repeating: 0, count: out * out)
            for i in 0..<out { weight[i * out + i] = scale[i] }
            let base = layers.last?.name ?? "output"
            var name = base + "_scale"
            while layers.contains(where: { $0.name == name }) { name += "_" }
            copy.layers.append(DenseParameters(name: name, width: out, fanIn: out, activation: .linear,
                                               weight: weight, bias: shift))
        }
        return copy
    }
}
