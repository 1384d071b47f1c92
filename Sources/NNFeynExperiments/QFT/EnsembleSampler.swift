// Sampling: blocks of random networks, their observables, and the products that make correlators.
//
// A worker takes a block of B models, draws their parameters from the block's own stream, evaluates the
// observables of every model into a B x P matrix (batched forward passes: the first layer is one GEMM over all
// models of the block, deeper layers one GEMM per model; or nnfeyn's Taylor expansion per model for derivative
// correlators), then forms every tuple product per model and sums them (and their squares) over the block in model
// order. Block sums go into exact per-chunk accumulators. Workers take blocks round-robin and merge at the end;
// since blocks are fixed units and the accumulation is exact, the result does not depend on threads or shards.
import COpenBLAS
import Dispatch
import Foundation
import NNFeynAlgebra

/// Evaluates the observables of a block of freshly drawn models.
protocol BlockEvaluator: Sendable {
    /// Observables per model.
    var observableCount: Int { get }
    /// Models per block at a width (a function of the configuration only).
    func blockSize(width: Int) -> Int
    /// A worker with its own buffers.
    func makeWorker(width: Int) -> any BlockWorker
}

/// One worker's evaluation of blocks.
protocol BlockWorker: AnyObject {
    /// Draws `count` models from `rng` and writes their observables to `output` (count x P, row-major).
    func evaluate(count: Int, rng: inout NormalSampler, output: UnsafeMutablePointer<Double>) throws(QFTError)
}

/// Where a run stands, for progress displays.
public struct SamplingProgress: Sendable {
    public var width: Int
    public var blocksDone: Int
    public var blocksTotal: Int
    public var modelsDone: Int
}

/// Which part of a run this process samples, and how.
public struct SamplingPlan: Sendable, Equatable {
    public var models: Int
    public var chunks: Int
    public var seed: UInt64
    public var shardIndex: Int
    public var shardCount: Int
    public var threads: Int

    public init(models: Int, chunks: Int = 10, seed: UInt64 = 1, shardIndex: Int = 0, shardCount: Int = 1, threads: Int = 1) {
        self.models = models
        self.chunks = chunks
        self.seed = seed
        self.shardIndex = shardIndex
        self.shardCount = shardCount
        self.threads = threads
    }

    public func validate() throws(QFTError) {
        guard models >= 1 else { throw QFTError("--models must be at least 1 (got \(models))") }
        guard chunks >= 2, chunks <= 1000 else { throw QFTError("--chunks must be between 2 and 1000 (got \(chunks))") }
        guard models >= chunks else { throw QFTError("--models (\(models)) must be at least --chunks (\(chunks))") }
        guard shardCount >= 1, shardIndex >= 0, shardIndex < shardCount else {
            throw QFTError("--shard must be i/K with 0 <= i < K (got \(shardIndex)/\(shardCount))")
        }
        guard threads >= 1, threads <= 256 else { throw QFTError("--threads must be between 1 and 256 (got \(threads))") }
    }
}

/// The sampling engine.
enum EnsembleSampler {
    /// Accumulates the correlator sums of one width over this plan's shard.
    static func accumulate(width: Int, evaluator: any BlockEvaluator, tuples: CorrelatorTuples, plan: SamplingPlan,
                           streamTag: UInt64, progress: (@Sendable (SamplingProgress) -> Void)?) throws(QFTError) -> WidthSums {
        let layout = BlockLayout(models: plan.models, chunks: plan.chunks, blockSize: evaluator.blockSize(width: width))
        let mine = Array(layout.shard(plan.shardIndex, of: plan.shardCount))
        let threads = max(1, min(plan.threads, mine.count))
        let results = WorkerResults(count: threads)
        let counter = ProgressCounter()
        let products = TupleProducts(tuples: tuples)
        DispatchQueue.concurrentPerform(iterations: threads) { w in
            var sums = WidthSums(width: width, chunks: plan.chunks, tupleCount: tuples.tuples.count)
            let worker = evaluator.makeWorker(width: width)
            let p = evaluator.observableCount, t = tuples.tuples.count
            let maxBlock = evaluator.blockSize(width: width)
            var observables = [Double](repeating: 0, count: maxBlock * p)
            var scratch = products.makeScratch()
            var s1 = [Double](repeating: 0, count: t), s2 = [Double](repeating: 0, count: t)
            do throws(QFTError) {
                var k = w
                while k < mine.count {
                    let block = mine[k]
                    let seed = StreamSeed.derive(plan.seed, [streamTag, UInt64(width), UInt64(block.chunk), UInt64(block.indexInChunk)])
                    var rng = NormalSampler(seed: seed)
                    try observables.withUnsafeMutableBufferPointer { buffer throws(QFTError) in
                        try worker.evaluate(count: block.count, rng: &rng, output: buffer.baseAddress!)
                    }
                    for i in 0..<t { s1[i] = 0; s2[i] = 0 }
                    for m in 0..<block.count {
                        products.accumulate(observables, row: m * p, scratch: &scratch, s1: &s1, s2: &s2)
                    }
                    sums.chunks[block.chunk].models += block.count
                    for i in 0..<t {
                        sums.chunks[block.chunk].first[i].add(s1[i])
                        sums.chunks[block.chunk].second[i].add(s2[i])
                    }
                    let done = counter.add(blocks: 1, models: block.count)
                    progress?(SamplingProgress(width: width, blocksDone: done.blocks, blocksTotal: mine.count, modelsDone: done.models))
                    k += threads
                }
                results.store(.success(sums), at: w)
            } catch {
                results.store(.failure(error), at: w)
            }
        }
        var total = WidthSums(width: width, chunks: plan.chunks, tupleCount: tuples.tuples.count)
        for result in results.items {
            switch result! {
            case .success(let sums): total.add(sums)
            case .failure(let error): throw error
            }
        }
        for c in total.chunks.indices { total.chunks[c] = total.chunks[c].normalized() }
        return total
    }
}

