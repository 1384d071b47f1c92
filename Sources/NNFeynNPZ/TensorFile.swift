// A file of named tensors, whatever its format. Lowering and `nnfeyn import` are written once against `TensorFile`;
// `TensorFiles.open` tells the formats apart by their first bytes (the extension only decides between error
// messages), and recognises what people save instead of tensors (a PyTorch checkpoint, a pickle, a single .npy) so
// that it can be refused with a way out rather than as "not a zip file".
import Foundation
import NNFeynAlgebra
import NNFeynIO

/// A tensor's name, dtype (as its format spells it: "<f8", "F32") and shape, read without its data.
public struct TensorHeader: Sendable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int]

    public init(name: String, dtype: String, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// Named tensors read lazily: names at once, a header without its data, the values when asked for. Each format
/// throws its own error type (NPZError, SafeTensorsError); both describe themselves as a lowercase sentence for a
/// diagnostic. (Not an associated error type: the Swift 6.3 compiler crashes on typed throws through an existential.)
public protocol TensorFile: Sendable {
    /// The tensor names, sorted.
    var names: [String] { get }
    func contains(_ name: String) -> Bool
    /// The tensor's dtype and shape, without reading its values.
    func tensorHeader(_ name: String) throws -> TensorHeader
    /// The tensor's values in C order: floats as the doubles they store, integers exactly.
    func array(_ name: String) throws -> DenseArray
}

extension NPZArchive: TensorFile {
    public func tensorHeader(_ name: String) throws(NPZError) -> TensorHeader {
        let header = try header(name)
        return TensorHeader(name: name, dtype: header.dtype, shape: header.shape)
    }
}

extension SafeTensorsFile: TensorFile {
    public func tensorHeader(_ name: String) throws(SafeTensorsError) -> TensorHeader {
        guard let entry = entries[name] else { throw .missingTensor(name: name, available: names) }
        return TensorHeader(name: name, dtype: entry.dtype, shape: entry.shape)
    }
}

/// Why a file of tensors cannot be opened.
public enum TensorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Missing, not a regular file, or unreadable.
    case unreadable(path: String, reason: String)
    case npz(NPZError)
    case safetensors(SafeTensorsError)
    /// A PyTorch checkpoint (torch.save) or another pickle: `what` says which.
    case pytorch(path: String, what: String)
    /// Neither format; `what` says what it looks like, when that is known.
    case unrecognised(path: String, what: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        case .npz(let error): error.description
        case .safetensors(let error): error.description
        case .pytorch(let path, let what): "'\(path)' is \(what), not a file of tensors"
        case .unrecognised(let path, let what): "'\(path)' is \(what)"
        }
    }
}

/// Opens files of tensors.
public enum TensorFiles {
    /// The formats read, for messages.
    public static let formats = ".npz archives (numpy.savez) and safetensors files"

    /// How to save a PyTorch model's weights so that nnfeyn can read them.
    public static let pytorchAdvice = "save the weights as safetensors instead: "
        + "from safetensors.torch import save_file; save_file(model.state_dict(), \"m.safetensors\")"

    /// Opens `url` as an .npz archive or a safetensors file, whichever its first bytes say (the extension only
    /// when they say neither); `displayPath` is how messages name it. Only the directory or header is read.
    public static func open(_ url: URL, displayPath: String? = nil) throws(TensorFileError) -> any TensorFile {
        let path = displayPath ?? url.path
        // A FIFO or a device would block or never end: only regular files are opened, and only their start is read.
        let size: Int
        do { size = try Files.regularFileSize(url.path) } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        let head = [UInt8]((try? FileHandle(forReadingFrom: url)).flatMap { handle -> Data? in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 16)
        } ?? Data())
        switch Format(head, size: size, extension: url.pathExtension.lowercased()) {
        case .zip:
            let archive: NPZArchive
            do { archive = try NPZArchive(contentsOf: url, displayPath: path) } catch { throw .npz(error) }
            // torch.save writes a zip of pickles: '<name>/data.pkl' and the storages; TorchScript adds
            // 'constants.pkl' and code. An .npz holds .npy members only.
            if archive.names.contains(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") || $0.hasSuffix("/constants.pkl") }) {
                throw .pytorch(path: path, what: "a PyTorch checkpoint (torch.save: a zip of pickles)")
            }
            return archive
        case .safetensors:
            do { return try SafeTensorsFile(contentsOf: url, displayPath: path) } catch { throw .safetensors(error) }
        case .pickle:
            throw .pytorch(path: path, what: "a Python pickle (torch.save's legacy format, or pickle.dump)")
        case .npy:
            throw .unrecognised(path: path, what: "a single .npy array, not an archive of named arrays; write one with numpy.savez(\"p.npz\", **arrays)")
        case .unknown:
            throw .unrecognised(path: path, what: "neither an .npz archive (numpy.savez) nor a safetensors file")
        }
    }

    /// What a file's first bytes say it is.
    enum Format: Equatable {
        case zip, safetensors, pickle, npy, unknown

        init(_ head: [UInt8], size: Int, extension: String) {
            if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
                self = .zip
            } else if head.count > 8, head[8] == UInt8(ascii: "{"),
                      head.prefix(8).reversed().reduce(UInt64(0), { $0 << 8 | UInt64($1) }) <= UInt64(size - 8) {
                // safetensors: an 8-byte little-endian header length that fits the file, then a JSON object.
                self = .safetensors
            } else if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) {
                // Pickle protocols 2 to 5 start with PROTO and the version.
                self = .pickle
            } else if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) {
                self = .npy
            } else {
                // Neither: the extension decides which reader explains what is wrong.
                switch `extension` {
                case "safetensors": self = .safetensors
                case "npz": self = .zip
                default: self = .unknown
                }
            }
        }
    }
}
