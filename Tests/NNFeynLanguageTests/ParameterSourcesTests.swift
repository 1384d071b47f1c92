// Which tensor a layer takes, from .npz and safetensors alike: `from` names first, then nnfeyn's own names, then the
// file's layer order; transposed kernels exactly; and every failure located (the 'from' key, the layer's name, or the
// 'parameters' string) with what the file holds.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynNPZ
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct ParameterSourcesTests {
    static func npz(_ arrays: [String: DenseArray]) throws -> Data {
        var archive = NPZArchive()
        for (name, array) in arrays { archive.set(name, array) }
        return try archive.encoded()
    }

    /// A 2 -> 3 -> 1 network's tensors under PyTorch's names for nn.Sequential(Linear, Tanh, Linear) at `prefix`.
    static func sequential(_ prefix: String = "", transposed: Bool = false) -> [(name: String, shape: [Int], values: [Double])] {
        [(prefix + "0.weight", [3, 2], [0.5, -0.25, 1, 0.75, -1.5, 0.125]), (prefix + "0.bias", [3], [0, 0.5, -0.25]),
         (prefix + "2.weight", [1, 3], [1, -2, 0.5]), (prefix + "2.bias", [1], [0.25])]
    }

    static let weight0: [[Rational]] = [[Rational(1, 2), Rational(-1, 4)], [1, Rational(3, 4)], [Rational(-3, 2), Rational(1, 8)]]

    static let twoLayers = "input x : 2\nparameters \"p.safetensors\"\ndense h : 3 tanh\ndense y : 1 linear\n"

    @Test(arguments: ["", "net.", "model.layers."])
    func pytorchLayersAreTakenInOrder(prefix: String) throws {
        let (path, _) = try writeModel(Self.twoLayers, files: ["p.safetensors": SafeTensorsBytes.f64(Self.sequential(prefix))])
        let model = try ModelLoader.load(path: path)
        #expect(model.weightRows(0) == Self.weight0)
        #expect(model.biasValues(0) == [0, Rational(1, 2), Rational(-1, 4)])
        #expect(model.weightRows(1) == [[1, -2, Rational(1, 2)]])
        #expect(model.biasValues(1) == [Rational(1, 4)])
    }

    @Test func flaxKernelsAreTransposedExactly() throws {
        let file = SafeTensorsBytes.f64([
            ("params/Dense_0/kernel", [2, 3], [0.5, 1, -1.5, -0.25, 0.75, 0.125]), ("params/Dense_0/bias", [3], [0, 0.5, -0.25]),
            ("params/Dense_1/kernel", [3, 1], [1, -2, 0.5]), ("params/Dense_1/bias", [1], [0.25]),
        ])
        let (path, _) = try writeModel(Self.twoLayers, files: ["p.safetensors": file])
        let model = try ModelLoader.load(path: path)
        #expect(model.weightRows(0) == Self.weight0)
        #expect(model.weightRows(1) == [[1, -2, Rational(1, 2)]])
    }

    @Test func aLayerWithoutABiasTensorHasAZeroBias() throws {
        let file = SafeTensorsBytes.f64(Self.sequential().filter { !$0.name.hasSuffix("bias") })
        let (path, _) = try writeModel(Self.twoLayers, files: ["p.safetensors": file])
        let model = try ModelLoader.load(path: path)
        #expect(model.biasValues(0) == [0, 0, 0] && model.biasValues(1) == [0])
    }

    @Test func formatsAreToldApartByTheirBytesNotTheirNames() throws {
        // An .npz named .safetensors and a safetensors file named .npz both load.
        let arrays = ["h.weight": DenseArray(matrix: [[1, 2]]), "h.bias": DenseArray(vector: [3])]
        for (name, data) in [("p.safetensors", try Self.npz(arrays)),
                             ("p.npz", SafeTensorsBytes.f64([("h.weight", [1, 2], [1, 2]), ("h.bias", [1], [3])]))] {
            let (path, _) = try writeModel("input x : 2\nparameters \"\(name)\"\ndense h : 1 tanh\n", files: [name: data])
            let model = try ModelLoader.load(path: path)
            #expect(model.weightRows(0) == [[1, 2]] && model.biasValues(0) == [3], "\(name)")
        }
    }

    @Test func ownNamesComeBeforeTheLayerOrderAndAreLeftOutOfIt() throws {
        // 'h' has its own names; 'y' takes the only layer left, whose number says nothing about 'h'.
        let file = SafeTensorsBytes.f64([("h.weight", [3, 2], [1, 0, 0, 1, 1, 1]), ("h.bias", [3], [0, 0, 0]),
                                         ("head.7.weight", [1, 3], [2, 3, 4]), ("head.7.bias", [1], [5])])
        let (path, _) = try writeModel(Self.twoLayers, files: ["p.safetensors": file])
        let model = try ModelLoader.load(path: path)
        #expect(model.weightRows(0) == [[1, 0], [0, 1], [1, 1]])
        #expect(model.weightRows(1) == [[2, 3, 4]] && model.biasValues(1) == [5])
    }

    @Test func fromNamesComeFirst() throws {
        // 'y.weight' exists, but the clause names another tensor; the bias still comes from 'y.bias'.
        let file = SafeTensorsBytes.f64([("y.weight", [1, 2], [9, 9]), ("y.bias", [1], [7]), ("other", [2, 1], [1, 2])])
        let (path, _) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense y : 1 linear weight from \"other\" transposed\n",
                                       files: ["p.safetensors": file])
        let model = try ModelLoader.load(path: path)
        #expect(model.weightRows(0) == [[1, 2]] && model.biasValues(0) == [7])
    }

    @Test func fortranOrderArraysLoadAsTheMatricesTheyAre() throws {
        let named = try ModelLoader.load(path: Repository.examplePath("named.nn"))
        let inferred = try ModelLoader.load(path: Repository.examplePath("torch_mlp.nn"))
        #expect(named.weightRows(0) == Self.weight0)
        for l in 0..<2 {
            #expect(named.weightRows(l) == inferred.weightRows(l))
            #expect(named.biasValues(l) == inferred.biasValues(l))
        }
    }

    // MARK: errors

    @Test func aFileThatDoesNotFitTheLayerOrderIsReportedAtTheParametersString() throws {
        let file = SafeTensorsBytes.f64(Self.sequential() + [("4.weight", [1, 1], [1])])
        let (path, span) = try writeModel("input x : 2\nparameters ⟨\"p.safetensors\"⟩\ndense h : 3 tanh\ndense y : 1 linear\n",
                                          files: ["p.safetensors": file])
        let found = loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0228"])
        let d = try #require(found.first)
        #expect(d.span == span)
        #expect(d.message == "cannot tell which tensors of the parameters file belong to layers 'h', 'y'")
        #expect(d.notes == ["the file does not fit: it holds 3 layers ('0', '2', '4') for the 2 layers without parameters ('h', 'y')",
                            "the file holds '0.bias' (3,) float64, '0.weight' (3, 2) float64, '2.bias' (1,) float64, '2.weight' (1, 3) float64, '4.weight' (1, 1) float64"])
        // A trainer initialises such layers instead.
        #expect(loadDiagnostics(path, options: LoadOptions(allowMissingParameters: true)).isEmpty)
    }

    @Test func aShapeThatDoesNotFitIsReportedWithTheReason() throws {
        let file = SafeTensorsBytes.f64(Self.sequential())
        let (path, _) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense h : 4 tanh\ndense y : 1 linear\n",
                                       files: ["p.safetensors": file])
        let d = try #require(loadDiagnostics(path).first)
        #expect(d.code == "E0228")
        #expect(d.notes.first == "the file does not fit: layer '0' of the file is 3 x 2 (width x fan-in) but layer 'h' is 4 x 2")
    }

    @Test func aTransposedLookingTensorGetsTheClauseThatReadsIt() throws {
        let file = SafeTensorsBytes.f64([("k", [2, 3], [1, 2, 3, 4, 5, 6]), ("b", [3], [0, 0, 0])])
        let (path, span) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense h : 3 tanh weight from ⟨\"k\"⟩ bias from \"b\"\n",
                                          files: ["p.safetensors": file])
        let d = try #require(loadDiagnostics(path).first)
        #expect(d.code == "E0221" && d.span == span)
        #expect(d.message == "array 'k' has shape (2, 3), expected (3, 2)")
        #expect(d.help == "it looks transposed (fan-in, width): write 'from \"k\" transposed'")
        #expect(d.notes == ["the parameters file holds 'b' (3,) float64, 'k' (2, 3) float64"])
        // And 'transposed' on a tensor stored the right way round says so.
        let (again, _) = try writeModel("input x : 3\nparameters \"p.safetensors\"\ndense h : 2 tanh weight from \"k\" transposed bias none\n",
                                        files: ["p.safetensors": file])
        #expect(loadDiagnostics(again).first?.help == "it is stored (width, fan-in): remove 'transposed'")
    }

    @Test func anUnknownKeyIsReportedAtTheKey() throws {
        let file = SafeTensorsBytes.f64(Self.sequential())
        let (path, span) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense h : 3 tanh weight from ⟨\"0.wieght\"⟩ bias none\n",
                                          files: ["p.safetensors": file])
        let d = try #require(loadDiagnostics(path).first)
        #expect(d.code == "E0220" && d.span == span)
        #expect(d.message == "no array '0.wieght' in the parameters file for layer 'h'")
        #expect(d.help == "did you mean '0.weight'?")
    }

    @Test func aNamedWeightWithoutABiasSuggestsItsSibling() throws {
        let file = SafeTensorsBytes.f64(Self.sequential("net."))
        let (path, span) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense ⟨h⟩ : 3 tanh weight from \"net.0.weight\"\ndense y : 1 linear weight from \"net.2.weight\" bias from \"net.2.bias\"\n",
                                          files: ["p.safetensors": file])
        let found = loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0220"])
        #expect(found.first?.span == span)
        #expect(found.first?.help == "did you mean 'bias from \"net.0.bias\"'?")
    }

    @Test func fromWithoutAParametersFileIsReportedAtTheKey() throws {
        let source = "input x : 1\ndense y : 1 linear weight from ⟨\"w\"⟩ bias none\n"
        let d = expectDiagnostic(source, "E0218")
        #expect(d?.message == "'from \"w\"' names a tensor, but the model has no parameters file")
    }

    @Test func nonFiniteValuesAreReportedAtTheirStoredIndex() throws {
        let file = SafeTensorsBytes.f64([("k", [2, 1], [1, .infinity])])
        let (path, span) = try writeModel("input x : 2\nparameters \"p.safetensors\"\ndense y : 1 linear weight from ⟨\"k\"⟩ transposed bias none\n",
                                          files: ["p.safetensors": file])
        let d = try #require(loadDiagnostics(path).first)
        #expect(d.code == "E0222" && d.span == span)
        #expect(d.message == "array 'k' holds inf at [1, 0]")
    }

    @Test(arguments: ["sequential.pt", "legacy.pt"])
    func pytorchCheckpointsAreRefusedWithTheWayOut(fixture: String) throws {
        let bytes = try Data(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/pytorch/\(fixture)"))
        let (path, span) = try writeModel("input x : 2\nparameters ⟨\"m.pt\"⟩\ndense h : 3 tanh\ndense y : 1 linear\n",
                                          files: ["m.pt": bytes])
        let found = loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0227"])
        let d = try #require(found.first)
        #expect(d.span == span)
        #expect(d.message.hasPrefix("parameters file 'm.pt' is a " + (fixture == "legacy.pt" ? "Python pickle" : "PyTorch checkpoint")))
        #expect(d.help == "save the weights as safetensors instead: from safetensors.torch import save_file; save_file(model.state_dict(), \"m.safetensors\")")
    }

    @Test(arguments: [
        ("p.npy", [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0], "a single .npy array"),
        ("p.bin", Array("hello, world".utf8), "neither an .npz archive (numpy.savez) nor a safetensors file"),
        ("p.safetensors", [1, 0, 0, 0, 0, 0, 0, 0, 0x5B], "not a valid safetensors file"),
        ("p.npz", Array("PK but not really".utf8), "not an .npz archive"),
    ] as [(String, [UInt8], String)])
    func otherFilesAreRefusedSayingWhatTheyAre(name: String, bytes: [UInt8], says: String) throws {
        let (path, span) = try writeModel("input x : 1\nparameters ⟨\"\(name)\"⟩\ndense y : 1 linear\n", files: [name: Data(bytes)])
        let found = loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0219"])
        #expect(found.first?.span == span)
        #expect(found.first?.notes.first?.contains(says) == true, "\(found.first?.notes ?? [])")
    }

    @Test func transposedAfterABiasIsASyntaxError() {
        let d = expectDiagnostic("input x : 1\nparameters \"p.npz\"\ndense y : 1 linear bias from \"b\" ⟨transposed⟩\n", "E0104")
        #expect(d?.message == "'transposed' applies to a weight, not a bias")
    }
}
