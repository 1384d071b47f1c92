// What every evaluator needs from the expansion point: each layer's pre-activations z_l and the derivatives
// sigma_l^(k)(z_l), k = 0...order (k = 0 is the activation value a_l itself).
import NNFeynAlgebra
import NNFeynLanguage

/// Pre-activations and activation derivatives of every layer at the expansion point.
public struct PointDerivatives<S: Scalar>: Sendable {
    /// preActivations[l][i] = z_{l,i} at the point (l is 0-based over network.layers).
    public var preActivations: [[S]]
    /// derivatives[l][k][i] = sigma_l^(k)(z_{l,i}) for k = 0...order.
    public var derivatives: [[[S]]]

    public init(preActivations: [[S]], derivatives: [[[S]]]) {
        self.preActivations = preActivations
        self.derivatives = derivatives
    }
}
