// The streaming front end keeps the old contracts: literal values read without GMP equal what Rational(literal:)
// reads, the UTF-8 check agrees with the standard library's, and the error limit still counts every lexical error
// of the file, including those after the place where the parser stopped.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct LiteralValueTests {
    /// Well-formed literals of every shape, edge cases and seeded random ones.
    static let literals: [String] = {
        var list = ["0", "-0", "1", "-1", "007", "0.5", "-0.5", "1.50", "12.5e-1", "1e0", "1E+3", "1e-3", "-2.5e19",
                    "2.5e-19", "1e19", "1e-19", "1e20", "1e-20", "9223372036854775807", "-9223372036854775808",
                    "9223372036854775808", "-9223372036854775809", "18446744073709551615", "0.0000000000000000001",
                    "0.00000000000000000001", "123456789012345678901234567890", "1/3", "-7/14", "0/5", "-0/5",
                    "9223372036854775807/18446744073709551615", "-9223372036854775808/3", "9223372036854775808/2",
                    "1/18446744073709551616", "4.9e-324", "1.7976931348623157e308", "0.30000000000000004", "1e-400",
                    "1e400", "9007199254740993", "123.456e-7", "1e100000", "1e-100000", "1e000100", "5e+000007"]
        var rng = Xoshiro256(seed: 31)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(rng.index(below: 10))) }) }
        for _ in 0..<3000 {
            var s = rng.index(below: 2) == 0 ? "-" : ""
            s += digits(1 + rng.index(below: 22))
            switch rng.index(below: 4) {
            case 0: s += "/" + String(1 + rng.index(below: 9)) + digits(rng.index(below: 21))
            case 1: s += "." + digits(1 + rng.index(below: 21))
            case 2: s += "." + digits(1 + rng.index(below: 8)) + (rng.index(below: 2) == 0 ? "e" : "E-") + String(rng.index(below: 40))
            default: s += "e" + (rng.index(below: 2) == 0 ? "+" : "") + String(rng.index(below: 25))
            }
            list.append(s)
        }
        return list
    }()

    @Test func smallValuesAreRationalLiteralsWithoutGMP() {
        var fast = 0
        for literal in Self.literals {
            let bytes = ArraySlice(Array(literal.utf8))
            guard !Lexer.exponentTooLarge(bytes) else { continue }
            let exact = Rational(literal: literal)
            guard let (p, q) = Lexer.smallValue(of: bytes) else { continue }
            fast += 1
            #expect(exact == Rational(fraction: p, q), "\(literal)")
        }
        #expect(fast > 1000)
        // Weights as people write them take the fast path; values beyond 64-bit fractions do not.
        for literal in ["0", "-0", "1", "0.5", "-0.125", "1/3", "-7/14", "1e-19", "2.5e3", "0.123456789012345", "1.50",
                        "9223372036854775807", "-9223372036854775808", "3/18446744073709551615"] {
            #expect(Lexer.smallValue(of: ArraySlice(Array(literal.utf8))) != nil, "\(literal)")
        }
        for literal in ["1e-20", "1e20", "9223372036854775808", "18446744073709551615", "1/18446744073709551616"] {
            #expect(Lexer.smallValue(of: ArraySlice(Array(literal.utf8))) == nil, "\(literal)")
        }
    }

    /// The lexer decides "exponent too large" itself (a counting pass computes no values): the same literals that
    /// Rational(literal:) refuses.
    @Test(arguments: ["1e100000", "1e100001", "1e-100000", "1e-100001", "1e000100", "1e0000100", "1e999999",
                      "1e1000000", "2.5E+100000", "2.5E+100001", "7/3", "1e5", "1.5"])
    func exponentLimitIsRationalsLimit(_ literal: String) {
        #expect(Lexer.exponentTooLarge(ArraySlice(Array(literal.utf8))) == (Rational(literal: literal) == nil))
    }

    /// Values in a loaded model are the literals' exact values, stored as compactly as ParameterArray(rationals:)
    /// would store them, whichever path each literal took.
    @Test func loadedValuesAreExact() throws {
        let literals = Self.literals.filter { Rational(literal: $0) != nil }.prefix(600)
        let width = 4, fanIn = literals.count / width
        let used = Array(literals.prefix(width * fanIn))
        let rows = (0..<width).map { i in "[" + used[(i * fanIn)..<((i + 1) * fanIn)].joined(separator: ", ") + "]" }
        let source = "input x : \(fanIn)\ndense y : \(width) linear weight [" + rows.joined(separator: ", ")
            + "] bias [" + used.prefix(width).joined(separator: ", ") + "]\n"
        let model = try #require(loaded(source))
        let expected = ParameterArray(rationals: used.map { Rational(literal: $0)! })
        let weight = try #require(model.parameters[0]?.weight)
        #expect(weight == expected)
        #expect(weight.exactValues == expected.exactValues)
        #expect(model.parameters[0]?.bias.exactValues == used.prefix(width).map { Rational(literal: $0)! })
    }
}

