// What can go wrong with a file, as values that know their diagnostic.
import NNFeynDiagnostics

/// A failed read or write.
public enum FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at the path.
    case missing(path: String)
    /// The path names a directory, a FIFO, a device or a socket where a regular file is needed.
    case notRegular(path: String, kind: String)
    /// Larger than the reader accepts.
    case tooLarge(path: String, size: Int, limit: Int)
    /// The operating system refused the read.
    case unreadable(path: String, reason: String)
    /// The file cannot be written there (checked before any work: a missing directory, a directory in the way,
    /// a read-only file system).
    case unwritable(path: String, reason: String)
    /// Writing failed part-way (a full disk, an I/O error); the previous file, if any, is unchanged.
    case writeFailed(path: String, reason: String)

    public var path: String {
        switch self {
        case .missing(let path), .notRegular(let path, _), .tooLarge(let path, _, _), .unreadable(let path, _),
             .unwritable(let path, _), .writeFailed(let path, _): path
        }
    }

    /// What went wrong, without the path, for a message that names the file its own way.
    public var reason: String {
        switch self {
        case .missing: "no such file"
        case .notRegular(_, let kind): "it is \(kind), not a regular file"
        default: description
        }
    }

    public var description: String {
        switch self {
        case .missing(let path): "'\(path)' not found"
        case .notRegular(let path, let kind): "'\(path)' is \(kind), not a regular file"
        case .tooLarge(let path, let size, let limit): "'\(path)' is too large (\(size) bytes, at most \(limit))"
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        case .unwritable(let path, let reason), .writeFailed(let path, let reason): "cannot write '\(path)': \(reason)"
        }
    }
}

extension FileError: DiagnosticConvertible {
    /// Write failures are E0225; read failures are reported by whoever knows what the file was for (a model file,
    /// a parameters file, a data file), so they default to E0201 here.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .unwritable:
            [Diagnostic(code: .cannotWrite, message: description, path: path)]
        case .writeFailed:
            [Diagnostic(code: .cannotWrite, message: description, path: path,
                        help: "nothing was replaced: the previous contents of the file, if any, are unchanged")]
        default:
            [Diagnostic(code: .unreadableFile, message: description, path: path)]
        }
    }
}
