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
        Compare with ../shared/bench/peers.py on the same model, e.g.
          python3 ../shared/bench/peers.py make --input 8 --widths 128,128,128 --act tanh --seed 0 --out /tmp/b8
          nnfeyn bench expand /tmp/b8.nn --order 4 --repeats 21
          python3 ../shared/bench/peers.py run /tmp/b8.npz --order 4 --tool jax --repeat 21
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var arithmetic: ArithmeticOptions
    @Option(parsing: .unconditional, help: "Warm repeats after the first call.")
    var repeats: Int = 11
    @Flag(help: "Also time a prepared plan (weights converted and product table built once).")
    var prepared = false
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        guard repeats >= 1, repeats <= 100_000 else { throw ValidationError("--repeats must be 1...100000 (got \(repeats))") }
        let order = try model.parsedOrder()
        let limit = try model.checkedLimit()
        let mode = try arithmetic.mode()
        let loaded = try model.load()
        let result = try loaded.locating { () throws(EvaluationError) in
            try ExpansionBenchmark.run(loaded, order: order, repeats: repeats, mode: mode, limit: limit)
        }
        var line = "{\"tool\": \"nnfeyn\", \"order\": \(order), \"input\": \(loaded.input.dimension), "
            + "\"widths\": [\(loaded.layers.map { String($0.width) }.joined(separator: ", "))], "
            + "\"first_call_s\": \(result.first), \"warm_median_s\": \(result.median), \"warm_min_s\": \(result.minimum)"
        if prepared {
            let plan = try loaded.locating { () throws(EvaluationError) in
                try ExpansionBenchmark.runPrepared(try Expander.converted(loaded, as: Double.self), order: order,
                                                   repeats: repeats, limit: limit)
            }
            line += ", \"prepared_median_s\": \(plan.median), \"prepared_min_s\": \(plan.minimum)"
        }
        print(line + "}")
    }
}
