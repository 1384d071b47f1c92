// `nnfeyn born depth-sweep`: one network per maximum depth trained on a0, and how much of the Born series each one
// has learned. Argument handling, progress and printing only; the experiment is NNFeynExperiments.BornDepthSweep.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynExperiments
import NNFeynIO
import NNFeynLanguage
import NNFeynPhysics
import NNFeynTraining

/// `nnfeyn born depth-sweep`: trains a network on a0 at each maximum depth and compares it with the Born series.
struct BornDepthSweepCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth-sweep",
        abstract: "Train one network on a0 per maximum depth and compare its Taylor tensors and residuals with the Born series.",
        discussion: """
            For each depth D in --depths, a network is fitted to a0 on attractive wells with lambda ~ Uniform(0, D), \
            as iteration 1 of 'born iterate' fits it. Its Taylor tensors at U = 0 (orders 1 to --orders) are compared \
            with the exact Born tensors, and on fresh wells of the same depth its residual after k orders, \
            f - P_1 - ... - P_k, with the exact residual a0 - a_1 - ... - a_k.

            Writes DIR/depth-<D>.nn (+ its parameters depth-<D>.<hash>.npz; loadable by 'nnfeyn expand'), \
            DIR/report.json, and DIR/report.tex, \
            fig-depth-sweep.tex and, when pdflatex (and pdftoppm) are available, report.pdf and fig-depth-sweep.png. \
            Every finished depth's network and a report.json of the finished depths are written before the next \
            depth trains, so a killed run keeps them.
            """)

    @Option(parsing: .unconditional, help: "Maximum depths D, comma-separated and increasing (default 0.01,0.03,0.1,0.3,1,2).")
    var depths: String?
    @Option(parsing: .unconditional, help: "Highest order of the tensors and residuals compared (1 to 6).") var orders = 4
    @Option(parsing: .unconditional, help: "Number of equal steps on [0, range] (default 16, 6 with --quick).") var steps: Int?
    @Option(parsing: .unconditional, help: "The range R of the potentials.") var range = 1.0
    @Option(parsing: .unconditional, help: "Training potentials per depth, a tenth held out for validation (default 50000, 2000 with --quick).") var trainCount: Int?
    @Option(parsing: .unconditional, help: "Fresh test potentials per depth (default 5000, 500 with --quick).") var testCount: Int?
    @Option(help: "Hidden-layer widths, comma-separated; the output is one linear neuron (default 64,64, 16 with --quick).") var hidden: String?
    @Option(help: "Hidden activation, a smooth one: tanh (the default), sigmoid, softplus, silu, gelu, sin, ...") var activation: String?
    @Option(parsing: .unconditional, help: "Epochs per network (default 200, 40 with --quick).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Rows per Adam step (default 256, 64 with --quick).") var batch: Int?
    @Option(parsing: .unconditional, help: "Adam's base learning rate (default 3e-3, 1e-2 with --quick).") var lr: Double?
    @Option(help: "Learning-rate schedule: constant, cosine (the default) or step.") var schedule: LearningRateSchedule?
    @Option(help: "Training potentials: attractive (the default) or mixed.") var sampling: PotentialSampling?
    @Option(parsing: .unconditional, help: "Loss weight exponent p: squared errors weighted by max(lambda, floor D)^(-p) (default 1; 0: plain MSE).")
    var weightExponent: Double?
    @Flag(inversion: .prefixedNo, help: "Train f(U) - f(0), so every network vanishes at U = 0 as a0 does.")
    var anchored = true
    @Option(parsing: .unconditional, help: "Seed of data, initialisation and shuffles (the same at every depth).") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "OpenBLAS threads for training.") var threads = 1
    @Flag(help: "A small run of the same pipeline (6 steps, few potentials, small network): seconds, for tests.")
    var quick = false
    @Option(help: "Output directory (created if missing).") var out: String
    @OptionGroup var diagnostics: DiagnosticOptions

    var options: BornDepthSweepOptions {
        get throws {
            var o = quick ? BornDepthSweepOptions.quick : BornDepthSweepOptions()
            if let depths {
                let values = depths.split(separator: ",", omittingEmptySubsequences: false).map {
                    Double($0.trimmingCharacters(in: .whitespaces))
                }
                guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("--depths must be comma-separated numbers (got '\(depths)')")
                }
                o.depths = values.map { $0! }
            }
            o.orders = orders
            var t = o.training
            try BornNetworkOptions.apply(to: &t, steps: steps, range: range, trainCount: trainCount, testCount: testCount,
                                         hidden: hidden, activation: activation, epochs: epochs, batch: batch, lr: lr,
                                         schedule: schedule, sampling: sampling, weightExponent: weightExponent,
                                         anchored: anchored, seed: seed, threads: threads)
            o.training = t
            return o
        }
    }

    func run() throws {
        let options = try options
        try options.validate()
        for depth in options.depths {
            if let warning = options.training(depth: depth).trainingData.boundStateWarning {
                printError("warning: depth \(depth): \(warning)")
            }
        }
        try Files.prepareDirectory(out)
        let display = BornDepthSweepProgressPrinter()
        // Every finished depth is saved before the next one trains (a killed run keeps them).
        let checkpoint = ExperimentCheckpoint(directory: out)
        let run = try BornDepthSweep.run(options, progress: display.report) { partial in
            checkpoint.savePartial(models: partial.models, report: { try partial.report.jsonData() },
                                   finished: "depth \(partial.outcomes.last.map { "\($0.depth)" } ?? "")")
        }
        try checkpoint.save(models: run.models, report: try run.report.jsonData())
        var written = checkpoint.files(of: run.models) + ["report.json"]
        let latex = try LaTeXReport.compile(run.latexSources, in: out)
        written += latex.written
        for note in latex.notes { printError("note: \(note)") }
        print("wrote \(written.count) files to \(out): " + written.joined(separator: ", "))
        let K = options.orders
        print("relative error of the network's order-k tensor at U = 0 against the Born tensor, per maximum depth D:")
        print("  D        " + (1...K).map { "k=\($0)".padding(toLength: 11, withPad: " ", startingAt: 0) }.joined()
              + "fit error")
        for depth in run.report.depths {
            print("  " + String(format: "%-8g ", depth.depth)
                  + depth.tensors.map { String(format: "%-11.3e", $0.relativeError) }.joined()
                  + String(format: "%.3e", depth.testRelativeRMS))
        }
        print("network residual after k orders against the exact one (relative RMS on test wells):")
        for depth in run.report.depths {
            print("  " + String(format: "%-8g ", depth.depth)
                  + depth.residuals.dropFirst().map { String(format: "%-11.3e", $0.relativeDifference) }.joined())
        }
        print(String(format: "training and evaluation took %.1f s", run.outcomes.reduce(0) { $0 + $1.seconds }))
    }
}

