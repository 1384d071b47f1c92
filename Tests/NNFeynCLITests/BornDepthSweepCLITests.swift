// `nnfeyn born depth-sweep --quick` through the real binary: the files it writes, report.json's structure, the
// physics a sweep must show even at this size (the order-2 tensor and the residual after one order improve as the
// depth grows), and the report's tensor error recomputed independently from the written network (`nnfeyn expand`)
// and the Born tensors (`nnfeyn born kernels`).
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct BornDepthSweepCLITests {
    @Test func quickSweepWritesItsFilesAndShowsOrdersAppearing() throws {
        let directory = try temporaryDirectory("nnfeyn-depth-sweep")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try runNNFeyn(["born", "depth-sweep", "--quick", "--out", directory.path])
        try #require(run.exitCode == 0, "\(run.stderr)")
        let depths = [0.01, 0.03, 0.1, 0.3, 1.0, 2.0]
        var expected = depths.map { "depth-\($0).nn" } + ["report.json", "report.tex", "fig-depth-sweep.tex"]
        if toolExists("pdflatex") { expected += ["report.pdf", "fig-depth-sweep.pdf"] }
        if toolExists("pdflatex") && toolExists("pdftoppm") { expected.append("fig-depth-sweep.png") }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in expected { #expect(files.contains(name), "missing \(name)") }
        // Each model's parameters are named by their content: depth-<D>.<16 hex digits>.npz.
        for depth in depths { #expect(files.contains { $0.hasPrefix("depth-\(depth).") && $0.hasSuffix(".npz") && $0.count == "depth-\(depth).".count + 20 }) }
        // Progress on stderr, and every depth but the last saved as soon as it is finished (a killed run keeps it).
        #expect(run.stderr.contains("depth 0.01 done in"))
        for depth in depths.dropLast() { #expect(run.stderr.contains("saved depth \(depth) to"), "depth \(depth)") }
        #expect(!run.stderr.contains("saved depth 2.0 to"))

        let data = try Data(contentsOf: directory.appendingPathComponent("report.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root.keys.sorted() == ["born_kernel_norms", "depths", "options", "schema"])
        #expect(root["schema"] as? String == "nnfeyn.born.depth-sweep/1")
        let options = try #require(root["options"] as? [String: Any])
        #expect(options["depths"] as? [Double] == depths)
        #expect(options["orders"] as? Int == 4)
        #expect((root["born_kernel_norms"] as? [Double])?.count == 4)
        let records = try #require(root["depths"] as? [[String: Any]])
        #expect(records.map { $0["depth"] as? Double } == depths)
        #expect(records.first?.keys.sorted() == ["depth", "network", "residuals", "tensors", "test_relative_rms", "training"])
        func tensorError(_ record: [String: Any], order k: Int) throws -> Double {
            let tensors = try #require(record["tensors"] as? [[String: Any]])
            #expect(tensors.map { $0["order"] as? Int } == [1, 2, 3, 4])
            return try #require(tensors[k - 1]["relative_error"] as? Double)
        }
        func residualDifference(_ record: [String: Any], order k: Int) throws -> Double {
            let residuals = try #require(record["residuals"] as? [[String: Any]])
            #expect(residuals.map { $0["order"] as? Int } == [0, 1, 2, 3, 4])
            return try #require(residuals[k]["relative_difference"] as? Double)
        }
        // At this size (2000 wells, 40 epochs, 6 -> 16 -> 1) every depth gives the first-order kernel within 13-14%
        // and the order-2 error falls from 5e2 at D = 0.01 to 3 at D = 2: the bounds leave room, the trend is the point.
        for record in records { #expect(try tensorError(record, order: 1) < 0.3) }
        let order2 = try records.map { try tensorError($0, order: 2) }
        #expect(order2.last! < order2.first! / 20, "order-2 errors by depth \(order2)")
        let residual1 = try records.map { try residualDifference($0, order: 1) }
        #expect(residual1.last! < residual1.first! / 20, "residual differences after one order by depth \(residual1)")

        // The order-2 error of the depth-1 network, recomputed from its file and the Born tensors by other commands.
        let expand = try runNNFeyn(["expand", directory.appendingPathComponent("depth-1.0.nn").path, "--order", "2",
                                    "--numeric", "--format", "json"])
        try #require(expand.exitCode == 0, "\(expand.stderr)")
        let kernels = try runNNFeyn(["born", "kernels", "--steps", "6", "--order", "2"])
        try #require(kernels.exitCode == 0, "\(kernels.stderr)")
        func entries(_ text: String, order k: Int) throws -> [[Int]: Double] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let orders = try #require(object["orders"] as? [[String: Any]])
            let entries = try #require(orders.first { $0["order"] as? Int == k }?["entries"] as? [[String: Any]])
            var result: [[Int]: Double] = [:]
            for e in entries {
                result[try #require(e["index"] as? [Int])] = try #require((e["derivative"] ?? e["value"]) as? Double)
            }
            return result
        }
        let learned = try entries(expand.stdout, order: 2), born = try entries(kernels.stdout, order: 2)
        #expect(learned.count == 21 && Set(learned.keys) == Set(born.keys))
        // Dense Frobenius norms from packed entries: an off-diagonal entry stands for two permutations.
        var difference = 0.0, norm = 0.0
        for (index, value) in born {
            let permutations = index[0] == index[1] ? 1.0 : 2.0
            difference += permutations * (learned[index]! - value) * (learned[index]! - value)
            norm += permutations * value * value
        }
        let recomputed = (difference / norm).squareRoot()
        let reported = try tensorError(records[4], order: 2)
        #expect(abs(recomputed - reported) <= 1e-9 * reported, "recomputed \(recomputed), reported \(reported)")
    }

    @Test func badDepthsAreUsageErrors() throws {
        for depths in ["0.1,0.1", "1,-2", "x", "0.3,0.1"] {
            let run = try runNNFeyn(["born", "depth-sweep", "--depths", depths, "--out", "/tmp/nnfeyn-depth-sweep-unused"])
            #expect(run.exitCode == 1)
            #expect(run.stderr.hasPrefix("error[E0108]: --depths"), "\(depths): \(run.stderr)")
        }
    }
}
