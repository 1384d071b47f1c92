// `nnfeyn qft derivs`: correlators of Taylor coefficients over an ensemble, each network expanded by nnfeyn.
// Argument handling and printing only; the experiment is NNFeynExperiments.DerivativeCorrelators.
import ArgumentParser
import Foundation
import NNFeynExperiments

struct QFTDerivsCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "derivs",
        abstract: "Correlators of the Taylor coefficients of sampled networks at a point, and their finite-width theory.",
        discussion: """
            Every sampled network is expanded to --order by nnfeyn's fused evaluator; the coefficients c_alpha \
            (Taylor coefficients, not derivatives) are the observables. One hidden layer has an exact theory: for the \
            Erf-net at x = 0 with sw = sb = 1, E[f'(0)^2] = 4/(pi sqrt 5) at every width. Writes report.json \
            (section derivs), accumulators.json and fig-mn, fig-derivs.{tex,pdf,png}.
            """)

    @Option(help: "Activation: erf or relu.") var activation: QFTActivation
    @Option(name: [.customLong("order"), .customShort("n")], parsing: .unconditional, help: "Highest Taylor order.") var order: Int
    @Option(parsing: .unconditional, help: "The expansion point, comma-separated (default 0; 1 for relu).") var point: String?
    @Option(name: .customLong("d-in"), parsing: .unconditional, help: "Input dimension.") var dIn = 1
    @Option(parsing: .unconditional, help: "Weight scale sigma_w.") var sw = 1.0
    @Option(parsing: .unconditional, help: "Bias scale sigma_b (default 1, 0 for the ReLU-net).") var sb: Double?
    @Option(parsing: .unconditional, help: "Hidden layers.") var depth = 1
    @Option(parsing: .unconditional, help: "Widths, comma-separated (default 1,2,3,5,10,20,50,100).") var widths: String?
    @Option(parsing: .unconditional, help: "Correlator orders among 2,4,6.") var npt = "2,4"
    @Option(parsing: .unconditional, help: "LOW,HIGH: the widths of the slope fits.") var slopeWidths = "2,20"
    @Flag(help: "Exact theory only: no sampling.") var theory = false
    @Flag(help: "A small run of the same shape (3 widths, 2000 models): seconds, for tests.") var quick = false
    @OptionGroup var sampling: QFTSamplingOptions
    @OptionGroup var output: QFTOutputOptions

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        var o = DerivativeOptions.defaults(activation, order: order, quick: quick)
        o.ensemble = QFTEnsemble(activation: activation, dIn: dIn, sw: sw, sb: sb, depth: depth)
        o.point = try point.map { try parseNumbers($0, option: "--point") } ?? [Double](repeating: activation == .relu ? 1 : 0, count: dIn)
        if let widths { o.widths = try parseIntegers(widths, option: "--widths") }
        o.orders = try parseIntegers(npt, option: "--npt")
        o.slopeWidths = try parseIntegers(slopeWidths, option: "--slope-widths")
        o.plan = try sampling.plan(defaultModels: o.plan.models)
        try o.validate()
        let directory = try prepareOutputDirectory(output.out)
        print("qft derivs: \(activation.displayName), d_in \(dIn), sw \(o.ensemble.sw), sb \(o.ensemble.sb), \(depth) hidden layer"
              + "\(depth == 1 ? "" : "s"); Taylor coefficients to order \(order) at x0 = \(o.point)"
              + (theory ? " (theory only)" : "; \(o.plan.models) models x \(o.widths.count) widths, seed \(o.plan.seed), "
                 + "shard \(o.plan.shardIndex)/\(o.plan.shardCount), \(o.plan.threads) threads"))
        let report: QFTReport
        var written: [String] = []
        if theory {
            report = try DerivativeCorrelators.theory(o)
        } else {
            let start = Date()
            let accumulators = try DerivativeCorrelators.sample(o, progress: QFTProgressPrinter().report)
            print(String(format: "sampling took %.1f s on %d threads", Date().timeIntervalSince(start), o.plan.threads))
            try writeFile(try accumulators.jsonData(), "accumulators.json", in: directory)
            written.append("accumulators.json")
            report = QFTRun.report(accumulators)
        }
        written += try writeReport(report, to: directory, figures: !output.noFigures)
        printSummary(report)
        printDerivsSummary(report)
        print("wrote \(written.count) files to \(output.out): " + written.joined(separator: ", "))
    }
}

func printDerivsSummary(_ report: QFTReport) {
    guard let derivs = report.derivs else { return }
    print("E[c_alpha^2] per width (sampled ± stderr; exact):")
    for w in report.widths {
        let cells = derivs.diagonal.filter { $0.width == w.width }.map { e in
            "c\(e.monomial.map(String.init).joined()) " + formatted(e.sampled, 4) + "±" + formatted(e.stderr, 1) + " (" + formatted(e.exact, 6) + ")"
        }
        print(String(w.width).leftPadded(5) + "  " + cells.joined(separator: "  "))
    }
}