@Suite struct UTF8CheckTests {
    @Test func agreesWithTheStandardLibrary() {
        var rng = Xoshiro256(seed: 77)
        var samples: [[UInt8]] = [[], [0x41], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],
                                  [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0x80], [0xE2, 0x82]]
        // Every lead byte with second bytes at the edges of the allowed ranges, with and without a third and fourth.
        for lead in 0xC0...0xFF {
            for second in [0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0] {
                samples.append([UInt8(lead), UInt8(second)])
                samples.append([UInt8(lead), UInt8(second), 0x80])
                samples.append([UInt8(lead), UInt8(second), 0x80, 0x80])
                samples.append([UInt8(lead), UInt8(second), 0x80, 0x41])
            }
        }
        let text = Array("ascii text, then é, € and 😀; more ascii to cross eight-byte blocks.".utf8)
        for _ in 0..<3000 {
            var bytes = text
            for _ in 0..<rng.index(below: 3) {
                bytes[rng.index(below: bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
            }
            samples.append(Array(bytes.prefix(rng.index(below: bytes.count + 1))))
        }
        for bytes in samples {
            #expect(ModelLoader.isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}

@Suite struct ErrorLimitTests {
    /// The parser's limit counts lexical errors anywhere in the file: 5 of them at the end leave room for 15 syntax
    /// errors before it, as when the lexer ran over the whole file first.
    @Test func lexicalErrorsAfterTheStopCountTowardsTheLimit() {
        let found = diagnostics(of: String(repeating: "input x 1\n", count: 19) + "@@@@@")
        #expect(found.map(\.code.rawValue) == Array(repeating: "E0104", count: 15) + Array(repeating: "E0101", count: 5) + ["E0107"])
        let before = diagnostics(of: "@@@@@" + String(repeating: "input x 1\n", count: 19))
        #expect(before.map(\.code.rawValue) == Array(repeating: "E0101", count: 5) + Array(repeating: "E0104", count: 15) + ["E0107"])
        // Below the limit everything is reported, once.
        let few = diagnostics(of: String(repeating: "input x 1\n", count: 10) + "@@@@@")
        #expect(few.map(\.code.rawValue) == Array(repeating: "E0104", count: 10) + Array(repeating: "E0101", count: 5))
    }

    /// Lowering keeps only the diagnostics that can be printed, but counts them all.
    @Test func raggedRowsBeyondTheLimitAreCounted() {
        let found = diagnostics(of: "input x : 2\ndense y : 60 linear weight [" + String(repeating: "[1],[1,1],", count: 30) + "] bias none\n")
        #expect(found.map(\.code.rawValue) == Array(repeating: "E0211", count: 20) + ["E0107"])
        #expect(found.first?.message == "row 1 of the weight of layer 'y' has 1 entry, expected 2")
        #expect(found[19].message == "row 39 of the weight of layer 'y' has 1 entry, expected 2")
        // More than a thousand: the kept list is trimmed as it grows, and the first twenty are still the first.
        let many = diagnostics(of: "input x : 2\n" + (0..<1500).map { "dense h\($0) : 2 tanh\n" }.joined())
        #expect(many.count == 21 && many.last?.code == "E0107")
        #expect(many.first?.message == "layer 'h0' has no weight and no bias")
        #expect(many[19].message == "layer 'h19' has no weight and no bias")
    }
}

@Suite struct LongTextTests {
    /// A message quotes at most 60 characters of a name, path or literal: a 1 MB name makes a short diagnostic.
    @Test func messagesQuoteAtMostAWindowOfSource() {
        let long = String(repeating: "a", count: 1 << 20)
        let cases = [
            "input x : 1\ndense \(long) : 1 tahn\n",
            "input x : 1\nparameters \"\(long)\"\ndense y : 1 linear\n",
            "\(long)",
            "input x : 1\ndense y : 1 linear weight [[1\(long)]] bias [0]\n",
            "input x : 1 '\(long)'",
        ]
        for source in cases {
            let found = diagnostics(of: source)
            #expect(!found.isEmpty)
            let rendered = found.map { DiagnosticRenderer.render($0) }.joined(separator: "\n")
            #expect(rendered.utf8.count < 2000, "\(rendered.prefix(300))")
        }
        #expect(Diagnostic.quoted(long) == String(repeating: "a", count: 60) + "...")
        #expect(Diagnostic.quoted("tahn") == "tahn")
        #expect(Diagnostic.quoted(String(repeating: "日", count: 60)) == String(repeating: "日", count: 60))
    }
}
