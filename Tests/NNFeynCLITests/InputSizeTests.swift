// Input size bounds memory and time: pathological model files of a few megabytes are refused using at most a small
// multiple of their size, and in CPU time comparable to a valid model of the same size. A file of many layers is held
// to what a valid model of as many layers costs (its model is that large). Memory and CPU are the child process's own,
// so the checks do not depend on what else runs, and the bounds are loose: before the streaming lexer these inputs
// took 60 to 90 times their size, and a long line of duplicate layers took time quadratic in its length.
import Foundation
import Testing
import NNFeynTestSupport

@Suite(.serialized) struct InputSizeTests {
    /// Bytes of the largest generated inputs.
    static let size = 2 << 20

    /// A pathological input; `layers` when its cost is a layer count, bounded by a valid model of as many layers.
    struct Input {
        var name: String
        var text: String
        var layers = false
    }

    static func inputs(size: Int) -> [Input] {
        let weight = "input x : 1\ndense y : 1 linear weight [["
        let line = "dense y : 1 linear weight [[1]] bias [0] "
        let repeats = (size - 12) / line.utf8.count
        return [
            Input(name: "numbers outside a weight", text: String(repeating: "1,", count: size / 2)),
            Input(name: "numbers inside a weight",
                  text: weight + String(repeating: "1,", count: (size - weight.utf8.count) / 2 - 2) + "1]]\n"),
            Input(name: "nested brackets", text: String(repeating: "[", count: size)),
            Input(name: "line breaks", text: String(repeating: "\n", count: size)),
            Input(name: "unexpected characters", text: String(repeating: "@", count: size)),
            Input(name: "ragged rows", text: "input x : 2\ndense y : 1 linear weight [" + String(repeating: "[1],", count: size / 4 - 10) + "]\n"),
            // Every duplicate layer's note names the line of the first: a line lookup per error, on one long line.
            Input(name: "duplicate layers on one line", text: "input x : 1 " + String(repeating: line, count: repeats), layers: true),
            Input(name: "one line with an error at its end", text: "input x : 1 " + String(repeating: line, count: repeats) + "@", layers: true),
        ]
    }

    /// A valid model of about `size` bytes: one square weight, or many one-neuron layers.
    static func valid(size: Int, layers: Bool) -> String {
        if layers {
            let count = (size - 12) / "dense h000000 : 1 linear weight [[1]] bias [0]\n".utf8.count
            return "input x : 1\n" + (0..<count).map { "dense h\(1_000_000 + $0) : 1 linear weight [[1]] bias [0]\n" }.joined()
        }
        let side = Int(Double(size / 2).squareRoot())
        let row = "[" + Array(repeating: "1", count: side).joined(separator: ",") + "]"
        return "input x : \(side)\ndense y : \(side) linear weight [" + Array(repeating: row, count: side).joined(separator: ",") + "] bias none\n"
    }

    static func expand(_ text: String, in directory: URL) throws -> ProcessCost {
        let path = directory.appendingPathComponent("input.nn").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try runMeasuring(Repository.binary, ["expand", path, "--order", "0", "--numeric"])
    }

    @Test(.timeLimit(.minutes(10)))
    func pathologicalInputsCostASmallMultipleOfTheirSize() throws {
        let directory = try temporaryDirectory("nnfeyn-size")
        defer { try? FileManager.default.removeItem(at: directory) }
        // The process's own footprint, from a tiny model.
        let tiny = try Self.expand("input x : 1\ndense y : 1 linear weight [[1]] bias [0]\n", in: directory)
        #expect(tiny.exitCode == 0)
        for size in [Self.size / 4, Self.size] {
            let matrix = try Self.expand(Self.valid(size: size, layers: false), in: directory)
            let layers = try Self.expand(Self.valid(size: size, layers: true), in: directory)
            #expect(matrix.exitCode == 0 && layers.exitCode == 0)
            for input in Self.inputs(size: size) {
                let bytes = input.text.utf8.count
                let cost = try Self.expand(input.text, in: directory)
                #expect(cost.exitCode == 1, "\(input.name)")
                let valid = input.layers ? layers : matrix
                let extra = cost.peakBytes - tiny.peakBytes
                if input.layers {
                    #expect(cost.peakBytes <= valid.peakBytes + 2 * bytes,
                            "\(input.name): \(cost.peakBytes) bytes at peak; a valid model of as many layers takes \(valid.peakBytes)")
                } else {
                    #expect(extra <= 12 * bytes, "\(input.name): \(extra) bytes above a tiny model's for a \(bytes)-byte file")
                }
                #expect(cost.cpuSeconds <= 4 * valid.cpuSeconds + 1,
                        "\(input.name): \(cost.cpuSeconds) s of CPU; a valid model of the same size takes \(valid.cpuSeconds) s")
            }
        }
    }
}
