// safetensors files (Hugging Face's format, what PyTorch, JAX/Flax and most model hubs save): an 8-byte little-endian
// header length N, N bytes of a JSON object mapping tensor names to {dtype, shape, data_offsets: [begin, end]} (offsets
// into the data that follows) and an optional "__metadata__" object of strings, then the raw little-endian C-order
// data.
//
// The reader treats the file as hostile, as strictly as the .npz reader: the header is bounded (100 MiB, the
// reference implementation's cap) and must be a JSON object of well-formed entries; every range must match its
// dtype and shape (with overflow checks); and the ranges must tile the data exactly (sorted, without gaps, overlaps
// or trailing bytes), which also defuses duplicate keys that a JSON parser would silently merge. Only the header is
// read up front; a tensor's bytes are read when it is asked for. Floats become the doubles they store (F64, F32, F16,
// BF16: all exact), integers stay exact 64-bit integers; every other dtype is a clear error.
import Foundation
import NNFeynAlgebra
import NNFeynIO

/// What can go wrong reading a safetensors file; `description` is a lowercase sentence for a diagnostic.
public enum SafeTensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformedHeader(path: String, reason: String)
    case malformedTensor(name: String, reason: String)
    case unsupportedType(name: String, dtype: String)
    case missingTensor(name: String, available: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read '\(path)': \(reason)"
        case .malformedHeader(let path, let reason): "'\(path)' is not a valid safetensors file: \(reason)"
        case .malformedTensor(let name, let reason): "tensor '\(name)' is malformed: \(reason)"
        case .unsupportedType(let name, let dtype):
            "tensor '\(name)' has dtype \(dtype); nnfeyn reads F64, F32, F16, BF16 and the integer types I8 to I64, U8 to U32"
        case .missingTensor(let name, let available):
            "no tensor '\(name)' in the file" + (available.isEmpty ? "" : " (it has: " + available.sorted().joined(separator: ", ") + ")")
        }
    }
}

