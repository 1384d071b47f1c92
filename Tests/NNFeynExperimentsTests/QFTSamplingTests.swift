// Sampling: determinism (seed, threads, shards), exact merges, and sampled correlators against the exact theory.
import Foundation
import Testing
@testable import NNFeynExperiments

@Suite struct QFTSamplingTests {
    static func options(_ activation: QFTActivation, models: Int, widths: [Int], threads: Int = 1, shard: (Int, Int) = (0, 1),
                        seed: UInt64 = 5, depth: Int = 1) -> QFTRunOptions {
        var o = QFTRunOptions.defaults(activation, quick: true)
        o.ensemble.depth = depth
        o.widths = widths
        o.plan = SamplingPlan(models: models, chunks: 10, seed: seed, shardIndex: shard.0, shardCount: shard.1, threads: threads)
        return o
    }

    @Test func threadsAndShardsDoNotChangeTheSums() throws {
        let single = try QFTRun.sample(Self.options(.erf, models: 3000, widths: [3, 40]))
        let threaded = try QFTRun.sample(Self.options(.erf, models: 3000, widths: [3, 40], threads: 3))
        #expect(single.widths == threaded.widths)
        let shards = try (0..<4).map { i in try QFTRun.sample(Self.options(.erf, models: 3000, widths: [3, 40], shard: (i, 4))) }
        // Any merge order gives the same sums, and they equal the single run's.
        let merged = try QFTRun.merge([shards[2], shards[0], shards[3], shards[1]])
        #expect(merged.widths == single.widths)
        #expect(merged.shards == [0, 1, 2, 3] && merged.shardCount == 4)
        let report = QFTRun.report(merged)
        var reference = QFTRun.report(single)
        #expect(report.sampling?.complete == true)
        reference.sampling?.complete = true
        #expect(try report.jsonData() == reference.jsonData())
        // A partial merge is marked incomplete and holds fewer models.
        let partial = QFTRun.report(try QFTRun.merge([shards[0], shards[3]]))
        #expect(partial.sampling?.complete == false && (partial.sampling?.modelsSampled ?? 0) < 3000)
        #expect(throws: QFTError.self) { try QFTRun.merge([shards[0], shards[0]]) }
        #expect(throws: QFTError.self) { try QFTRun.merge([shards[0], try QFTRun.sample(Self.options(.erf, models: 3000, widths: [3, 40], shard: (1, 4), seed: 6))]) }
    }

    @Test func seedsChangeTheSample() throws {
        let a = try QFTRun.sample(Self.options(.relu, models: 500, widths: [4]))
        let b = try QFTRun.sample(Self.options(.relu, models: 500, widths: [4], seed: 6))
        #expect(a.widths != b.widths)
        #expect(a.widths == (try QFTRun.sample(Self.options(.relu, models: 500, widths: [4]))).widths)
    }

    @Test func accumulatorsSurviveTheirJSON() throws {
        let a = try QFTRun.sample(Self.options(.gauss, models: 400, widths: [2, 7]))
        let decoded = try JSONDecoder().decode(QFTAccumulators.self, from: a.jsonData())
        #expect(decoded == a)
        #expect(try decoded.jsonData() == a.jsonData())
    }

    /// Sampled G_n - G_n^GP against the exact finite-width theory: every tuple within 5 standard errors. The Gauss-net
    /// is tested with light tails (sw = 0.5, sb = 0.3): at the published sw = sb = 1 its lognormal activations make
    /// n-point products so heavy-tailed that sampled standard errors are underestimated (max |z| 48 and 77 at
    /// 20000 models with one generator stream, under 5 with another), which the reports say in a note.
    @Test(arguments: QFTActivation.allCases)
    func sampledCorrelatorsAgreeWithTheExactTheory(activation: QFTActivation) throws {
        var options = Self.options(activation, models: 20000, widths: [2, 5], threads: 2)
        if activation == .gauss { options.ensemble = QFTEnsemble(activation: .gauss, sw: 0.5, sb: 0.3) }
        let report = QFTRun.report(try QFTRun.sample(options))
        for w in report.widths {
            let maxZ = try #require(w.maxZ)
            for (order, z) in maxZ { #expect(z < 5, "\(activation) N = \(w.width), order \(order): max |z| = \(z)") }
            // m2 is pure noise: G2 is the GP kernel at every width.
            let m2 = try #require(w.m2)
            #expect(try #require(m2.value) < 3 * (try #require(m2.background)))
        }
    }

    @Test func deepReLUSamplesMatchTheProductFormula() throws {
        let report = QFTRun.report(try QFTRun.sample(Self.options(.relu, models: 20000, widths: [4], threads: 2, depth: 3)))
        let w = try #require(report.widths.first)
        // Orders 2 and 4. The six-point errors of three ReLU layers of width 4 need twelfth moments, whose tails make
        // the chunk estimate unreliable: over seeds 1-8 at 40 chunks, max |z| ran from 0.4 to 11.
        for (order, z) in try #require(w.maxZ) where order != "6" { #expect(z < 5, "order \(order): max |z| = \(z)") }
        let ratio = try #require(w.ratio4)
        // (1 + 5/4)^3 - 1 = 10.39...
        #expect(abs(try #require(ratio.exact) - (Foundation.pow(2.25, 3) - 1)) < 1e-12)
        #expect(abs(try #require(ratio.value) - ratio.exact!) < 5 * (try #require(ratio.stderr)))
    }

    @Test func blockLayoutCoversEveryModelOnceAndShardsPartitionIt() {
        for (models, chunks, size) in [(1000, 10, 64), (1003, 7, 16), (10, 10, 512)] {
            let layout = BlockLayout(models: models, chunks: chunks, blockSize: size)
            #expect(layout.blocks.reduce(0) { $0 + $1.count } == models)
            for c in 0..<chunks {
                #expect(layout.blocks.filter { $0.chunk == c }.reduce(0) { $0 + $1.count } == (c + 1) * models / chunks - c * models / chunks)
            }
            for k in [1, 3, 4, 50] {
                let parts = (0..<k).map { layout.shard($0, of: k) }
                #expect(parts.reduce(0) { $0 + $1.count } == layout.blocks.count)
                #expect(parts.flatMap { Array($0) }.map(\.count) == layout.blocks.map(\.count))
            }
        }
    }
}
