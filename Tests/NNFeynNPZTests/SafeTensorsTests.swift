// The safetensors reader against files written by the official `safetensors` package (Tests/Fixtures/safetensors,
// made by make_fixtures.py there), and against damaged files built byte by byte.
import Foundation
import NNFeynAlgebra
@testable import NNFeynNPZ
import NNFeynTestSupport
import Testing

@Suite struct SafeTensorsTests {
    static let fixtures = Repository.root.appendingPathComponent("Tests/Fixtures/safetensors")

    @Test func readsEveryDtypeOfTheReferenceWriterExactly() throws {
        let file = try SafeTensorsFile(contentsOf: Self.fixtures.appendingPathComponent("reference.safetensors"))
        #expect(file.metadata == ["format": "pt", "note": "nnfeyn fixture"])
        let expected = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.fixtures.appendingPathComponent("reference.json"))) as? [String: [String: Any]])
        #expect(Set(file.names) == Set(expected.keys))
        for (name, spec) in expected {
            let array = try file.array(name)
            #expect(array.shape == (spec["shape"] as? [Int] ?? [-1]), "\(name)")
            if let hex = spec["float64"] as? [String] {
                let values = hex.map { Double($0)! }
                #expect(array.storage == .float64(values), "\(name)")
            } else if let integers = spec["int64"] as? [NSNumber] {
                #expect(array.storage == .int64(integers.map(\.int64Value)), "\(name)")
            }
        }
        // Exactness where it matters: 2^53 + 1 survives as an integer, 65504 is the largest half.
        #expect(try file.array("i64").storage == .int64([-(1 << 53) - 1, 1 << 62, 0, -7]))
        #expect(SafeTensorsFile.half(0x7BFF) == 65504 && SafeTensorsFile.half(0x0001) == 0x1p-24 && SafeTensorsFile.half(0xC000) == -2)
    }

    @Test func readsAPyTorchStateDict() throws {
        let file = try SafeTensorsFile(contentsOf: Self.fixtures.appendingPathComponent("sequential.safetensors"))
        #expect(file.names == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"])
        #expect(try file.array("2.weight").shape == [4, 5])
    }

    /// A safetensors file from a header (as text) and data bytes.
    static func write(header: String, data: [UInt8], padTo alignment: Int = 1) throws -> URL {
        var text = Array(header.utf8)
        while text.count % alignment != 0 { text.append(0x20) }
        var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(text.count) >> (8 * UInt64($0))) }
        bytes += text + data
        let url = try temporaryDirectory().appendingPathComponent("t.safetensors")
        try Data(bytes).write(to: url)
        return url
    }

    static let eight: [UInt8] = Array(repeating: 0, count: 8)

    @Test(arguments: [
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, 16, "bytes after the last tensor"),
        (#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, 8, "shape [2] of F64 needs 16"),
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, 8, "overlap"),
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#, 16, "unused bytes before it"),
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,80]}}"#, 8, "needs 8"),
        // A duplicate key: the JSON parser keeps one, and the hole the other leaves is what gives it away.
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#, 16, "unused bytes"),
        (#"{"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}"#, 8, "shape holds"),
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0]}}"#, 8, "data_offsets"),
        (#"[1, 2]"#, 0, "not a JSON object"),
        (#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}"#, 8, "not a JSON object"),
        (#"{"__metadata__":{"k":1}}"#, 0, "__metadata__"),
        (#"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}"#, 1, "dtype Q7"),
    ] as [(String, Int, String)])
    func damagedFilesAreRefusedWithAReason(header: String, dataBytes: Int, reason: String) throws {
        let url = try Self.write(header: header, data: Array(repeating: 0, count: dataBytes))
        do {
            _ = try SafeTensorsFile(contentsOf: url)
            Issue.record("accepted a damaged file: \(header)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func headerLengthsBeyondTheFileOrTheCapAreRefused() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("t.safetensors")
        for length in [UInt64(1 << 40), UInt64(200)] {
            try Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + [0x7B, 0x7D]).write(to: url)
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: url) }
        }
        try Data([1, 2, 3]).write(to: url)
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: url) }
    }

    @Test func valuesOfOtherDtypesAreRefusedWhenRead() throws {
        let url = try Self.write(header: #"{"flag":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, data: [0, 1])
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(throws: SafeTensorsError.unsupportedType(name: "flag", dtype: "BOOL")) { try file.array("flag") }
        #expect(throws: SafeTensorsError.self) { try file.array("missing") }
    }
}
