// .npz archives: a zip of .npy files (NumPy's format, versions 1 to 3). We read float64, float32 and 32- and 64-bit
// integer arrays, little-endian, in C or Fortran order (returned in C order), into `DenseArray`s, and write them.
// Anything else is a clear error naming the member, never a trap.
//
// Reading is lazy and bounded. Opening an archive reads its central directory only; a member is inflated when it is
// asked for, and its header is read first. Inflation stops as soon as a member holds more bytes than its header
// describes (a member that declares 100 bytes and inflates to 4 GiB is refused one chunk past its real size), and a
// header that describes more than `maximumMemberBytes` is refused before any data is read.
import Foundation
import NNFeynAlgebra
import NNFeynIO
import ZIPFoundation

extension DenseArray {
    /// The array in a standalone .npy file's bytes (`name` names it in errors).
    public init(npy data: Data, name: String) throws(NPZError) {
        self = try NPY.decode(data, member: name)
    }
}

/// What can go wrong reading an .npz; `description` is a lowercase sentence for a diagnostic.
public enum NPZError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notAZip(path: String)
    case malformedMember(member: String, reason: String)
    case unsupportedType(member: String, dtype: String)
    case missingMember(member: String, available: [String])
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        case .notAZip(let path): "'\(path)' is not an .npz archive (not a zip file)"
        case .malformedMember(let member, let reason): "array '\(member)' is malformed: \(reason)"
        case .unsupportedType(let member, let dtype): "array '\(member)' has unsupported dtype '\(dtype)' (float64, float32 or integers, little-endian, C order)"
        case .missingMember(let member, let available):
            "no array '\(member)' in the archive" + (available.isEmpty ? "" : " (it has: " + available.sorted().joined(separator: ", ") + ")")
        case .writeFailed(let path, let reason): "cannot write '\(path)': \(reason)"
        }
    }
}

/// The arrays of an .npz archive, by name (without the ".npy" suffix).
public struct NPZArchive: Sendable {
    /// Largest member read, in bytes (header and data), judged by its header before any data is inflated.
    public static let maximumMemberBytes = 1 << 32

    /// Arrays set in memory, as .npy bytes (they take precedence over members of the same name on disk).
    var members: [String: Data]
    /// The archive on disk this one was opened from; its members are inflated when asked for.
    let reader: Reader?

    public init() {
        members = [:]
        reader = nil
    }

