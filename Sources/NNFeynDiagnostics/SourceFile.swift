// Source text and positions. Positions are UTF-8 byte offsets; line and column are computed only when printing.

/// A half-open range of UTF-8 offsets into a source file.
public struct SourceSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }
}

/// A named source text with a line table.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    public let utf8: [UInt8]
    /// UTF-8 offsets at which each line starts.
    public let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.utf8 = Array(text.utf8)
        var starts = [0]
        // "\n" and "\r\n" end lines, and so does a lone "\r" (classic Mac files), so positions match editors.
        for (i, byte) in utf8.enumerated() {
            if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (i + 1 == utf8.count || utf8[i + 1] != UInt8(ascii: "\n"))) {
                starts.append(i + 1)
            }
        }
        self.lineStarts = starts
    }

    /// 1-based line and column (in characters) of a UTF-8 offset.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(0, offset), utf8.count)
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let lineStart = lineStarts[low]
        let prefix = utf8[lineStart..<clamped]
        let column = String(decoding: prefix, as: UTF8.self).count + 1
        return (low + 1, column)
    }

    /// The UTF-8 offset just past the last character of a 1-based line (before its line break).
    public func lineEnd(_ line: Int) -> Int {
        guard line >= 1, line <= lineStarts.count else { return utf8.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return max(start, end)
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
    }
}
