// `nnfeyn born iterate --quick` through the real binary: the files it writes, its progress and summary, and that a
// run killed in the middle keeps every finished iteration (networks loadable by 'nnfeyn expand', a report.json of
// what is finished).
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct BornIterateCLITests {
    @Test func quickRunWritesItsFilesProgressAndSummary() throws {
        let directory = try temporaryDirectory("nnfeyn-iterate-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try runNNFeyn(["born", "iterate", "--quick", "--out", directory.path])
        try #require(run.exitCode == 0, "\(run.stderr)")
        var expected = (1...3).map { "iteration\($0).nn" } + ["report.json", "report.tex"]
        if toolExists("pdflatex") { expected += ["report.pdf", "fig-first-order.pdf", "fig-proxy.pdf"] }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in expected { #expect(files.contains(name), "missing \(name)") }
        // Each model's parameters are named by their content: iteration<k>.<16 hex digits>.npz.
        for k in 1...3 { #expect(files.contains { $0.hasPrefix("iteration\(k).") && $0.hasSuffix(".npz") }, "iteration \(k)") }
        // Progress on stderr (plain lines without a terminal), every finished iteration saved before the next.
        #expect(run.stderr.contains("iteration 1/3 epoch 1/80"))
        #expect(run.stderr.contains("iteration 3 done in"))
        #expect(run.stderr.contains("saved iteration 1 to") && run.stderr.contains("saved iteration 2 to"))
        #expect(!run.stderr.contains("saved iteration 3 to"), "the last iteration is saved with the report, once")
        #expect(run.stdout.contains("iteration 2: order-2 tensor relative error"))
        #expect(run.stdout.contains("proxy order 2: relative RMS vs a0"))
        let root = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("report.json"))) as? [String: Any])
        #expect((root["iterations"] as? [Any])?.count == 3)
    }

    /// Killed during iteration 2 or 3: the finished iterations' networks and a report of them are on disk.
    @Test func aKilledRunKeepsEveryFinishedIteration() throws {
        let directory = try temporaryDirectory("nnfeyn-iterate-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = Repository.binary
        // Long enough per iteration that the kill lands in a later one.
        process.arguments = ["born", "iterate", "--quick", "--epochs", "400", "--train-count", "3000", "--out", directory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let report = directory.appendingPathComponent("report.json")
        let deadline = Date().addingTimeInterval(600)
        while !FileManager.default.fileExists(atPath: report.path) && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try #require(killed, "the run finished before the first checkpoint was seen")
        #expect(process.terminationReason == .uncaughtSignal)

        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let iterations = try #require(root["iterations"] as? [[String: Any]])
        let finished = iterations.count
        #expect(finished >= 1 && finished < 3)
        #expect((root["proxy"] as? [Any])?.count == finished)
        #expect(((root["options"] as? [String: Any])?["iterations"] as? Int) == 3)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for k in 1...finished {
            #expect(files.contains("iteration\(k).nn") && files.contains { $0.hasPrefix("iteration\(k).") && $0.hasSuffix(".npz") })
            let expand = try runNNFeyn(["expand", directory.appendingPathComponent("iteration\(k).nn").path, "--order", "1",
                                        "--numeric"])
            #expect(expand.exitCode == 0, "\(expand.stderr)")
        }
        // Atomic writes: nothing half-written under a final name (at worst a hidden temporary, see Files.write).
        #expect(!files.contains("iteration3.nn"))
        #expect(files.filter { !$0.hasPrefix(".") }.allSatisfy { $0.hasPrefix("iteration") || $0 == "report.json" }, "\(files)")
    }
}
