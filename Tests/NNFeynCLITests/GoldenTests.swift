// Golden tests: each folder under golden/ is one CLI run. Adding a test means adding a folder:
//   golden/<case>/args       the arguments, one per line, run from the repository root
//   golden/<case>/stdout     expected standard output
//   golden/<case>/stderr     expected standard error (optional; absent means "must be empty")
//   golden/<case>/exit       expected exit code (optional; absent means 0)
// Set NNFEYN_RECORD=1 to re-record (never under CI); a recording run always fails, so it can't pass by accident.
// Read the diff and commit it with the change that caused it.
import Foundation
import NNFeynTestSupport
import Testing

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
