// A network's numbers converted once to a scalar type, in flat row-major arrays, plus the shape check every
// entry point runs first (tests and other callers may build a `Network` by hand, so nothing is taken on trust).
import NNFeynAlgebra
import NNFeynLanguage

/// A network with weights, biases and point converted to `S`.
struct ScalarNetwork<S: Scalar>: Sendable {
    struct Layer: Sendable {
        let width: Int
        let fanIn: Int
        let activation: Activation
        /// width x fanIn, row-major (row i = neuron i's incoming weights).
        let weight: [S]
        let bias: [S]
    }

    let inputDimension: Int
    let layers: [Layer]
    let point: [S]

    /// Converts a network that has passed `validate`.
    init(_ network: Network) {
        inputDimension = network.input.dimension
        point = network.point.map(S.init)
        layers = network.layers.map { layer in
            Layer(width: layer.width, fanIn: layer.fanIn, activation: layer.activation,
                  weight: layer.weight.flatMap { $0.map(S.init) }, bias: layer.bias.map(S.init))
        }
    }

    var outputCount: Int { layers.last?.width ?? inputDimension }

    /// Checks every shape the evaluators rely on.
    static func validate(_ network: Network) throws(EvaluationError) {
        guard network.input.dimension >= 0 else { throw .shapeMismatch(layer: -1, reason: "negative input dimension") }
        guard network.point.count == network.input.dimension else {
            throw .shapeMismatch(layer: -1, reason: "the point has \(network.point.count) coordinates, the input has \(network.input.dimension)")
        }
        var previous = network.input.dimension
        for (l, layer) in network.layers.enumerated() {
            guard layer.width >= 0 else { throw .shapeMismatch(layer: l, reason: "negative width") }
            guard layer.fanIn == previous else {
                throw .shapeMismatch(layer: l, reason: "fan-in \(layer.fanIn), but the previous layer has \(previous) outputs")
            }
            guard layer.weight.count == layer.width, layer.weight.allSatisfy({ $0.count == layer.fanIn }) else {
                throw .shapeMismatch(layer: l, reason: "the weight is not \(layer.width) x \(layer.fanIn)")
            }
            guard layer.bias.count == layer.width else {
                throw .shapeMismatch(layer: l, reason: "the bias has \(layer.bias.count) entries, the width is \(layer.width)")
            }
            previous = layer.width
        }
    }
}
