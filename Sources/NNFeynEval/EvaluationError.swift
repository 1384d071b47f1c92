// Everything that can stop an expansion, as values: the CLI turns them into E04xx / E03xx diagnostics.

/// Why an expansion could not be computed.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Exact mode needs sigma^(order)(z) of this neuron, but it is irrational (or not known to be rational).
    case irrational(layer: Int, neuron: Int, order: Int)
    /// A relu neuron sits exactly on its kink (z = 0), where its derivative does not exist.
    case reluKink(layer: Int, neuron: Int)
    /// A double overflowed or became NaN at this neuron.
    case nonFinite(layer: Int, neuron: Int)
    /// The estimated cost exceeds the limit.
    case tooLarge(estimate: ExpansionEstimate, limit: Int)
    /// The requested order is negative.
    case negativeOrder(Int)
    /// Activation derivatives above `maximum` were requested (their cost grows like the order squared).
    case orderTooHigh(order: Int, maximum: Int)
    /// A layer's weight, bias or fan-in disagrees with its neighbours (layer -1 means the expansion point).
    case shapeMismatch(layer: Int, reason: String)

    /// A lowercase sentence for a diagnostic.
    public var description: String {
        switch self {
        case .irrational(let layer, let neuron, let order):
            order == 0
                ? "exact evaluation needs the activation value of layer \(layer), neuron \(neuron), which is irrational"
                : "exact evaluation needs derivative \(order) of the activation of layer \(layer), neuron \(neuron), which is irrational"
        case .reluKink(let layer, let neuron):
            "relu of layer \(layer), neuron \(neuron) is exactly at its kink (z = 0): its derivative does not exist"
        case .nonFinite(let layer, let neuron):
            "numeric evaluation overflowed at layer \(layer), neuron \(neuron)"
        case .tooLarge(let estimate, let limit):
            "the expansion is too large: \(estimate.summary), limit \(limit)"
        case .negativeOrder(let order):
            "the order must be 0 or more, not \(order)"
        case .orderTooHigh(let order, let maximum):
            "order \(order) is beyond the highest supported order, \(maximum)"
        case .shapeMismatch(let layer, let reason):
            layer < 0 ? "the expansion point does not fit the network: \(reason)" : "layer \(layer) is malformed: \(reason)"
        }
    }
}
