// The JSON contract of `nnfeyn expand`, checked on every example through the real binary: schema and header fields,
// every non-decreasing multi-index of every order exactly once per output, and coefficient = derivative / alpha!.
import Foundation
import NNFeynTestSupport
import Testing
import NNFeynAlgebra

struct ExampleModel: CustomTestStringConvertible, Sendable {
    var path: String
    var testDescription: String { path }

    static func all() -> [ExampleModel] {
        let dir = Repository.root.appendingPathComponent("grammar/examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".nn") }.sorted().map { ExampleModel(path: "grammar/examples/" + $0) }
    }
}

/// Number of non-decreasing index lists of length k over d values: C(d + k - 1, k).
func multichoose(_ d: Int, _ k: Int) -> Int {
    var result = 1
    for i in 0..<k { result = result * (d + i) / (i + 1) }
    return result
}

@Suite struct ExpandJSONTests {
    @Test(arguments: ExampleModel.all())
    func jsonIsCompleteAndConsistent(_ model: ExampleModel) throws {
        let order = 3
        let run = try runNNFeyn(["expand", model.path, "--order", "\(order)", "--format", "json"])
        try #require(run.exitCode == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "nnfeyn.expansion/1")
        let mode = try #require(object["mode"] as? String)
        #expect(mode == "exact" || mode == "numeric")
        let input = try #require(object["input"] as? [String: Any])
        let d = try #require(input["dimension"] as? Int)
        let outputs = try #require(object["outputs"] as? Int)
        #expect((object["point"] as? [String])?.count == d)
        let orders = try #require(object["orders"] as? [[String: Any]])
        #expect(orders.map { $0["order"] as? Int } == Array(0...order))
        for entry in orders {
            let k = try #require(entry["order"] as? Int)
            let entries = try #require(entry["entries"] as? [[String: Any]])
            #expect(entries.count == multichoose(d, k) * outputs, "order \(k) of \(model.path)")
            var seen = Set<[Int]>()
            for e in entries {
                let index = try #require(e["index"] as? [Int])
                let output = try #require(e["output"] as? Int)
                #expect(index.count == k && index == index.sorted() && index.allSatisfy { (0..<d).contains($0) })
                #expect(seen.insert([output] + index).inserted, "duplicate entry \(output) \(index)")
                // alpha! = product of the factorials of the multiplicities.
                var factorial = 1, run = 0, previous = -1
                for i in index { run = i == previous ? run + 1 : 1; previous = i; factorial *= run }
                if mode == "exact" {
                    let derivativeText = try #require(e["derivative"] as? String)
                    let coefficientText = try #require(e["coefficient"] as? String)
                    let derivative = try #require(Rational(fractionString: derivativeText))
                    let coefficient = try #require(Rational(fractionString: coefficientText))
                    #expect(coefficient * Rational(factorial) == derivative)
                } else {
                    let derivative = try #require(e["derivative"] as? Double)
                    let coefficient = try #require(e["coefficient"] as? Double)
                    #expect(abs(coefficient * Double(factorial) - derivative) <= 1e-12 * max(1, abs(derivative)))
                }
            }
        }
    }

    @Test func exactAndNumericAgreeOnTheToyModel() throws {
        let exact = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "4", "--format", "json", "--exact"])
        let numeric = try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "4", "--format", "json", "--numeric"])
        func derivatives(_ text: String) throws -> [Double] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let orders = try #require(object["orders"] as? [[String: Any]])
            var values: [Double] = []
            for order in orders {
                let entries = try #require(order["entries"] as? [[String: Any]])
                for e in entries {
                    if let s = e["derivative"] as? String {
                        let value = try #require(Rational(fractionString: s))
                        values.append(value.doubleValue)
                    } else {
                        values.append(try #require(e["derivative"] as? Double))
                    }
                }
            }
            return values
        }
        let a = try derivatives(exact.stdout), b = try derivatives(numeric.stdout)
        #expect(a.count == b.count && a.count > 0)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-12 * max(1, abs(x))) }
    }
}