/// The tensors of a safetensors file, by name.
public struct SafeTensorsFile: Sendable {
    /// One tensor's place in the file.
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        /// Absolute byte range in the file.
        let range: Range<Int>
    }

    /// The largest header read.
    public static let maximumHeaderSize = 100 << 20

    /// Element sizes of the dtypes nnfeyn reads.
    static let itemSizes: [String: Int] = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                           "I8": 1, "U32": 4, "U16": 2, "U8": 1]
    /// Element sizes of the other dtypes of the format: their ranges are checked, their values refused.
    static let otherSizes: [String: Int] = ["U64": 8, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "C64": 8]

    public let path: String
    let url: URL
    /// Tensors by name.
    public let entries: [String: Entry]
    /// The "__metadata__" strings.
    public let metadata: [String: String]

    /// Reads and checks the header of the file at `url`; `displayPath` is how messages name it.
    public init(contentsOf url: URL, displayPath: String? = nil) throws(SafeTensorsError) {
        let path = displayPath ?? url.path
        self.path = path
        self.url = url
        let size: Int
        do { size = try Files.regularFileSize(url.path) } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        guard size >= 8 else { throw .malformedHeader(path: path, reason: "it has \(size) bytes, fewer than the 8 of the header length") }
        let prefix = try SafeTensorsFile.read(url, path: path, range: 0..<8)
        let declared = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(SafeTensorsFile.maximumHeaderSize) else {
            throw .malformedHeader(path: path, reason: "the header claims \(declared) bytes, more than \(SafeTensorsFile.maximumHeaderSize)")
        }
        let headerLength = Int(declared)
        guard 8 + headerLength <= size else {
            throw .malformedHeader(path: path, reason: "the header claims \(headerLength) bytes but the file has \(size - 8) after the length")
        }
        let headerBytes = try SafeTensorsFile.read(url, path: path, range: 8..<(8 + headerLength))
        let dataStart = 8 + headerLength
        guard let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)), let header = object as? [String: Any] else {
            throw .malformedHeader(path: path, reason: "the header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: Any], strings.values.allSatisfy({ $0 is String }) else {
                    throw .malformedHeader(path: path, reason: "__metadata__ is not an object of strings")
                }
                metadata = strings.mapValues { $0 as! String }
                continue
            }
            entries[name] = try SafeTensorsFile.entry(name, value, dataStart: dataStart, dataEnd: size)
        }
        // The ranges must tile the data exactly: sorted by offset, no gap, no overlap, nothing after the last.
        var next = dataStart
        for (name, entry) in entries.sorted(by: { ($0.value.range.lowerBound, $0.value.range.upperBound, $0.key)
                                                      < ($1.value.range.lowerBound, $1.value.range.upperBound, $1.key) }) {
            guard entry.range.lowerBound == next else {
                throw .malformedTensor(name: name, reason: entry.range.lowerBound < next
                    ? "its bytes overlap another tensor's" : "there are \(entry.range.lowerBound - next) unused bytes before it")
            }
            next = entry.range.upperBound
        }
        guard next == size else { throw .malformedHeader(path: path, reason: "\(size - next) bytes after the last tensor") }
        self.entries = entries
        self.metadata = metadata
    }

    /// One header entry, checked against the data section.
    static func entry(_ name: String, _ value: Any, dataStart: Int, dataEnd: Int) throws(SafeTensorsError) -> Entry {
        guard let fields = value as? [String: Any] else { throw .malformedTensor(name: name, reason: "its entry is not an object") }
        guard let dtype = fields["dtype"] as? String else { throw .malformedTensor(name: name, reason: "no dtype") }
        guard let shapeValues = fields["shape"] as? [Any], let offsets = fields["data_offsets"] as? [Any], offsets.count == 2 else {
            throw .malformedTensor(name: name, reason: "no shape or no [begin, end] data_offsets")
        }
        // JSON numbers come back as NSNumber (true and false too, with objCType "c"): accept whole, non-negative
        // numbers that doubles hold exactly.
        func integer(_ any: Any) -> Int? {
            guard let number = any as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
            let value = number.doubleValue
            return value >= 0 && value <= 0x1p53 && value.rounded() == value ? Int(value) : nil
        }
        var count = 1
        var shape: [Int] = []
        for dimension in shapeValues {
            guard let extent = integer(dimension) else { throw .malformedTensor(name: name, reason: "its shape holds \(dimension)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= 1 << 40 else { throw .malformedTensor(name: name, reason: "shape \(shapeValues) is too large") }
            count = product
            shape.append(extent)
        }
        guard let itemSize = itemSizes[dtype] ?? otherSizes[dtype] else { throw .unsupportedType(name: name, dtype: dtype) }
        guard let begin = integer(offsets[0]), let end = integer(offsets[1]), begin <= end else {
            throw .malformedTensor(name: name, reason: "data_offsets \(offsets) are not an increasing pair of byte offsets")
        }
        guard end - begin == count * itemSize else {
            throw .malformedTensor(name: name, reason: "it holds \(end - begin) bytes, shape \(shape) of \(dtype) needs \(count * itemSize)")
        }
        guard begin <= dataEnd - dataStart, end <= dataEnd - dataStart else {
            throw .malformedTensor(name: name, reason: "its bytes \(begin)..<\(end) lie beyond the end of the file")
        }
        return Entry(dtype: dtype, shape: shape, range: (dataStart + begin)..<(dataStart + end))
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// Reads one tensor: floats as the doubles they store, integers as exact 64-bit integers.
    public func array(_ name: String) throws(SafeTensorsError) -> DenseArray {
        guard let entry = entries[name] else { throw .missingTensor(name: name, available: names) }
        guard let itemSize = SafeTensorsFile.itemSizes[entry.dtype] else { throw .unsupportedType(name: name, dtype: entry.dtype) }
        let bytes = try SafeTensorsFile.read(url, path: path, range: entry.range)
        let count = bytes.count / itemSize
        func word(_ i: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<itemSize { value |= UInt64(bytes[i * itemSize + k]) << (8 * UInt64(k)) }
            return value
        }
        switch entry.dtype {
        case "F64": return DenseArray(shape: entry.shape, .float64((0..<count).map { Double(bitPattern: word($0)) }))
        case "F32": return DenseArray(shape: entry.shape, .float64((0..<count).map { Double(Float(bitPattern: UInt32(word($0)))) }))
        case "F16": return DenseArray(shape: entry.shape, .float64((0..<count).map { SafeTensorsFile.half(UInt16(word($0))) }))
        case "BF16":
            return DenseArray(shape: entry.shape, .float64((0..<count).map { Double(Float(bitPattern: UInt32(word($0)) << 16)) }))
        case "I64": return DenseArray(shape: entry.shape, .int64((0..<count).map { Int64(bitPattern: word($0)) }))
        case "I32": return DenseArray(shape: entry.shape, .int64((0..<count).map { Int64(Int32(bitPattern: UInt32(word($0)))) }))
        case "I16": return DenseArray(shape: entry.shape, .int64((0..<count).map { Int64(Int16(bitPattern: UInt16(word($0)))) }))
        case "I8": return DenseArray(shape: entry.shape, .int64((0..<count).map { Int64(Int8(bitPattern: UInt8(word($0)))) }))
        default: return DenseArray(shape: entry.shape, .int64((0..<count).map { Int64(word($0)) }))   // U8, U16, U32
        }
    }

    /// An IEEE half-precision value, exactly.
    static func half(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F), fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// Bytes `range` of the file, read without loading the rest.
    static func read(_ url: URL, path: String, range: Range<Int>) throws(SafeTensorsError) -> [UInt8] {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(range.lowerBound))
            let data = try handle.read(upToCount: range.count) ?? Data()
            guard data.count == range.count else { throw SafeTensorsError.unreadable(path: path, reason: "the file ended early") }
            return [UInt8](data)
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
