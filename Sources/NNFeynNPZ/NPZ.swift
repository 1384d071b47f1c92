// .npz archives: a zip of .npy files (NumPy's format, versions 1 to 3). We read float64, float32 and integer arrays
// in C order, little-endian, and write float64. Anything else is a clear error naming the member, never a trap.
import Foundation
import NNFeynIO
import ZIPFoundation

/// A dense array of doubles with a shape (C order: the last index varies fastest).
public struct NDArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Double]
    /// The dtype the values were stored as ("<f8", "<f4", ...), for messages.
    public var storedType: String

    public init(shape: [Int], values: [Double], storedType: String = "<f8") {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the number of values")
        self.shape = shape
        self.values = values
        self.storedType = storedType
    }

    /// A 1-D array.
    public init(vector: [Double]) { self.init(shape: [vector.count], values: vector) }

    /// The array in a standalone .npy file's bytes (`name` is used in errors).
    public init(npy data: Data, name: String) throws(NPZError) {
        self = try NPY.decode(data, member: name)
    }

    /// The array as a standalone .npy file.
    public var npyData: Data { NPY.encode(self) }

    /// A 2-D array from rows of equal length.
    public init(matrix rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        self.init(shape: [rows.count, columns], values: rows.flatMap { $0 })
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
    /// Raw .npy bytes by array name; decoded on demand so that unsupported members we never use do no harm.
    var members: [String: Data]

    public init() { members = [:] }

    /// Reads an archive from disk; `displayPath` is how messages name it (defaults to the URL's path).
    public init(contentsOf url: URL, displayPath: String? = nil) throws(NPZError) {
        let path = displayPath ?? url.path
        // A FIFO or a device would block or never end: only regular files are opened.
        do { _ = try Files.regularFileSize(url.path) } catch {
            switch error {
            case .missing: throw .unreadable(path: path, reason: "no such file")
            case .notRegular(_, let kind): throw .unreadable(path: path, reason: "it is \(kind), not a regular file")
            default: throw .unreadable(path: path, reason: error.description)
            }
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
        try self.init(archive: archive)
        // A central directory that cannot be followed reads as "no entries": compare with what the archive declares.
        if let declared = NPZArchive.declaredEntryCount(url), declared != members.count, declared != 0xFFFF {
            throw .malformedMember(member: "(central directory)", reason: "declares \(declared) members but \(members.count) can be read: the archive is damaged")
        }
    }

    /// The entry count in the end-of-central-directory record (nil if the record is not found).
    static func declaredEntryCount(_ url: URL) -> Int? {
        guard let data = try? Data(contentsOf: url), data.count >= 22 else { return nil }
        let bytes = [UInt8](data)
        // The record is the last 22 bytes plus a comment of at most 65535 bytes.
        let lowest = max(0, bytes.count - 22 - 65_535)
        for start in stride(from: bytes.count - 22, through: lowest, by: -1)
        where bytes[start] == 0x50 && bytes[start + 1] == 0x4B && bytes[start + 2] == 0x05 && bytes[start + 3] == 0x06 {
            return Int(bytes[start + 10]) | Int(bytes[start + 11]) << 8
        }
        return nil
    }

    /// Reads an archive from bytes (through a temporary file, see above).
    public init(data: Data, path: String = "<memory>") throws(NPZError) {
        guard data.count >= 4, data.prefix(2) == Data([0x50, 0x4B]) else { throw .notAZip(path: path) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-npz-\(UUID().uuidString).npz")
        do { try data.write(to: url) } catch { throw .unreadable(path: path, reason: "cannot stage the archive: \(error)") }
        defer { try? FileManager.default.removeItem(at: url) }
        try self.init(contentsOf: url, displayPath: path)
    }

    /// Extracts every member, checking each one's CRC-32 (a flipped bit in a weight must not load silently).
    init(archive: Archive) throws(NPZError) {
        var members: [String: Data] = [:]
        for entry in archive where entry.type == .file {
            // Refuse absurd sizes before allocating: an .npz member larger than 4 GiB is not something we load.
            guard entry.uncompressedSize <= 1 << 32 else {
                throw .malformedMember(member: entry.path, reason: "declares \(entry.uncompressedSize) bytes")
            }
            var bytes = Data()
            do {
                let checksum = try archive.extract(entry, skipCRC32: false) { bytes.append($0) }
                guard checksum == entry.checksum else {
                    throw NPZError.malformedMember(member: entry.path, reason: "CRC-32 mismatch: the archive is damaged")
                }
            } catch let error as NPZError {
                throw error
            } catch {
                throw .malformedMember(member: entry.path, reason: "cannot extract (\(error))")
            }
            var name = entry.path
            if name.hasSuffix(".npy") { name.removeLast(4) }
            members[name] = bytes
        }
        self.members = members
    }

    /// Array names, sorted.
    public var names: [String] { members.keys.sorted() }

    public func contains(_ name: String) -> Bool { members[name] != nil }

    /// Decodes one array.
    public func array(_ name: String) throws(NPZError) -> NDArray {
        guard let bytes = members[name] else { throw .missingMember(member: name, available: names) }
        return try NPY.decode(bytes, member: name)
    }

    /// Adds or replaces an array (stored as float64).
    public mutating func set(_ name: String, _ array: NDArray) {
        members[name] = NPY.encode(array)
    }

    /// The archive's bytes (uncompressed, like numpy.savez), members in sorted order for deterministic bytes.
    public func encoded() throws(NPZError) -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            let epoch = Date(timeIntervalSince1970: 315_532_800) // 1980-01-01: fixed, so output is reproducible
            for name in names {
                let bytes = members[name]!
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

/// The .npy format: magic, version, a Python-dict header, raw data.
enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // \x93NUMPY

    static func decode(_ data: Data, member: String) throws(NPZError) -> NDArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .malformedMember(member: member, reason: "missing the .npy magic bytes")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .malformedMember(member: member, reason: "truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .malformedMember(member: member, reason: "unknown .npy version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else { throw .malformedMember(member: member, reason: "truncated header") }
        let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        guard let descr = field("descr", in: header).flatMap(unquote) else {
            throw .malformedMember(member: member, reason: "header has no 'descr'")
        }
        guard let fortran = field("fortran_order", in: header) else {
            throw .malformedMember(member: member, reason: "header has no 'fortran_order'")
        }
        if fortran.trimmingCharacters(in: .whitespaces) != "False" {
            throw .unsupportedType(member: member, dtype: descr + " (Fortran order)")
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
        let body = headerStart + headerLength
        let itemSize: Int
        let reader: (Int) -> Double
        switch descr {
        case "<f8", "=f8", "f8":
            itemSize = 8
            reader = { offset in Double(bitPattern: load(bytes, offset, 8)) }
        case "<f4", "=f4", "f4":
            itemSize = 4
            reader = { offset in Double(Float(bitPattern: UInt32(truncatingIfNeeded: load(bytes, offset, 4)))) }
        case "<i8", "=i8":
            itemSize = 8
            reader = { offset in Double(Int64(bitPattern: load(bytes, offset, 8))) }
        case "<i4", "=i4":
            itemSize = 4
            reader = { offset in Double(Int32(truncatingIfNeeded: Int64(load(bytes, offset, 4)))) }
        default:
            throw .unsupportedType(member: member, dtype: descr)
        }
        guard bytes.count - body >= count * itemSize else {
            throw .malformedMember(member: member, reason: "holds \(bytes.count - body) data bytes, shape \(shape) needs \(count * itemSize)")
        }
        var values = [Double]()
        values.reserveCapacity(count)
        for i in 0..<count { values.append(reader(body + i * itemSize)) }
        return NDArray(shape: shape, values: values, storedType: descr)
    }

    @inline(__always)
    static func load(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<size { value |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        return value
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

    static func encode(_ array: NDArray) -> Data {
        let shapeText = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so that magic + version + length + header is a multiple of 64, ending in a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = magic + [1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + array.values.count * 8)
        for value in array.values {
            let bits = value.bitPattern
            for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        }
        return Data(bytes)
    }
}
