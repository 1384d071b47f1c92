// `nnfeyn qft` end to end through the binary: every command's --quick form, shards run concurrently by xargs -P and
// merged into exactly the single run, and the coded errors.
import Foundation
import NNFeynTestSupport
import Testing

@Suite(.serialized) struct QFTCommandTests {
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-qft-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func json(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The quick run of each activation: report.json in schema nnfeyn.qft/1 with m2, m4, m6 per width, the slopes,
    /// and the figure compiled when pdflatex is installed. Timed: the goal is under a minute.
    @Test(arguments: ["relu", "erf", "gauss"])
    func quickRunWritesTheReport(activation: String) throws {
        let dir = try Self.scratch("run-\(activation)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        let result = try runNNFeyn(["qft", "run", "--activation", activation, "--quick", "--out", dir.path])
        let seconds = Date().timeIntervalSince(start)
        print("qft run --activation \(activation) --quick took \(String(format: "%.1f", seconds)) s")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(seconds < 60)
        let report = try Self.json(dir.appendingPathComponent("report.json"))
        #expect(report["schema"] as? String == "nnfeyn.qft/1")
        #expect(report["command"] as? String == "run")
        let widths = try #require(report["widths"] as? [[String: Any]])
        #expect(widths.map { $0["width"] as? Int } == [2, 3, 5, 10, 20])
        for w in widths {
            for key in ["m2", "m4", "m6"] {
                let m = try #require(w[key] as? [String: Any], "\(key)")
                #expect(m["value"] is Double && m["background"] is Double && m["stderr"] is Double && m["exact"] is Double)
            }
        }
        let slopes = try #require(report["slopes"] as? [String: Any])
        #expect((slopes["m4"] as? [String: Any])?["slope"] is Double)
        #expect(result.stdout.contains("slope of log m4 against log N"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("accumulators.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fig-mn.tex").path))
    }

    /// Four shards run concurrently through xargs -P 4, merged, equal the single run: report.json byte for byte.
    @Test func fourShardsThroughXargsMergeIntoTheSingleRun() throws {
        let dir = try Self.scratch("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["qft", "run", "--activation", "erf", "--quick", "--models", "3000", "--seed", "7", "--no-figures", "--threads", "1"]
        let single = try runNNFeyn(common + ["--out", dir.appendingPathComponent("single").path])
        #expect(single.exitCode == 0, "\(single.stderr)")
        let binary = Repository.binary.path
        let script = "printf '0\\n1\\n2\\n3\\n' | xargs -P 4 -I{} '\(binary)' " + common.joined(separator: " ")
            + " --shard {}/4 --out '\(dir.path)/shard{}'"
        let sharded = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script], in: dir,
                                     environment: ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { $1 })
        #expect(sharded.exitCode == 0, "\(sharded.stderr)")
        let merged = try runNNFeyn(["qft", "merge", "--no-figures", "--out", dir.appendingPathComponent("merged").path]
                                   + (0..<4).map { dir.appendingPathComponent("shard\($0)").path })
        #expect(merged.exitCode == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("(complete)"))
        let a = try Data(contentsOf: dir.appendingPathComponent("single/report.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("merged/report.json"))
        #expect(a == b, "the merged report differs from the single run's")
        // A partial merge is reported as incomplete; merging a shard twice is refused with E0506.
        let partial = try runNNFeyn(["qft", "merge", "--no-figures", "--out", dir.appendingPathComponent("partial").path,
                                     dir.appendingPathComponent("shard0").path, dir.appendingPathComponent("shard2").path])
        #expect(partial.exitCode == 0 && partial.stdout.contains("incomplete"))
        let twice = try runNNFeyn(["qft", "merge", "--no-figures", "--out", dir.appendingPathComponent("twice").path,
                                   dir.appendingPathComponent("shard1").path, dir.appendingPathComponent("shard1").path])
        #expect(twice.exitCode == 1 && twice.stderr.contains("error[E0506]"))
        let foreign = try runNNFeyn(["qft", "merge", "--no-figures", "--out", dir.appendingPathComponent("foreign").path,
                                     dir.appendingPathComponent("shard1").path, dir.appendingPathComponent("single").path])
        #expect(foreign.exitCode == 1 && foreign.stderr.contains("error[E0506]"))
    }

    /// `qft theory` for the ReLU-net: N m4 = 5 at every width, the m4 slope exactly -1, the coefficient 5.
    @Test func theoryReproducesTheExactNumbers() throws {
        let dir = try Self.scratch("theory")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runNNFeyn(["qft", "theory", "--activation", "relu", "--no-figures", "--out", dir.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let report = try Self.json(dir.appendingPathComponent("report.json"))
        for w in try #require(report["widths"] as? [[String: Any]]) {
            let n = try #require(w["width"] as? Int)
            let m4 = try #require((w["m4"] as? [String: Any])?["exact"] as? Double)
            #expect(abs(Double(n) * m4 - 5) < 1e-6 * 5)
        }
        let slope = try #require(((report["slopes"] as? [String: Any])?["m4"] as? [String: Any])?["exact"] as? Double)
        #expect(abs(slope + 1) < 1e-6)
    }

    /// The other commands' quick forms run, write their sections, and their figures compile (when pdflatex is
    /// installed; depth with a width of 100 exercises the log-axis tick labels).
    @Test(arguments: [(["rg", "--activation", "relu"], "rg"), (["sixpt", "--activation", "relu"], "sixpt"),
                      (["fit", "--activation", "relu"], "fit"), (["derivs", "--activation", "erf", "--order", "2"], "derivs"),
                      (["depth", "--activation", "relu", "--widths", "5,100", "--models", "400"], "depth")])
    func quickCommandsWriteTheirSections(arguments: [String], section: String) throws {
        let dir = try Self.scratch(section)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runNNFeyn(["qft"] + arguments + ["--quick", "--out", dir.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let report = try Self.json(dir.appendingPathComponent("report.json"))
        #expect(report["schema"] as? String == "nnfeyn.qft/1")
        #expect(report[section] is [String: Any], "section \(section)")
        let figure = section == "derivs" ? "fig-derivs" : "fig-\(section)"
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(figure + ".tex").path))
        let hasLaTeX = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/pdflatex")
        }
        if hasLaTeX {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(figure + ".pdf").path), "\(result.stderr)")
            #expect(!result.stderr.contains("pdflatex failed"), "\(result.stderr)")
        }
        if section == "rg" {
            let rg = try #require(report["rg"] as? [String: Any])
            let slope = try #require((rg["slope"] as? [String: Any])?["exact"] as? Double)
            #expect(abs(slope + 5) < 1e-9)
            #expect(abs(try #require((rg["slope"] as? [String: Any])?["slope"] as? Double) + 5) < 1e-9)
        }
    }

    @Test func badArgumentsAreCodedUsageErrors() throws {
        let dir = try Self.scratch("errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        for arguments in [["qft", "run", "--activation", "relu", "--shard", "4/4"], ["qft", "run", "--activation", "relu", "--shard", "x"],
                          ["qft", "run", "--activation", "gauss", "--depth", "2"], ["qft", "run", "--activation", "relu", "--npt", "3"],
                          ["qft", "rg", "--activation", "erf", "--cutoffs", "inf"], ["qft", "derivs", "--activation", "gauss", "--order", "2"]] {
            let result = try runNNFeyn(arguments + ["--out", dir.path])
            #expect(result.exitCode == 1, "\(arguments)")
            #expect(result.stderr.contains("error[E0108]"), "\(arguments): \(result.stderr)")
        }
        let unknown = try runNNFeyn(["qft", "run", "--activation", "tanh", "--out", dir.path])
        #expect(unknown.exitCode == 1 && unknown.stderr.contains("error[E0108]"))
    }
}
