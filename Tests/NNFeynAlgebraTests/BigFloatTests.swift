// BigFloat: arithmetic laws, precision rules, value semantics, hashing, correctly rounded decimal text (against C's
// printf for doubles and against exact rationals), and the MPFR activation oracle against the exact rules at z = 0
// and against 50-digit mpmath values everywhere else.
import Foundation
import Testing
@testable import NNFeynAlgebra

@Suite struct BigFloatTests {
    /// |a - b| <= 2^-bits * max(|b|, floor).
    func close(_ a: BigFloat, _ b: BigFloat, bits: Int, floor: BigFloat? = nil) -> Bool {
        let limit = BigFloat.maximum(b.magnitude, floor ?? BigFloat(0, precision: b.precision)).scaled(byPowerOfTwo: -bits)
        return (a - b).magnitude <= limit
    }

    @Test(arguments: [24, 53, 200, 1000])
    func rationalsRoundCorrectly(bits: Int) throws {
        for q in [Rational(1, 3), Rational(-22, 7), Rational(10).power(40) + Rational(1, 7), Rational(1, 1 << 40)] {
            let x = BigFloat(q, precision: bits)
            #expect(x.precision == bits)
            let back = try #require(x.exactRational)
            // Round to nearest: within half an ulp, i.e. 2^-bits relative.
            let error = (back - q).magnitude
            #expect(error <= q.magnitude * Rational(1, 2).power(bits))
        }
        #expect(BigFloat(Rational(3, 8), precision: bits).exactRational == Rational(3, 8))
    }

    @Test func workingPrecisionReachesConversionsAndArithmeticKeepsTheLargerPrecision() {
        let (a, b) = BigFloat.withPrecision(300) { (BigFloat(Rational(1, 3)), BigFloat.one) }
        #expect(a.precision == 300 && b.precision == 300)
        #expect(BigFloat(Rational(1, 3)).precision == 128)
        let c = BigFloat(1, precision: 64)
        #expect((a + c).precision == 300 && (c * a).precision == 300 && (c - c).precision == 64)
        #expect(BigFloat.withPrecision(1 << 30) { BigFloat(1).precision } == BigFloat.precisionRange.upperBound)
    }

