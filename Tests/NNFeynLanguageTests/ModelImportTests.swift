// `nnfeyn import`'s model text: for every key layout the layers come out in order, with widths from the shapes and
// `from` clauses naming the tensors; what it writes loads back to the file's values; every problem is a diagnostic.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynNPZ
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct ModelImportTests {
    /// Writes `data` as `name` in a fresh folder; returns the file and where a model beside it would be.
    static func setUp(_ data: Data, name: String = "p.safetensors") throws -> (file: any TensorFile, path: String, model: String) {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return (try ModelImport.open(path), path, directory.appendingPathComponent("m.nn").path)
    }

    /// The model text for `data`, written beside it and loaded back.
    static func imported(_ data: Data, name: String = "p.safetensors", _ options: ImportOptions) throws -> (text: String, model: Model) {
        let (file, path, modelPath) = try setUp(data, name: name)
        let text = try ModelImport.text(for: file, displayPath: path, parametersPath: name, modelPath: modelPath, options: options)
        try text.write(toFile: modelPath, atomically: true, encoding: .utf8)
        return (text, try ModelLoader.load(path: modelPath))
    }

    /// The diagnostics of importing `data` (none when it imports).
    static func failures(_ data: Data, _ options: ImportOptions) throws -> [Diagnostic] {
        let (file, path, modelPath) = try setUp(data)
        do {
            _ = try ModelImport.text(for: file, displayPath: path, parametersPath: "p.safetensors", modelPath: modelPath, options: options)
            return []
        } catch {
            return error.diagnostics
        }
    }

    static let tanh = ImportOptions(activations: .hidden("tanh"))

    /// A 2 -> 3 -> 2 -> 1 network under PyTorch's names for nn.Sequential(Linear, Tanh, Linear, Tanh, Linear) at
    /// `prefix`; `flax` stores kernels (in, out) under 'params/Dense_N'.
    static func tensors(prefix: String = "", flax: Bool = false) -> [(name: String, shape: [Int], values: [Double])] {
        let layers: [(rows: [[Double]], bias: [Double])] = [
            ([[0.5, -0.25], [1, 0.75], [-1.5, 0.125]], [0, 0.5, -0.25]),
            ([[1, -2, 0.5], [0.25, 0, 1]], [0.125, -1]),
            ([[2, -0.5]], [0.375]),
        ]
        return layers.enumerated().flatMap { k, layer -> [(name: String, shape: [Int], values: [Double])] in
            if flax {
                let columns = (0..<layer.rows[0].count).flatMap { j in layer.rows.map { $0[j] } }
                return [("params/Dense_\(k)/kernel", [layer.rows[0].count, layer.rows.count], columns),
                        ("params/Dense_\(k)/bias", [layer.bias.count], layer.bias)]
            }
            return [("\(prefix)\(2 * k).weight", [layer.rows.count, layer.rows[0].count], layer.rows.flatMap { $0 }),
                    ("\(prefix)\(2 * k).bias", [layer.bias.count], layer.bias)]
        }
    }

    @Test(arguments: ["", "net.", "model.layers."])
    func pytorchLayoutsImportInOrder(prefix: String) throws {
        let (text, model) = try Self.imported(SafeTensorsBytes.f64(Self.tensors(prefix: prefix)), Self.tanh)
        #expect(text == """
            # written by nnfeyn import: 3 layers, 2 -> 3 -> 2 -> 1; the tensors stay in the file below
            network p
            input x : 2
            parameters "p.safetensors"

            dense h1 : 3 tanh
              weight from "\(prefix)0.weight"
              bias from "\(prefix)0.bias"

            dense h2 : 2 tanh
              weight from "\(prefix)2.weight"
              bias from "\(prefix)2.bias"

            dense y : 1 linear
              weight from "\(prefix)4.weight"
              bias from "\(prefix)4.bias"

            """)
        #expect(model.layers.map(\.activation) == [.tanh, .tanh, .linear])
        #expect(model.weightRows(1) == [[1, -2, Rational(1, 2)], [Rational(1, 4), 0, 1]])
        #expect(model.biasValues(2) == [Rational(3, 8)])
        #expect(model.point == [0, 0])
    }

    @Test func flaxKernelsAreReadTransposedAndGiveTheSameModel() throws {
        let (text, flax) = try Self.imported(SafeTensorsBytes.f64(Self.tensors(flax: true)), Self.tanh)
        #expect(text.contains("  weight from \"params/Dense_0/kernel\" transposed\n  bias from \"params/Dense_0/bias\"\n"))
        let (_, torch) = try Self.imported(SafeTensorsBytes.f64(Self.tensors()), Self.tanh)
        for l in 0..<3 {
            #expect(flax.weightRows(l) == torch.weightRows(l))
            #expect(flax.biasValues(l) == torch.biasValues(l))
        }
    }

    @Test func groupsThatAreNamesNameTheirLayersWithoutClauses() throws {
        // nnfeyn_io.py writes 'layer0.weight' ...: those are nnfeyn's own names for layers called 'layer0', 'layer1'.
        let file = SafeTensorsBytes.f64([("layer0.weight", [2, 1], [1, 2]), ("layer0.bias", [2], [0, 1]),
                                         ("layer1.weight", [1, 2], [3, 4])])
        let (text, model) = try Self.imported(file, ImportOptions(activations: .perLayer("sigmoid, poly(0, 1, 1/2)"),
                                                                  inputName: "t", networkName: "mine", point: [Rational(1, 3)]))
        #expect(text.hasSuffix("""
            network mine
            input t : 1
            parameters "p.safetensors"
            at t = [1/3]

            dense layer0 : 2 sigmoid

            dense layer1 : 1 poly(0, 1, 1/2)
              bias none

            """))
        #expect(model.point == [Rational(1, 3)] && model.biasValues(1) == [0])
    }

    @Test func madeUpNamesStepAroundTheFilesOwn() throws {
        // Group 'h1' keeps its name, so the layer after it cannot be 'h1' too; an input named 'y' moves the output.
        let file = SafeTensorsBytes.f64([("h1.weight", [1, 1], [1]), ("net.2.weight", [1, 1], [2]), ("net.3.weight", [1, 1], [3])])
        let (text, model) = try Self.imported(file, ImportOptions(activations: .hidden("tanh"), inputName: "y"))
        #expect(model.layers.map(\.name) == ["h1", "h2", "y_"])
        #expect(text.contains("dense h1 : 1 tanh\n  bias none\n"))
    }

    @Test func networkNamesFromFileNamesAreIdentifiers() throws {
        let file = SafeTensorsBytes.f64(Self.tensors())
        #expect(try Self.imported(file, name: "dense.safetensors", Self.tanh).text.contains("\nnetwork dense_\n"))
        #expect(try Self.imported(file, name: "2-layer été.safetensors", Self.tanh).text.contains("\nnetwork n2_layer__t_\n"))
    }

    @Test func npzFilesInFortranOrderImportToo() throws {
        var archive = NPZArchive()
        archive.set("fc.0.weight", DenseArray(matrix: [[1, 2], [3, 4]]))
        archive.set("fc.1.weight", DenseArray(matrix: [[5, 6]]))
        let (_, model) = try Self.imported(try archive.encoded(), name: "w.npz", Self.tanh)
        #expect(model.weightRows(0) == [[1, 2], [3, 4]] && model.weightRows(1) == [[5, 6]])
    }

    // MARK: errors

    @Test func activationsMustMatchTheLayers() throws {
        let file = SafeTensorsBytes.f64(Self.tensors())
        let d = try #require(try Self.failures(file, ImportOptions(activations: .perLayer("tanh,linear"))).first)
        #expect(d.code == "E0229")
        #expect(d.message.hasPrefix("--activations names 2 activations but '") && d.message.hasSuffix("' holds 3 layers (2 -> 3 -> 2 -> 1)"))
        #expect(d.help == "give one activation per layer, the output layer's last, e.g. --activations tanh,tanh,linear")
        #expect(try Self.failures(file, ImportOptions(activations: .hidden("tanh, sigmoid"))).map(\.code.rawValue) == ["E0229"])
    }

    @Test func activationsAreReadByTheLanguageAndReportedWhereTheyAre() throws {
        let file = SafeTensorsBytes.f64(Self.tensors())
        let typo = try #require(try Self.failures(file, ImportOptions(activations: .perLayer("tanh, tahn, linear"))).first)
        #expect(typo.code == "E0204" && typo.file?.path == "--activations" && typo.span == SourceSpan(start: 6, end: 10))
        #expect(typo.help == "did you mean 'tanh'?")
        #expect(try Self.failures(file, ImportOptions(activations: .perLayer("tanh tanh linear"))).map(\.code.rawValue) == ["E0104"])
        #expect(try Self.failures(file, ImportOptions(activations: .hidden("poly"))).map(\.code.rawValue) == ["E0223"])
    }

    @Test func aFileWithoutLayerOrderListsWhatItHolds() throws {
        let file = SafeTensorsBytes.f64([("encoder.weight", [3, 2], [1, 2, 3, 4, 5, 6]), ("decoder.weight", [1, 3], [1, 2, 3])])
        let d = try #require(try Self.failures(file, Self.tanh).first)
        #expect(d.code == "E0228" && d.message.hasPrefix("cannot tell the layers of '"))
        #expect(d.notes == ["layer 'decoder' has no number in its name, so the layers cannot be put in order",
                            "the file holds 'decoder.weight' (1, 3) float64, 'encoder.weight' (3, 2) float64"])
        let broken = SafeTensorsBytes.f64([("0.weight", [3, 2], [1, 2, 3, 4, 5, 6]), ("1.weight", [1, 2], [1, 2])])
        #expect(try Self.failures(broken, Self.tanh).first?.notes.first == "the shapes do not chain: '1.weight' takes 2 inputs but layer '0' gives 3")
    }

    @Test func namesTheModelCannotHoldAreRefused() throws {
        let file = SafeTensorsBytes.f64(Self.tensors())
        for options in [ImportOptions(activations: .hidden("tanh"), inputName: "dense"),
                        ImportOptions(activations: .hidden("tanh"), inputName: "2x"),
                        ImportOptions(activations: .hidden("tanh"), networkName: "a-b")] {
            #expect(try Self.failures(file, options).map(\.code.rawValue) == ["E0230"])
        }
        let quoted = SafeTensorsBytes.f64([("a\\\"b.0.weight", [1, 1], [1])])
        #expect(try Self.failures(quoted, Self.tanh).map(\.code.rawValue) == ["E0230"])
    }

    @Test func thePointMustHaveTheInputsDimension() throws {
        let d = try #require(try Self.failures(SafeTensorsBytes.f64(Self.tensors()),
                                               ImportOptions(activations: .hidden("tanh"), point: [1])).first)
        #expect(d.code == "E0213" && d.message.hasSuffix("takes 2 inputs"))
    }

    @Test func valuesTheModelCannotHoldAreFoundBeforeWriting() throws {
        let d = try #require(try Self.failures(SafeTensorsBytes.f64([("0.weight", [1, 1], [.nan])]), Self.tanh).first)
        #expect(d.code == "E0222")
        #expect(d.notes.last == "in the model 'nnfeyn import' would write (nothing was written)")
    }

    @Test func pytorchCheckpointsAreRefusedWithTheWayOut() throws {
        let path = Repository.root.appendingPathComponent("Tests/Fixtures/pytorch/sequential.pt").path
        #expect(throws: DiagnosticList.self) { try ModelImport.open(path) }
        do {
            _ = try ModelImport.open(path)
        } catch {
            #expect(error.diagnostics.map(\.code.rawValue) == ["E0227"])
            #expect(error.diagnostics.first?.help?.contains("save_file(model.state_dict(), \"m.safetensors\")") == true)
        }
    }
}
