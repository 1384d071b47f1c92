// `nnfeyn born iterate`: the machine-learned Born series by iterative neural-network perturbation theory.
// Argument handling, progress and printing only; the experiment is NNFeynPhysics.IterativePerturbationTheory.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynExperiments
import NNFeynIO
import NNFeynLanguage
import NNFeynPhysics
import NNFeynTraining

extension PotentialSampling: ExpressibleByArgument {}
extension Refinement: ExpressibleByArgument {}

/// `nnfeyn born iterate`: trains one network per Born order on the residual and compares with the exact series.
struct BornIterate: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "iterate",
        abstract: "Learn the Born series of a0 order by order: fit a0, read the tensors at U = 0, subtract, refit.",
        discussion: """
            Writes DIR/iteration<k>.nn (+ its parameters iteration<k>.<hash>.npz; loadable by 'nnfeyn expand'), DIR/report.json, and DIR/report.tex, \
            report.pdf and PNG figures when pdflatex is available. Tensors are derivatives at U = 0.

            By default the networks train on attractive wells (U = 0 is a corner of the data), each network is \
            trained as f(U) - f(0) so it vanishes at U = 0 like the residual it fits (--no-anchored turns this off), \
            and iteration k weights every squared error by max(lambda, 0.05 depth)^(-k) (--weight-exponent 0: plain \
            mean squared error). After its Adam epochs every network takes up to 1500 full-batch L-BFGS steps on that \
            loss plus a small L2 penalty on the weights (--polish, --polish-l2), and from iteration 2 on 50 \
            Levenberg-Marquardt steps (--polish-lm, --polish-lm-from), because derivatives at the corner U = 0 amplify what is left of the fit error. The \
            residual of iteration k has the derivatives K_j - P_j of what the earlier orders \
            missed, so by default (--refinement correct) the learned order j after iteration k is P_j plus network \
            k's order-j tensor; --refinement residual subtracts all of network k's terms of orders 1 to k instead; \
            --refinement none is the published method. --sampling mixed trains on steps of both signs instead.

            Every finished iteration's network and a report.json of the finished iterations are written before the \
            next iteration trains, so a killed run keeps them.
            """)

    @Option(parsing: .unconditional, help: "Number of equal steps on [0, range] (the networks' input size; default 16, 8 with --quick).") var steps: Int?
    @Option(parsing: .unconditional, help: "The range R of the potentials.") var range = 1.0
    @Option(parsing: .unconditional, help: "Largest depth scale lambda (lambda ~ Uniform(0, depth)).") var depth = 1.0
    @Option(parsing: .unconditional, help: "Iterations, i.e. orders of the learned Born series (1 to 5).") var iterations = 3
    @Option(parsing: .unconditional, help: "Training potentials, a tenth held out for validation (default 50000, 6000 with --quick).") var trainCount: Int?
    @Option(parsing: .unconditional, help: "Fresh test potentials for the proxy (default 20000, 1000 with --quick).") var testCount: Int?
    @Option(help: "Hidden-layer widths, comma-separated; the output is one linear neuron (default 32,32, 24 with --quick).") var hidden: String?
    @Option(help: "Hidden activation, a smooth one: tanh (the default), sigmoid, softplus, silu, gelu, sin, ...") var activation: String?
    @Option(parsing: .unconditional, help: "Adam epochs per iteration (default 100, 80 with --quick).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Rows per Adam step (default 256, 64 with --quick).") var batch: Int?
    @Option(parsing: .unconditional, help: "Adam's base learning rate (default 3e-3, 1e-2 with --quick).") var lr: Double?
    @Option(help: "Learning-rate schedule: constant, cosine (the default) or step.") var schedule: LearningRateSchedule?
    @Option(parsing: .unconditional, help: "Equal lambda bins for the proxy's error versus depth (default 5).") var depthBins: Int?
    @Flag(help: "Train on raw inputs instead of standardized ones.") var rawInputs = false
    @Flag(help: "Train on whitened inputs (decorrelated by the inverse Cholesky factor of their covariance) instead of standardized ones.") var whitenInputs = false
    @Option(help: "Training potentials: attractive (U_i = -lambda u_i, the default) or mixed (U_i ~ Uniform(-lambda, lambda)).")
    var sampling: PotentialSampling?
    @Option(parsing: .unconditional, help: "Loss weight exponent p: iteration k weights each squared error by max(lambda, floor * depth)^(-p k) (default 1; 0: plain MSE).")
    var weightExponent: Double?
    @Option(parsing: .unconditional, help: "The depth (fraction of --depth) below which loss weights stop growing (default 0.05).") var weightFloor: Double?
    @Option(help: "Depth distribution of training potentials: uniform (the default), power:p (lambda = depth v^p), or log (log-uniform on [floor depth, depth], loss weights times lambda).")
    var depthSampling: String?
    @Option(parsing: .unconditional, help: "Networks per iteration, averaged into one (different initial weights and shuffles; default 1).") var ensemble: Int?
    @Option(parsing: .unconditional, help: "Decoupled weight decay of the weights, AdamW (default 0).") var weightDecay: Double?
    @Option(parsing: .unconditional, help: "Gain on the standardized inputs (default 1).") var inputGain: Double?
    @Flag(inversion: .prefixedNo, help: "Train f(U) - f(0), so every network vanishes at U = 0 as the residuals do.")
    var anchored = true
    @Option(help: "How later networks correct earlier orders: correct (the default: order j is P_j plus the last network's order-j tensor), residual (iteration k subtracts all of its network's terms of orders 1 to k; order j sums every network's), or none (order k from iteration k alone, the published method).")
    var refinement: Refinement?
    @Option(parsing: .unconditional, help: "L-BFGS steps on the full training loss after each network's Adam epochs (default 1500, 100 with --quick; 0: none).") var polish: Int?
    @Option(parsing: .unconditional, help: "L2 penalty mu/2 sum w^2 on the weights during the polish, in standardized units (default 1e-10; 0: none).") var polishL2: Double?
    @Option(parsing: .unconditional, help: "Levenberg-Marquardt steps on the same loss after the L-BFGS polish (default 50, 10 with --quick; 0: none).") var polishLm: Int?
    @Option(parsing: .unconditional, help: "The first iteration whose network takes the Levenberg-Marquardt steps (default 2: iteration 1 is the paper's single network).") var polishLmFrom: Int?
    @Option(parsing: .unconditional, help: "Rows of largest loss weight whose Jacobians form the Levenberg-Marquardt curvature (default 0: all; 8192 rows made the steps far weaker, see the README).") var lmRows: Int?
    @Option(parsing: .unconditional, help: "Seed of data, initialisation and shuffles.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "OpenBLAS threads for training.") var threads = 1
    @Flag(help: "A small run of the same pipeline (8 steps, few potentials, small network): seconds, for tests.")
    var quick = false
    @Option(help: "Output directory (created if missing).") var out: String
    @OptionGroup var diagnostics: DiagnosticOptions

    var options: IterationOptions {
        get throws {
            var o = quick ? IterationOptions.quick : IterationOptions()
            try BornNetworkOptions.apply(to: &o, steps: steps, range: range, trainCount: trainCount, testCount: testCount,
                                         hidden: hidden, activation: activation, epochs: epochs, batch: batch, lr: lr,
                                         schedule: schedule, sampling: sampling, weightExponent: weightExponent,
                                         anchored: anchored, seed: seed, threads: threads)
            o.depth = depth
            o.iterations = iterations
            if let depthBins { o.depthBins = depthBins }
            o.standardizeInputs = !rawInputs
            o.whitenInputs = whitenInputs
            if let weightFloor { o.weightFloor = weightFloor }
            if let ensemble { o.ensemble = ensemble }
            if let weightDecay { o.weightDecay = weightDecay }
            if let inputGain { o.inputGain = inputGain }
            if let refinement { o.refinement = refinement }
            if let polish { o.polishSteps = polish }
            if let polishL2 { o.polishPenalty = polishL2 }
            if let polishLm { o.levenbergMarquardtSteps = polishLm }
            if let polishLmFrom { o.levenbergMarquardtFrom = polishLmFrom }
            if let lmRows { o.curvatureRows = lmRows }
            if let depthSampling {
                guard let value = DepthSampling(depthSampling) else {
                    throw ValidationError("--depth-sampling must be 'uniform', 'power:p' with p > 0, or 'log' (got '\(depthSampling)')")
                }
                o.depthSampling = value
            }
            return o
        }
    }

    func run() throws {
        let options = try options
        try options.validate()
        // Fail before training, not after, when the output directory cannot be made or written.
        try Files.prepareDirectory(out)
        let display = IterationProgressPrinter()
        // Every finished iteration is saved before the next one trains (a killed run keeps them).
        let checkpoint = ExperimentCheckpoint(directory: out)
        let run = try IterativePerturbationTheory.run(options, progress: display.report) { partial in
            checkpoint.savePartial(models: partial.models, report: { try partial.report.jsonData() },
                                   finished: "iteration \(partial.outcomes.count)")
        }
        try checkpoint.save(models: run.models, report: try run.report.jsonData())
        var written = checkpoint.files(of: run.models) + ["report.json"]
        let latex = try LaTeXReport.compile(run.latexSources, in: out)
        written += latex.written
        for note in latex.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print("wrote \(written.count) files to \(out): " + written.joined(separator: ", "))
        for outcome in run.report.iterations {
            let k = outcome.iteration
            print("iteration \(k): order-\(k) tensor relative error "
                  + String(format: "%.3e", run.report.learnedErrors[k - 1])
                  + outcome.tensors.filter { $0.role == "leftover" }.map {
                      String(format: ", order-%d leftover %.3e", $0.order, $0.relativeNorm)
                  }.joined()
                  + String(format: "; fit to r_%d: test relative RMS %.3e", outcome.iteration, outcome.testRelativeRMS))
        }
        if options.refinement != .none {
            print("learned Born series after the last iteration (refinement \(options.refinement.rawValue)), relative error per order: "
                  + run.report.estimateErrors.enumerated().map { String(format: "order %d %.3e", $0.offset + 1, $0.element) }
                      .joined(separator: ", "))
        }
        for proxy in run.report.proxy {
            print("proxy order \(proxy.order): relative RMS vs a0 " + String(format: "%.3e", proxy.relativeRMSVsA0)
                  + String(format: " (analytic Born %.3e, ratio %.3f), vs analytic Born %.3e",
                           proxy.bornRelativeRMSVsA0, proxy.ratioToBorn, proxy.relativeRMSVsBorn))
        }
        let total = run.outcomes.reduce(0) { $0 + $1.seconds }
        print(String(format: "training and expansion took %.1f s", total))
    }
}

