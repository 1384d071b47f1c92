// ModelWriter: the text it writes and a round trip of the parameters through the .npz.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynNPZ
import Testing
@testable import NNFeynPhysics

@Suite struct ModelWriterTests {
    @Test func writesTextAndParameters() throws {
        var network = try TrainedMLP(network: unparameterised([2, 3, 1], [.tanh, .poly([Rational(1), Rational(-1, 3)])],
                                                              name: "toy"), seed: 2).network()
        network.point = [Rational(1, 2), Rational(0)]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-writer-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let modelPath = directory.appendingPathComponent("trained.nn").path
        try ModelWriter.write(network, to: modelPath, parametersFileName: "trained.npz")

        let text = try String(contentsOfFile: modelPath, encoding: .utf8)
        #expect(text == """
            # written by nnfeyn; parameters are in the .npz named below
            network toy
            input x : 2
            parameters "trained.npz"
            at x = [1/2, 0]
            dense l1 : 3 tanh
            dense l2 : 1 poly(1, -1/3)

            """)
        let archive = try NPZArchive(contentsOf: directory.appendingPathComponent("trained.npz"))
        #expect(archive.names == ["l1.bias", "l1.weight", "l2.bias", "l2.weight"])
        let weight = try archive.array("l1.weight")
        #expect(weight.shape == [3, 2])
        // Every double survives exactly: the IR held the exact binary fractions of the trained doubles.
        #expect(weight.values == network.layers[0].weight.flatMap { $0.map(\.doubleValue) })
        #expect(try archive.array("l2.bias").values == network.layers[1].bias.map(\.doubleValue))
    }

    @Test func originIsNotWritten() throws {
        let network = try TrainedMLP(network: unparameterised([2, 1], [.linear]), seed: 1).network()
        let text = ModelWriter.text(of: network, parametersFileName: "p.npz")
        #expect(!text.contains("at x"))
        #expect(text.contains("parameters \"p.npz\""))
    }
}