    @Test(arguments: [53, 113, 400])
    func fieldLaws(bits: Int) {
        BigFloat.withPrecision(bits) {
            let values = [Rational(1, 3), Rational(-5, 7), Rational(0), Rational(22, 7), Rational(1_000_000_007, 3)].map { BigFloat($0) }
            for a in values {
                for b in values {
                    #expect(close((a + b) - b, a, bits: bits - 34, floor: BigFloat(1)))
                    #expect(a * b == b * a)
                    #expect(a + b == b + a)
                    if !b.isZero { #expect(close((a / b) * b, a, bits: bits - 2)) }
                    #expect((a + b).hashValue == (b + a).hashValue)
                }
            }
        }
    }

    @Test func equalValuesOfDifferentPrecisionAreEqualAndHashAlike() {
        let pairs: [(BigFloat, BigFloat)] = [
            (BigFloat(0.5, precision: 53), BigFloat(0.5, precision: 300)),
            (BigFloat(-3, precision: 10), BigFloat(-3.0, precision: 2000)),
            (BigFloat(0, precision: 53), -BigFloat(0, precision: 80)),
            (BigFloat(Rational(5, 1024), precision: 40), BigFloat(Rational(5, 1024), precision: 99)),
        ]
        for (a, b) in pairs {
            #expect(a == b)
            #expect(a.hashValue == b.hashValue)
        }
        #expect(BigFloat(Rational(1, 3), precision: 53) != BigFloat(Rational(1, 3), precision: 54))
        let nan = BigFloat(Double.nan, precision: 53)
        #expect(nan != nan && nan.isNaN && !nan.isFiniteValue)
    }

    @Test func addProductRespectsValueSemantics() {
        BigFloat.withPrecision(100) {
            let a = BigFloat(Rational(1, 2))
            var b = a
            b.addProduct(BigFloat(Rational(1, 4)), BigFloat(2))
            #expect(a == BigFloat(Rational(1, 2)))
            #expect(b == BigFloat(1))
            b.addProduct(BigFloat(1), BigFloat(1))
            #expect(b == BigFloat(2))
            // A wider operand widens the accumulator instead of being rounded to the narrow one.
            var narrow = BigFloat(0, precision: 24)
            narrow.addProduct(BigFloat(Rational(1, 3), precision: 200), BigFloat(1, precision: 200))
            #expect(narrow.precision == 200 && narrow == BigFloat(Rational(1, 3), precision: 200))
        }
    }

    @Test func algebraicFieldMembers() throws {
        BigFloat.withPrecision(64) {
            #expect(BigFloat(exactly: 1 << 62) == BigFloat(1 << 62))
            #expect(BigFloat(exactly: (1 << 62) + 1) == BigFloat(4_611_686_018_427_387_905 as Int))
            #expect(BigFloat(exactly: UInt64.max) != nil)
            #expect(BigFloat.withPrecision(32) { BigFloat(exactly: (1 << 40) + 1) } == nil)
            #expect(BigFloat(4).reciprocal == BigFloat(Rational(1, 4)))
            #expect(BigFloat(0).reciprocal == nil)
            #expect((-BigFloat(3)).magnitude == BigFloat(3))
            let seven: BigFloat = 7
            #expect(seven.doubleValue == 7)
        }
    }

    @Test func decimalTextMatchesPrintfOnDoubles() {
        var generator = Xoshiro256(seed: 11)
        for _ in 0..<2000 {
            let bits = generator.next()
            let value = Double(bitPattern: bits & 0x7FEF_FFFF_FFFF_FFFF | (bits & (1 << 63)))
            guard value.isFinite, value != 0 else { continue }
            let digits = Int(generator.next() % 20) + 1
            let x = BigFloat(value, precision: 53)
            #expect(x.text(significantDigits: digits) == String(format: "%.\(digits)g", value), "\(value) at \(digits)")
        }
        #expect(BigFloat(0.0, precision: 53).text(significantDigits: 5) == "0")
        #expect(BigFloat(Double.infinity, precision: 53).text(significantDigits: 5) == "inf")
    }

    @Test func rationalDecimalsAreCorrectlyRounded() {
        #expect(Rational(1, 3).decimalText(significantDigits: 3) == "0.333")
        #expect(Rational(2, 3).decimalText(significantDigits: 3) == "0.667")
        #expect(Rational(-17, 8).decimalText(significantDigits: 10) == "-2.125")
        #expect(Rational(1, 8).decimalText(significantDigits: 2) == "0.12") // a tie goes to the even digit
        #expect(Rational(3, 8).decimalText(significantDigits: 2) == "0.38")
        #expect(Rational(999, 1000).decimalText(significantDigits: 2) == "1")
        #expect(Rational(-9999, 10).decimalText(significantDigits: 3) == "-1e+03")
        #expect(Rational(1, 7_000_000).decimalText(significantDigits: 4) == "1.429e-07")
        #expect(Rational(0).decimalText(significantDigits: 4) == "0")
        #expect(Rational(10).power(60).decimalText(significantDigits: 70) == "1" + String(repeating: "0", count: 60)) // %g: fixed below 70 digits
        #expect(Rational(10).power(60).decimalText(significantDigits: 20) == "1e+60")
        var generator = Xoshiro256(seed: 5)
        for _ in 0..<300 {
            let p = Int(generator.next() % 2_000_001) - 1_000_000, q = Int(generator.next() % 999_999) + 1
            let value = Rational(p, q) * Rational(10).power(Int(generator.next() % 9)) / Rational(10).power(Int(generator.next() % 9))
            let digits = Int(generator.next() % 30) + 1
            let reference = BigFloat(value, precision: 3000).text(significantDigits: digits)
            #expect(value.decimalText(significantDigits: digits) == reference, "\(value) at \(digits)")
        }
    }

    @Test func textLayout() {
        #expect(BigFloat(Rational(1, 3), precision: 200).text(significantDigits: 20) == "0.33333333333333333333")
        #expect(BigFloat(Rational(2, 3), precision: 200).text(significantDigits: 20) == "0.66666666666666666667")
        #expect(BigFloat(123456, precision: 60).text(significantDigits: 3) == "1.23e+05")
        #expect(BigFloat(Rational(-1, 10_000_000), precision: 60).text(significantDigits: 3) == "-1e-07")
        #expect(BigFloat(Rational(1, 4), precision: 300).description == "0.25")
        #expect(BigFloat("-1.5e-3", precision: 80) == BigFloat(Rational(-3, 2000), precision: 80))
        #expect(BigFloat("1.5x", precision: 80) == nil && BigFloat("", precision: 80) == nil)
    }

    @Test(arguments: ["tanh", "sigmoid", "exp", "sin", "cos", "softplus", "silu", "gelu", "erf"])
    func oracleMatchesTheExactRulesAtZero(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        let exact = try ActivationRules.exactDerivatives(activation, at: 0, upTo: 40)
        let values = try BigFloat.activationDerivatives(activation, at: BigFloat(0, precision: 300), upTo: 40)
        for (k, value) in exact.enumerated() {
            guard let value else { continue }
            let mpfr = try #require(values[k])
            #expect(mpfr.precision == 300)
            #expect(close(mpfr, BigFloat(value, precision: 300), bits: 299), "\(name)^(\(k))(0)")
        }
    }

    @Test func oracleMatchesFiftyDigitMpmathValues() throws {
        var checked = 0
        for (name, point, expected) in mpfrOracleValues {
            let activation = try #require(Activation.simpleNames[name])
            let z = try #require(BigFloat(point, precision: 200))
            let values = try BigFloat.activationDerivatives(activation, at: z, upTo: expected.count - 1)
            let scale = expected.compactMap { BigFloat($0, precision: 200)?.magnitude }.reduce(BigFloat(0, precision: 200), BigFloat.maximum)
            for (k, text) in expected.enumerated() {
                let reference = try #require(BigFloat(text, precision: 200))
                let value = try #require(values[k])
                // 50 written digits: agreement to 1e-48 of the value (or of the row's scale for zeros).
                let bound = BigFloat.maximum(reference.magnitude, text == "0" ? scale : BigFloat(0, precision: 200))
                    * BigFloat(Rational(1, 10).power(48), precision: 200)
                #expect((value - reference).magnitude <= bound, "\(name)^(\(k))(\(point)): \(value) vs \(text)")
                checked += 1
            }
        }
        #expect(checked == 9 * 11 * 25)
    }

    @Test func oracleHandlesPolynomialsReluAndHighOrders() throws {
        let z = BigFloat(Rational(-7, 3), precision: 150)
        let poly = try BigFloat.activationDerivatives(.poly([1, 2, 0, Rational(1, 3)]), at: z, upTo: 5)
        let exact = try ActivationRules.exactDerivatives(.poly([1, 2, 0, Rational(1, 3)]), at: Rational(-7, 3), upTo: 5)
        for k in 0...5 { #expect(close(try #require(poly[k]), BigFloat(try #require(exact[k]), precision: 150), bits: 148, floor: BigFloat(1))) }
        #expect(try BigFloat.activationDerivatives(.relu, at: z, upTo: 2).map { $0?.isZero } == [true, true, true])
        #expect(throws: ActivationRuleError.kink) { try BigFloat.activationDerivatives(.relu, at: BigFloat(0, precision: 50), upTo: 1) }
        // Order 200 of tanh at a large argument: finite, and the odd symmetry holds exactly.
        let high = try BigFloat.activationDerivatives(.tanh, at: BigFloat(9, precision: 100), upTo: 200)
        let mirrored = try BigFloat.activationDerivatives(.tanh, at: BigFloat(-9, precision: 100), upTo: 200)
        for k in 1...200 {
            let a = try #require(high[k]), b = try #require(mirrored[k])
            #expect(a.isFiniteValue && (k % 2 == 0 ? a == -b : a == b))
        }
    }
}