/// Progress on stderr: a redrawn bar per iteration on a terminal, plain lines otherwise (every tenth epoch).
final class IterationProgressPrinter: Sendable {
    let terminal = isatty(STDERR_FILENO) != 0

    func report(_ event: IterationEvent) {
        switch event {
        case .dataReady(let training, let test, let seconds):
            write(String(format: "data: %d training and %d test potentials in %.2f s\n", training, test, seconds))
        case .epoch(let k, let iterations, let r):
            let loss = String(format: "loss %.4e", r.trainingLoss) + (r.validationLoss.map { String(format: "  val %.4e", $0) } ?? "")
            if terminal {
                let width = 24
                let filled = width * r.epoch / r.epochs
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                write("\r\u{1B}[2Kiteration \(k)/\(iterations) epoch \(r.epoch)/\(r.epochs) [\(bar)] \(loss)  left "
                      + ProgressPrinter.clock(r.remaining))
            } else if r.epoch % 10 == 0 || r.epoch == r.epochs || r.epoch == 1 {
                write("iteration \(k)/\(iterations) epoch \(r.epoch)/\(r.epochs) \(loss)"
                      + String(format: "  lr %.3e", r.learningRate) + "  elapsed \(ProgressPrinter.clock(r.elapsed))\n")
            }
        case .polish(let k, let iterations, let p):
            ProgressPrinter.report(p, prefix: "iteration \(k)/\(iterations) ", terminal: terminal)
        case .iterationDone(let k, let error, let seconds):
            if terminal { write("\n") }
            write(String(format: "iteration %d done in %.1f s: order-%d tensor relative error %.3e\n", k, seconds, k, error))
        }
    }

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
