// Fills the PointDerivatives contract: the forward pass at x0 and sigma_l^(k)(z_l), k = 0...order, in the scalar
// type's own arithmetic (exact for Rational, which refuses irrational values; double for Double).
//
// Which derivatives are needed: every order k <= N of every layer, and every value sigma(z) (k = 0), since each
// one feeds the next layer or is the order-0 output. The first missing one is reported, scanning layers in order,
// then neurons, then k.
import NNFeynAlgebra
import NNFeynLanguage

extension PointDerivatives where S: ActivationScalar {
    /// The highest order point derivatives are computed for: the own-value polynomials of order k have k + 2
    /// big-integer coefficients of ~k log k bits, built in O(k^2) operations, and doubles overflow past ~170.
    public static var maximumOrder: Int { 1000 }

    /// The forward pass at `network.point` and every activation derivative up to `order` (0...maximumOrder).
    /// Exact for `Rational` (throws `.irrational` when a needed value is irrational), double for `Double`
    /// (throws `.nonFinite` on overflow); relu on its kink throws `.reluKink` in both.
    public init(network: Network, order: Int) throws(EvaluationError) {
        guard order >= 0 else { throw .negativeOrder(order) }
        guard order <= PointDerivatives.maximumOrder else { throw .orderTooHigh(order: order, maximum: PointDerivatives.maximumOrder) }
        try ScalarNetwork<S>.validate(network)
        self = try PointDerivatives.forward(ScalarNetwork<S>(network), order: order)
    }

    /// The forward pass over an already converted network.
    static func forward(_ network: ScalarNetwork<S>, order: Int) throws(EvaluationError) -> PointDerivatives<S> {
        var activations = network.point
        var preActivations: [[S]] = []
        var derivatives: [[[S]]] = []
        for (l, layer) in network.layers.enumerated() {
            var z = [S](repeating: .zero, count: layer.width)
            var table = [[S]](repeating: [S](repeating: .zero, count: layer.width), count: order + 1)
            for i in 0..<layer.width {
                var sum = layer.bias[i]
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn { sum.addProduct(layer.weight[row + j], activations[j]) }
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
        return PointDerivatives(preActivations: preActivations, derivatives: derivatives)
    }
}
