// ModelWriter: the text it writes and a round trip of the parameters through the .npz.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynNPZ
import NNFeynTestSupport
import Testing

@Suite struct ModelWriterTests {
    static func model(point: [Rational]? = nil) -> Model {
        TestNetworks.model(input: 2, point: point, layers: [
            (.tanh, [[1, Rational(-1, 3)], [Rational(1, 10), 2], [0, 1]], [0, 1, Rational(1, 7)]),
            (.poly([Rational(1), Rational(-1, 3)]), [[1, 2, 3]], [Rational(-1, 2)]),
        ]).renamed("toy")
    }

    @Test func writesTextAndParameters() throws {
        let model = Self.model(point: [Rational(1, 2), 0])
        let directory = try temporaryDirectory("nnfeyn-writer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let modelPath = directory.appendingPathComponent("trained.nn").path
        let name = try ModelWriter.write(model, to: modelPath)
        #expect(name.hasPrefix("trained.") && name.hasSuffix(".npz") && name.count == "trained.".count + 16 + 4)

        let text = try String(contentsOfFile: modelPath, encoding: .utf8)
        #expect(text == """
            # written by nnfeyn; parameters are in the .npz named below
            network toy
            input x : 2
            parameters "\(name)"
            at x = [1/2, 0]
            dense l0 : 3 tanh
            dense l1 : 1 poly(1, -1/3)

            """)
        let archive = try NPZArchive(contentsOf: directory.appendingPathComponent(name))
        #expect(archive.names == ["l0.bias", "l0.weight", "l1.bias", "l1.weight"])
        let weight = try archive.array("l0.weight")
        #expect(weight.shape == [3, 2])
        // Each value is written as its nearest double.
        #expect(weight.storage == .float64([1, -1.0 / 3.0, 0.1, 2, 0, 1]))
        #expect(try archive.array("l0.bias").storage == .float64([0, 1, 1.0 / 7.0]))
        // Nothing but the two files: the temporary files were renamed into place.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["trained.nn", name].sorted())
        // And the written model loads back to the same doubles.
        let back = try ModelLoader.load(path: modelPath)
        #expect(try back.network(as: Double.self).weights == (try model.network(as: Double.self)).weights)
    }

    @Test func originIsNotWritten() throws {
        let text = ModelWriter.text(of: Self.model(), parametersFileName: "p.npz")
        #expect(!text.contains("at x"))
        #expect(text.contains("parameters \"p.npz\""))
    }
}
