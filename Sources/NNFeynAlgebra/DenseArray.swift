// A dense array of numbers or texts with a shape, C order (the last index varies fastest): the one array type of
// NumPy and safetensors files, read (parameter files, data sets) and written (results, trained models). Values are
// kept as stored: floats as the doubles they are (float32, float16 and bfloat16 widen exactly), integers as exact
// 64-bit integers, so nothing is rounded on the way in; `doubles` gives the nearest doubles where a caller wants them.

/// A dense, C-ordered array of doubles, 64-bit integers or strings.
public struct DenseArray: Sendable, Equatable {
    /// The values.
    public enum Storage: Sendable, Equatable {
        case float64([Double])
        case int64([Int64])
        /// Unsigned integers (NumPy's uint64): values up to 2^64 - 1, exactly.
        case uint64([UInt64])
        case text([String])

        var count: Int {
            switch self {
            case .float64(let values): values.count
            case .int64(let values): values.count
            case .uint64(let values): values.count
            case .text(let values): values.count
            }
        }
    }

    /// The extent of each axis ([] for a single value).
    public let shape: [Int]
    public let storage: Storage

    /// An array whose values fill `shape` exactly.
    public init(shape: [Int], _ storage: Storage) {
        precondition(shape.reduce(1, *) == storage.count, "the values do not fill the shape")
        self.shape = shape
        self.storage = storage
    }

    /// A single string (a 0-d array).
    public init(text: String) { self.init(shape: [], .text([text])) }

    /// A 1-D array of doubles.
    public init(vector: [Double]) { self.init(shape: [vector.count], .float64(vector)) }

    /// A 2-D array of doubles from rows of equal length.
    public init(matrix rows: [[Double]]) {
        self.init(shape: [rows.count, rows.first?.count ?? 0], .float64(rows.flatMap { $0 }))
    }

    /// The number of values.
    public var count: Int { storage.count }

    /// The nearest double of each value (the value itself for floats and for integers up to 2^53); nil for texts.
    public var doubles: [Double]? {
        switch storage {
        case .float64(let values): values
        case .int64(let values): values.map { Double($0) }
        case .uint64(let values): values.map { Double($0) }
        case .text: nil
        }
    }

    /// The same values with the axes in reverse order: the transpose of a matrix. Values are moved, never converted.
    /// (An array stored in Fortran order is, read as C order, this of the array it stands for.)
    public func axesReversed() -> DenseArray {
        guard shape.count >= 2 else { return self }
        let reversedShape = Array(shape.reversed())
        // Element i of the result, at index (j_0, ..., j_{n-1}) of reversedShape, is the source's element at
        // (j_{n-1}, ..., j_0): its offset is sum j_a * sourceStride[n-1-a]. Walk the result in order, odometer style.
        var sourceStrides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { sourceStrides[axis] = sourceStrides[axis + 1] * shape[axis + 1] }
        let strides = Array(sourceStrides.reversed())
        func permuted<T>(_ values: [T]) -> [T] {
            guard !values.isEmpty else { return values }
            var result: [T] = []
            result.reserveCapacity(values.count)
            var index = [Int](repeating: 0, count: shape.count)
            var offset = 0
            for _ in 0..<values.count {
                result.append(values[offset])
                var axis = shape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += strides[axis]
                    if index[axis] < reversedShape[axis] { break }
                    offset -= strides[axis] * index[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            return result
        }
        switch storage {
        case .float64(let values): return DenseArray(shape: reversedShape, .float64(permuted(values)))
        case .int64(let values): return DenseArray(shape: reversedShape, .int64(permuted(values)))
        case .uint64(let values): return DenseArray(shape: reversedShape, .uint64(permuted(values)))
        case .text(let values): return DenseArray(shape: reversedShape, .text(permuted(values)))
        }
    }
}
