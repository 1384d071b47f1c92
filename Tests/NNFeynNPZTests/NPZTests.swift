import Foundation
import Testing
import NNFeynAlgebra
import NNFeynTestSupport
@testable import NNFeynNPZ

@Suite struct NPZTests {
    @Test func roundTripsFloat64() throws {
        var archive = NPZArchive()
        archive.set("h1.weight", DenseArray(matrix: [[1, -0.5], [0.1, 2]]))
        archive.set("h1.bias", DenseArray(vector: [0, 1e-300]))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-npz-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try archive.write(to: url)
        let back = try NPZArchive(contentsOf: url)
        #expect(back.names == ["h1.bias", "h1.weight"])
        #expect(try back.array("h1.weight") == DenseArray(matrix: [[1, -0.5], [0.1, 2]]))
        #expect(try back.array("h1.bias").storage == .float64([0, 1e-300]))
    }

    @Test func rejectsGarbageWithoutTrapping() {
        #expect(throws: NPZError.notAZip(path: "<memory>")) { try NPZArchive(data: Data("hello".utf8)) }
        #expect(throws: NPZError.self) { try NPZArchive(data: Data([0x50, 0x4B, 3, 4, 0, 0, 0])) }
    }

    @Test func reportsMissingMembers() throws {
        var archive = NPZArchive()
        archive.set("a", DenseArray(vector: [1]))
        #expect(throws: NPZError.missingMember(member: "b", available: ["a"])) { try archive.array("b") }
    }

    @Test func decodesFloat32AndRejectsUnknownTypes() throws {
        func npy(_ descr: String, _ shape: String, _ payload: [UInt8]) -> Data {
            var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            let n = header.utf8.count
            return Data(NPY.magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + payload)
        }
        let half = Float(0.5).bitPattern
        let payload = (0..<4).map { UInt8(truncatingIfNeeded: half >> (8 * UInt32($0))) }
        #expect(try NPY.decode(npy("<f4", "(1,)", payload), member: "x").storage == .float64([0.5]))
        #expect(throws: NPZError.unsupportedType(member: "x", dtype: "<U7")) { try NPY.decode(npy("<U7", "(1,)", payload), member: "x") }
        #expect(throws: NPZError.self) { try NPY.decode(npy("<f8", "(3,)", payload), member: "x") }
    }
}

/// Damaged archives: every outcome must be a value or an NPZError, never a trap (a trap ends this test process).
@Suite struct NPZDamageTests {
    func validArchive() throws -> Data {
        var archive = NPZArchive()
        archive.set("h.weight", DenseArray(matrix: [[1, 2], [3, 4]]))
        archive.set("h.bias", DenseArray(vector: [0, 0]))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-npz-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try archive.write(to: url)
        return try Data(contentsOf: url)
    }

    @Test func flippedDataBitIsACRCError() throws {
        var bytes = [UInt8](try validArchive())
        // The first float64 of h.weight (1.0 = 0x3FF0...): flip a bit of its exponent byte.
        let one = withUnsafeBytes(of: Double(1).bitPattern.littleEndian) { Array($0) }
        let at = try #require((0...(bytes.count - 8)).first { Array(bytes[$0..<$0 + 8]) == one })
        bytes[at + 7] ^= 0x01
        #expect(throws: NPZError.self) {
            let archive = try NPZArchive(data: Data(bytes))
            _ = try archive.array("h.weight")
        }
    }

    @Test func centralDirectoryPastTheEndIsAnError() throws {
        var bytes = [UInt8](try validArchive())
        let signature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        let eocd = try #require((0...(bytes.count - 4)).reversed().first { Array(bytes[$0..<$0 + 4]) == signature })
        bytes[eocd + 19] = 0x3D // offset of the central directory, high byte: far past the end
        #expect(throws: NPZError.self) { try NPZArchive(data: Data(bytes)) }
    }

    @Test func seededMutationsNeverTrap() throws {
        let original = [UInt8](try validArchive())
        var rng = Xoshiro256(seed: 2026)
        var loaded = 0, refused = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { bytes.removeLast(Int.random(in: 0..<bytes.count / 2, using: &rng)) }
            do {
                let archive = try NPZArchive(data: Data(bytes))
                for name in archive.names { _ = try? archive.array(name) }
                loaded += 1
            } catch {
                refused += 1
            }
        }
        #expect(loaded + refused == 300 && refused > 0)
    }
}

