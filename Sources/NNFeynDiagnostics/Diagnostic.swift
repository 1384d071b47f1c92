// Diagnostics are values: a typed code, a message, an optional location. Rendering (DiagnosticRenderer.swift) turns
// them into the codespan style: `error[E0204]: ...`, `--> file:line:col`, the source line and a caret.

/// error or warning.
public enum Severity: String, Sendable {
    case error
    case warning
}

/// A located message about the user's input. Thrown as an error by every phase.
public struct Diagnostic: Error, Sendable {
    public var severity: Severity
    /// A registered code (see DiagnosticCode.swift).
    public var code: DiagnosticCode
    /// Lowercase, quotes source in single quotes, stands on its own.
    public var message: String
    /// The file the diagnostic points into, if any.
    public var file: SourceFile?
    /// A path to name when there is no source text to show (unreadable file, .npz member, output file).
    public var path: String?
    public var span: SourceSpan?
    public var help: String?
    public var notes: [String]

    public init(_ severity: Severity = .error, code: DiagnosticCode, message: String, file: SourceFile? = nil,
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

/// An error that knows the diagnostics it stands for. The command line's one error boundary renders these; a
/// library error type conforms where it is defined, so no command can forget to convert it.
public protocol DiagnosticConvertible: Error {
    /// The diagnostics to print, at least one.
    var diagnostics: [Diagnostic] { get }
}

extension Diagnostic: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [self] }
}

extension DiagnosticList: DiagnosticConvertible {}

extension Diagnostic {
    /// Longest piece of source a message quotes whole.
    public static let quotedLength = 60

    /// Source text as a message quotes it: the text itself up to `quotedLength` characters, else its start and
    /// "...". A 12 MB name or literal must not make a 12 MB message (the excerpt below it shows where it is).
    public static func quoted(_ text: String) -> String {
        guard text.utf8.count > quotedLength, text.prefix(quotedLength + 1).count > quotedLength else { return text }
        return String(text.prefix(quotedLength)) + "..."
    }
}
