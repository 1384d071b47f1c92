// The bridge between a number type and the activation rules: exact rationals ask the exact oracle (which may
// refuse), doubles the numeric one. Evaluators that need activation values are generic over this protocol.

/// A `Scalar` with an oracle for activation derivatives sigma^(k)(z), k = 0...n.
public protocol ActivationScalar: Scalar {
    /// sigma^(k)(z) for k = 0...n; nil where this type cannot hold the value (an irrational, for `Rational`).
    static func activationDerivatives(_ activation: Activation, at z: Self,
                                      upTo n: Int) throws(ActivationRuleError) -> [Self?]
}