/// Progress on stderr: a redrawn bar per depth on a terminal, plain lines otherwise (every tenth epoch).
final class BornDepthSweepProgressPrinter: Sendable {
    let terminal = isatty(STDERR_FILENO) != 0

    func report(_ event: BornDepthSweepEvent) {
        switch event {
        case .epoch(let index, let count, let depth, let r):
            let loss = String(format: "loss %.4e", r.trainingLoss) + (r.validationLoss.map { String(format: "  val %.4e", $0) } ?? "")
            let label = "depth \(depth) (\(index + 1)/\(count)) epoch \(r.epoch)/\(r.epochs)"
            if terminal {
                let width = 24
                let filled = width * r.epoch / r.epochs
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                write("\r\u{1B}[2K\(label) [\(bar)] \(loss)  left " + ProgressPrinter.clock(r.remaining))
            } else if r.epoch % 10 == 0 || r.epoch == r.epochs || r.epoch == 1 {
                write("\(label) \(loss)  elapsed \(ProgressPrinter.clock(r.elapsed))\n")
            }
        case .depthDone(_, let depth, let errors, let seconds):
            if terminal { write("\n") }
            write(String(format: "depth %g done in %.1f s: tensor errors ", depth, seconds)
                  + errors.map { String(format: "%.2e", $0) }.joined(separator: " ") + "\n")
        }
    }

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
