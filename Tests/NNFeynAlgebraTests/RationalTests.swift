import Testing
@testable import NNFeynAlgebra

@Suite struct RationalTests {
    @Test(arguments: [
        ("0.1", "1/10"), ("-3/6", "-1/2"), ("1e3", "1000"), ("2.5E-2", "1/40"), ("-0", "0"), ("7", "7"),
        ("3/4", "3/4"), ("+1.5", "3/2"), ("0.125", "1/8"), ("12345678901234567890", "12345678901234567890"),
    ])
    func parsesLiterals(text: String, expected: String) throws {
        let value = try #require(Rational(literal: text))
        #expect(value.description == expected)
    }

    @Test(arguments: ["", "-", "1/0", "1.2.3", "e5", "1e", "abc", "1/-2", "1e1000000", "--1", "1/2/3", "/2"])
    func rejectsMalformed(text: String) {
        #expect(Rational(literal: text) == nil)
    }

    @Test func fieldLaws() {
        let values: [Rational] = [Rational(1, 3), Rational(-5, 7), Rational(0), Rational(22, 7), Rational(1_000_000_007, 3)]
        for a in values {
            for b in values {
                #expect((a + b) - b == a)
                #expect(a * b == b * a)
                if !b.isZero { #expect((a / b) * b == a) }
                #expect((a + b).hashValue == (b + a).hashValue)
            }
        }
    }

    @Test func doublesAreExactBinaryFractions() throws {
        let tenth = try #require(Rational(exactly: 0.1))
        #expect(tenth != Rational(1, 10))
        #expect(tenth.doubleValue == 0.1)
        #expect(Rational(exactly: .nan) == nil)
        #expect(Rational(1, 3).doubleValue == 1.0 / 3.0)
        #expect(Rational(2, 3).doubleValue == 2.0 / 3.0)
    }

    @Test func addProductRespectsValueSemantics() {
        let a = Rational(1, 2)
        var b = a
        b.addProduct(Rational(1, 3), Rational(3))
        #expect(a == Rational(1, 2))
        #expect(b == Rational(3, 2))
        b.addProduct(Rational(1), Rational(1))
        #expect(b == Rational(5, 2))
    }
}
