// No input crashes the loader: every prefix of every example and deterministic random mutations either load or
// produce well-formed diagnostics (registered code, span inside the file, renderable).
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct RobustnessTests {
    /// Loads bytes as if they were the file at `path` (so `parameters` resolves as for the real example).
    static func check(_ bytes: [UInt8], path: String) {
        let result: Result<Model, DiagnosticList>
        do {
            let source = try ModelLoader.decode(bytes, path: path)
            result = .success(try ModelLoader.load(source: source))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let network):
            #expect(!network.layers.isEmpty)
        case .failure(let list):
            #expect(!list.diagnostics.isEmpty)
            #expect(list.diagnostics.count <= Parser.maximumErrors + 1)
            for d in list.diagnostics {
                #expect(DiagnosticCode.entry(for: d.code.rawValue) != nil, "unregistered \(d.code)")
                if let span = d.span, let file = d.file {
                    #expect(span.start >= 0 && span.end <= file.utf8.count + 3)
                }
                #expect(!DiagnosticRenderer.render(d).isEmpty)
            }
        }
    }

    @Test(arguments: exampleNames)
    func everyPrefixLoadsOrDiagnoses(_ name: String) throws {
        let path = examplePath(name)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for length in 0...bytes.count { Self.check(Array(bytes.prefix(length)), path: path) }
    }

    @Test(arguments: exampleNames)
    func randomMutationsLoadOrDiagnose(_ name: String) throws {
        let path = examplePath(name)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // Seeded per file, so a failure reproduces.
        var rng = Xoshiro256(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        let interesting = Array("[](),:=#\"-/.eE0123456789 \n\tnoneweightbiasdenseat\u{FF}\u{80}".utf8)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[at] = interesting[Int.random(in: 0..<interesting.count, using: &rng)]
                case 2: bytes.remove(at: at)
                case 3: bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &rng)], at: at)
                default:
                    // Duplicate a chunk: repeats statements, clauses, rows.
                    let end = min(bytes.count, at + Int.random(in: 1...40, using: &rng))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            Self.check(bytes, path: path)
        }
    }

    @Test(.timeLimit(.minutes(5)))  // a hang guard, not a speed check: the whole suite shares 2 cores
    func pathologicalInputs() {
        let path = "pathological.nn"
        let cases: [String] = [
            String(repeating: "[", count: 100_000),
            "input x : 1\ndense y : 1 linear weight " + String(repeating: "[", count: 10_000),
            "input x : 1\ndense y : 1 poly(" + String(repeating: "1,", count: 10_000) + ") weight [[1]] bias [0]",
            String(repeating: "dense h : 1 tanh\n", count: 2_000),
            "input x : 9223372036854775807\ndense y : 9223372036854775808 linear",
            "input x : 1\ndense y : 1 linear weight [[1e99999]] bias [-1e-99999]",
            String(repeating: "#", count: 100_000),
            // One long line of quotes and junk: lexing once scanned to the end of the line at every quote.
            String(repeating: "@ [ ] 1.2.3 'x' ' \"", count: 50_000),
            "\u{0}\u{1}\u{7F}",
            "parameters \"/\"\ninput x : 1\ndense y : 1 linear",
            "parameters \"\"\ninput x : 1\ndense y : 1 linear",
        ]
        for text in cases { Self.check(Array(text.utf8), path: path) }
        // Invalid UTF-8 at the very start and end.
        Self.check([0xFF], path: path)
        Self.check(Array("input x : 1".utf8) + [0xC3], path: path)
    }
}
