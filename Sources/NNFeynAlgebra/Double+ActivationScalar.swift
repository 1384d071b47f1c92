extension Double: ActivationScalar {
    /// The numeric rules; never nil (overflow shows up as non-finite values instead).
    public static func activationDerivatives(_ activation: Activation, at z: Double,
                                             upTo n: Int) throws(ActivationRuleError) -> [Double?] {
        try ActivationRules.numericDerivatives(activation, at: z, upTo: n).map { Optional($0) }
    }
}
