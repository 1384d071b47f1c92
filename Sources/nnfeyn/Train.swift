// `nnfeyn train` (fit a model file's network to an .npz) and `nnfeyn bench train` (throughput). Argument handling,
// progress printing and file output only; the trainer is NNFeynTraining.MLPTrainer.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynIO
import NNFeynLanguage
import NNFeynModel
import NNFeynNPZ
import NNFeynTraining

extension LearningRateSchedule: ExpressibleByArgument {}

/// `nnfeyn train`: Adam on the mean squared error, float64, OpenBLAS.
struct Train: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the network a model file describes on arrays of an .npz (Adam, MSE, float64).",
        discussion: """
            Layers without parameters start from seeded random weights (Glorot; He for relu-like activations). \
            Writes OUTPUT (.nn), its parameters next to it (named by their content, e.g. trained.1f0c...e2.npz) and \
            the loss curve (.log.json). Each file is replaced only when complete; the new parameters never replace \
            the ones the old model names, so the model on disk always loads with its own parameters, and the old \
            parameters are removed once the new model is in place. The same seed and --threads give the same weights.
            """)

    @Argument(help: "The model file (.nn).") var model: String
    @Option(help: "The .npz holding inputs and targets.") var data: String
    @Option(help: "Array of inputs: count x input dimension (or count, for one input).") var input = "U"
    @Option(help: "Array of targets: count (one output) or count x outputs.") var target = "a0"
    @Option(parsing: .unconditional, help: "Passes over the training rows.") var epochs = 100
    @Option(parsing: .unconditional, help: "Rows per Adam step.") var batch = 256
    @Option(parsing: .unconditional, help: "Adam's learning rate.") var lr = 1e-3
    @Option(parsing: .unconditional, help: "Seed for initialisation, the validation split and shuffling.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Fraction of rows held out for validation, in [0, 1).") var validation = 0.1
    @Option(help: "Learning-rate schedule: constant, cosine or step.") var schedule: LearningRateSchedule = .constant
    @Option(parsing: .unconditional, help: "Epochs between decays for --schedule step (default: a third of --epochs).") var stepSize: Int?
    @Option(parsing: .unconditional, help: "Decay factor for --schedule step.") var gamma = 0.1
    @Option(parsing: .unconditional, help: "Stop after this many epochs without improvement and keep the best weights.") var patience: Int?
    @Flag(help: "Standardize targets while training; the scale is folded into the written output layer.")
    var standardize = false
    @Option(parsing: .unconditional, help: "L-BFGS steps on the full training loss after the epochs (default 0: none).") var polish = 0
    @Option(parsing: .unconditional, help: "Levenberg-Marquardt steps on the full training loss after that (default 0: none; each costs rows x parameters^2 flops).") var polishLm = 0
    @Option(parsing: .unconditional, help: "Rows of largest loss weight whose Jacobians form the Levenberg-Marquardt curvature (default 0: all).") var lmRows = 0
    @Option(parsing: .unconditional, help: "OpenBLAS threads.") var threads = 1
    @Option(name: [.short, .customLong("output")], help: "The trained model file to write (.nn).") var output: String
    @Flag(help: "Allow --output to replace the input model (or its parameters file).") var overwriteInput = false
    @OptionGroup var diagnostics: DiagnosticOptions

    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batch
        o.learningRate = lr
        o.seed = seed
        o.validationFraction = validation
        o.schedule = schedule
        o.stepSize = stepSize
        o.gamma = gamma
        o.patience = patience
        o.standardize = standardize
        o.threads = threads
        o.polishSteps = polish
        o.levenbergMarquardtSteps = polishLm
        o.curvatureRows = lmRows
        return o
    }

    /// The files written besides the parameters (named by ModelWriter, beside the model): the model and the loss log.
    var outputs: (model: String, log: String) {
        (output, String(output.dropLast(3)) + ".log.json")
    }

    func run() throws {
        try options.validate()
        guard output.hasSuffix(".nn") else { throw ValidationError("--output must name a .nn file (got '\(output)')") }
        let start = try ModelLoader.load(path: model, options: LoadOptions(allowMissingParameters: true))
        try checkOutputs(against: start)
        let network = try Initializer.network(for: start, seed: seed)
        let (inputs, targets) = try Self.readData(path: data, input: input, target: target,
                                                  inputDimension: network.inputDimension, outputDimension: network.outputCount)
        let bar = ProgressPrinter()
        let result = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, progress: bar.report,
                                                            polishProgress: bar.report)
        bar.finish()

        let files = outputs
        let parameters = try ModelWriter.write(Model(result.network), to: files.model)
        try Files.write(try result.log.jsonData(), to: files.log)
        let last = result.log.epochs[result.log.bestEpoch - 1]
        print("wrote \(files.model), \(parameters), \(files.log): epoch \(last.epoch), training loss \(last.trainingLoss)"
              + (last.validationLoss.map { ", validation loss \($0)" } ?? "")
              + (result.log.stoppedEarly ? " (stopped early after \(result.log.epochs.count) epochs)" : "")
              + ", \(Int(result.log.samplesPerSecond)) samples/s"
              + ([result.log.polish, result.log.levenbergMarquardt].compactMap { $0 }.map { p in
                  ", then \(p.steps) \(p.method.rawValue) steps: training loss \(p.trainingLoss)"
                      + (p.validationLoss.map { ", validation loss \($0)" } ?? "")
              }.joined()))
    }

    /// Before training: every output can be written, and none of them is an input (unless told to replace it).
    func checkOutputs(against start: Model) throws {
        let files = outputs
        let inputs = [model, data] + (start.architecture.locations?.parametersPath.map { [$0] } ?? [])
        for path in [files.model, files.log] {
            if let input = inputs.first(where: { Files.sameFile($0, path) }), !(overwriteInput && input != data) {
                throw Diagnostic(code: .overwritesInput, message: "'\(path)' would replace the input '\(input)'",
                                 path: path, help: input == data ? "choose another --output"
                                     : "choose another --output, or pass --overwrite-input to replace the model")
            }
            try Files.checkWritable(path)
        }
    }

    /// Inputs and targets from the archive as row-major Double arrays, with shapes checked against the network.
    static func readData(path: String, input: String, target: String, inputDimension: Int,
                         outputDimension: Int) throws -> ([Double], [Double]) {
        let archive: NPZArchive
        do { archive = try NPZArchive(contentsOf: URL(fileURLWithPath: path), displayPath: path) } catch {
            throw Diagnostic(code: .unreadableData, message: "cannot read the data file '\(path)'", path: path,
                             notes: [error.description])
        }
        func array(_ name: String, role: String) throws -> DenseArray {
            do { return try archive.array(name) } catch {
                throw Diagnostic(code: .dataArray, message: "cannot use the \(role) array '\(name)' of '\(path)'", path: path,
                                 help: "name the array with --\(role); the file holds " + archive.names.map { "'\($0)'" }.joined(separator: ", "),
                                 notes: [error.description])
            }
        }
        let x = try array(input, role: "input"), y = try array(target, role: "target")
        let rows = x.shape.first ?? 0
        let columns = x.shape.count == 1 ? 1 : x.shape.dropFirst().reduce(1, *)
        guard x.shape.count <= 2, columns == inputDimension else {
            throw Diagnostic(code: .dataArray, message: "array '\(input)' has shape \(x.shape); the network takes \(inputDimension) inputs per row",
                             path: path)
        }
        let outputs = y.shape.count == 1 ? 1 : y.shape.dropFirst().reduce(1, *)
        guard y.shape.count <= 2, y.shape.first == rows, outputs == outputDimension else {
            throw Diagnostic(code: .dataArray, message: "array '\(target)' has shape \(y.shape); expected \(rows) rows of \(outputDimension) outputs",
                             path: path)
        }
        // The .npz reader gives numbers only; a text array is refused all the same.
        guard let inputs = x.doubles, let targets = y.doubles else {
            throw Diagnostic(code: .dataArray, message: "arrays '\(input)' and '\(target)' must hold numbers", path: path)
        }
        return (inputs, targets)
    }
}

