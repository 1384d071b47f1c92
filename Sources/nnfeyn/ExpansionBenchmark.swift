// `nnfeyn bench expand`: time the fused expansion of a network (a random one, or parameters read elsewhere).
// Timings are wall-clock medians over warm repeats; the first call, which builds the product table caches and
// touches fresh memory, is reported separately.
import Foundation
import NNFeynAlgebra
import NNFeynEval
import NNFeynModel

/// Wall-clock timings of repeated expansions.
struct BenchmarkResult: Sendable, Equatable {
    /// Seconds of the first (cold) call.
    var first: Double
    /// Seconds of each warm repeat.
    var times: [Double]
    /// The size estimate of the expansion.
    var estimate: ExpansionEstimate

    /// The median warm time in seconds (the first call when there are no repeats).
    var median: Double {
        let sorted = times.sorted()
        guard !sorted.isEmpty else { return first }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The fastest warm time in seconds.
    var minimum: Double { times.min() ?? first }
}

/// Benchmarks of the fused evaluator.
enum ExpansionBenchmark {
    /// Times `repeats` warm expansions (after one cold call) of `network` to `order` in `mode`, end to end:
    /// size check, weight conversion, forward pass and the fused evaluator.
    static func run(_ model: Model, order: Int, repeats: Int, mode: ExpansionMode = .numeric,
                    limit: Int = Expander.defaultLimit) throws(EvaluationError) -> BenchmarkResult {
        let estimate = try Expander.checkedEstimate(model, order: order, limit: limit)
        return try time(repeats: repeats, estimate: estimate) { () throws(EvaluationError) in
            _ = try Expander.expand(model, order: order, mode: mode, limit: limit)
        }
    }

    /// Times numeric expansions through an `ExpansionPlan` made once beforehand (weights already converted, as
    /// a peer tool's arrays are).
    static func runPrepared(_ network: Network<Double>, order: Int, repeats: Int,
                            limit: Int = Expander.defaultLimit) throws(EvaluationError) -> (ExpansionPlan, BenchmarkResult) {
        let plan = try ExpansionPlan(network, order: order, limit: limit)
        return (plan, try time(repeats: repeats, estimate: plan.estimate) { () throws(EvaluationError) in _ = try plan.numeric() })
    }

    static func time(repeats: Int, estimate: ExpansionEstimate,
                     _ body: () throws(EvaluationError) -> Void) throws(EvaluationError) -> BenchmarkResult {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var start = clock.now
        try body()
        let first = seconds(clock.now - start)
        var times: [Double] = []
        for _ in 0..<max(repeats, 0) {
            start = clock.now
            try body()
            times.append(seconds(clock.now - start))
        }
        return BenchmarkResult(first: first, times: times, estimate: estimate)
    }
}