    /// Opens an archive on disk, reading its directory only; `displayPath` is how messages name it (defaults to the
    /// URL's path).
    public init(contentsOf url: URL, displayPath: String? = nil) throws(NPZError) {
        let path = displayPath ?? url.path
        // A FIFO or a device would block or never end: only regular files are opened.
        do { _ = try Files.regularFileSize(url.path) } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        let head = (try? FileHandle(forReadingFrom: url)).flatMap { handle -> Data? in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 4)
        } ?? Data()
        guard head.count >= 4, head.prefix(2) == Data([0x50, 0x4B]) else { throw .notAZip(path: path) }
        // ZIPFoundation's file-backed reader reports damaged archives as errors; its in-memory reader can trap on
        // a central directory that points past the end, so bytes always go through a file.
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch { throw .notAZip(path: path) }
        var entries: [String: Entry] = [:]
        var count = 0
        for entry in archive {
            count += 1
            // Directories (and links) are entries too, but hold no array.
            guard entry.type == .file else { continue }
            var name = entry.path
            if name.hasSuffix(".npy") { name.removeLast(4) }
            entries[name] = entry
        }
        // A central directory that cannot be followed reads as "no entries": compare with what the archive declares.
        if let declared = NPZArchive.declaredEntryCount(url), declared != count, declared != 0xFFFF {
            throw .malformedMember(member: "(central directory)", reason: "declares \(declared) members but \(count) can be read: the archive is damaged")
        }
        members = [:]
        reader = Reader(archive: archive, entries: entries)
    }

    /// The entry count in the end-of-central-directory record (nil if the record is not found). Reads the tail of
    /// the file only: the record is the last 22 bytes plus a comment of at most 65535 bytes.
    static func declaredEntryCount(_ url: URL) -> Int? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        let tail = min(size, 22 + 65_535)
        guard (try? handle.seek(toOffset: size - tail)) != nil, let data = try? handle.read(upToCount: Int(tail)),
              data.count == Int(tail) else { return nil }
        let bytes = [UInt8](data)
        for start in stride(from: bytes.count - 22, through: 0, by: -1)
        where bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 0x05 && bytes[start + 3] == 0x06 {
            return Int(bytes[start + 10]) | Int(bytes[start + 11]) << 8
        }
        return nil
    }

    /// Reads an archive from bytes, through a temporary file (see above); the open archive keeps reading the file
    /// after its name is removed.
    public init(data: Data, path: String = "<memory>") throws(NPZError) {
        guard data.count >= 4, data.prefix(2) == Data([0x50, 0x4B]) else { throw .notAZip(path: path) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-npz-\(UUID().uuidString).npz")
        do { try data.write(to: url) } catch { throw .unreadable(path: path, reason: "cannot stage the archive: \(error)") }
        defer { try? FileManager.default.removeItem(at: url) }
        try self.init(contentsOf: url, displayPath: path)
    }

    /// Array names, sorted.
    public var names: [String] { Set(members.keys).union(reader?.entries.keys.map { $0 } ?? []).sorted() }

    public func contains(_ name: String) -> Bool { members[name] != nil || reader?.entries[name] != nil }

    /// One array's dtype and shape, read without its data.
    public func header(_ name: String) throws(NPZError) -> NPYHeader {
        if let bytes = members[name] {
            guard let header = try NPY.header(bytes, member: name) else { throw NPY.incomplete(bytes, member: name) }
            return header
        }
        guard let reader, let entry = reader.entries[name] else { throw .missingMember(member: name, available: names) }
        return try reader.header(entry, member: name)
    }

    /// Decodes one array, inflating that member only, and no more of it than its header describes.
    public func array(_ name: String) throws(NPZError) -> DenseArray {
        try NPY.decode(bytes(name), member: name)
    }

    /// A member's .npy bytes.
    func bytes(_ name: String) throws(NPZError) -> Data {
        if let bytes = members[name] { return bytes }
        guard let reader, let entry = reader.entries[name] else { throw .missingMember(member: name, available: names) }
        return try reader.contents(entry, member: name)
    }

    /// The archive's bytes (uncompressed, like numpy.savez), members in sorted order for deterministic bytes.
    public func encoded() throws(NPZError) -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            let epoch = Date(timeIntervalSince1970: 315_532_800) // 1980-01-01: fixed, so output is reproducible
            for name in names {
                let bytes = try bytes(name)
                try archive.addEntry(with: name + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                     modificationDate: epoch, compressionMethod: .none) { position, size in
                    bytes.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let out = archive.data else { throw NPZError.writeFailed(path: "<memory>", reason: "no archive data") }
            return out
        } catch let error as NPZError {
            throw error
        } catch {
            throw .writeFailed(path: "<memory>", reason: "\(error)")
        }
    }

    /// Writes the archive safely (a temporary file renamed into place: a failure leaves any previous file intact).
    public func write(to url: URL) throws {
        try Files.write(encoded(), to: url.path)
    }
}

/// An archive open on disk and its entries by array name. Extraction moves the archive's file position, so it is
/// serialised by a lock.
final class Reader: @unchecked Sendable {
    let archive: Archive
    let entries: [String: Entry]
    let lock = NSLock()

    init(archive: Archive, entries: [String: Entry]) {
        self.archive = archive
        self.entries = entries
    }

    /// Thrown by a consumer to stop inflating: nothing more is needed.
    struct Enough: Error {}

    /// The member's header, inflating no more than one chunk past it.
    func header(_ entry: Entry, member: String) throws(NPZError) -> NPYHeader {
        var bytes = Data()
        var found: NPYHeader?
        try extract(entry, member: member) { chunk in
            bytes.append(chunk)
            found = try NPY.header(bytes, member: member)
            if found != nil { throw Enough() }
        }
        guard let found else { throw NPY.incomplete(bytes, member: member) }
        return found
    }

