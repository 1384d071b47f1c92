// The one entry point from a model file to a checked Model: read (regular file, size bound, UTF-8 check), lex,
// parse, lower. Syntax errors stop the pipeline before lowering, so checks never run on a half-understood file.
import Foundation
import NNFeynDiagnostics
import NNFeynIO
import NNFeynModel

/// How lenient loading is.
public struct LoadOptions: Sendable {
    /// Accept layers that have neither a weight nor a bias anywhere (their parameters are nil in the model), and a
    /// `parameters` file that does not exist yet: for tools that initialise parameters themselves.
    public var allowMissingParameters: Bool = false

    /// Options; by default every layer must have its parameters.
    public init(allowMissingParameters: Bool = false) {
        self.allowMissingParameters = allowMissingParameters
    }
}

/// Loads model files.
public enum ModelLoader {
    /// Largest model file read, so that a wrong path to a huge file is a diagnostic rather than a long wait.
    public static let maximumFileSize = 64 << 20

    /// Reads, parses, lowers; resolves `parameters` relative to the file. Throws all diagnostics found.
    public static func load(path: String, options: LoadOptions = LoadOptions()) throws(DiagnosticList) -> Model {
        let source = try read(path: path)
        return try load(source: source, options: options)
    }

    /// Parses and lowers source text; `parameters` is resolved relative to `source.path`'s directory.
    public static func load(source: SourceFile, options: LoadOptions = LoadOptions()) throws(DiagnosticList) -> Model {
        let (model, syntaxDiagnostics) = Parser.parse(source)
        guard syntaxDiagnostics.isEmpty else { throw DiagnosticList(syntaxDiagnostics) }
        var lowering = Lowering(file: source, options: options)
        guard let lowered = lowering.lower(model), lowering.diagnostics.isEmpty else {
            throw DiagnosticList(Parser.capped(lowering.diagnostics, total: lowering.diagnosticCount, file: source))
        }
        return lowered
    }

    /// The path that means standard input. Its `parameters` paths resolve against the current directory.
    public static let standardInput = "-"

    /// Reads a model file as UTF-8 text ("-": standard input); a missing, non-regular, oversized, unreadable or
    /// non-UTF-8 file is a diagnostic.
    public static func read(path: String) throws(DiagnosticList) -> SourceFile {
        func fail(_ message: String, notes: [String] = []) -> DiagnosticList {
            DiagnosticList([Diagnostic(code: .unreadableFile, message: message, path: path, notes: notes)])
        }
        if path == standardInput {
            let data = FileHandle.standardInput.readData(ofLength: maximumFileSize + 1)
            guard data.count <= maximumFileSize else { throw fail("the model on standard input is larger than \(maximumFileSize) bytes") }
            return try decode([UInt8](data), path: "<stdin>")
        }
        // The file's bytes are held once: as an array, the Data they were read into released at once.
        let bytes: [UInt8]
        do { bytes = [UInt8](try Files.read(path, limit: maximumFileSize)) } catch {
            switch error {
            case .missing: throw fail("model file '\(path)' not found")
            case .notRegular(_, let kind): throw fail("'\(path)' is \(kind), not a model file")
            case .tooLarge(_, let size, let limit): throw fail("model file '\(path)' is too large (\(size) bytes, at most \(limit))")
            case .unreadable(_, let reason), .unwritable(_, let reason), .writeFailed(_, let reason): throw fail("cannot read model file '\(path)'", notes: [reason])
            }
        }
        return try decode(bytes, path: path)
    }

    /// Decodes bytes as UTF-8, or reports the first invalid byte at its place in the text.
    static func decode(_ bytes: [UInt8], path: String) throws(DiagnosticList) -> SourceFile {
        if isValidUTF8(bytes) { return SourceFile(path: path, validUTF8: bytes) }
        // Find the first invalid byte: decode scalar by scalar, counting the bytes of each valid one.
        var offset = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        // Show the text with replacement characters; the valid prefix keeps its offsets, so the span is exact.
        let file = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
        let byte = offset < bytes.count ? bytes[offset] : 0
        throw DiagnosticList([Diagnostic(code: .notUTF8, message: "model file is not valid UTF-8",
                                         file: file, path: path, span: SourceSpan(start: offset, end: offset + 3),
                                         help: "save the file as UTF-8",
                                         notes: ["byte \(offset) is 0x" + String(byte, radix: 16, uppercase: true)
                                                 + ", which cannot appear there in UTF-8"])])
    }

    /// Whether bytes are well-formed UTF-8 (as `String(validating:)` decides, without building the string): ASCII
    /// eight bytes at a time, other sequences by the table of well-formed byte sequences in the Unicode standard.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            while i < n {
                if i + 8 <= n, UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
                let lead = b[i]
                if lead < 0x80 { i += 1; continue }
                // The allowed range of the second byte, and how many bytes follow the lead.
                let (low, high, trailing): (UInt8, UInt8, Int)
                switch lead {
                case 0xC2...0xDF: (low, high, trailing) = (0x80, 0xBF, 1)
                case 0xE0: (low, high, trailing) = (0xA0, 0xBF, 2)
                case 0xE1...0xEC, 0xEE...0xEF: (low, high, trailing) = (0x80, 0xBF, 2)
                case 0xED: (low, high, trailing) = (0x80, 0x9F, 2)
                case 0xF0: (low, high, trailing) = (0x90, 0xBF, 3)
                case 0xF1...0xF3: (low, high, trailing) = (0x80, 0xBF, 3)
                case 0xF4: (low, high, trailing) = (0x80, 0x8F, 3)
                default: return false
                }
                guard i + trailing < n, b[i + 1] >= low, b[i + 1] <= high else { return false }
                for k in stride(from: 2, through: trailing, by: 1) where b[i + k] & 0xC0 != 0x80 { return false }
                i += trailing + 1
            }
            return true
        }
    }
}
