import Testing
@testable import NNFeynAlgebra

@Suite struct FastDoubleTests {
    /// The fast conversion must agree bit for bit with the careful one on every kind of rational.
    @Test func fastConversionMatchesDoubleValue() throws {
        var values: [Rational] = [0, 1, -1, Rational(1, 3), Rational(-2, 3), Rational(22, 7), Rational(1, 1 << 52),
                                  Rational(1 << 53 - 1, 1 << 60), Rational(1 << 53 + 1, 3), Rational(5, 1 << 53 + 1)]
        for x in [0.1, -0.37, 1e-20, -3.3e-300, .leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308, 123456.789] {
            values.append(try #require(Rational(exactly: x)))
        }
        values.append(try #require(Rational(literal: "12345678901234567890123/7")))
        values.append(try #require(Rational(literal: "1e-330")))
        values.append(Rational(1, 3) * (try #require(Rational(exactly: Double.leastNormalMagnitude / 3))))
        for v in values {
            #expect(v.fastDoubleValue.bitPattern == v.doubleValue.bitPattern, "\(v)")
        }
    }
}
