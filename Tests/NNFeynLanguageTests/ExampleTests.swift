// Every example model loads, and the toy model lowers to exactly the network the issue describes.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct ExampleTests {
    @Test func thereAreEnoughExamples() {
        #expect(exampleNames.count >= 10)
        #expect(exampleNames.contains("toy.nn"))
    }

    @Test(arguments: exampleNames)
    func exampleLoads(_ name: String) throws {
        let network = try ModelLoader.load(path: examplePath(name))
        #expect(!network.layers.isEmpty)
        #expect(network.point.count == network.input.dimension)
        // Shapes hold layer by layer, and spans point at the layer's name in the file.
        var fanIn = network.input.dimension
        for (l, layer) in network.layers.enumerated() {
            #expect(layer.fanIn == fanIn)
            #expect(network.weightRows(l).count == layer.width)
            #expect(network.weightRows(l).allSatisfy { $0.count == fanIn })
            #expect(network.biasValues(l).count == layer.width)
            #expect(layer.width <= 4)
            let span = try #require(network.architecture.layerSpan(l))
            let source = try #require(network.source)
            #expect(String(decoding: source.utf8[span.start..<span.end], as: UTF8.self) == layer.name)
            fanIn = layer.width
        }
    }

    @Test func toyLowersExactly() throws {
        let network = try ModelLoader.load(path: examplePath("toy.nn"))
        #expect(network.architecture.name == "toy")
        #expect(network.input == ModelInput(name: "x", dimension: 2))
        #expect(network.layers.map(\.name) == ["h1", "h2", "y"])
        #expect(network.layers.map(\.activation) == [.tanh, .poly([0, 1, Rational(1, 2)]), .linear])
        #expect(network.weightRows(0) == [[1, Rational(-1, 2)], [0, 2], [Rational(3, 4), 1]])
        #expect(network.weightRows(1) == [[1, 0, -1], [Rational(1, 2), Rational(1, 2), Rational(1, 2)]])
        #expect(network.weightRows(2) == [[2, -3]])
        #expect(network.biasValues(2) == [Rational(1, 4)])
        #expect(network.point == [0, 0])
        let source = try #require(network.source)
        let pointSpan = try #require(network.pointSpan)
        #expect(String(decoding: source.utf8[pointSpan.start..<pointSpan.end], as: UTF8.self) == "at x = [0, 0]")
        let activationSpan = try #require(network.architecture.activationSpan(1))
        #expect(String(decoding: source.utf8[activationSpan.start..<activationSpan.end], as: UTF8.self) == "poly(0, 1, 1/2)")
    }

    @Test func npzExamplesReadExactFloats() throws {
        let n64 = try ModelLoader.load(path: examplePath("npz64.nn"))
        #expect(n64.weightRows(0) == [[1, Rational(-1, 2)], [Rational(1, 4), Rational(3, 4)], [Rational(-3, 2), 2]])
        #expect(n64.biasValues(0) == [0, 0, 0])
        #expect(n64.weightRows(1) == [[1, -1, Rational(1, 2)]])
        #expect(n64.biasValues(1) == [Rational(1, 8)])
        let n32 = try ModelLoader.load(path: examplePath("npz32.nn"))
        #expect(n32.weightRows(0) == n64.weightRows(0))
        #expect(n32.weightRows(1) == [[1, -1, Rational(1, 2)]])
        #expect(n32.biasValues(1) == [0])
    }

    @Test func omittedPointIsTheOrigin() throws {
        let network = try ModelLoader.load(path: examplePath("multi_output.nn"))
        #expect(network.point == [0, 0])
        #expect(network.pointSpan == nil)
        #expect(network.outputCount == 3)
    }

    @Test func readmeExampleLoads() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("grammar/README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "```").dropFirst().first)
        let network = try #require(loaded(block, path: "readme.nn"))
        #expect(network.biasValues(network.layers.count - 1) == [0])
    }

    @Test func everyActivationIsExemplified() throws {
        var names = Set<String>()
        for name in exampleNames {
            for layer in try ModelLoader.load(path: examplePath(name)).layers { names.insert(layer.activation.name) }
        }
        #expect(names == Set(Activation.allNames))
    }
}
