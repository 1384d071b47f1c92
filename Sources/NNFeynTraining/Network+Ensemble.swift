// An ensemble of networks of one architecture as a single network: the members' hidden layers side by side (block
// diagonal below the first layer), a linear output layer averaging them. Its function, and so every Taylor tensor of
// it, is the members' mean up to rounding, so an ensemble is expanded, written and read like any other network.
import NNFeynAlgebra
import NNFeynModel

extension Network where S == Double {
    /// The mean of `members` (same architecture, a linear output layer) as one network `members.count` times as
    /// wide in every hidden layer, with the first member's names and point.
    public static func averaging(_ members: [Network<Double>]) throws(ModelError) -> Network<Double> {
        guard let first = members.first else { throw .shape(layer: nil, "an ensemble needs at least one network") }
        guard members.count > 1 else { return first }
        guard first.layers.last?.activation == .linear else {
            throw .shape(layer: nil, "an ensemble averages its members' outputs, which needs a linear output layer")
        }
        for member in members where member.layers != first.layers || member.inputDimension != first.inputDimension {
            throw .shape(layer: nil, "ensemble members differ in shape")
        }
        let M = members.count, L = first.layers.count
        var shapes: [LayerShape] = [], weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<L {
            let template = first.layers[l]
            let isFirst = l == 0, isLast = l == L - 1
            let width = isLast ? template.width : M * template.width
            let fanIn = isFirst ? template.fanIn : M * template.fanIn
            var weight = [Double](repeating: 0, count: width * fanIn)
            var bias = [Double](repeating: 0, count: width)
            for (m, member) in members.enumerated() {
                for row in 0..<template.width {
                    let outRow = isLast ? row : m * template.width + row
                    let columnOffset = isFirst ? 0 : m * template.fanIn
                    for j in 0..<template.fanIn {
                        let w = member.weights[l][row * template.fanIn + j]
                        weight[outRow * fanIn + columnOffset + j] += isLast ? w / Double(M) : w
                    }
                    bias[outRow] += isLast ? member.biases[l][row] / Double(M) : member.biases[l][row]
                }
            }
            shapes.append(LayerShape(name: template.name, width: width, fanIn: fanIn, activation: template.activation))
            weights.append(weight)
            biases.append(bias)
        }
        let architecture = try Architecture(name: first.architecture.name, input: first.architecture.input, layers: shapes)
        return try Network(architecture: architecture, weights: weights, biases: biases, point: first.point)
    }
}
