// Saving a long experiment as it goes: after every finished network (an iteration of `born iterate`, a depth of
// `born depth-sweep`) its model files and a report.json of everything finished so far are written, each atomically,
// so a run that is killed keeps all but the network in training. The final write replaces the partial report.
import Foundation
import NNFeynIO
import NNFeynLanguage
import NNFeynModel

/// Writes the models not yet written and report.json into `directory`.
final class ExperimentCheckpoint {
    let directory: String
    private(set) var writtenStems: Set<String> = []

    init(directory: String) { self.directory = directory }

    /// Writes every model whose stem is new, then `report`; returns the file names written.
    @discardableResult
    func save(models: [(stem: String, model: Model)], report: Data) throws -> [String] {
        var written: [String] = []
        for (stem, model) in models where !writtenStems.contains(stem) {
            try ModelWriter.write(model, to: directory + "/" + stem + ".nn", parametersFileName: stem + ".npz")
            writtenStems.insert(stem)
            written += [stem + ".nn", stem + ".npz"]
        }
        try Files.write(report, to: directory + "/report.json")
        return written + ["report.json"]
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
