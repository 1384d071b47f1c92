// `expand --precision` digit by digit against mpmath, and `--decimal`, through the real binary.
//
// Tests/Fixtures/mpmath holds nine models nnfeyn cannot expand exactly (tanh and sigmoid off zero, softplus(0) =
// log 2 feeding a later layer, gelu, erf, silu, exp, sin, cos, relu) and their derivatives from mpmath at 60 digits
// (scripts/mpmath_expansion_fixture.py, each value confirmed by a second run at higher precision). Every printed
// digit must equal mpmath's value rounded to the digits nnfeyn claims.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynTestSupport

struct MpmathCase: CustomTestStringConvertible, Sendable {
    var model: String
    var order: Int
    /// (output, index, derivative as a decimal string).
    var entries: [(Int, [Int], String)]
    var testDescription: String { model }

    static var directory: URL { Repository.root.appendingPathComponent("Tests/Fixtures/mpmath") }

    static func all() -> [MpmathCase] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let models = object["models"] as? [[String: Any]] else { return [] }
        return models.compactMap { m in
            guard let model = m["model"] as? String, let order = m["order"] as? Int,
                  let entries = m["entries"] as? [[String: Any]] else { return nil }
            return MpmathCase(model: model, order: order, entries: entries.compactMap { e in
                guard let o = e["output"] as? Int, let index = e["index"] as? [Int], let value = e["derivative"] as? String else { return nil }
                return (o, index, value)
            })
        }
    }
}

@Suite struct PrecisionTests {
    @Test func fixtureIsThere() {
        #expect(MpmathCase.all().count == 9)
    }

    @Test(arguments: MpmathCase.all(), [170, 300])
    func digitsAgreeWithMpmath(_ fixture: MpmathCase, bits: Int) throws {
        let path = MpmathCase.directory.appendingPathComponent(fixture.model).path
        let run = try runNNFeyn(["expand", path, "--order", "\(fixture.order)", "--precision", "\(bits)", "--format", "json"])
        try #require(run.exitCode == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["mode"] as? String == "multiprecision")
        let precision = try #require(object["precision"] as? [String: Any])
        let digits = try #require(precision["digits"] as? Int)
        #expect(digits == Int((Double(bits) * log10(2.0)).rounded(.down)))
        #expect(precision["unconfirmed"] as? Int == 0)
        // The fixture has 60 digits: enough to judge up to 55 printed ones.
        let compared = min(digits, 55)
        var printed: [String: String] = [:]
        for order in try #require(object["orders"] as? [[String: Any]]) {
            for e in try #require(order["entries"] as? [[String: Any]]) {
                let output = try #require(e["output"] as? Int), index = try #require(e["index"] as? [Int])
                printed["\(output) \(index)"] = try #require(e["derivative"] as? String)
            }
        }
        #expect(printed.count == fixture.entries.count)
        for (output, index, expected) in fixture.entries {
            let ours = try #require(printed["\(output) \(index)"], "missing \(output) \(index)")
            let reference = try #require(BigFloat(expected, precision: 400))
            if expected == "0" {
                #expect(ours == "0", "\(fixture.model) \(output) \(index): \(ours), mpmath 0")
                continue
            }
            let mine = try #require(BigFloat(ours, precision: 400))
            // Every digit: our value and mpmath's, both rounded to the compared digits, are the same string.
            #expect(mine.text(significantDigits: compared) == reference.text(significantDigits: compared),
                    "\(fixture.model) \(output) \(index): \(ours) vs mpmath \(expected)")
            #expect(ours.filter(\.isNumber).count <= digits + 3)
        }
    }

    @Test func textPrintsTheConfirmedDigits() throws {
        let path = MpmathCase.directory.appendingPathComponent("softplus_log2.nn").path
        let run = try runNNFeyn(["expand", path, "--order", "1", "--precision", "100"])
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("mode     multiprecision\nprecision 100 bits: every value to 30 significant digits ("))
        // y = 3/2 tanh(log 2 - (log 2) / 2 - 1/3) at the origin, to 30 digits (mpmath).
        #expect(run.stdout.contains("order 0:  0.0198592249636556493914006505037\n"))
    }

    @Test func precisionConflictsWithOtherArithmetic() throws {
        let run = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--precision", "100", "--exact"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("choose one of --exact, --numeric and --precision"))
        let low = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--precision", "1"])
        #expect(low.exitCode == 1 && low.stderr.contains("--precision takes a number of bits"))
    }

    @Test func exactValuesAgreeWithThePrecisionPath() throws {
        // toy.nn is exact at the origin: --precision must print the fractions' correctly rounded decimals.
        let exact = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "6", "--format", "json", "--decimal", "45"])
        let mp = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "6", "--format", "json", "--precision", "150"])
        try #require(exact.exitCode == 0 && mp.exitCode == 0, "\(exact.stderr)\(mp.stderr)")
        func entries(_ text: String) throws -> [[String: Any]] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return try #require(object["orders"] as? [[String: Any]]).flatMap { ($0["entries"] as? [[String: Any]]) ?? [] }
        }
        let a = try entries(exact.stdout), b = try entries(mp.stdout)
        #expect(a.count == b.count && a.count == 28)
        for (x, y) in zip(a, b) {
            let decimal = try #require(x["decimal"] as? [String: String])
            let fractionText = try #require(x["coefficient"] as? String)
            let fraction = try #require(Rational(fractionString: fractionText))
            #expect(decimal["coefficient"] == fraction.decimalText(significantDigits: 45))
            #expect(decimal["coefficient"] == y["coefficient"] as? String)
            #expect(decimal["derivative"] == y["derivative"] as? String)
        }
    }

    @Test func decimalTextSitsBesideFractions() throws {
        let run = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "2", "--decimal", "6"])
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("order 0:  1/4 (0.25)\n"))
        #expect(run.stdout.contains("order 2:  -139/128 (1.08594) x0^2 - 129/32 (4.03125) x0 x1 - 3/32 (0.09375) x1^2\n"))
    }
}
