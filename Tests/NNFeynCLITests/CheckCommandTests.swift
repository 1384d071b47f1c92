// `nnfeyn check` through the binary: every shipped example at order 20 and toy.nn at order 30 pass without
// 'unsure' (the finite differences in doubles failed most of them), a perturbed saved expansion fails, and bad
// expansion files are diagnosed.
import Foundation
import Testing
import NNFeynTestSupport

@Suite struct CheckCommandTests {
    @Test(arguments: ExampleModel.all())
    func shippedExamplesPassAtOrder20(_ model: ExampleModel) throws {
        // wide_input.nn (6 inputs) exceeds the default size limit from order 18 on, and its numeric expansion alone
        // takes seconds in a debug build from order 12: check it at 10 here (docs/check.md has it at 17, the highest
        // order the limit admits).
        let order = model.path.hasSuffix("wide_input.nn") ? 10 : 20
        let run = try runNNFeyn(["check", model.path, "--order", "\(order)"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("unsure") && !run.stdout.contains("FAIL"), "\(run.stdout)")
        #expect(run.stdout.components(separatedBy: "\n").filter { $0.hasSuffix("  ok") }.count == order + 1)
    }

    @Test func toyPassesAtOrder30() throws {
        let run = try runNNFeyn(["check", "grammar/examples/toy.nn", "--order", "30"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "\n").filter { $0.hasSuffix("  ok") }.count == 31)
    }

    @Test func aPerturbedSavedExpansionFails() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-check-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = "grammar/examples/softplus_gelu.nn"
        let expand = try runNNFeyn(["expand", model, "--order", "6", "--format", "json", "-o", scratch.path])
        try #require(expand.exitCode == 0)
        #expect(try runNNFeyn(["check", model, "--order", "6", "--expansion", scratch.path]).exitCode == 0)
        // d^4 y / dx0^2 dx1^2 times 1 + 1e-8.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: scratch)) as? [String: Any])
        var orders = try #require(document["orders"] as? [[String: Any]])
        var entries = try #require(orders[4]["entries"] as? [[String: Any]])
        let position = try #require(entries.firstIndex { ($0["index"] as? [Int]) == [0, 0, 1, 1] })
        for key in ["coefficient", "derivative"] {
            entries[position][key] = try #require(entries[position][key] as? Double) * (1 + 1e-8)
        }
        orders[4]["entries"] = entries
        document["orders"] = orders
        try JSONSerialization.data(withJSONObject: document).write(to: scratch)
        let run = try runNNFeyn(["check", model, "--order", "6", "--expansion", scratch.path])
        #expect(run.exitCode == 2)
        #expect(run.stdout.contains("order 4 FAIL at d^4 y / dx0^2 dx1^2: expansion "))
        #expect(run.stdout.components(separatedBy: "\n").filter { $0.hasSuffix("  FAIL") }.map { $0.prefix(2) } == ["4 "])
    }

    @Test(arguments: [["--exact"], ["--numeric"], ["--precision", "150"]])
    func savedExpansionsOfEveryArithmeticPass(_ arithmetic: [String]) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-check-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = "grammar/examples/toy.nn"
        try #require(try runNNFeyn(["expand", model, "--order", "8", "--format", "json", "-o", scratch.path] + arithmetic).exitCode == 0)
        let run = try runNNFeyn(["check", model, "--order", "8", "--expansion", scratch.path])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let kind = arithmetic == ["--exact"] ? "exact" : (arithmetic == ["--numeric"] ? "numeric" : "multiprecision (150 bits)")
        #expect(run.stdout.contains("mode     \(kind) (from "))
        #expect(run.stdout.components(separatedBy: "\n").filter { $0.hasSuffix("  ok") }.count == 9)
    }

    @Test func expansionFilesMustFitTheModel() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-check-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try #require(try runNNFeyn(["expand", "grammar/examples/toy.nn", "--order", "3", "--format", "json", "-o", scratch.path]).exitCode == 0)
        let higher = try runNNFeyn(["check", "grammar/examples/toy.nn", "--order", "4", "--expansion", scratch.path])
        #expect(higher.exitCode == 1 && higher.stderr.contains("error[E0231]") && higher.stderr.contains("stops below order 4"))
        let other = try runNNFeyn(["check", "grammar/examples/poly.nn", "--order", "3", "--expansion", scratch.path])
        #expect(other.exitCode == 1 && other.stderr.contains("another point"))
        let both = try runNNFeyn(["check", "grammar/examples/toy.nn", "--order", "3", "--expansion", scratch.path, "--numeric"])
        #expect(both.exitCode == 1 && both.stderr.contains("--expansion takes the arithmetic from the file"))
    }

    @Test func precisionExpansionsAreCheckedToTheirPrecision() throws {
        let run = try runNNFeyn(["check", "grammar/examples/softplus_gelu.nn", "--order", "8", "--precision", "200"])
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("mode     multiprecision (200 bits)"))
        #expect(run.stdout.contains("  1.59e-58   ok")) // 2^-(200 - 8)
    }
}
