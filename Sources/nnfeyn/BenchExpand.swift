import ArgumentParser
import Foundation
import NNFeynEval
import NNFeynModel

/// `nnfeyn bench expand`: wall-clock timing of the fused expansion of a model file (use a release build).
struct BenchExpand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "expand",
        abstract: "Time 'expand' on a model file: the first call and the median of warm repeats.",
        discussion: """
        One JSON line. 'prepared' times a plan made once (weights converted, tables built, scratch allocated), as a
        peer tool's jitted function is; its GFLOP/s count the operations the evaluator performs, and --peak adds the
        dgemm rate of this core to compare them with. The whole side-by-side grid with JAX and folx is
        bench/speed.py; a single comparison:
          python3 ../shared/bench/peers.py make --input 8 --widths 128,128,128 --act tanh --seed 0 --out /tmp/b8
          nnfeyn bench expand /tmp/b8.nn --order 4 --repeats 21 --prepared
          python3 ../shared/bench/peers.py run /tmp/b8.npz --order 4 --tool jax --repeat 21
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(parsing: .unconditional, help: "Warm repeats after the first call.")
    var repeats: Int = 11
    @Flag(help: "Also time a prepared plan (weights converted and product table built once).")
    var prepared = false
    @Flag(help: "Time only the prepared plan (no end-to-end repeats).")
    var preparedOnly = false
    @Flag(help: "Also measure this core's dgemm GFLOP/s.")
    var peak = false
    @Option(help: "Time the prepared plan at every point of this .npz ('points', n x d) or .npy, as one batch.")
    var points: String?
    @Flag(help: "Time the prepared Laplacian (order 2, never forming the Hessian) instead of the full expansion.")
    var laplacian = false
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        guard repeats >= 1, repeats <= 100_000 else { throw ValidationError("--repeats must be 1...100000 (got \(repeats))") }
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        let mode = try arithmetic.mode()
        let loaded = try model.load()
        var fields: [(String, String)] = [("tool", "\"nnfeyn\""), ("order", "\(order)"), ("input", "\(loaded.input.dimension)"),
                                          ("widths", "[" + loaded.layers.map { String($0.width) }.joined(separator: ", ") + "]")]
        if points != nil || laplacian {
            let rows = try points.map { try Expand.readArray($0, member: "points") }
            let d = loaded.input.dimension
            let flat = rows?.values ?? loaded.point.map(\.doubleValue)
            guard flat.count % max(d, 1) == 0, rows.map({ $0.shape.last == d }) ?? true else {
                throw ValidationError("the points are not n x \(d)")
            }
            let count = flat.count / max(d, 1)
            let network = try loaded.locating { () throws(EvaluationError) in try Expander.converted(loaded, as: Double.self) }
            let plan = try loaded.locating { () throws(EvaluationError) in
                try ExpansionPlan(network, order: laplacian ? 2 : order, limit: laplacian ? .max : limit)
            }
            let timing = try loaded.locating { () throws(EvaluationError) in
                try ExpansionBenchmark.time(repeats: repeats, estimate: plan.estimate) { () throws(EvaluationError) in
                    if laplacian { _ = try plan.reduce(.laplacian, points: flat, count: count) } else { _ = try plan.numeric(points: flat, count: count) }
                }
            }
            let flops = laplacian ? plan.laplacianFlopCount(points: count) : plan.flopCount(points: count)
            fields += [("points", "\(count)"), ("quantity", laplacian ? "\"laplacian\"" : "\"expansion\""),
                       ("prepared_first_s", "\(timing.first)"), ("prepared_median_s", "\(timing.median)"), ("prepared_min_s", "\(timing.minimum)"),
                       ("prepared_flops", "\(flops)"), ("prepared_gflops", String(format: "%.3f", flops / timing.median / 1e9))]
            if peak { fields.append(("dgemm_peak_gflops", String(format: "%.3f", Throughput.dgemmPeak()))) }
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            return
        }
        if !preparedOnly {
            let result = try loaded.locating { () throws(EvaluationError) in
                try ExpansionBenchmark.run(loaded, order: order, repeats: repeats, mode: mode, limit: limit)
            }
            fields += [("first_call_s", "\(result.first)"), ("warm_median_s", "\(result.median)"), ("warm_min_s", "\(result.minimum)")]
        }
        if prepared || preparedOnly {
            let (plan, timing) = try loaded.locating { () throws(EvaluationError) in
                try ExpansionBenchmark.runPrepared(try Expander.converted(loaded, as: Double.self), order: order,
                                                   repeats: repeats, limit: limit)
            }
            let flops = plan.flopCount()
            fields += [("prepared_median_s", "\(timing.median)"), ("prepared_min_s", "\(timing.minimum)"),
                       ("prepared_flops", "\(flops)"), ("prepared_gflops", String(format: "%.3f", flops / timing.median / 1e9))]
        }
        if peak { fields.append(("dgemm_peak_gflops", String(format: "%.3f", Throughput.dgemmPeak()))) }
        print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }
}