/// Epoch progress on stderr: a redrawn bar on a terminal, one plain line per epoch otherwise.
final class ProgressPrinter {
    let terminal = isatty(STDERR_FILENO) != 0

    func report(_ r: EpochReport) {
        let loss = String(format: "loss %.4e", r.trainingLoss) + (r.validationLoss.map { String(format: "  val %.4e", $0) } ?? "")
        if terminal {
            let width = 24
            let filled = width * r.epoch / r.epochs
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            write("\r\u{1B}[2Kepoch \(r.epoch)/\(r.epochs) [\(bar)] \(loss)  left \(Self.clock(r.remaining))")
        } else {
            write("epoch \(r.epoch)/\(r.epochs) \(loss)" + String(format: "  lr %.3e", r.learningRate)
                  + "  elapsed \(Self.clock(r.elapsed))\n")
        }
    }

    /// L-BFGS progress after the epochs: redrawn on a terminal, every hundredth step otherwise.
    func report(_ p: PolishProgress) { Self.report(p, prefix: "", terminal: terminal) }

    /// One polish step's line after `prefix`, redrawn on a terminal, else written for every hundredth step.
    static func report(_ p: PolishProgress, prefix: String, terminal: Bool) {
        let line = prefix + "\(p.method.rawValue) step \(p.step)/\(p.steps) " + String(format: "loss %.4e", p.loss) + "  elapsed \(clock(p.elapsed))"
        let write = { (text: String) in FileHandle.standardError.write(Data(text.utf8)) }
        if terminal {
            write("\r\u{1B}[2K" + line)
        } else if p.step % (p.method == .lbfgs ? 100 : 1) == 0 || p.step == p.steps || p.step == 1 {
            write(line + "\n")
        }
    }

