// Matching a checkpoint's tensors to dense layers: PyTorch Sequential, prefixed and Flax layouts, and the ambiguous
// files that must be refused.
import NNFeynAlgebra
import NNFeynNPZ
import Testing
@testable import NNFeynLanguage

@Suite struct ParameterKeysTests {
    static let layers: [(name: String, width: Int, fanIn: Int)] = [("h1", 5, 2), ("h2", 4, 5), ("y", 1, 4)]

    static func tensors(_ pairs: [(String, [Int])]) -> [TensorHeader] { pairs.map { TensorHeader(name: $0.0, dtype: "F64", shape: $0.1) } }

    @Test func pytorchSequentialSkipsParameterFreeIndices() throws {
        let file = Self.tensors([("0.weight", [5, 2]), ("0.bias", [5]), ("2.weight", [4, 5]), ("2.bias", [4]),
                                 ("4.weight", [1, 4]), ("4.bias", [1])])
        let sources = try ParameterKeys.inferredSources(for: Self.layers, tensors: file)
        #expect(sources.map(\.weight) == ["0.weight", "2.weight", "4.weight"])
        #expect(sources.map(\.bias) == ["0.bias", "2.bias", "4.bias"])
        #expect(sources.allSatisfy { !$0.transposed })
    }

    @Test func prefixedNamesAndTwoDigitIndicesOrderNumerically() throws {
        let file = Self.tensors([("model.layers.10.weight", [1, 4]), ("model.layers.10.bias", [1]),
                                 ("model.layers.2.weight", [5, 2]), ("model.layers.2.bias", [5]),
                                 ("model.layers.7.weight", [4, 5]), ("model.layers.7.bias", [4])])
        let sources = try ParameterKeys.inferredSources(for: Self.layers, tensors: file)
        #expect(sources.map(\.weight) == ["model.layers.2.weight", "model.layers.7.weight", "model.layers.10.weight"])
    }

    @Test func flaxKernelsAreTransposed() throws {
        let file = Self.tensors([("params/Dense_0/kernel", [2, 5]), ("params/Dense_0/bias", [5]),
                                 ("params/Dense_1/kernel", [5, 4]), ("params/Dense_1/bias", [4]),
                                 ("params/Dense_2/kernel", [4, 1]), ("params/Dense_2/bias", [1])])
        let sources = try ParameterKeys.inferredSources(for: Self.layers, tensors: file)
        #expect(sources.map(\.weight) == ["params/Dense_0/kernel", "params/Dense_1/kernel", "params/Dense_2/kernel"])
        #expect(sources.allSatisfy { $0.transposed })
    }

    @Test func biasFreeLayersAreAllowed() throws {
        let file = Self.tensors([("net.0.weight", [5, 2]), ("net.1.weight", [4, 5]), ("net.2.weight", [1, 4]), ("net.2.bias", [1])])
        let sources = try ParameterKeys.inferredSources(for: Self.layers, tensors: file)
        #expect(sources.map(\.bias) == [nil, nil, "net.2.bias"])
    }

    @Test(arguments: [
        ([("0.weight", [5, 2]), ("2.weight", [4, 5])], "it holds 2 layers ('0', '2') for the 3 layers without parameters ('h1', 'h2', 'y')"),
        ([("0.weight", [5, 2]), ("2.weight", [4, 5]), ("4.weight", [1, 4]), ("6.weight", [1, 1])], "it holds 4 layers"),
        ([("0.weight", [5, 2]), ("2.weight", [5, 4]), ("4.weight", [1, 4])],
         "layer '2' of the file is 5 x 4 (width x fan-in) but layer 'h2' is 4 x 5"),
        ([("a.0.weight", [5, 2]), ("b.0.weight", [4, 5]), ("c.1.weight", [1, 4])],
         "layers 'a.0' and 'b.0' have the same number, 0, so the layers cannot be put in order"),
        ([("first.weight", [5, 2]), ("second.weight", [4, 5]), ("third.weight", [1, 4])],
         "layer 'first' has no number in its name, so the layers cannot be put in order"),
        ([("0.weight", [5, 2]), ("0.kernel", [2, 5]), ("2.weight", [4, 5]), ("4.weight", [1, 4])],
         "layer '0' has both '0.weight' and '0.kernel'"),
        ([("0.weight", [5, 2]), ("0.bias", [4]), ("2.weight", [4, 5]), ("4.weight", [1, 4])],
         "'0.bias' has shape (4,) but '0.weight' is (5, 2), a layer of width 5"),
        ([("0.weight", [5]), ("2.weight", [4, 5]), ("4.weight", [1, 4])], "'0.weight' has shape (5,), not a matrix"),
        ([("0.running_mean", [5]), ("optimizer.state", [3])], "it holds no tensor named like a layer's weight"),
    ] as [([(String, [Int])], String)])
    func ambiguousOrMismatchedFilesAreNotGuessed(pairs: [(String, [Int])], reason: String) {
        #expect {
            _ = try ParameterKeys.inferredSources(for: Self.layers, tensors: Self.tensors(pairs))
        } throws: { error in
            (error as? KeyMismatch)?.description.hasPrefix(reason) == true
        }
    }

    @Test func usedTensorsAreLeftOut() throws {
        let file = Self.tensors([("h1.weight", [5, 2]), ("h1.bias", [5]), ("net.1.weight", [4, 5]), ("net.2.weight", [1, 4])])
        let sources = try ParameterKeys.inferredSources(for: Array(Self.layers.dropFirst()), tensors: file,
                                                        excluding: ["h1.weight", "h1.bias"])
        #expect(sources.map(\.weight) == ["net.1.weight", "net.2.weight"])
    }

    @Test func aFileDescribesItsOwnNetworkWhenItsShapesChain() throws {
        let file = Self.tensors([("params/Dense_1/kernel", [5, 4]), ("params/Dense_0/kernel", [2, 5]),
                                 ("params/Dense_0/bias", [5]), ("params/Dense_1/bias", [4])])
        let layers = try ParameterKeys.layers(in: file)
        #expect(layers.map(\.group) == ["params/Dense_0", "params/Dense_1"])
        #expect(layers.map(\.width) == [5, 4] && layers.map(\.fanIn) == [2, 5])
        #expect(throws: KeyMismatch(description: "the shapes do not chain: '1.weight' takes 4 inputs but layer '0' gives 5")) {
            try ParameterKeys.layers(in: Self.tensors([("0.weight", [5, 2]), ("1.weight", [3, 4])]))
        }
    }

    @Test func listingsNameTensorsWithShapesAndDTypes() {
        var file = NPZArchive()
        file.set("b", DenseArray(vector: [1, 2, 3]))
        file.set("a", DenseArray(matrix: [[1, 2, 3], [4, 5, 6]]))
        #expect(ParameterKeys.listing(file) == "'a' (2, 3) float64, 'b' (3,) float64")
        #expect(ParameterKeys.listing(file, limit: 1) == "'a' (2, 3) float64, ... (2 in all)")
        #expect(ParameterKeys.listing(NPZArchive()) == "no tensors")
        file.set("c", DenseArray(shape: [2], .int64([1, 2])))
        #expect(ParameterKeys.listing(file) == "'a' (2, 3) float64, 'b' (3,) float64, 'c' (2,) int64")
        #expect(ParameterKeys.dtypeName("BF16") == "bfloat16" && ParameterKeys.dtypeName("F8_E4M3") == "F8_E4M3")
    }
}
