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
    var point: [S]

    /// Converts a network that has passed `validate`.
    init(_ network: Network) {
        inputDimension = network.input.dimension
        point = network.point.map(ScalarNetwork.convert)
        layers = network.layers.map { layer in
            var weight: [S] = []
            weight.reserveCapacity(layer.width * layer.fanIn)
            for row in layer.weight {
                // Through a buffer pointer: iterating the array retained and released every element's storage.
                row.withUnsafeBufferPointer { values in
                    for index in values.indices { weight.append(ScalarNetwork.convert(values[index])) }
                }
            }
            return Layer(width: layer.width, fanIn: layer.fanIn, activation: layer.activation,
                         weight: weight, bias: layer.bias.map(ScalarNetwork.convert))
        }
    }

    /// S(value), through the allocation-free conversion for doubles: converting a 128-wide network through
    /// `doubleValue` cost more than expanding it.
    static func convert(_ value: Rational) -> S {
        if S.self == Double.self, let converted = value.fastDoubleValue as? S { return converted }
        return S(value)
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
