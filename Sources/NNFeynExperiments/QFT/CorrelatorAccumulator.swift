// Accumulated correlator sums: for every chunk of models and every index tuple, the exact sums of the products
// prod_s f_{t_s} and of their squares over the chunk's models. Exact sums (ExactSum.swift) make merging
// associative and commutative, so shards reduce to bit-for-bit the single-process result.
//
// Layout of a run (fixed by the configuration alone, never by threads or shards):
//   chunk c   = models [c M / k, (c+1) M / k)                    (k chunks, as the reference's narrow_copy)
//   blocks    = each chunk cut into blocks of B models (B a function of the width and the observable count)
//   shard i/K = the global blocks [i nb / K, (i+1) nb / K)       (nb blocks over all chunks)
// Every block draws from its own stream of the one generator, seeded from (seed, width, chunk, block within chunk).
import NNFeynAlgebra

/// The correlator tuples a run measures: every non-decreasing tuple of each requested order, concatenated.
public struct CorrelatorTuples: Sendable, Equatable {
    public let observableCount: Int
    public let orders: [Int]
    /// All tuples, order by order (lexicographic within an order).
    public let tuples: [[Int]]
    /// The range of `tuples` holding each order.
    public let ranges: [Int: Range<Int>]

    public init(observableCount: Int, orders: [Int]) {
        self.observableCount = observableCount
        self.orders = orders.sorted()
        var tuples: [[Int]] = []
        var ranges: [Int: Range<Int>] = [:]
        for n in self.orders {
            let start = tuples.count
            tuples += IndexTuples.nonDecreasing(count: observableCount, length: n)
            ranges[n] = start..<tuples.count
        }
        self.tuples = tuples
        self.ranges = ranges
    }
}

/// Sums over the models of one chunk (or part of one, in a shard).
public struct ChunkSums: Sendable, Equatable, Codable {
    /// Models accumulated.
    public var models: Int
    /// Per tuple: sum over models of the product.
    public var first: [ExactSum]
    /// Per tuple: sum over models of the squared product.
    public var second: [ExactSum]

    public init(tupleCount: Int) {
        models = 0
        first = [ExactSum](repeating: ExactSum(), count: tupleCount)
        second = [ExactSum](repeating: ExactSum(), count: tupleCount)
    }

    public mutating func add(_ other: ChunkSums) {
        models += other.models
        for t in first.indices {
            first[t].add(other.first[t])
            second[t].add(other.second[t])
        }
    }

    /// The canonical form (for equality and the text form).
    public func normalized() -> ChunkSums {
        var copy = self
        copy.first = first.map { $0.normalized() }
        copy.second = second.map { $0.normalized() }
        return copy
    }
}

/// The accumulated sums of one width.
public struct WidthSums: Sendable, Equatable, Codable {
    public var width: Int
    public var chunks: [ChunkSums]

    public init(width: Int, chunks: Int, tupleCount: Int) {
        self.width = width
        self.chunks = [ChunkSums](repeating: ChunkSums(tupleCount: tupleCount), count: chunks)
    }

    public mutating func add(_ other: WidthSums) {
        for c in chunks.indices { chunks[c].add(other.chunks[c]) }
    }
}

/// The block layout of one width (see the top of the file).
struct BlockLayout: Sendable {
    struct Block: Sendable {
        var chunk: Int
        var indexInChunk: Int
        var count: Int
    }
    let blocks: [Block]

    init(models: Int, chunks: Int, blockSize: Int) {
        var blocks: [Block] = []
        for c in 0..<chunks {
            let start = c * models / chunks, end = (c + 1) * models / chunks
            var position = start, index = 0
            while position < end {
                let count = Swift.min(blockSize, end - position)
                blocks.append(Block(chunk: c, indexInChunk: index, count: count))
                position += count
                index += 1
            }
        }
        self.blocks = blocks
    }

    /// The blocks of shard i of K: a contiguous slice.
    func shard(_ i: Int, of k: Int) -> ArraySlice<Block> {
        let n = blocks.count
        return blocks[(i * n / k)..<((i + 1) * n / k)]
    }
}

/// Seed mixing: a stream per (seed, components).
enum StreamSeed {
    static func derive(_ seed: UInt64, _ components: [UInt64]) -> UInt64 {
        var generator = Xoshiro256(seed: seed, streams: components)
        return generator.next()
    }
}
