// Hand-made .npz archives for the tests of the archive reader: made by python3's zipfile (standard library only),
// byte by byte where an archive must lie about itself.
import Foundation

/// Archives that numpy.savez would not write.
public enum CraftedArchive: String, CaseIterable, Sendable {
    /// 'good' (float64 [1.5, -2]), 'bad' (not .npy at all), 'strange' (dtype '<U7') and 'damaged' (its CRC-32 does
    /// not match): only 'good' can be read.
    case mixed
    /// A directory entry 'sub/' beside 'sub/w' (float64 [[1, 2]]) and 'b' (float64 [3]).
    case directories
    /// 'y.weight': a float64 (1, 2) header and 16 bytes of data, then 256 MiB of zeros, deflated, its zip headers
    /// declaring 100 bytes uncompressed; 'y.bias' (float64 [0]).
    case bomb
    /// 'y.weight': a header describing 2^30 float64 (8 GiB), then 16 bytes.
    case hugeHeader
    /// 'i' (int64 [2^53 + 1, -2^63, 2^63 - 1]), 'u' (uint64 [2^64 - 1, 5]), 's' (int64 [3, -4]).
    case integers
    /// A layer 'y' of fan-in 3 in integers: 'y.weight' (int64 [[2^53 + 1, -2^63, 3]]), 'y.bias' (uint64
    /// [2^64 - 1]), and a damaged 'optimizer.state' (its CRC-32 does not match) that no model names.
    case integerLayer
    /// Fortran-order members, as numpy.save writes F-contiguous arrays: 'w' (float64 [[1, 2, 3], [4, 5, 6]]), 'cube'
    /// (float64 (2, 3, 4), value 100 i + 10 j + k at [i, j, k]), 'n' (int64 [[1, 2], [3, 4]]), 'v' (float64 [7, 8],
    /// 1-D, where the order changes nothing).
    case fortran

    /// The file name.
    public var fileName: String { rawValue + ".npz" }

    /// Writes the archives into `directory`; returns their URLs in the same order.
    @discardableResult
    public static func write(_ archives: [CraftedArchive], to directory: URL) throws -> [URL] {
        let script = #"""
            import os, struct, sys, zipfile

            def npy(descr, shape, payload, fortran=False):
                header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
                header += ' ' * ((64 - (10 + len(header) + 1) % 64) % 64) + '\n'
                return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode() + payload

            def f8(*values): return struct.pack('<%dd' % len(values), *values)

            directory = sys.argv[1]
            for kind in sys.argv[2:]:
                path = os.path.join(directory, kind + '.npz')
                if kind == 'mixed':
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr('good.npy', npy('<f8', '(2,)', f8(1.5, -2)))
                        z.writestr('bad.npy', b'this is not an array')
                        z.writestr('strange.npy', npy('<U7', '(1,)', b'x' * 28))
                        z.writestr('damaged.npy', npy('<f8', '(1,)', f8(1)))
                    # Break the last member's CRC-32, in its local and its central header.
                    data = bytearray(open(path, 'rb').read())
                    for signature, offset in ((b'PK\x03\x04', 14), (b'PK\x01\x02', 16)):
                        at = data.rfind(signature) + offset
                        data[at] ^= 0xFF
                    open(path, 'wb').write(bytes(data))
                elif kind == 'directories':
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr(zipfile.ZipInfo('sub/'), b'')
                        z.writestr('sub/w.npy', npy('<f8', '(1, 2)', f8(1, 2)))
                        z.writestr('b.npy', npy('<f8', '(1,)', f8(3)))
                elif kind == 'bomb':
                    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_DEFLATED) as z:
                        with z.open('y.weight.npy', 'w') as member:
                            member.write(npy('<f8', '(1, 2)', f8(1, 2)))
                            zeros = bytes(1 << 20)
                            for _ in range(256): member.write(zeros)
                        z.writestr('y.bias.npy', npy('<f8', '(1,)', f8(0)))
                    # Make the local and the central header declare 100 bytes uncompressed.
                    data = bytearray(open(path, 'rb').read())
                    local = data.find(b'PK\x03\x04'); central = data.find(b'PK\x01\x02')
                    struct.pack_into('<I', data, local + 22, 100)
                    struct.pack_into('<I', data, central + 24, 100)
                    open(path, 'wb').write(bytes(data))
                elif kind == 'hugeHeader':
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr('y.weight.npy', npy('<f8', '(1073741824,)', f8(1, 2)))
                elif kind == 'integers':
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr('i.npy', npy('<i8', '(3,)', struct.pack('<3q', 2**53 + 1, -2**63, 2**63 - 1)))
                        z.writestr('u.npy', npy('<u8', '(2,)', struct.pack('<2Q', 2**64 - 1, 5)))
                        z.writestr('s.npy', npy('<i8', '(2,)', struct.pack('<2q', 3, -4)))
                elif kind == 'integerLayer':
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr('y.weight.npy', npy('<i8', '(1, 3)', struct.pack('<3q', 2**53 + 1, -2**63, 3)))
                        z.writestr('y.bias.npy', npy('<u8', '(1,)', struct.pack('<Q', 2**64 - 1)))
                        z.writestr('optimizer.state.npy', npy('<f8', '(1,)', f8(1)))
                    data = bytearray(open(path, 'rb').read())
                    for signature, offset in ((b'PK\x03\x04', 14), (b'PK\x01\x02', 16)):
                        data[data.rfind(signature) + offset] ^= 0xFF
                    open(path, 'wb').write(bytes(data))
                elif kind == 'fortran':
                    # Fortran order: the first index varies fastest.
                    cube = [100 * i + 10 * j + k for k in range(4) for j in range(3) for i in range(2)]
                    with zipfile.ZipFile(path, 'w') as z:
                        z.writestr('w.npy', npy('<f8', '(2, 3)', f8(1, 4, 2, 5, 3, 6), True))
                        z.writestr('cube.npy', npy('<f8', '(2, 3, 4)', f8(*cube), True))
                        z.writestr('n.npy', npy('<i8', '(2, 2)', struct.pack('<4q', 1, 3, 2, 4), True))
                        z.writestr('v.npy', npy('<f8', '(2,)', f8(7, 8), True))
            """#
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                    ["python3", "-c", script, directory.path] + archives.map(\.rawValue), in: directory)
        guard result.exitCode == 0 else {
            throw NSError(domain: "CraftedArchive", code: Int(result.exitCode),
                          userInfo: [NSLocalizedDescriptionKey: "python3 failed: \(result.stderr)"])
        }
        return archives.map { directory.appendingPathComponent($0.fileName) }
    }
}

/// safetensors files written byte by byte (the reader is proven against the official writer by
/// Tests/Fixtures/safetensors; this is for tests that need files of their own).
public enum SafeTensorsBytes {
    /// A file of F64 tensors (name, shape, values in C order), in the order given.
    public static func f64(_ tensors: [(name: String, shape: [Int], values: [Double])]) -> Data {
        var header: [String] = []
        var data: [UInt8] = []
        for tensor in tensors {
            let begin = data.count
            for value in tensor.values {
                for k in 0..<8 { data.append(UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64(k)))) }
            }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            header.append("\"\(tensor.name)\":{\"dtype\":\"F64\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var text = Array(("{" + header.joined(separator: ",") + "}").utf8)
        while text.count % 8 != 0 { text.append(0x20) }
        let length = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(text.count) >> (8 * UInt64($0))) }
        return Data(length + text + data)
    }
}
