// Running programs from tests: nnfeyn itself (for golden and CLI tests) and tools such as pdflatex.
import Foundation

/// What a finished process printed and returned.
public struct CommandResult: Sendable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32
}

/// Runs nnfeyn with arguments from `directory` (the repository root by default), one BLAS thread, no terminal,
/// and `input` as standard input (empty when nil); see `runProcess` for `timeout`.
public func runNNFeyn(_ arguments: [String], in directory: URL = Repository.root, environment extra: [String: String] = [:],
                      input: Data? = nil, timeout: TimeInterval? = nil) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["NO_COLOR"] = "1"
    for (k, v) in extra { environment[k] = v }
    return try runProcess(Repository.binary, arguments, in: directory, environment: environment, input: input, timeout: timeout)
}

/// Runs a program and captures its output. Files rather than pipes: no dead-lock on large output, no shared mutable
/// state between threads. A program still running after `timeout` seconds is killed (its exit code is then the
/// signal's), so a test of something that must not hang cannot hang the test run.
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL,
                       environment: [String: String]? = nil, input: Data? = nil,
                       timeout: TimeInterval? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if let environment { process.environment = environment }
    let scratch = try temporaryDirectory("nnfeyn-run")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    let inURL = scratch.appendingPathComponent("stdin")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let stdin = try FileHandle(forReadingFrom: inURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin
    try process.run()
    if let timeout {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    try out.close()
    try err.close()
    try stdin.close()
    let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
    return CommandResult(stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                         exitCode: process.terminationStatus)
}

/// Runs a tool found on PATH in a directory; returns its exit status and its output (stdout, then stderr).
public func runTool(_ executable: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [executable] + arguments, in: directory)
    return (result.exitCode, result.stdout + result.stderr)
}

/// Runs the Python unittest suite in `folder` (relative to the repository root, e.g. "python") from the root, against
/// this build's nnfeyn ($NNFEYN_BIN) with one BLAS thread.
public func runPythonTests(in folder: String) throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["NNFEYN_BIN"] = Repository.binary.path
    environment["OPENBLAS_NUM_THREADS"] = "1"
    return try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "unittest", "discover", "-s", folder, "-v"],
                          in: Repository.root, environment: environment)
}

/// Whether a program is on PATH.
public func toolExists(_ name: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

/// What a finished process cost: its own peak resident memory and CPU time (user + system).
public struct ProcessCost: Sendable {
    public var exitCode: Int32
    public var peakBytes: Int
    public var cpuSeconds: Double
}

/// Runs a program with its output discarded and measures what it cost. The program is started by python3 with a
/// plain fork: a child spawned from the (large) test process itself would report the test process's peak memory as
/// its own (Linux carries the parent's high-water mark across the exec of a vfork child).
public func runMeasuring(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> ProcessCost {
    let script = """
        import os, sys
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2): os.dup2(null, fd)
            os.execv(sys.argv[1], sys.argv[1:])
        _, status, usage = os.wait4(pid, 0)
        scale = 1 if sys.platform == "darwin" else 1024
        print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * scale, usage.ru_utime + usage.ru_stime)
        """
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["NO_COLOR"] = "1"
    for (k, v) in extra { environment[k] = v }
    let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, executable.path] + arguments,
                                in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), environment: environment)
    let fields = result.stdout.split(whereSeparator: \.isWhitespace)
    guard result.exitCode == 0, fields.count == 3, let code = Int32(fields[0]), let peak = Int(fields[1]),
          let cpu = Double(fields[2]) else {
        throw NSError(domain: "runMeasuring", code: Int(result.exitCode),
                      userInfo: [NSLocalizedDescriptionKey: "cannot measure \(executable.path): \(result.stderr)"])
    }
    return ProcessCost(exitCode: code, peakBytes: peak, cpuSeconds: cpu)
}
