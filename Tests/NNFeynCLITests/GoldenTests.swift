// Golden tests: each folder under golden/ is one CLI run. Adding a test means adding a folder:
//   golden/<case>/args       the arguments, one per line, run from the repository root
//   golden/<case>/stdout     expected standard output
//   golden/<case>/stderr     expected standard error (optional; absent means "must be empty")
//   golden/<case>/exit       expected exit code (optional; absent means 0)
// Set NNFEYN_RECORD=1 to re-record (never under CI); a recording run always fails, so it can't pass by accident.
// Read the diff and commit it with the change that caused it.
import Foundation
import Testing

enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var goldenDirectory: URL { root.appendingPathComponent("golden") }

    /// The nnfeyn binary: $NNFEYN_BIN, else the debug build in .build.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["NNFEYN_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent(".build/debug/nnfeyn")
    }

    static var recording: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["NNFEYN_RECORD"] == "1" && env["CI"] == nil
    }
}

struct CommandResult {
    var stdout: String
    var stderr: String
    var exitCode: Int32
}

/// Runs nnfeyn with arguments from the repository root, one BLAS thread, no terminal.
func runNNFeyn(_ arguments: [String], in directory: URL = Repository.root, environment extra: [String: String] = [:]) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["NO_COLOR"] = "1"
    for (k, v) in extra { environment[k] = v }
    return try runProcess(Repository.binary, arguments, in: directory, environment: environment)
}

/// Runs a program with no standard input and captures its output. Files rather than pipes: no dead-lock on large
/// output, no shared mutable state between threads.
func runProcess(_ executable: URL, _ arguments: [String], in directory: URL,
                environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
    return CommandResult(stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                         exitCode: process.terminationStatus)
}

struct GoldenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var directory: URL
    var testDescription: String { name }

    static func all() -> [GoldenCase] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: Repository.goldenDirectory.path) else { return [] }
        return names.sorted().compactMap { name in
            let dir = Repository.goldenDirectory.appendingPathComponent(name)
            return fm.fileExists(atPath: dir.appendingPathComponent("args").path) ? GoldenCase(name: name, directory: dir) : nil
        }
    }

    var arguments: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("args"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    func expected(_ file: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
    }
}

@Suite(.serialized) struct GoldenTests {
    @Test(arguments: GoldenCase.all())
    func matchesGolden(_ golden: GoldenCase) throws {
        let result = try runNNFeyn(golden.arguments)
        if Repository.recording {
            try result.stdout.write(to: golden.directory.appendingPathComponent("stdout"), atomically: true, encoding: .utf8)
            let stderrURL = golden.directory.appendingPathComponent("stderr")
            if result.stderr.isEmpty { try? FileManager.default.removeItem(at: stderrURL) } else {
                try result.stderr.write(to: stderrURL, atomically: true, encoding: .utf8)
            }
            let exitURL = golden.directory.appendingPathComponent("exit")
            if result.exitCode == 0 { try? FileManager.default.removeItem(at: exitURL) } else {
                try "\(result.exitCode)\n".write(to: exitURL, atomically: true, encoding: .utf8)
            }
            Issue.record("recorded \(golden.name); unset NNFEYN_RECORD and review the diff")
            return
        }
        #expect(result.stdout == golden.expected("stdout") ?? "", "stdout of \(golden.name)")
        #expect(result.stderr == golden.expected("stderr") ?? "", "stderr of \(golden.name)")
        let exit = golden.expected("exit").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(result.exitCode == exit, "exit code of \(golden.name)")
    }

    @Test func thereAreGoldenCases() {
        #expect(GoldenCase.all().count > 0)
    }
}