    /// The member's bytes, refused as soon as they pass what its header describes, or when that is more than
    /// `NPZArchive.maximumMemberBytes`.
    func contents(_ entry: Entry, member: String) throws(NPZError) -> Data {
        var bytes = Data()
        var limit: Int?
        try extract(entry, member: member) { chunk in
            bytes.append(chunk)
            if limit == nil, let header = try NPY.header(bytes, member: member) {
                guard header.byteCount <= NPZArchive.maximumMemberBytes else {
                    throw NPZError.malformedMember(member: member, reason: "its header describes \(header.byteCount) bytes, more than the \(NPZArchive.maximumMemberBytes) read")
                }
                limit = header.byteCount
                bytes.reserveCapacity(min(header.byteCount, 64 << 20))
            }
            if let limit, bytes.count > limit {
                throw NPZError.malformedMember(member: member, reason: "it inflates to more than the \(limit) bytes its header describes")
            }
        }
        return bytes
    }

    /// Inflates an entry chunk by chunk into `consumer`. When it runs to the end, the CRC-32 is checked (a flipped
    /// bit in a weight must not load silently); a consumer that throws `Enough` ends it early without error.
    func extract(_ entry: Entry, member: String, _ consumer: (Data) throws -> Void) throws(NPZError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            let checksum = try archive.extract(entry, skipCRC32: false, consumer: consumer)
            guard checksum == entry.checksum else {
                throw NPZError.malformedMember(member: member, reason: "CRC-32 mismatch: the archive is damaged")
            }
        } catch is Enough {
            return
        } catch let error as NPZError {
            throw error
        } catch {
            throw .malformedMember(member: member, reason: "cannot extract (\(error))")
        }
    }
}

/// What an .npy header says: the dtype, the shape, and where the data starts.
public struct NPYHeader: Sendable, Equatable {
    public var dtype: String
    public var shape: [Int]
    /// The number of values (the product of the shape).
    public var count: Int
    /// Bytes per value.
    public var itemSize: Int
    /// The offset of the first data byte.
    public var dataOffset: Int
    /// Whether the data are in Fortran order (first index fastest); decoding returns C order either way.
    public var fortranOrder: Bool = false

    /// The member's whole size, header and data.
    public var byteCount: Int { dataOffset + count * itemSize }
}

