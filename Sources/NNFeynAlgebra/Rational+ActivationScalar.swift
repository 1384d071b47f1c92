extension Rational: ActivationScalar {
    /// The exact rules; nil where the value is irrational.
    public static func activationDerivatives(_ activation: Activation, at z: Rational,
                                             upTo n: Int) throws(ActivationRuleError) -> [Rational?] {
        try ActivationRules.exactDerivatives(activation, at: z, upTo: n)
    }
}
