// What a finished iteration run writes: each iteration's network as a model (the command line writes it as
// iteration<k>.nn + .npz) and report.json. The LaTeX report and its figures are in IterationReportLaTeX.swift.
import Foundation
import NNFeynModel

extension IterationRun {
    /// Each iteration's network under its file stem, `iteration<k>`.
    public var models: [(stem: String, model: Model)] {
        outcomes.map { ("iteration\($0.iteration)", Model($0.network)) }
    }
}
