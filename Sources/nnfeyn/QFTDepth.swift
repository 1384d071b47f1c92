// `nnfeyn qft depth`: the 1/N coefficient of the connected four-point function against the number of hidden layers.
// Argument handling and printing only; the experiment is NNFeynExperiments.DepthSweep.
import ArgumentParser
import Foundation
import NNFeynExperiments

struct QFTDepthCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "How the 1/N coefficient of (G4 - G4_GP)/G4_GP grows with depth (2-4 hidden layers and more).",
        discussion: """
            Per depth L, samples the four-point function at several widths and fits N (G4 - G4_GP)/G4_GP = c + c'/N. \
            For the ReLU-net with sb = 0 at positive inputs, (G4 - G4_GP)/G4_GP = (1 + 5/N)^L - 1 exactly, so c = 5 L. \
            Writes report.json (section depth), accumulators.json and fig-depth.{tex,pdf,png}.
            """)

    @Option(help: "Activation: erf or relu.") var activation: QFTActivation
    @Option(parsing: .unconditional, help: "Depths (hidden layers), comma-separated.") var depths: String?
    @Option(parsing: .unconditional, help: "Widths, comma-separated (default 5,10,20,50,100).") var widths: String?
    @Option(parsing: .unconditional, help: "Weight scale sigma_w.") var sw = 1.0
    @Option(parsing: .unconditional, help: "Bias scale sigma_b (default 1, 0 for the ReLU-net).") var sb: Double?
    @Option(parsing: .unconditional, help: "Input points on the line, comma-separated (default: the published ones).") var points: String?
    @Flag(help: "A small run of the same shape (depths 1,2; widths 5,20; 4000 models): seconds, for tests.") var quick = false
    @OptionGroup var sampling: QFTSamplingOptions
    @OptionGroup var output: QFTOutputOptions

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        var o = DepthOptions.defaults(activation, quick: quick)
        o.ensemble = QFTEnsemble(activation: activation, dIn: 1, sw: sw, sb: sb)
        if let depths { o.depths = try parseIntegers(depths, option: "--depths") }
        if let widths { o.widths = try parseIntegers(widths, option: "--widths") }
        if let points { o.points = try parseNumbers(points, option: "--points").map { [$0] } }
        o.plan = try sampling.plan(defaultModels: o.plan.models)
        try o.validate()
        let directory = try prepareOutputDirectory(output.out)
        print("qft depth: \(activation.displayName), sw \(o.ensemble.sw), sb \(o.ensemble.sb), depths \(o.depths), widths \(o.widths); "
              + "\(o.plan.models) models, seed \(o.plan.seed), shard \(o.plan.shardIndex)/\(o.plan.shardCount), \(o.plan.threads) threads")
        try sampleAndReport(threads: o.plan.threads, output: output, directory: directory, summary: printDepthSummary) {
            try DepthSweep.sample(o, progress: QFTProgressPrinter().report)
        }
    }
}

func printDepthSummary(_ report: QFTReport) {
    guard let depth = report.depth else { return }
    print("depth  K(x1,x1)    N (G4 - G4_GP)/G4_GP per width: sampled ± stderr (exact)          coefficient c")
    for e in depth.depths {
        let cells = e.widths.map { w in
            let n = Double(w.width)
            return "N=\(w.width) " + formatted(w.ratio4?.value.map { $0 * n }, 2) + "±" + formatted(w.ratio4?.stderr.map { $0 * n }, 1)
                + (w.ratio4?.exact.map { " (" + formatted($0 * n, 3) + ")" } ?? "")
        }
        let c = e.coefficient
        let exact: String = c?.exact.map { " (exact " + formatted($0, 4) + ")" } ?? ""
        let head: String = String(e.depth).leftPadded(5) + "  " + formatted(e.kernel, 3) + "  " + cells.joined(separator: "  ")
        let tail: String = "   c = " + formatted(c?.value, 3) + " ± " + formatted(c?.stderr, 2) + exact
        print(head + tail)
    }
    if let g = depth.growthPerLayer {
        print("growth of c per layer: " + formatted(g.value, 3) + " ± " + formatted(g.stderr, 2) + (g.exact.map { " (exact " + formatted($0, 4) + ")" } ?? ""))
    }
    if let law = depth.law { print("law: \(law)") }
    for note in report.notes { print("note: \(note)") }
}