    func finish() { if terminal { write("\n") } }

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// `nnfeyn bench`: performance measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure performance (use a release build).", subcommands: [BenchExpand.self, BenchTrain.self])
}

/// `nnfeyn bench train`: training throughput of a freshly initialised MLP on random data (use a release build).
struct BenchTrain: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training samples per second (Adam, MSE, float64) of an MLP on random data; median of repeats.")

    @Option(help: "Layer widths from input to output, comma-separated.") var widths = "16,64,64,64,1"
    @Option(help: "Hidden activation (the output layer is linear).") var activation = "tanh"
    @Option(parsing: .unconditional, help: "Rows per Adam step.") var batch = 256
    @Option(parsing: .unconditional, help: "Random rows per epoch.") var rows = 32_768
    @Option(parsing: .unconditional, help: "Epochs per repeat.") var epochs = 3
    @Option(parsing: .unconditional, help: "Timed repeats; the median is reported.") var repeats = 5
    @Option(parsing: .unconditional, help: "OpenBLAS threads.") var threads = 1
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let sizes = widths.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count >= 2, sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--widths needs at least two positive integers (got '\(widths)')")
        }
        guard let hidden = Activation.simpleNames[activation] else {
            throw ValidationError("unknown activation '\(activation)' (one of \(Activation.simpleNames.keys.sorted().joined(separator: ", ")))")
        }
        guard batch >= 1, rows >= batch, epochs >= 1, repeats >= 1 else {
            throw ValidationError("need --batch >= 1, --rows >= --batch, --epochs >= 1, --repeats >= 1")
        }
        guard threads >= 1, threads <= 256 else { throw ValidationError("--threads must be between 1 and 256 (got \(threads))") }
        let layerWidths = sizes.dropFirst().map { $0! }
        let architecture = try Architecture(name: "bench", input: ModelInput(name: "x", dimension: sizes[0]!),
                                            widths: Array(layerWidths),
                                            activations: layerWidths.dropLast().map { _ in hidden } + [.linear])
        let untrained = try Model(architecture: architecture, parameters: architecture.layers.map { _ in nil })
        let network = try Initializer.network(for: untrained, seed: 1)
        var rng = Xoshiro256(seed: 1)
        let inputs = (0..<rows * network.inputDimension).map { _ in rng.uniform(-1, 1) }
        let targets = (0..<rows * network.outputCount).map { _ in rng.uniform(-1, 1) }
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = batch
        options.validationFraction = 0
        options.threads = threads
        options.seed = 1
        var rates: [Double] = []
        for _ in 0..<repeats {
            rates.append(try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets).log.samplesPerSecond)
        }
        let sorted = rates.sorted()
        let median = sorted[sorted.count / 2]
        print("nnfeyn train \(widths) \(activation) batch \(batch) float64 threads \(threads): median \(Int(median)) samples/s "
              + "(runs: " + rates.map { String(Int($0)) }.joined(separator: ", ") + ")")
    }
}
