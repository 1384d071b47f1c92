import Testing
@testable import NNFeynAlgebra

/// Truncated power series with exact coefficients: the slow, independent oracle for exact derivatives at 0.
struct ExactSeries {
    var c: [Rational]
    static let length = 16

    static func * (a: ExactSeries, b: ExactSeries) -> ExactSeries {
        var r = [Rational](repeating: 0, count: length)
        for i in 0..<length { for j in 0..<(length - i) { r[i + j].addProduct(a.c[i], b.c[j]) } }
        return ExactSeries(c: r)
    }

    static func + (a: ExactSeries, b: ExactSeries) -> ExactSeries { ExactSeries(c: zip(a.c, b.c).map { $0 + $1 }) }

    /// a / b for b with a nonzero constant term, by long division.
    static func / (a: ExactSeries, b: ExactSeries) -> ExactSeries {
        var q = [Rational](repeating: 0, count: length)
        for n in 0..<length {
            var s = a.c[n]
            for j in 0..<n { s = s - q[j] * b.c[n - j] }
            q[n] = s / b.c[0]
        }
        return ExactSeries(c: q)
    }

    static func constant(_ v: Rational) -> ExactSeries { ExactSeries(c: [v] + Array(repeating: 0, count: length - 1)) }
    static var h: ExactSeries { ExactSeries(c: [0, 1] + Array(repeating: 0, count: length - 2)) }

    /// e^(s h) = sum s^k h^k / k!.
    static func exponential(_ s: Rational) -> ExactSeries {
        var c: [Rational] = [1]
        for k in 1..<length { c.append(c[k - 1] * s / Rational(k)) }
        return ExactSeries(c: c)
    }

    /// Coefficient k times k!: the k-th derivative at 0.
    var derivatives: [Rational] {
        var factorial = Rational.one
        return c.enumerated().map { k, v in
            if k > 0 { factorial = factorial * Rational(k) }
            return v * factorial
        }
    }
}

@Suite struct ActivationRulesTests {
    static let n = ExactSeries.length - 1

    @Test func tanhAtZeroHasTheKnownValues() throws {
        let values = try ActivationRules.exactDerivatives(.tanh, at: 0, upTo: 9)
        #expect(values == [0, 1, 0, -2, 0, 16, 0, -272, 0, 7936].map { Optional(Rational($0)) })
    }

    /// The exact rules at z = 0 against series arithmetic (sinh/cosh, 1/(1+e^-h), log(1+u), ...).
    @Test(arguments: ["tanh", "sigmoid", "exp", "sin", "cos", "softplus", "silu"])
    func exactAtZeroMatchesSeries(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        let e = ExactSeries.exponential(1), eMinus = ExactSeries.exponential(-1)
        let sigmoid = ExactSeries.constant(1) / (ExactSeries.constant(1) + eMinus)
        var expected: [Rational?]
        switch name {
        case "tanh": expected = ((e + ExactSeries(c: eMinus.c.map { -$0 })) / (e + eMinus)).derivatives
        case "sigmoid": expected = sigmoid.derivatives
        case "exp": expected = e.derivatives
        case "sin", "cos":
            // e^(ih) = cos h + i sin h: even coefficients of e^h with alternating signs, and odd ones.
            expected = e.derivatives.enumerated().map { k, v in
                (name == "sin") == (k % 2 == 1) ? v * Rational(k % 4 < 2 ? 1 : -1) : 0
            }
        case "softplus":
            // log(1 + e^h) = log 2 + log(1 + u), u = (e^h - 1) / 2, log(1 + u) = sum (-1)^(j+1) u^j / j.
            let u = ExactSeries(c: (e + ExactSeries.constant(-1)).c.map { $0 / 2 })
            var power = ExactSeries.constant(1), sum = ExactSeries.constant(0)
            for j in 1...Self.n {
                power = power * u
                sum = sum + ExactSeries(c: power.c.map { $0 * Rational(j % 2 == 1 ? 1 : -1, j) })
            }
            expected = [nil] + sum.derivatives.dropFirst().map { Optional($0) }
        default: expected = (ExactSeries.h * sigmoid).derivatives
        }
        let values = try ActivationRules.exactDerivatives(activation, at: 0, upTo: Self.n)
        #expect(values == expected)
    }

    @Test func geluIsExactOnlyWhereTheHermiteFactorVanishes() throws {
        let atZero = try ActivationRules.exactDerivatives(.gelu, at: 0, upTo: 9)
        #expect(atZero == [0, Rational(1, 2), nil, 0, nil, 0, nil, 0, nil, 0])
        // gelu'''(z) = -phi(z) (He_1(z) - He_3(z)) = -phi(z) z (4 - z^2): zero at z = +-2.
        for z in [Rational(2), Rational(-2)] {
            let values = try ActivationRules.exactDerivatives(.gelu, at: z, upTo: 4)
            #expect(values == [nil, nil, nil, 0, nil])
        }
        #expect(try ActivationRules.exactDerivatives(.gelu, at: Rational(1, 3), upTo: 5) == Array(repeating: nil, count: 6))
    }

    @Test(arguments: ["tanh", "sigmoid", "exp", "sin", "cos", "softplus", "silu"])
    func transcendentalAwayFromZeroIsNil(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        for z in [Rational(1, 3), Rational(-2)] {
            #expect(try ActivationRules.exactDerivatives(activation, at: z, upTo: 4) == Array(repeating: nil, count: 5))
        }
    }

