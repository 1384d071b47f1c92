// Parameters from .npz archives: exact floats, resolution relative to the model file, and every failure pointing
// at the right place (the 'parameters' string for the file, the layer's name for its arrays).
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynNPZ
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct ParametersFileTests {
    /// Writes `model` (with a ⟨...⟩ marker, removed) and an archive into a fresh directory; returns the model path
    /// and the marked span.
    static func setUp(_ model: String, archive: NPZArchive?, archiveName: String = "p.npz") throws
        -> (path: String, span: SourceSpan) {
        try writeModel(model, files: archive.map { [archiveName: try $0.encoded()] } ?? [:])
    }

    static func loadDiagnostics(_ path: String, options: LoadOptions = LoadOptions()) -> [Diagnostic] {
        NNFeynLanguageTests.loadDiagnostics(path, options: options)
    }

    static func archive(_ members: [String: DenseArray]) -> NPZArchive {
        var archive = NPZArchive()
        for (name, array) in members { archive.set(name, array) }
        return archive
    }

    @Test func floatsAreReadAsExactBinaryFractions() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[0.1, 1], [2, -0.5]]), "h.bias": DenseArray(vector: [0.25, 0])])
        let (path, _) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense h : 2 tanh\n", archive: a)
        let network = try ModelLoader.load(path: path)
        let w = network.weightRows(0)
        #expect(w[0][0] == Rational(exactly: 0.1))
        #expect(w[0][0] != Rational(1, 10))
        #expect(w == [[Rational(exactly: 0.1)!, 1], [2, Rational(-1, 2)]])
        #expect(network.biasValues(0) == [Rational(1, 4), 0])
    }

    @Test func pathIsRelativeToTheModelFile() throws {
        let a = Self.archive(["y.weight": DenseArray(matrix: [[1, 2]]), "y.bias": DenseArray(vector: [3])])
        let (path, _) = try Self.setUp("input x : 2\nparameters \"sub/p.npz\"\ndense y : 1 linear\n", archive: nil)
        let sub = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try a.write(to: sub.appendingPathComponent("p.npz"))
        let network = try ModelLoader.load(path: path)
        #expect(network.weightRows(0) == [[1, 2]])
        #expect(network.biasValues(0) == [3])
    }

    @Test func inlineValuesWinAndBiasNoneNeedsNoArray() throws {
        let a = Self.archive(["y.weight": DenseArray(matrix: [[9, 9]]), "y.bias": DenseArray(vector: [9])])
        let (path, _) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense y : 1 linear weight [[1, 2]] bias none\n", archive: a)
        let network = try ModelLoader.load(path: path)
        #expect(network.weightRows(0) == [[1, 2]])
        #expect(network.biasValues(0) == [0])
    }

    @Test func wrongShapeNamesMemberShapeAndExpectation() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[1, 2, 3], [4, 5, 6]]), "h.bias": DenseArray(vector: [0, 0, 0])])
        let (path, span) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense ⟨h⟩ : 3 tanh\n", archive: a)
        let found = Self.loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0221"])
        let d = try #require(found.first)
        #expect(d.message == "array 'h.weight' has shape (2, 3), expected (3, 2)")
        #expect(d.span == span)
        #expect(d.help == "it looks transposed: a weight is (width, fan-in), PyTorch's layout")
        #expect(d.notes == ["the parameters file holds 'h.bias' (3,) float64, 'h.weight' (2, 3) float64"])
    }

    @Test func wrongBiasShape() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[1, 2]]), "h.bias": DenseArray(matrix: [[0]])])
        let (path, span) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense ⟨h⟩ : 1 tanh\n", archive: a)
        let d = try #require(Self.loadDiagnostics(path).first)
        #expect(d.code == "E0221" && d.span == span)
        #expect(d.message == "array 'h.bias' has shape (1, 1), expected (1,)")
    }

    @Test func missingMemberPointsAtTheLayer() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[1, 2]]), "h1.bias": DenseArray(vector: [0])])
        let (path, span) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense ⟨h⟩ : 1 tanh\n", archive: a)
        let d = try #require(Self.loadDiagnostics(path).first)
        #expect(d.code == "E0220" && d.span == span)
        #expect(d.message == "no array 'h.bias' in the parameters file for layer 'h'")
        #expect(d.help == "did you mean 'h1.bias'?")
        #expect(d.notes == ["the parameters file (line 2) has the arrays 'h.weight', 'h1.bias'"])
    }

    @Test func missingFilePointsAtTheString() throws {
        let (path, span) = try Self.setUp("input x : 2\nparameters ⟨\"gone.npz\"⟩\ndense h : 1 tanh\n", archive: nil)
        let found = Self.loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0219"])
        #expect(found.first?.span == span)
        #expect(found.first?.message == "parameters file 'gone.npz' not found")
    }

    @Test func corruptFilePointsAtTheString() throws {
        let (path, span) = try Self.setUp("input x : 2\nparameters ⟨\"bad.npz\"⟩\ndense h : 1 tanh weight [[1, 1]] bias [0]\n", archive: nil)
        let bad = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("bad.npz")
        try Data("this is not a zip".utf8).write(to: bad)
        let d = try #require(Self.loadDiagnostics(path).first)
        #expect(d.code == "E0219" && d.span == span)
        #expect(d.notes.first?.contains("not an .npz archive") == true)
    }

    @Test func nonFiniteValuesAreRejected() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[1, .nan]]), "h.bias": DenseArray(vector: [.infinity])])
        let (path, span) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense ⟨h⟩ : 1 tanh\n", archive: a)
        let found = Self.loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0222", "E0222"])
        #expect(found.allSatisfy { $0.span == span })
        #expect(found.first?.message == "array 'h.weight' holds nan at [0, 1]")
    }

    @Test func allowMissingParametersToleratesAnArchiveNotYetWritten() throws {
        let (path, _) = try Self.setUp("input x : 2\nparameters \"later.npz\"\ndense h : 3 tanh\ndense y : 1 linear\n", archive: nil)
        let network = try ModelLoader.load(path: path, options: LoadOptions(allowMissingParameters: true))
        #expect(network.parameters.allSatisfy { $0 == nil })
        #expect(network.layers.map(\.fanIn) == [2, 3])
    }

    @Test func allowMissingParametersWithAPartialArchive() throws {
        let a = Self.archive(["h.weight": DenseArray(matrix: [[1, 2]]), "h.bias": DenseArray(vector: [0])])
        let (path, _) = try Self.setUp("input x : 2\nparameters \"p.npz\"\ndense h : 1 tanh\ndense y : 1 linear\n", archive: a)
        let network = try ModelLoader.load(path: path, options: LoadOptions(allowMissingParameters: true))
        #expect(network.weightRows(0) == [[1, 2]])
        #expect(network.weightRows(1).isEmpty)
        // Without the option, the missing arrays are errors naming them.
        #expect(Self.loadDiagnostics(path).map(\.code.rawValue) == ["E0220", "E0220"])
    }

    /// Integers beyond 2^53 load exactly (an exact expansion uses them exactly); the archive's other members are
    /// never read, so a damaged one that no layer names does no harm.
    @Test func integerParametersAreExactAndUnnamedMembersUnread() throws {
        let (path, _) = try Self.setUp("input x : 3\nparameters \"integerLayer.npz\"\ndense y : 1 linear\n", archive: nil)
        try CraftedArchive.write([.integerLayer], to: URL(fileURLWithPath: path).deletingLastPathComponent())
        let model = try ModelLoader.load(path: path)
        let weight = try #require(model.parameters[0]?.weight), bias = try #require(model.parameters[0]?.bias)
        #expect(weight.exactValues == [Rational(literal: "9007199254740993")!, Rational(literal: "-9223372036854775808")!, 3])
        #expect(weight.nearest == [0x1p53, -0x1p63, 3])
        #expect(bias.exactValues == [Rational(literal: "18446744073709551615")!])
        #expect(try model.network(as: Rational.self).weights[0][0] == Rational(literal: "9007199254740993")!)
    }

    /// The shape is checked from the member's header, so a member of the wrong shape is not read at all.
    @Test func shapeIsCheckedBeforeTheDataIsRead() throws {
        let (path, span) = try Self.setUp("input x : 2\nparameters \"hugeHeader.npz\"\ndense ⟨y⟩ : 1 linear bias none\n", archive: nil)
        try CraftedArchive.write([.hugeHeader], to: URL(fileURLWithPath: path).deletingLastPathComponent())
        let found = Self.loadDiagnostics(path)
        #expect(found.map(\.code.rawValue) == ["E0221"])
        #expect(found.first?.span == span)
        #expect(found.first?.message == "array 'y.weight' has shape (1073741824,), expected (1, 2)")
    }

    @Test func extraMembersAreIgnored() throws {
        let a = Self.archive(["y.weight": DenseArray(matrix: [[1]]), "y.bias": DenseArray(vector: [0]),
                              "optimizer.state": DenseArray(vector: [1, 2, 3])])
        let (path, _) = try Self.setUp("input x : 1\nparameters \"p.npz\"\ndense y : 1 linear\n", archive: a)
        #expect(throws: Never.self) { try ModelLoader.load(path: path) }
    }
}
