// What every evaluator needs from the expansion point: each layer's pre-activations z_l and the derivatives
// sigma_l^(k)(z_l), k = 0...order (k = 0 is the activation value a_l itself), computed by the forward pass in the
// scalar type's own arithmetic (exact for Rational, which refuses irrational values; double for Double).
//
// Which derivatives are needed: every order k <= N of every layer, and every value sigma(z) (k = 0), since each
// one feeds the next layer or is the order-0 output. The first missing one is reported, scanning layers in order,
// then neurons, then k.
import NNFeynAlgebra
import NNFeynModel

/// Pre-activations and activation derivatives of every layer at the expansion point.
public struct PointDerivatives<S: Scalar>: Sendable {
    /// preActivations[l][i] = z_{l,i} at the point (l is 0-based over the layers).
    public var preActivations: [[S]]
    /// derivatives[l][k][i] = sigma_l^(k)(z_{l,i}) for k = 0...order.
    public var derivatives: [[[S]]]

    public init(preActivations: [[S]], derivatives: [[[S]]]) {
        self.preActivations = preActivations
        self.derivatives = derivatives
    }
}

extension PointDerivatives where S: ActivationScalar {
    /// The highest order point derivatives are computed for: the own-value polynomials of order k have k + 2
    /// big-integer coefficients of ~k log k bits, built in O(k^2) operations, and doubles overflow past ~170.
    public static var maximumOrder: Int { 1000 }

    /// The forward pass at `network.point` and every activation derivative up to `order` (0...maximumOrder).
    /// Exact for `Rational` (throws `.irrational` when a needed value is irrational), double for `Double`
    /// (throws `.nonFinite` on overflow); relu on its kink throws `.reluKink` in both.
    public init(network: Network<S>, order: Int) throws(EvaluationError) {
        guard order >= 0 else { throw .negativeOrder(order) }
        guard order <= PointDerivatives.maximumOrder else { throw .orderTooHigh(order: order, maximum: PointDerivatives.maximumOrder) }
        var activations = network.point
        var preActivations: [[S]] = []
        var derivatives: [[[S]]] = []
        for (l, layer) in network.layers.enumerated() {
            let weight = network.weights[l], bias = network.biases[l]
            var z = [S](repeating: .zero, count: layer.width)
            var table = [[S]](repeating: [S](repeating: .zero, count: layer.width), count: order + 1)
            for i in 0..<layer.width {
                var sum = bias[i]
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn { sum.addProduct(weight[row + j], activations[j]) }
                guard sum.isFiniteValue else { throw .nonFinite(layer: l, neuron: i) }
                z[i] = sum
                let values: [S?]
                do {
                    values = try S.activationDerivatives(layer.activation, at: sum, upTo: order)
                } catch {
                    throw .reluKink(layer: l, neuron: i)
                }
                for k in 0...order {
                    guard let value = values[k] else { throw .irrational(layer: l, neuron: i, order: k) }
                    guard value.isFiniteValue else { throw .nonFinite(layer: l, neuron: i) }
                    table[k][i] = value
                }
            }
            preActivations.append(z)
            derivatives.append(table)
            activations = table[0]
        }
        self.init(preActivations: preActivations, derivatives: derivatives)
    }
}