    @Test func polynomialRulesAreExactEverywhere() throws {
        // p = 1 - 2z + 3/2 z^3 at z = 2/3: p = 1 - 4/3 + 4/9 = 1/9, p' = -2 + 9/2 z^2 = 0, p'' = 9z = 6, p''' = 9.
        let p = try ActivationRules.exactDerivatives(.poly([1, -2, 0, Rational(3, 2)]), at: Rational(2, 3), upTo: 5)
        #expect(p == [Rational(1, 9), 0, 6, 9, 0, 0])
        #expect(try ActivationRules.exactDerivatives(.square, at: Rational(-3, 2), upTo: 3) == [Rational(9, 4), -3, 2, 0])
        #expect(try ActivationRules.exactDerivatives(.linear, at: Rational(5, 7), upTo: 2) == [Rational(5, 7), 1, 0])
        #expect(try ActivationRules.exactDerivatives(.poly([]), at: 3, upTo: 1) == [0, 0])
        #expect(try ActivationRules.numericDerivatives(.poly([1, -2, 0, Rational(3, 2)]), at: 2.0 / 3.0, upTo: 3)
            .enumerated().allSatisfy { k, v in abs(v - [1.0 / 9, 0, 6, 9][k]) < 1e-14 })
    }

    @Test func reluHasAKinkAtZero() throws {
        #expect(try ActivationRules.exactDerivatives(.relu, at: Rational(1, 2), upTo: 2) == [Rational(1, 2), 1, 0])
        #expect(try ActivationRules.exactDerivatives(.relu, at: -1, upTo: 2) == [0, 0, 0])
        #expect(try ActivationRules.exactDerivatives(.relu, at: 0, upTo: 0) == [0])
        #expect(throws: ActivationRuleError.kink) { try ActivationRules.exactDerivatives(.relu, at: 0, upTo: 1) }
        #expect(throws: ActivationRuleError.kink) { try ActivationRules.numericDerivatives(.relu, at: 0, upTo: 3) }
        #expect(try ActivationRules.numericDerivatives(.relu, at: -0.5, upTo: 1) == [0, 0])
    }

    @Test func sigmoidPolynomialsAgreeWithTanhOnes() {
        // sigmoid(z) = (1 + tanh(z/2)) / 2, so S_k(1/2) = T_k(0) / 2^(k+1) for k >= 1: two recurrences, one answer.
        let s = DerivativePolynomials.shared.exactPolynomials(.sigmoid, upTo: 30)
        let t = DerivativePolynomials.shared.exactPolynomials(.tanh, upTo: 30)
        for k in 1...30 {
            #expect(DerivativePolynomials.evaluate(s[k], at: Rational(1, 2)) * Rational(2).power(k + 1)
                == DerivativePolynomials.evaluate(t[k], at: 0))
        }
    }

    @Test func negativeOrdersGiveNothing() throws {
        #expect(try ActivationRules.exactDerivatives(.tanh, at: 0, upTo: -1).isEmpty)
        #expect(try ActivationRules.numericDerivatives(.gelu, at: 1, upTo: -5).isEmpty)
    }

    @Test(arguments: ["tanh", "sigmoid", "softplus", "silu", "gelu", "exp", "sin", "cos"])
    func exactAndNumericAgreeAtZero(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        let exact = try ActivationRules.exactDerivatives(activation, at: 0, upTo: 20)
        let numeric = try ActivationRules.numericDerivatives(activation, at: 0, upTo: 20)
        for (e, v) in zip(exact, numeric) {
            guard let e else { continue }
            #expect(abs(v - e.doubleValue) <= 1e-15 * abs(e.doubleValue))
        }
    }

    /// Every numeric rule against mpmath at 450 digits (ActivationOracleValues.swift), orders 0...20. Near a zero
    /// of a derivative, relative error is meaningless, so errors are measured against the local envelope
    /// max(|f_k|, sqrt(|f_(k-1) f_(k+1)|)).
    @Test(arguments: ["tanh", "sigmoid", "softplus", "silu", "gelu", "exp", "sin", "cos"])
    func numericMatchesTheOracle(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        var worst = 0.0
        for (oracleName, z, reference) in activationOracleValues where oracleName == name {
            let ours = try ActivationRules.numericDerivatives(activation, at: z, upTo: 20)
            #expect(ours.count == 21)
            #expect(ActivationRules.numericValue(activation, at: z) == ours[0])
            for k in 0...20 {
                var envelope = abs(reference[k])
                if k > 0, k < 20 { envelope = max(envelope, (abs(reference[k - 1]) * abs(reference[k + 1])).squareRoot()) }
                let error = abs(ours[k] - reference[k])
                if error > 0 { worst = max(worst, error / max(envelope, 1e-300)) }
                #expect(error <= 5e-14 * envelope + 1e-300, "\(name)^(\(k))(\(z)) = \(ours[k]), expected \(reference[k])")
            }
        }
        print("worst relative error of \(name) against the oracle: \(worst)")
    }

    @Test func highOrdersOverflowWithoutTrapping() throws {
        let values = try ActivationRules.numericDerivatives(.tanh, at: 0.3, upTo: 200)
        #expect(values.count == 201)
        #expect(values[60].isFinite)
        #expect(values.contains { !$0.isFinite })
    }
}
