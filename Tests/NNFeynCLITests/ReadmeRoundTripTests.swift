// The README's "From PyTorch and JAX" section, run as written: its code blocks, in order, in one fresh folder, with
// this build's nnfeyn on PATH and python/ on PYTHONPATH. A block that fails fails the test; the last one prints the
// largest difference between nnfeyn's Hessian and torch.func's.
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct ReadmeRoundTripTests {
    /// The fenced blocks of the README section with this title: (language, code).
    static func blocks(ofSection title: String) throws -> [(language: String, code: String)] {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "\n## \(title)\n") else { return [] }
        let section = readme[start.upperBound...].components(separatedBy: "\n## ").first ?? ""
        var blocks: [(String, String)] = []
        var current: (language: String, lines: [String])?
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.language, open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else if current != nil {
                current!.lines.append(String(line))
            }
        }
        return blocks
    }

    @Test(.timeLimit(.minutes(5)))
    func theRoundTripRunsAsWritten() throws {
        let blocks = try Self.blocks(ofSection: "From PyTorch and JAX")
        #expect(blocks.map(\.language) == ["python", "python", "sh", "python"])
        let directory = try temporaryDirectory("nnfeyn-readme")
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = Repository.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["PYTHONPATH"] = Repository.root.appendingPathComponent("python").path
        environment["OPENBLAS_NUM_THREADS"] = "1"
        var last: CommandResult?
        for (k, block) in blocks.enumerated() {
            let script = directory.appendingPathComponent("block\(k).\(block.language == "python" ? "py" : "sh")")
            try block.code.write(to: script, atomically: true, encoding: .utf8)
            let interpreter = block.language == "python" ? ["python3"] : ["bash", "-e"]
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), interpreter + [script.path], in: directory,
                                        environment: environment)
            try #require(result.exitCode == 0, "README block \(k + 1) (\(block.language)) failed:\n\(block.code)\n\(result.stderr)")
            last = result
        }
        for file in ["mlp.nn", "mlp_flax.nn", "out.npz", "out_flax.npz"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        let printed = try #require(last?.stdout.split(separator: "\n").last.flatMap { Double($0) })
        #expect(printed < 1e-12, "the README's Hessian differs from torch.func's by \(printed)")
    }
}
