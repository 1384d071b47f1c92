// Writing typed arrays as .npy members: float64 ('<f8'), int64 ('<i8'), uint64 ('<u8') and fixed-width Unicode
// ('<U n', UTF-32LE code units, as NumPy stores str arrays), in C order, format version 1.0.
import Foundation
import NNFeynAlgebra

extension NPZArchive {
    /// Adds or replaces a typed array.
    public mutating func set(_ name: String, _ array: DenseArray) {
        members[name] = NPY.encode(array)
    }
}

extension NPY {
    static func encode(_ array: DenseArray) -> Data {
        let shape = array.shape
        let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var body: [UInt8] = []
        let descr: String
        switch array.storage {
        case .float64(let values):
            descr = "<f8"
            body.reserveCapacity(values.count * 8)
            for value in values { append(value.bitPattern, to: &body) }
        case .int64(let values):
            descr = "<i8"
            body.reserveCapacity(values.count * 8)
            for value in values { append(UInt64(bitPattern: value), to: &body) }
        case .uint64(let values):
            descr = "<u8"
            body.reserveCapacity(values.count * 8)
            for value in values { append(value, to: &body) }
        case .text(let values):
            let scalars = values.map { Array($0.unicodeScalars) }
            let width = max(1, scalars.map(\.count).max() ?? 1)
            descr = "<U\(width)"
            body.reserveCapacity(values.count * width * 4)
            for string in scalars {
                for k in 0..<width {
                    let code = k < string.count ? string[k].value : 0
                    for byte in 0..<4 { body.append(UInt8(truncatingIfNeeded: code >> (8 * UInt32(byte)))) }
                }
            }
        }
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so that magic + version + length + header is a multiple of 64, ending in a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = magic + [1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes += body
        return Data(bytes)
    }

    static func append(_ bits: UInt64, to bytes: inout [UInt8]) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
    }
}
