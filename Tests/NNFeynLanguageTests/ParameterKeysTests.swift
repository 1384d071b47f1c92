// Matching a checkpoint's tensors to dense layers: PyTorch Sequential, prefixed and Flax layouts, and the ambiguous
// files that must be refused.
import Testing
@testable import NNFeynLanguage

@Suite struct ParameterKeysTests {
    static let layers: [(width: Int, fanIn: Int)] = [(5, 2), (4, 5), (1, 4)]

    static func tensors(_ pairs: [(String, [Int])]) -> [ParameterTensor] { pairs.map { ParameterTensor(name: $0.0, shape: $0.1) } }

    @Test func pytorchSequentialSkipsParameterFreeIndices() throws {
        let file = Self.tensors([("0.weight", [5, 2]), ("0.bias", [5]), ("2.weight", [4, 5]), ("2.bias", [4]),
                                 ("4.weight", [1, 4]), ("4.bias", [1])])
        let sources = try #require(ParameterKeys.inferredSources(for: Self.layers, tensors: file))
        #expect(sources.map(\.weight) == ["0.weight", "2.weight", "4.weight"])
        #expect(sources.map(\.bias) == ["0.bias", "2.bias", "4.bias"])
        #expect(sources.allSatisfy { !$0.transposed })
    }

    @Test func prefixedNamesAndTwoDigitIndicesOrderNumerically() throws {
        let file = Self.tensors([("model.layers.10.weight", [1, 4]), ("model.layers.10.bias", [1]),
                                 ("model.layers.2.weight", [5, 2]), ("model.layers.2.bias", [5]),
                                 ("model.layers.7.weight", [4, 5]), ("model.layers.7.bias", [4])])
        let sources = try #require(ParameterKeys.inferredSources(for: Self.layers, tensors: file))
        #expect(sources.map(\.weight) == ["model.layers.2.weight", "model.layers.7.weight", "model.layers.10.weight"])
    }

    @Test func flaxKernelsAreTransposed() throws {
        let file = Self.tensors([("params/Dense_0/kernel", [2, 5]), ("params/Dense_0/bias", [5]),
                                 ("params/Dense_1/kernel", [5, 4]), ("params/Dense_1/bias", [4]),
                                 ("params/Dense_2/kernel", [4, 1]), ("params/Dense_2/bias", [1])])
        let sources = try #require(ParameterKeys.inferredSources(for: Self.layers, tensors: file))
        #expect(sources.map(\.weight) == ["params/Dense_0/kernel", "params/Dense_1/kernel", "params/Dense_2/kernel"])
        #expect(sources.allSatisfy { $0.transposed })
    }

    @Test func biasFreeLayersAreAllowed() throws {
        let file = Self.tensors([("net.0.weight", [5, 2]), ("net.1.weight", [4, 5]), ("net.2.weight", [1, 4]), ("net.2.bias", [1])])
        let sources = try #require(ParameterKeys.inferredSources(for: Self.layers, tensors: file))
        #expect(sources.map(\.bias) == [nil, nil, "net.2.bias"])
    }

    @Test(arguments: [
        // A missing layer, an extra one, shapes that do not chain, two groups with one index, no index at all.
        [("0.weight", [5, 2]), ("2.weight", [4, 5])],
        [("0.weight", [5, 2]), ("2.weight", [4, 5]), ("4.weight", [1, 4]), ("6.weight", [1, 1])],
        [("0.weight", [5, 2]), ("2.weight", [5, 4]), ("4.weight", [1, 4])],
        [("a.0.weight", [5, 2]), ("b.0.weight", [4, 5]), ("c.1.weight", [1, 4])],
        [("first.weight", [5, 2]), ("second.weight", [4, 5]), ("third.weight", [1, 4])],
        [("0.weight", [5, 2]), ("0.kernel", [2, 5]), ("2.weight", [4, 5]), ("4.weight", [1, 4])],
        [("0.weight", [5, 2]), ("0.bias", [4]), ("2.weight", [4, 5]), ("4.weight", [1, 4])],
    ] as [[(String, [Int])]])
    func ambiguousOrMismatchedFilesAreNotGuessed(pairs: [(String, [Int])]) {
        #expect(ParameterKeys.inferredSources(for: Self.layers, tensors: Self.tensors(pairs)) == nil)
    }

    @Test func listingsNameTensorsWithShapes() {
        let file = Self.tensors([("b", [3]), ("a", [2, 3])])
        #expect(ParameterKeys.listing(file) == "'a' (2, 3), 'b' (3,)")
    }
}
