// Writing a finished iteration run: each iteration's network as a model file with its .npz, and report.json.
// The LaTeX report and its figures are in IterationReportLaTeX.swift.
import Foundation
import NNFeynLanguage

extension IterationRun {
    /// Writes `iteration<k>.nn` + `.npz` for every iteration and `report.json` into `directory` (created if
    /// missing); returns the paths written, relative to `directory`.
    public func writeNetworksAndReport(to directory: String) throws -> [String] {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        var written: [String] = []
        for outcome in outcomes {
            let name = "iteration\(outcome.iteration)"
            try ModelWriter.write(outcome.model.network(), to: base.appendingPathComponent(name + ".nn").path,
                                  parametersFileName: name + ".npz")
            written += [name + ".nn", name + ".npz"]
        }
        try report.jsonData().write(to: base.appendingPathComponent("report.json"))
        written.append("report.json")
        return written
    }
}