/// Archives as they come, not only as numpy.savez writes them: each member is read only when asked for and only as
/// far as its header describes; directories are entries too; 64-bit integers keep their exact values.
@Suite struct NPZReadingTests {
    @Test func membersAreReadOnlyWhenAskedFor() throws {
        let directory = try temporaryDirectory("nnfeyn-npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try CraftedArchive.write([.mixed], to: directory)[0]
        // Opening reads the directory: the unreadable members do no harm until someone asks for them.
        let archive = try NPZArchive(contentsOf: url)
        #expect(archive.names == ["bad", "damaged", "good", "strange"])
        #expect(try archive.array("good").storage == .float64([1.5, -2]))
        #expect(try archive.header("good") == NPYHeader(dtype: "<f8", shape: [2], count: 2, itemSize: 8, dataOffset: 128))
        #expect(throws: NPZError.malformedMember(member: "bad", reason: "missing the .npy magic bytes")) { try archive.array("bad") }
        #expect(throws: NPZError.unsupportedType(member: "strange", dtype: "<U7")) { try archive.array("strange") }
        #expect(throws: NPZError.malformedMember(member: "damaged", reason: "CRC-32 mismatch: the archive is damaged")) {
            try archive.array("damaged")
        }
        #expect(throws: NPZError.missingMember(member: "none", available: ["bad", "damaged", "good", "strange"])) { try archive.array("none") }
    }

    @Test func directoryEntriesAreAccepted() throws {
        let directory = try temporaryDirectory("nnfeyn-npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try NPZArchive(contentsOf: try CraftedArchive.write([.directories], to: directory)[0])
        #expect(archive.names == ["b", "sub/w"])
        #expect(try archive.array("sub/w") == DenseArray(matrix: [[1, 2]]))
    }

    @Test(.timeLimit(.minutes(2)))
    func inflationStopsAtTheSizeTheHeaderDescribes() throws {
        let directory = try temporaryDirectory("nnfeyn-npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let urls = try CraftedArchive.write([.bomb, .hugeHeader], to: directory)
        // 144 bytes of header and data, then 256 MiB of zeros: refused one chunk past the 144 bytes.
        let bomb = try NPZArchive(contentsOf: urls[0])
        #expect(try bomb.header("y.weight").shape == [1, 2])
        #expect(throws: NPZError.malformedMember(member: "y.weight", reason: "it inflates to more than the 144 bytes its header describes")) {
            try bomb.array("y.weight")
        }
        #expect(try bomb.array("y.bias").storage == .float64([0]))
        // A header describing 8 GiB is refused before any data is read.
        let huge = try NPZArchive(contentsOf: urls[1])
        #expect(throws: NPZError.malformedMember(member: "y.weight", reason: "its header describes 8589934720 bytes, more than the 4294967296 read")) {
            try huge.array("y.weight")
        }
    }

    @Test func integersBeyondDoublesKeepTheirExactValues() throws {
        let directory = try temporaryDirectory("nnfeyn-npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try NPZArchive(contentsOf: try CraftedArchive.write([.integers], to: directory)[0])
        let signed = try archive.array("i")
        #expect(signed.storage == .int64([(1 << 53) + 1, .min, .max]))
        #expect(signed.doubles == [0x1p53, -0x1p63, 0x1p63])
        let unsigned = try archive.array("u")
        #expect(unsigned.storage == .uint64([.max, 5]))
        #expect(unsigned.doubles == [0x1p64, 5])
        let small = try archive.array("s")
        #expect(small.storage == .int64([3, -4]) && small.doubles == [3, -4])
    }

    @Test func fortranOrderIsReadInCOrder() throws {
        let directory = try temporaryDirectory("nnfeyn-npz")
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try NPZArchive(contentsOf: try CraftedArchive.write([.fortran], to: directory)[0])
        #expect(try archive.header("w").fortranOrder)
        #expect(try archive.array("w") == DenseArray(matrix: [[1, 2, 3], [4, 5, 6]]))
        var cube: [Double] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { cube.append(Double(100 * i + 10 * j + k)) } } }
        #expect(try archive.array("cube") == DenseArray(shape: [2, 3, 4], .float64(cube)))
        #expect(try archive.array("n") == DenseArray(shape: [2, 2], .int64([1, 2, 3, 4])))
        #expect(try archive.array("v") == DenseArray(vector: [7, 8]))
    }

    @Test func unsignedIntegersRoundTrip() throws {
        var archive = NPZArchive()
        archive.set("u", DenseArray(shape: [2], .uint64([.max, 0])))
        let back = try NPZArchive(data: try archive.encoded())
        #expect(try back.array("u").storage == .uint64([.max, 0]))
    }

    @Test func trailingBytesAreMalformed() throws {
        var archive = NPZArchive()
        archive.set("a", DenseArray(vector: [1]))
        var bytes = try archive.bytes("a")
        bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(throws: NPZError.malformedMember(member: "a", reason: "it holds more than the 136 bytes its header describes")) {
            try NPY.decode(bytes, member: "a")
        }
    }
}
