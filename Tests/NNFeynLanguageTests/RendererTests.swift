// The renderer's exact output: codespan-style blocks, the one-line form, and carets that stay in place with tabs
// and wide characters.
import Testing
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct RendererTests {
    static func firstDiagnostic(_ source: String, path: String = "model.nn") throws -> Diagnostic {
        try #require(diagnostics(of: source, path: path).first)
    }

    @Test func codespanStyle() throws {
        let d = try Self.firstDiagnostic("network m\ninput x : 2\n\ndense h1 : 3 tahn\n  weight [[1, 0], [0, 1], [1, 1]] bias none\n")
        #expect(DiagnosticRenderer.render(d) == """
            error[E0204]: unknown activation 'tahn'
             --> model.nn:4:14
              |
            4 | dense h1 : 3 tahn
              |              ^^^^
              = help: did you mean 'tanh'?
            """)
        #expect(DiagnosticRenderer.renderShort(d) == "model.nn:4:14: error[E0204]: unknown activation 'tahn'")
    }

    @Test func tabsAreExpandedInLineAndCaret() throws {
        let d = try Self.firstDiagnostic("input x : 2\n\tdense h1 : 3\ttahn\n\tweight [[1, 0], [0, 1], [1, 1]] bias none\n")
        #expect(DiagnosticRenderer.render(d) == """
            error[E0204]: unknown activation 'tahn'
             --> model.nn:2:15
              |
            2 |     dense h1 : 3    tahn
              |                     ^^^^
              = help: did you mean 'tanh'?
            """)
    }

    @Test func wideAndMultiByteCharactersKeepTheCaretInPlace() throws {
        let d = try Self.firstDiagnostic("parameters \"日本é.npz\" @\n")
        #expect(DiagnosticRenderer.render(d) == """
            error[E0101]: unexpected character '@'
             --> model.nn:1:22
              |
            1 | parameters "日本é.npz" @
              |                        ^
            """)
    }

    @Test func gutterWidensWithTheLineNumber() throws {
        let d = try Self.firstDiagnostic(String(repeating: "\n", count: 11) + "input x : 0\ndense y : 1 linear weight [[1]] bias [0]")
        #expect(DiagnosticRenderer.render(d) == """
            error[E0215]: the dimension of input 'x' must be at least 1
              --> model.nn:12:11
               |
            12 | input x : 0
               |           ^
            """)
    }

    @Test func notesAndEndOfFile() throws {
        let d = try Self.firstDiagnostic("input x : 1\ndense y : 1 linear weight [[1]] bias [0")
        #expect(DiagnosticRenderer.render(d) == """
            error[E0104]: expected ',' or ']' after a number, found end of file
             --> model.nn:2:40
              |
            2 | dense y : 1 linear weight [[1]] bias [0
              |                                        ^
            """)
        let dup = try Self.firstDiagnostic("input x : 1\ninput x : 1\ndense y : 1 linear weight [[1]] bias [0]")
        #expect(DiagnosticRenderer.render(dup).hasSuffix("""
            2 | input x : 1
              | ^^^^^
              = help: a model has at most one 'input' statement
              = note: the first 'input' is on line 1
            """))
    }

    @Test func multiLineSpansAreUnderlinedOnTheirFirstLine() throws {
        let d = try Self.firstDiagnostic("input x : 2\ndense h : 3 tanh weight [[1, 2],\n  [3, 4]]\n  bias none")
        #expect(DiagnosticRenderer.render(d).hasSuffix("""
            2 | dense h : 3 tanh weight [[1, 2],
              |                         ^^^^^^^^
              = help: a weight has one row per neuron (width x fan-in)
            """))
    }

    @Test func listsAreSeparatedByBlankLines() {
        let list = DiagnosticList([Diagnostic(code: .missingLayers, message: "a"), Diagnostic(code: .missingInput, message: "b")])
        #expect(DiagnosticRenderer.render(list) == "error[E0203]: a\n\nerror[E0207]: b")
    }
}
