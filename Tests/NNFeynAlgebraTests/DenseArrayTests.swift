// DenseArray: reversing the axes moves every value to the index it must have, for every storage and rank.
import NNFeynAlgebra
import Testing

@Suite struct DenseArrayTests {
    /// The C-order offset of `index` in `shape`.
    static func offset(_ index: [Int], _ shape: [Int]) -> Int { zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 } }

    /// Every index of `shape`, in C order.
    static func indices(_ shape: [Int]) -> [[Int]] {
        shape.reduce([[]]) { partial, extent in partial.flatMap { prefix in (0..<extent).map { prefix + [$0] } } }
    }

    @Test(arguments: [[2, 3], [3, 1], [2, 3, 4], [1, 4, 2, 3], [5]])
    func axesReversedMovesEachValueToTheReversedIndex(shape: [Int]) {
        let count = shape.reduce(1, *)
        let array = DenseArray(shape: shape, .int64((0..<count).map { Int64($0) }))
        let reversed = array.axesReversed()
        #expect(reversed.shape == shape.reversed())
        guard case .int64(let values) = reversed.storage else { Issue.record("storage changed"); return }
        for index in Self.indices(shape) {
            #expect(values[Self.offset(index.reversed(), reversed.shape)] == Int64(Self.offset(index, shape)))
        }
        #expect(reversed.axesReversed() == array)
    }

    @Test func everyStorageIsMovedNotConverted() {
        #expect(DenseArray(matrix: [[1, 2, 3], [4, 5, 6]]).axesReversed() == DenseArray(matrix: [[1, 4], [2, 5], [3, 6]]))
        #expect(DenseArray(shape: [1, 2], .uint64([.max, 1])).axesReversed() == DenseArray(shape: [2, 1], .uint64([.max, 1])))
        #expect(DenseArray(shape: [2, 1], .text(["a", "b"])).axesReversed() == DenseArray(shape: [1, 2], .text(["a", "b"])))
        #expect(DenseArray(shape: [0, 3], .float64([])).axesReversed().shape == [3, 0])
    }

    @Test func doublesAreTheNearestValues() {
        #expect(DenseArray(shape: [2], .int64([(1 << 53) + 1, -3])).doubles == [0x1p53, -3])
        #expect(DenseArray(shape: [1], .uint64([.max])).doubles == [0x1p64])
        #expect(DenseArray(text: "x").doubles == nil)
    }
}
