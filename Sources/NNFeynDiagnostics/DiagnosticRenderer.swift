// Turns diagnostics into text in the codespan style (a header, a location, the source line, carets, help and notes)
// or a one-line form for editors. Line and column are computed here, from UTF-8 offsets, and nowhere earlier.
//
// Caret placement: the source line is printed with each tab replaced by four spaces, and the caret column is the
// display width of the text before the span (tabs 4, East Asian wide characters and emoji 2, everything else 1 per
// grapheme), so tabs and multi-byte characters never misplace the caret.

/// Renders diagnostics as text.
public enum DiagnosticRenderer {
    /// The width a tab is expanded to in the source excerpt.
    static let tabWidth = 4

    /// The full, multi-line form (no trailing newline):
    /// `error[E0204]: ...`, ` --> file:line:col`, the source line with carets, then `= help:` and `= note:` lines.
    public static func render(_ diagnostic: Diagnostic) -> String {
        var lines = ["\(diagnostic.severity.rawValue)[\(diagnostic.code)]: \(diagnostic.message)"]
        let path = diagnostic.file?.path ?? diagnostic.path
        var gutter = 1
        if let file = diagnostic.file, let span = diagnostic.span {
            let (line, column) = file.lineAndColumn(of: span.start)
            gutter = String(line).count
            let pad = String(repeating: " ", count: gutter)
            let lineStart = file.lineStart(line)
            let lineEnd = file.lineEnd(line)
            // The underline covers the span's part of its first line, and is at least one caret wide.
            let start = min(max(span.start, lineStart), lineEnd)
            let end = min(max(span.end, start), lineEnd)
            let window = excerptWindow(file, lineStart: lineStart, lineEnd: lineEnd, start: start, end: end)
            let text = String(decoding: file.utf8[window.start..<window.end], as: UTF8.self)
            let lead = window.start > lineStart ? "..." : ""
            let trail = window.end < lineEnd ? "..." : ""
            let before = lead.count + displayWidth(prefixOf: file, from: window.start, to: start)
            let width = max(1, displayWidth(prefixOf: file, from: start, to: min(end, window.end)))
            lines.append("\(pad)--> \(file.path):\(line):\(column)")
            lines.append("\(pad) |")
            lines.append("\(line) | \(lead)\(expandTabs(text))\(trail)")
            lines.append("\(pad) | " + String(repeating: " ", count: before) + String(repeating: "^", count: width))
        } else if let path {
            lines.append(" --> \(path)")
        }
        let pad = String(repeating: " ", count: gutter)
        if let help = diagnostic.help { lines.append("\(pad) = help: \(help)") }
        for note in diagnostic.notes { lines.append("\(pad) = note: \(note)") }
        return lines.joined(separator: "\n")
    }

    /// Several diagnostics in the full form, separated by blank lines (no trailing newline).
    public static func render(_ list: DiagnosticList) -> String {
        list.diagnostics.map { render($0) }.joined(separator: "\n\n")
    }

    /// The one-line form for editors: `file:line:col: error[E0204]: message` (just `file:` without a span).
    public static func renderShort(_ diagnostic: Diagnostic) -> String {
        let head = "\(diagnostic.severity.rawValue)[\(diagnostic.code)]: \(diagnostic.message)"
        if let file = diagnostic.file, let span = diagnostic.span {
            let (line, column) = file.lineAndColumn(of: span.start)
            return "\(file.path):\(line):\(column): \(head)"
        }
        if let path = diagnostic.file?.path ?? diagnostic.path { return "\(path): \(head)" }
        return head
    }

    /// Bytes of context shown on either side of a span, and of a long span itself: a diagnostic on a 12 MB one-line
    /// file quotes a window of the line, never the whole of it, even when the span (a whole weight matrix) is long.
    static let excerptContext = 60

    /// The byte range of the line shown: the span (at most `excerptContext` bytes of it) plus context, cut at UTF-8
    /// character boundaries.
    static func excerptWindow(_ file: SourceFile, lineStart: Int, lineEnd: Int, start: Int, end: Int) -> (start: Int, end: Int) {
        var from = max(lineStart, start - excerptContext)
        var to = min(lineEnd, max(min(end, start + excerptContext), start + 1) + excerptContext)
        // Never start or stop inside a multi-byte character (continuation bytes are 0b10xxxxxx).
        while from > lineStart, from < file.utf8.count, file.utf8[from] & 0xC0 == 0x80 { from -= 1 }
        while to < lineEnd, file.utf8[to] & 0xC0 == 0x80 { to += 1 }
        return (from, to)
    }

    /// The text with tabs expanded as in the source excerpt.
    static func expandTabs(_ text: String) -> String {
        text.replacingTabs(with: String(repeating: " ", count: tabWidth))
    }

    /// Display width of the UTF-8 bytes `from..<to` of a file (offsets already clamped to one line).
    static func displayWidth(prefixOf file: SourceFile, from: Int, to: Int) -> Int {
        guard from < to else { return 0 }
        let text = String(decoding: file.utf8[from..<to], as: UTF8.self)
        return text.reduce(0) { $0 + displayWidth(of: $1) }
    }

    /// Columns a terminal gives one character.
    static func displayWidth(of character: Character) -> Int {
        if character == "\t" { return tabWidth }
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        // Wide ranges: Hangul Jamo, CJK and Hangul syllables, compatibility forms, fullwidth forms, emoji, CJK ext.
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF,
                                           0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
                                           0x1F900...0x1F9FF, 0x20000...0x3FFFD]
        if wide.contains(where: { $0.contains(v) }) { return 2 }
        // Other control characters print as nothing in most terminals.
        if v < 0x20 || v == 0x7F { return 0 }
        return 1
    }
}

extension String {
    /// The string with every tab replaced (Foundation-free, to keep this module's surface small).
    func replacingTabs(with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self { if c == "\t" { out += replacement } else { out.append(c) } }
        return out
    }
}
