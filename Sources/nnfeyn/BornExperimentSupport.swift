// What `born iterate` and `born depth-sweep` share on the command line.
//
// Saving a long experiment as it goes: after every finished network (an iteration of `born iterate`, a depth of
// `born depth-sweep`) its model files and a report.json of everything finished so far are written, each atomically,
// so a run that is killed keeps all but the network in training. The final write replaces the partial report.
// And the parsing and applying of the network and training options both commands take.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynIO
import NNFeynLanguage
import NNFeynExperiments
import NNFeynModel
import NNFeynTraining

/// Writes the models not yet written and report.json into `directory`.
final class ExperimentCheckpoint {
    let directory: String
    /// The parameters file written for each model stem (`ModelWriter` names it by its content).
    private(set) var parameters: [String: String] = [:]

    init(directory: String) { self.directory = directory }

    /// Writes every model whose stem is new, then `report`; returns the file names written.
    @discardableResult
    func save(models: [(stem: String, model: Model)], report: Data) throws -> [String] {
        var written: [String] = []
        for (stem, model) in models where parameters[stem] == nil {
            let name = try ModelWriter.write(model, to: directory + "/" + stem + ".nn")
            parameters[stem] = name
            written += [stem + ".nn", name]
        }
        try Files.write(report, to: directory + "/report.json")
        return written + ["report.json"]
    }

    /// The model and parameters files of `models`, in order (all of them saved).
    func files(of models: [(stem: String, model: Model)]) -> [String] {
        models.flatMap { [$0.stem + ".nn", parameters[$0.stem] ?? $0.stem + ".npz"] }
    }

    /// `save` for a partial run: a failure is a note on stderr, not the end of the run (the final save reports it).
    func savePartial(models: [(stem: String, model: Model)], report: () throws -> Data, finished: String) {
        do {
            try save(models: models, report: try report())
            printError("saved \(finished) to \(directory) (report.json covers what is finished)")
        } catch {
            printError("note: could not save \(finished): \(error)")
        }
    }
}

/// The network options the Born experiments share, parsed from their command-line text.
enum BornNetworkOptions {
    /// --hidden: comma-separated integers.
    static func widths(_ text: String) throws -> [Int] {
        let widths = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--hidden must be comma-separated integers (got '\(text)')")
        }
        return widths.map { $0! }
    }

    /// --activation: one of the simple activations by name.
    static func activation(_ name: String) throws -> Activation {
        guard let value = Activation.simpleNames[name] else {
            throw ValidationError("unknown activation '\(name)' (one of "
                                  + Activation.simpleNames.keys.sorted().joined(separator: ", ") + ")")
        }
        return value
    }

    /// The training options both Born experiments take, applied over `o` where given (nil: keep o's value).
    static func apply(to o: inout IterationOptions, steps: Int?, range: Double, trainCount: Int?, testCount: Int?,
                      hidden: String?, activation: String?, epochs: Int?, batch: Int?, lr: Double?,
                      schedule: LearningRateSchedule?, sampling: PotentialSampling?, weightExponent: Double?,
                      anchored: Bool, seed: UInt64, threads: Int) throws {
        if let steps { o.steps = steps }
        o.range = range
        if let trainCount { o.trainCount = trainCount }
        if let testCount { o.testCount = testCount }
        if let hidden { o.hidden = try widths(hidden) }
        if let activation { o.activation = try Self.activation(activation) }
        if let epochs { o.epochs = epochs }
        if let batch { o.batchSize = batch }
        if let lr { o.learningRate = lr }
        if let schedule { o.schedule = schedule }
        if let sampling { o.sampling = sampling }
        if let weightExponent { o.weightExponent = weightExponent }
        o.anchored = anchored
        o.seed = seed
        o.threads = threads
    }
}
