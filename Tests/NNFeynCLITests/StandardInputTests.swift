// A model can be read from standard input ("-"); its parameters file resolves against the current directory.
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct StandardInputTests {
    @Test func aModelOnStandardInputExpandsLikeTheFile() throws {
        let examples = Repository.examplesDirectory
        let text = try Data(contentsOf: examples.appendingPathComponent("npz64.nn"))
        // From the examples folder, "params64.npz" resolves as it does for the file itself.
        let piped = try runNNFeyn(["expand", "-", "--order", "2", "--format", "json"], in: examples, input: text)
        let direct = try runNNFeyn(["expand", "npz64.nn", "--order", "2", "--format", "json"], in: examples)
        #expect(piped.exitCode == 0, "\(piped.stderr)")
        #expect(piped.stdout == direct.stdout)
        // From elsewhere the relative path does not resolve, and the diagnostic says against what it was resolved.
        let elsewhere = try runNNFeyn(["expand", "-", "--order", "1"], in: Repository.root, input: text)
        #expect(elsewhere.exitCode == 1)
        #expect(elsewhere.stderr.contains("error[E0219]: parameters file 'params64.npz' not found"))
        #expect(elsewhere.stderr.contains("resolves a relative path against the current directory"))
    }

    @Test func diagnosticsPointIntoStandardInput() throws {
        let result = try runNNFeyn(["expand", "-", "--diagnostics", "short"], input: Data("input x : 1\ndense y : 1 tahn\n  weight [[1]]\n  bias none\n".utf8))
        #expect(result.exitCode == 1)
        #expect(result.stderr == "<stdin>:2:13: error[E0204]: unknown activation 'tahn'\n")
    }
}
