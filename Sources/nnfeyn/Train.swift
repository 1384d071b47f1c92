// `nnfeyn train` (fit a model file's network to an .npz) and `nnfeyn bench train` (throughput). Argument handling,
// progress printing and file output only; the trainer is NNFeynPhysics.MLPTrainer.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynNPZ
import NNFeynPhysics

extension LearningRateSchedule: ExpressibleByArgument {}

/// Reads the model file; layers without parameters come back empty and are initialised randomly.
///
/// This is the only call into the language front end. `ModelLoader` lives on the language branch; until it is
/// merged this reports that loading is unavailable. At merge the body becomes:
///     try ModelLoader.load(path: path, options: LoadOptions(allowMissingParameters: true))
func loadModelForTraining(path: String) throws -> Network {
    try ModelLoader.load(path: path, options: LoadOptions(allowMissingParameters: true))
}

/// `nnfeyn train`: Adam on the mean squared error, float64, OpenBLAS.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the network a model file describes on arrays of an .npz (Adam, MSE, float64).",
        discussion: """
            Layers without parameters start from seeded random weights (Glorot; He for relu-like activations). \
            Writes OUTPUT (.nn), the parameters next to it (.npz) and the loss curve (.log.json). The same seed \
            and --threads give the same weights.
            """)

    @Argument(help: "The model file (.nn).") var model: String
    @Option(help: "The .npz holding inputs and targets.") var data: String
    @Option(help: "Array of inputs: count x input dimension (or count, for one input).") var input = "U"
    @Option(help: "Array of targets: count (one output) or count x outputs.") var target = "a0"
    @Option(help: "Passes over the training rows.") var epochs = 100
    @Option(help: "Rows per Adam step.") var batch = 256
    @Option(help: "Adam's learning rate.") var lr = 1e-3
    @Option(help: "Seed for initialisation, the validation split and shuffling.") var seed: UInt64 = 1
    @Option(help: "Fraction of rows held out for validation, in [0, 1).") var validation = 0.1
    @Option(help: "Learning-rate schedule: constant, cosine or step.") var schedule: LearningRateSchedule = .constant
    @Option(help: "Epochs between decays for --schedule step (default: a third of --epochs).") var stepSize: Int?
    @Option(help: "Decay factor for --schedule step.") var gamma = 0.1
    @Option(help: "Stop after this many epochs without improvement and keep the best weights.") var patience: Int?
    @Flag(help: "Standardize targets while training; the scale is folded into the written output layer.")
    var standardize = false
    @Option(help: "OpenBLAS threads.") var threads = 1
    @Option(name: [.short, .customLong("output")], help: "The trained model file to write (.nn).") var output: String

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
        return o
    }

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError(error.description) }
        guard output.hasSuffix(".nn") else { throw ValidationError("--output must name a .nn file (got '\(output)')") }
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the directory of --output, '\(directory)', does not exist")
        }
    }

    func run() throws {
        let network = try loadModelForTraining(path: model)
        let start = try TrainedMLP(network: network, seed: seed)
        let (inputs, targets) = try Self.readData(path: data, input: input, target: target,
                                                  inputDimension: start.inputDimension, outputDimension: start.outputDimension)
        let bar = ProgressPrinter()
        let result = try MLPTrainer(options: options).train(start, inputs: inputs, targets: targets, progress: bar.report)
        bar.finish()

        let base = String(output.dropLast(3))
        let parametersPath = base + ".npz"
        let parametersName = URL(fileURLWithPath: parametersPath).lastPathComponent
        try ModelWriter.write(result.model.network(), to: output, parametersFileName: parametersName)
        try result.log.jsonData().write(to: URL(fileURLWithPath: base + ".log.json"))
        let last = result.log.epochs[result.log.bestEpoch - 1]
        print("wrote \(output), \(parametersPath), \(base).log.json: epoch \(last.epoch), training loss \(last.trainingLoss)"
              + (last.validationLoss.map { ", validation loss \($0)" } ?? "")
              + (result.log.stoppedEarly ? " (stopped early after \(result.log.epochs.count) epochs)" : "")
              + ", \(Int(result.log.samplesPerSecond)) samples/s")
    }

    /// Inputs and targets from the archive as row-major Double arrays, with shapes checked against the network.
    static func readData(path: String, input: String, target: String, inputDimension: Int,
                         outputDimension: Int) throws -> ([Double], [Double]) {
        let archive = try NPZArchive(contentsOf: URL(fileURLWithPath: path))
        let x = try archive.array(input), y = try archive.array(target)
        let rows = x.shape.first ?? 0
        let columns = x.shape.count == 1 ? 1 : x.shape.dropFirst().reduce(1, *)
        guard x.shape.count <= 2, columns == inputDimension else {
            throw ValidationError("array '\(input)' has shape \(x.shape); the network takes \(inputDimension) inputs per row")
        }
        let outputs = y.shape.count == 1 ? 1 : y.shape.dropFirst().reduce(1, *)
        guard y.shape.count <= 2, y.shape.first == rows, outputs == outputDimension else {
            throw ValidationError("array '\(target)' has shape \(y.shape); expected \(rows) rows of \(outputDimension) outputs")
        }
        return (x.values, y.values)
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
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training samples per second (Adam, MSE, float64) of an MLP on random data; median of repeats.")

    @Option(help: "Layer widths from input to output, comma-separated.") var widths = "16,64,64,64,1"
    @Option(help: "Hidden activation (the output layer is linear).") var activation = "tanh"
    @Option(help: "Rows per Adam step.") var batch = 256
    @Option(help: "Random rows per epoch.") var rows = 32_768
    @Option(help: "Epochs per repeat.") var epochs = 3
    @Option(help: "Timed repeats; the median is reported.") var repeats = 5
    @Option(help: "OpenBLAS threads.") var threads = 1

    func run() throws {
        let sizes = widths.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count >= 2, sizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--widths needs at least two positive integers") }
        guard let hidden = Activation.simpleNames[activation] else {
            throw ValidationError("unknown activation '\(activation)' (one of \(Activation.simpleNames.keys.sorted().joined(separator: ", ")))")
        }
        guard batch >= 1, rows >= batch, epochs >= 1, repeats >= 1 else {
            throw ValidationError("need --batch >= 1, --rows >= --batch, --epochs >= 1, --repeats >= 1")
        }
        let layers = (1..<sizes.count).map { l in
            Layer(name: "l\(l)", width: sizes[l], fanIn: sizes[l - 1], activation: l == sizes.count - 1 ? .linear : hidden,
                  weight: [], bias: [])
        }
        let network = Network(name: "bench", input: InputSpec(name: "x", dimension: sizes[0]), layers: layers,
                              point: Array(repeating: Rational.zero, count: sizes[0]))
        let model = try TrainedMLP(network: network, seed: 1)
        let rates = try MLPTrainer.benchmark(model: model, rows: rows, epochs: epochs, batchSize: batch, threads: threads,
                                             repeats: repeats)
        let sorted = rates.sorted()
        let median = sorted[sorted.count / 2]
        print("nnfeyn train \(widths) \(activation) batch \(batch) float64 threads \(threads): median \(Int(median)) samples/s "
              + "(runs: " + rates.map { String(Int($0)) }.joined(separator: ", ") + ")")
    }
}