/// The .npy format: magic, version, a Python-dict header, raw data.
enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // \x93NUMPY
    /// Longest header read (NumPy writes about a hundred bytes; its own reader stops at 10000 by default).
    static let maximumHeaderLength = 1 << 20
    /// Bytes per value of the dtypes read.
    static let itemSizes: [String: Int] = [
        "<f8": 8, "=f8": 8, "f8": 8, "<f4": 4, "=f4": 4, "f4": 4,
        "<i8": 8, "=i8": 8, "<i4": 4, "=i4": 4, "<u8": 8, "=u8": 8, "<u4": 4, "=u4": 4,
    ]

    /// The header at the start of `data`, or nil while more bytes are needed to read it. Throws as soon as what is
    /// there is malformed or unsupported.
    static func header(_ data: Data, member: String) throws(NPZError) -> NPYHeader? {
        let available = data.count
        func byte(_ i: Int) -> UInt8 { data[data.startIndex + i] }
        for i in 0..<min(available, magic.count) where byte(i) != magic[i] {
            throw .malformedMember(member: member, reason: "missing the .npy magic bytes")
        }
        guard available >= 10 else { return nil }
        let major = byte(6)
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(byte(8)) | Int(byte(9)) << 8
            headerStart = 10
        case 2, 3:
            guard available >= 12 else { return nil }
            headerLength = Int(byte(8)) | Int(byte(9)) << 8 | Int(byte(10)) << 16 | Int(byte(11)) << 24
            headerStart = 12
        default:
            throw .malformedMember(member: member, reason: "unknown .npy version \(major)")
        }
        guard headerLength <= maximumHeaderLength else {
            throw .malformedMember(member: member, reason: "its header is \(headerLength) bytes long (at most \(maximumHeaderLength))")
        }
        guard headerStart + headerLength <= available else { return nil }
        let start = data.startIndex + headerStart
        let header = String(decoding: data[start..<start + headerLength], as: UTF8.self)
        guard let descr = field("descr", in: header).flatMap(unquote) else {
            throw .malformedMember(member: member, reason: "header has no 'descr'")
        }
        guard let fortran = field("fortran_order", in: header) else {
            throw .malformedMember(member: member, reason: "header has no 'fortran_order'")
        }
        let fortranOrder: Bool
        switch fortran.trimmingCharacters(in: .whitespaces) {
        case "False": fortranOrder = false
        case "True": fortranOrder = true
        default: throw .malformedMember(member: member, reason: "'fortran_order' is neither True nor False")
        }
        guard let shapeText = field("shape", in: header), let shape = parseShape(shapeText) else {
            throw .malformedMember(member: member, reason: "header has no readable 'shape'")
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= 1 << 40 else { throw .malformedMember(member: member, reason: "shape \(shape) is too large") }
            count = product
        }
        guard let itemSize = itemSizes[descr] else { throw .unsupportedType(member: member, dtype: descr) }
        return NPYHeader(dtype: descr, shape: shape, count: count, itemSize: itemSize, dataOffset: headerStart + headerLength,
                         fortranOrder: fortranOrder)
    }

    /// The error for a member that ended before its header did.
    static func incomplete(_ data: Data, member: String) -> NPZError {
        .malformedMember(member: member, reason: data.count < 10 ? "missing the .npy magic bytes" : "truncated header")
    }

    /// Decodes a whole .npy member: floats as the doubles they store, integers exactly, in C order (a Fortran-order
    /// array is rearranged).
    static func decode(_ data: Data, member: String) throws(NPZError) -> DenseArray {
        guard let header = try header(data, member: member) else { throw incomplete(data, member: member) }
        let dataBytes = data.count - header.dataOffset, needed = header.count * header.itemSize
        guard dataBytes >= needed else {
            throw .malformedMember(member: member, reason: "holds \(dataBytes) data bytes, shape \(header.shape) needs \(needed)")
        }
        guard dataBytes == needed else {
            throw .malformedMember(member: member, reason: "it holds more than the \(header.byteCount) bytes its header describes")
        }
        let count = header.count
        let storage: DenseArray.Storage = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let body = raw.baseAddress.map { $0 + header.dataOffset }
            func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
                (0..<count).map { T(littleEndian: body!.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
            }
            switch header.dtype {
            case "<f8", "=f8", "f8": return .float64(load(UInt64.self).map { Double(bitPattern: $0) })
            case "<f4", "=f4", "f4": return .float64(load(UInt32.self).map { Double(Float(bitPattern: $0)) })
            case "<i4", "=i4": return .int64(load(Int32.self).map { Int64($0) })
            case "<u4", "=u4": return .int64(load(UInt32.self).map { Int64($0) })
            case "<i8", "=i8": return .int64(load(Int64.self))
            default: return .uint64(load(UInt64.self)) // "<u8", "=u8"
            }
        }
        guard header.fortranOrder else { return DenseArray(shape: header.shape, storage) }
        // Fortran order (first index fastest) is C order of the reversed shape: reverse the axes back.
        return DenseArray(shape: header.shape.reversed(), storage).axesReversed()
    }

    /// The raw text of `'key': value` in a Python dict literal (value up to the next top-level comma or brace).
    static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop(while: { $0 == " " })
        var depth = 0
        var value = ""
        for c in rest {
            if c == "(" || c == "[" { depth += 1 }
            if c == ")" || c == "]" { depth -= 1 }
            if depth == 0 && (c == "," || c == "}") { break }
            value.append(c)
            if depth < 0 { return nil }
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    static func unquote(_ text: String) -> String? {
        guard text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first else { return nil }
        return String(text.dropFirst().dropLast())
    }

    static func parseShape(_ text: String) -> [Int]? {
        guard text.hasPrefix("("), text.hasSuffix(")") else { return nil }
        let inner = text.dropFirst().dropLast()
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let n = Int(trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed), n >= 0 else { return nil }
            shape.append(n)
        }
        return shape
    }
}
