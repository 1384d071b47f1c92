// The renderer on hand-made diagnostics: the forms without a span, and excerpts of very long lines.
import Testing
@testable import NNFeynDiagnostics

@Suite struct RenderingTests {
    @Test func withoutSpan() {
        let withPath = Diagnostic(code: .unreadableFile, message: "model file 'nope.nn' not found", path: "nope.nn")
        #expect(DiagnosticRenderer.render(withPath) == "error[E0201]: model file 'nope.nn' not found\n --> nope.nn")
        #expect(DiagnosticRenderer.renderShort(withPath) == "nope.nn: error[E0201]: model file 'nope.nn' not found")
        let bare = Diagnostic(code: .negativeOrder, message: "order must be at least 0", help: "use --order 0 or more")
        #expect(DiagnosticRenderer.render(bare) == "error[E0301]: order must be at least 0\n  = help: use --order 0 or more")
        let warning = Diagnostic(.warning, code: .nonFinite, message: "m")
        #expect(DiagnosticRenderer.render(warning) == "warning[E0403]: m")
    }

    @Test func longLinesAreQuotedAsAWindow() {
        // A 12 MB one-line file must not be printed whole: the excerpt is the span plus some context.
        let prefix = String(repeating: "1, ", count: 2_000_000)
        let text = "input x : 1\ndense y : 1 linear weight [[" + prefix + "x" + String(repeating: ", 1", count: 1000) + "]]\n"
        let start = text.utf8.count - 2 - 3000 - 1 - 1
        let file = SourceFile(path: "big.nn", text: text)
        let d = Diagnostic(code: .syntaxError, message: "bad", file: file, span: SourceSpan(start: start, end: start + 1))
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.utf8.count < 400)
        let lines = rendered.split(separator: "\n")
        #expect(lines[3].hasPrefix("2 | ...") && lines[3].hasSuffix("..."))
        // The caret still sits under the culprit.
        let caret = lines[4].firstIndex(of: "^")!
        let culprit = lines[3].firstIndex(of: "x")!
        #expect(lines[4].distance(from: lines[4].startIndex, to: caret) == lines[3].distance(from: lines[3].startIndex, to: culprit))
        #expect(lines[1].hasSuffix("big.nn:2:\(29 + prefix.count)"))
    }

    @Test func longSpansAreQuotedAsAWindow() {
        // A span covering a 4 MB weight matrix on one line: its start, underlined, and some of the rest.
        let matrix = "[" + String(repeating: "[1],", count: 1_000_000) + "]"
        let text = "input x : 2\ndense y : 1 linear weight " + matrix + " bias none\n"
        let file = SourceFile(path: "m.nn", text: text)
        let start = text.utf8.count - matrix.utf8.count - " bias none\n".utf8.count
        let d = Diagnostic(code: .rowCountMismatch, message: "bad", file: file, span: SourceSpan(start: start, end: start + matrix.utf8.count))
        let rendered = DiagnosticRenderer.render(d)
        #expect(rendered.utf8.count < 500)
        let lines = rendered.split(separator: "\n")
        #expect(lines[3] == "2 | dense y : 1 linear weight " + String(matrix.prefix(120)) + "...")
        #expect(lines[4] == "  |                           " + String(repeating: "^", count: 120))
    }

    @Test func windowsNeverSplitACharacter() {
        let text = String(repeating: "é", count: 200) + "x" + String(repeating: "日", count: 200)
        let file = SourceFile(path: "m.nn", text: text)
        let start = 400
        let d = Diagnostic(code: .syntaxError, message: "bad", file: file, span: SourceSpan(start: start, end: start + 1))
        let rendered = DiagnosticRenderer.render(d)
        #expect(!rendered.contains("\u{FFFD}"))
        #expect(rendered.contains("éx日"))
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingCountsAsALine(ending: String) {
        let file = SourceFile(path: "m.nn", text: ["input x : 1", "dense y : 1 tahn", "  bias [0]"].joined(separator: ending))
        let offset = file.text.utf8.count - "tahn".utf8.count - ending.utf8.count - "  bias [0]".utf8.count
        #expect(file.lineAndColumn(of: offset) == (2, 13))
        #expect(file.lineText(2) == "dense y : 1 tahn")
    }
}
