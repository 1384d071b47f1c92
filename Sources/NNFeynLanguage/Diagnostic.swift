// Diagnostics are values: a code, a message, an optional location. Rendering (DiagnosticRenderer.swift) turns them
// into the codespan style: `error[E0204]: ...`, `--> file:line:col`, the source line and a caret.

/// error or warning.
public enum Severity: String, Sendable {
    case error
    case warning
}

/// A located message about the user's input. Thrown as an error by every phase.
public struct Diagnostic: Error, Sendable {
    public var severity: Severity
    /// A registered code such as "E0204" (see DiagnosticCodes.swift).
    public var code: String
    /// Lowercase, quotes source in single quotes, stands on its own.
    public var message: String
    /// The file the diagnostic points into (for a missing file, its path), if any.
    public var file: SourceFile?
    /// A path to name when there is no source text to show (unreadable file, .npz member).
    public var path: String?
    public var span: SourceSpan?
    public var help: String?
    public var notes: [String]

    public init(_ severity: Severity = .error, code: String, message: String, file: SourceFile? = nil,
                path: String? = nil, span: SourceSpan? = nil, help: String? = nil, notes: [String] = []) {
        self.severity = severity
        self.code = code
        self.message = message
        self.file = file
        self.path = path
        self.span = span
        self.help = help
        self.notes = notes
    }
}

/// Several diagnostics at once (the parser recovers and reports all it finds).
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
