// Files nnfeyn writes are replaced whole or not at all: a write that fails part-way (here: a file-size limit, as a
// full disk would) leaves the previous file, and a killed training run never leaves a truncated model behind.
import Foundation
import NNFeynTestSupport
import Testing

@Suite(.serialized) struct SafeWriteTests {
    /// Runs nnfeyn under `ulimit -f` (1 KiB) with SIGXFSZ ignored, so writes past the limit fail with EFBIG.
    func runWithFileSizeLimit(_ arguments: [String], in directory: URL) throws -> CommandResult {
        let command = "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\""
        return try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", command, Repository.binary.path] + arguments,
                              in: directory, environment: ["OPENBLAS_NUM_THREADS": "1"])
    }

    @Test func aFailedWriteKeepsThePreviousOutput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out.txt")
        try Data("previous\n".utf8).write(to: out)
        let toy = Repository.examplePath("toy.nn")
        let result = try runWithFileSizeLimit(["expand", toy, "--order", "12", "-o", "out.txt"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.hasPrefix("error[E0225]: cannot write 'out.txt': File too large"))
        #expect(try String(contentsOf: out, encoding: .utf8) == "previous\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.txt"])
        // Within the limit the same command replaces the file.
        let small = try runWithFileSizeLimit(["expand", toy, "--order", "1", "-o", "out.txt"], in: directory)
        #expect(small.exitCode == 0)
        #expect(try String(contentsOf: out, encoding: .utf8).hasPrefix("network  toy"))
    }

    /// The parameters file a written model names.
    func parametersName(of model: URL) throws -> String {
        let text = try String(contentsOf: model, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("parameters \"") })
        return String(line.dropFirst("parameters \"".count).dropLast())
    }

    @Test func aFailedTrainingWriteKeepsThePreviousModelAndItsParameters() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Repository.root.appendingPathComponent("golden/inputs/train_model.nn").path
        let data = Repository.root.appendingPathComponent("golden/inputs/train_data.npz").path
        let first = try runNNFeyn(["train", model, "--data", data, "--epochs", "2", "-o", "trained.nn"], in: directory)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let parameters = try parametersName(of: directory.appendingPathComponent("trained.nn"))
        #expect(parameters.hasPrefix("trained.") && parameters.hasSuffix(".npz") && parameters.count == "trained.".count + 16 + 4)
        let before = try ["trained.nn", parameters].map { try Data(contentsOf: directory.appendingPathComponent($0)) }
        // A wider network's parameters pass the 1 KiB limit: the write fails, and neither file changes.
        let wide = directory.appendingPathComponent("wide.nn")
        try Data("input U : 2\ndense h : 64 tanh\ndense a0 : 1 linear\n".utf8).write(to: wide)
        let failed = try runWithFileSizeLimit(["train", wide.path, "--data", data, "--epochs", "2", "-o", "trained.nn"],
                                              in: directory)
        #expect(failed.exitCode == 1)
        #expect(failed.stderr.contains("error[E0225]"))
        let after = try ["trained.nn", parameters].map { try Data(contentsOf: directory.appendingPathComponent($0)) }
        #expect(after == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                == ["trained.log.json", "trained.nn", parameters, "wide.nn"].sorted())
    }

    @Test func retrainingReplacesThePairAndRemovesOnlyItsOwnOldParameters() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Repository.root.appendingPathComponent("golden/inputs/train_model.nn").path
        let data = Repository.root.appendingPathComponent("golden/inputs/train_data.npz").path
        let wide = directory.appendingPathComponent("wide.nn")
        try Data("input U : 2\ndense h : 6 tanh\ndense a0 : 1 linear\n".utf8).write(to: wide)
        // A file of the user's that only looks related is never touched.
        try Data("mine".utf8).write(to: directory.appendingPathComponent("trained.backup.npz"))
        var names: [String] = []
        for source in [model, wide.path, model] {
            let run = try runNNFeyn(["train", source, "--data", data, "--epochs", "2", "-o", "trained.nn"], in: directory)
            try #require(run.exitCode == 0, "\(run.stderr)")
            names.append(try parametersName(of: directory.appendingPathComponent("trained.nn")))
            let archives = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".npz") }.sorted()
            #expect(archives == [names.last!, "trained.backup.npz"].sorted())
            #expect(try runNNFeyn(["expand", "trained.nn", "--order", "1"], in: directory).exitCode == 0)
        }
        // Different networks, different names; the same seed and network, the same bytes and the same name.
        #expect(names[0] != names[1] && names[0] == names[2])
    }

    @Test func killedTrainingRunsLeaveCompleteFilesOrNone() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Repository.root.appendingPathComponent("golden/inputs/train_model.nn").path
        let data = Repository.root.appendingPathComponent("golden/inputs/train_data.npz").path
        // Alternating architectures: a model beside another run's parameters would fail to load.
        let wide = directory.appendingPathComponent("wide.nn")
        try Data("input U : 2\ndense h : 7 tanh\ndense a0 : 1 linear\n".utf8).write(to: wide)
        var generator = SystemRandomNumberGenerator()
        for round in 0..<8 {
            let process = Process()
            process.executableURL = Repository.binary
            process.arguments = ["train", round % 2 == 0 ? model : wide.path, "--data", data, "--epochs", "300", "--batch", "4",
                                 "-o", "trained.nn"]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Whatever the moment of the kill: either no model yet, or a model that loads with its parameters.
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            if files.contains("trained.nn") {
                let check = try runNNFeyn(["expand", "trained.nn", "--order", "1"], in: directory)
                #expect(check.exitCode == 0, "round \(round): \(check.stderr)")
            }
        }
    }
}
