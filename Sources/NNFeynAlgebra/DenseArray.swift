// A dense array of numbers or texts with a shape, C order (the last index varies fastest): what results look like
// on their way to NumPy files. Producers (emitters) build it; the .npz writer encodes it.

/// A dense, C-ordered array of doubles, 64-bit integers or strings.
public struct DenseArray: Sendable, Equatable {
    /// The values.
    public enum Storage: Sendable, Equatable {
        case float64([Double])
        case int64([Int64])
        case text([String])

        var count: Int {
            switch self {
            case .float64(let values): values.count
            case .int64(let values): values.count
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
}
