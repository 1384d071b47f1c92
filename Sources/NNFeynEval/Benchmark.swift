// `nnfeyn bench expand`: time the fused expansion of a network (a random one, or parameters read elsewhere).
// Timings are wall-clock medians over warm repeats; the first call, which builds the product table caches and
// touches fresh memory, is reported separately.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage

/// Wall-clock timings of repeated expansions.
public struct BenchmarkResult: Sendable, Equatable {
    /// Seconds of the first (cold) call.
    public var first: Double
    /// Seconds of each warm repeat.
    public var times: [Double]
    /// The size estimate of the expansion.
    public var estimate: ExpansionEstimate

    /// The median warm time in seconds (the first call when there are no repeats).
    public var median: Double {
        let sorted = times.sorted()
        guard !sorted.isEmpty else { return first }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The fastest warm time in seconds.
    public var minimum: Double { times.min() ?? first }
}

/// Benchmarks of the fused evaluator.
public enum ExpansionBenchmark {
    /// A random MLP like peers.py makes: hidden layers with `activation`, weights ~ N(0, 1/fanIn), biases ~ N(0, 0.1^2),
    /// a linear output layer; doubles stored as their exact binary fractions. Seeded and platform-independent.
    public static func randomNetwork(input d: Int, widths: [Int], outputs: Int, activation: Activation, seed: UInt64,
                                     point: [Double]? = nil) -> Network {
        var generator = SplitMix64(seed: seed)
        func normal() -> Double {
            // Box-Muller on two uniforms in (0, 1].
            let u1 = (Double(generator.next() >> 11) + 1) / 9_007_199_254_740_992
            let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        var layers: [(weight: [[Double]], bias: [Double], activation: Activation)] = []
        var fanIn = d
        for (l, width) in (widths + [outputs]).enumerated() {
            let scale = 1 / Double(max(fanIn, 1)).squareRoot()
            layers.append(((0..<width).map { _ in (0..<fanIn).map { _ in normal() * scale } },
                           (0..<width).map { _ in normal() * 0.1 },
                           l == widths.count ? .linear : activation))
            fanIn = width
        }
        // Every value above is finite, so the conversion cannot fail; fall back to an empty network regardless.
        return network(layers: layers, input: d, point: point ?? [Double](repeating: 0, count: d))
            ?? Network(name: "random", input: InputSpec(name: "x", dimension: d), layers: [],
                       point: [Rational](repeating: 0, count: d))
    }

    /// A network from double parameters (weight rows per neuron); nil if a value is not finite.
    public static func network(layers: [(weight: [[Double]], bias: [Double], activation: Activation)], input d: Int,
                               point: [Double]) -> Network? {
        var built: [Layer] = []
        var fanIn = d
        for (l, spec) in layers.enumerated() {
            var weight: [[Rational]] = []
            for row in spec.weight {
                var converted: [Rational] = []
                for value in row {
                    guard let r = Rational(exactly: value) else { return nil }
                    converted.append(r)
                }
                weight.append(converted)
            }
            var bias: [Rational] = []
            for value in spec.bias {
                guard let r = Rational(exactly: value) else { return nil }
                bias.append(r)
            }
            built.append(Layer(name: l == layers.count - 1 ? "y" : "h\(l + 1)", width: spec.weight.count, fanIn: fanIn,
                               activation: spec.activation, weight: weight, bias: bias))
            fanIn = spec.weight.count
        }
        var x0: [Rational] = []
        for value in point {
            guard let r = Rational(exactly: value) else { return nil }
            x0.append(r)
        }
        return Network(name: "bench", input: InputSpec(name: "x", dimension: d), layers: built, point: x0)
    }

    /// Times `repeats` warm expansions (after one cold call) of `network` to `order` in `mode`, end to end:
    /// size check, weight conversion, forward pass and the fused evaluator.
    public static func run(_ network: Network, order: Int, repeats: Int, mode: ExpansionMode = .numeric,
                           limit: Int = Expander.defaultLimit) throws(EvaluationError) -> BenchmarkResult {
        let estimate = try Expander.checkedEstimate(network, order: order, limit: limit)
        return try time(repeats: repeats, estimate: estimate) { () throws(EvaluationError) in
            _ = try Expander.expand(network, order: order, mode: mode, limit: limit)
        }
    }

    /// Times numeric expansions through an `ExpansionPlan` made once beforehand (weights already converted, as
    /// a peer tool's arrays are).
    public static func runPrepared(_ network: Network, order: Int, repeats: Int,
                                   limit: Int = Expander.defaultLimit) throws(EvaluationError) -> BenchmarkResult {
        let plan = try ExpansionPlan(network, order: order, limit: limit)
        return try time(repeats: repeats, estimate: plan.estimate) { () throws(EvaluationError) in _ = try plan.numeric() }
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