/// Per-worker results, written once each from concurrent workers at distinct indices.
final class WorkerResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var items: [Result<WidthSums, QFTError>?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func store(_ result: Result<WidthSums, QFTError>, at index: Int) {
        lock.lock()
        items[index] = result
        lock.unlock()
    }
}

/// Blocks and models done so far across workers.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var blocks = 0, models = 0
    func add(blocks b: Int, models m: Int) -> (blocks: Int, models: Int) {
        lock.lock()
        defer { lock.unlock() }
        blocks += b
        models += m
        return (blocks, models)
    }
}

/// Tuple products of one model's observables, built pair by pair: q2 over all pairs, q4 = q2 q2, q6 = q4 q2.
struct TupleProducts: Sendable {
    let p: Int
    let pairs: [(Int, Int)]
    /// For each quartet (a <= b <= c <= d): the pair positions of (a, b) and (c, d).
    let quartets: [(Int, Int)]
    /// For each sextet: the quartet position of its first four and the pair position of its last two.
    let sextets: [(Int, Int)]
    /// Where each requested order's products start in the run's tuple list (every order lists all its tuples).
    let offsets: [(order: Int, offset: Int)]

    init(tuples: CorrelatorTuples) {
        p = tuples.observableCount
        let pairIndex = IndexTuples.Index(count: p, length: 2)
        pairs = pairIndex.tuples.map { ($0[0], $0[1]) }
        let highest = tuples.orders.max() ?? 2
        let quartetIndex = IndexTuples.Index(count: p, length: highest >= 4 ? 4 : 0)
        quartets = highest >= 4 ? quartetIndex.tuples.map { (pairIndex.position(of: [$0[0], $0[1]]), pairIndex.position(of: [$0[2], $0[3]])) } : []
        sextets = highest >= 6 ? IndexTuples.nonDecreasing(count: p, length: 6).map {
            (quartetIndex.position(of: Array($0[0..<4])), pairIndex.position(of: [$0[4], $0[5]]))
        } : []
        offsets = tuples.orders.map { ($0, tuples.ranges[$0]!.lowerBound) }
    }

    struct Scratch {
        var q2: [Double]
        var q4: [Double]
        var q6: [Double]
    }

    func makeScratch() -> Scratch {
        Scratch(q2: [Double](repeating: 0, count: pairs.count), q4: [Double](repeating: 0, count: quartets.count),
                q6: [Double](repeating: 0, count: sextets.count))
    }

    /// Adds one model's tuple products (from observables[row..<row+p]) to s1, and their squares to s2.
    func accumulate(_ observables: [Double], row: Int, scratch: inout Scratch, s1: inout [Double], s2: inout [Double]) {
        observables.withUnsafeBufferPointer { f in
            scratch.q2.withUnsafeMutableBufferPointer { q2 in
                for (k, (a, b)) in pairs.enumerated() { q2[k] = f[row + a] * f[row + b] }
            }
        }
        scratch.q2.withUnsafeBufferPointer { q2 in
            scratch.q4.withUnsafeMutableBufferPointer { q4 in
                for (k, (i, j)) in quartets.enumerated() { q4[k] = q2[i] * q2[j] }
            }
            scratch.q6.withUnsafeMutableBufferPointer { q6 in
                scratch.q4.withUnsafeBufferPointer { q4 in
                    for (k, (i, j)) in sextets.enumerated() { q6[k] = q4[i] * q2[j] }
                }
            }
        }
        s1.withUnsafeMutableBufferPointer { a in
            s2.withUnsafeMutableBufferPointer { b in
                for (order, offset) in offsets {
                    let source = order == 2 ? scratch.q2 : order == 4 ? scratch.q4 : scratch.q6
                    source.withUnsafeBufferPointer { q in
                        for k in 0..<q.count {
                            let v = q[k]
                            a[offset + k] += v
                            b[offset + k] += v * v
                        }
                    }
                }
            }
        }
    }
}
