// Test conveniences for models: their parameters as rows of exact values, as the language writes them.
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel

extension Model {
    /// Layer l's weight as rows of exact values (one row per neuron); empty when the layer has no parameters.
    public func weightRows(_ l: Int) -> [[Rational]] {
        guard let given = parameters[l] else { return [] }
        let fanIn = layers[l].fanIn
        let values = given.weight.exactValues
        return (0..<layers[l].width).map { Array(values[($0 * fanIn)..<(($0 + 1) * fanIn)]) }
    }

    /// Layer l's bias as exact values; empty when the layer has no parameters.
    public func biasValues(_ l: Int) -> [Rational] { parameters[l]?.bias.exactValues ?? [] }

    /// Where the `at` statement is written.
    public var pointSpan: SourceSpan? { architecture.locations?.point }
}
