// Source text and positions. Positions are UTF-8 byte offsets; line and column are computed only when printing.
//
// Memory: a source file holds its bytes once (the text is decoded from them on demand) and a line table of 4 bytes
// per line, so a file of 64 MB of newlines costs about 5 times its size, not 10.

/// A half-open range of UTF-8 offsets into a source file.
public struct SourceSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }
}

/// A named source text with a line table. Offsets must fit in 32 bits (model files are read up to 64 MiB).
public struct SourceFile: Sendable {
    public let path: String
    /// The text's UTF-8 bytes, the one copy of the text.
    public let utf8: [UInt8]
    /// UTF-8 offsets at which each line starts (4 bytes per line).
    let starts: [UInt32]

    /// The text (decoded from `utf8` on each call).
    public var text: String { String(decoding: utf8, as: UTF8.self) }

    public init(path: String, text: String) {
        self.init(path: path, validUTF8: Array(text.utf8))
    }

    /// A file from bytes already known to be valid UTF-8 (not checked again).
    public init(path: String, validUTF8 bytes: [UInt8]) {
        precondition(bytes.count < Int(UInt32.max), "source files are limited to 4 GiB")
        self.path = path
        self.utf8 = bytes
        var starts: [UInt32] = [0]
        // "\n" and "\r\n" end lines, and so does a lone "\r" (classic Mac files), so positions match editors.
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<b.count {
                let byte = b[i]
                if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (i + 1 == b.count || b[i + 1] != UInt8(ascii: "\n"))) {
                    starts.append(UInt32(i + 1))
                }
            }
        }
        self.starts = starts
    }

    /// The number of lines (a final line break starts an empty last line).
    public var lineCount: Int { starts.count }

    /// The UTF-8 offset at which a 1-based line starts.
    public func lineStart(_ line: Int) -> Int { Int(starts[line - 1]) }

    /// The 1-based line of a UTF-8 offset (a binary search: cheap however long the line).
    public func line(of offset: Int) -> Int {
        let clamped = UInt32(min(max(0, offset), utf8.count))
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// 1-based line and column (in characters) of a UTF-8 offset.
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(0, offset), utf8.count)
        let line = line(of: clamped)
        let lineStart = lineStart(line)
        // An ASCII prefix has one character per byte (a line holds no CR LF pair), so long lines need no decoding.
        let ascii = utf8.withUnsafeBufferPointer { b in (lineStart..<clamped).allSatisfy { b[$0] < 0x80 } }
        if ascii { return (line, clamped - lineStart + 1) }
        let column = String(decoding: utf8[lineStart..<clamped], as: UTF8.self).count + 1
        return (line, column)
    }

    /// The UTF-8 offset just past the last character of a 1-based line (before its line break).
    public func lineEnd(_ line: Int) -> Int {
        guard line >= 1, line <= starts.count else { return utf8.count }
        let start = lineStart(line)
        var end = line < starts.count ? lineStart(line + 1) - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return max(start, end)
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= starts.count else { return "" }
        return String(decoding: utf8[lineStart(line)..<lineEnd(line)], as: UTF8.self)
    }
}
