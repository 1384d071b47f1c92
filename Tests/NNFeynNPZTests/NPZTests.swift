import Foundation
import Testing
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
