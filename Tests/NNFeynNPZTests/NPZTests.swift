import Foundation
import Testing
import NNFeynAlgebra
@testable import NNFeynNPZ

@Suite struct NPZTests {
    @Test func roundTripsFloat64() throws {
        var archive = NPZArchive()
        archive.set("h1.weight", NDArray(matrix: [[1, -0.5], [0.1, 2]]))
        archive.set("h1.bias", NDArray(vector: [0, 1e-300]))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-npz-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try archive.write(to: url)
        let back = try NPZArchive(contentsOf: url)
        #expect(back.names == ["h1.bias", "h1.weight"])
        #expect(try back.array("h1.weight") == NDArray(matrix: [[1, -0.5], [0.1, 2]]))
        #expect(try back.array("h1.bias").values == [0, 1e-300])
    }

    @Test func rejectsGarbageWithoutTrapping() {
        #expect(throws: NPZError.notAZip(path: "<memory>")) { try NPZArchive(data: Data("hello".utf8)) }
        #expect(throws: NPZError.self) { try NPZArchive(data: Data([0x50, 0x4B, 3, 4, 0, 0, 0])) }
    }

    @Test func reportsMissingMembers() throws {
        var archive = NPZArchive()
        archive.set("a", NDArray(vector: [1]))
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
        #expect(try NPY.decode(npy("<f4", "(1,)", payload), member: "x").values == [0.5])
        #expect(throws: NPZError.unsupportedType(member: "x", dtype: "<U7")) { try NPY.decode(npy("<U7", "(1,)", payload), member: "x") }
        #expect(throws: NPZError.self) { try NPY.decode(npy("<f8", "(3,)", payload), member: "x") }
    }
}

/// Damaged archives: every outcome must be a value or an NPZError, never a trap (a trap ends this test process).
@Suite struct NPZDamageTests {
    func validArchive() throws -> Data {
        var archive = NPZArchive()
        archive.set("h.weight", NDArray(matrix: [[1, 2], [3, 4]]))
        archive.set("h.bias", NDArray(vector: [0, 0]))
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
