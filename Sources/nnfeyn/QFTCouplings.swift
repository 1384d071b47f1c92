// `nnfeyn qft rg`, `qft sixpt`, `qft fit`: effective couplings at the interacting width. Argument handling and
// printing only; the experiment is NNFeynExperiments.QuarticCouplings.
import ArgumentParser
import Foundation
import NNFeynExperiments

/// The options the coupling commands share.
struct QFTCouplingOptions: ParsableArguments {
    @Option(help: "Activation: erf, relu or gauss.") var activation: QFTActivation
    @Option(parsing: .unconditional, help: "Weight scale sigma_w.") var sw = 1.0
    @Option(parsing: .unconditional, help: "Bias scale sigma_b (default 1, 0 for the ReLU-net).") var sb: Double?
    @Option(parsing: .unconditional, help: "Input points on the line, comma-separated (default: the reference's).") var points: String?
    @Option(parsing: .unconditional, help: "The width (default: the reference's interacting width, 20 ReLU, 5 Erf, 100 Gauss; fit: 1000 Gauss).") var width: Int?
    @Option(parsing: .unconditional, help: "Cutoffs Lambda, comma-separated; 'inf' for none (Gauss-net only).") var cutoffs: String?
    @OptionGroup var sampling: QFTSamplingOptions
    @Flag(help: "A small run of the same shape (4000 models): seconds, for tests.") var quick = false
    @OptionGroup var output: QFTOutputOptions

    func options(command: String) throws -> CouplingOptions {
        var o = CouplingOptions.defaults(activation, command: command, quick: quick)
        o.ensemble = QFTEnsemble(activation: activation, dIn: 1, sw: sw, sb: sb)
        if let points { o.points = try parseNumbers(points, option: "--points") }
        if let width { o.width = width }
        if let cutoffs {
            o.cutoffs = try cutoffs.split(separator: ",").map { piece -> Double in
                let text = piece.trimmingCharacters(in: .whitespaces)
                if text == "inf" { return .infinity }
                guard let value = Double(text), value.isFinite else { throw ValidationError("--cutoffs: '\(text)' is not a number or 'inf'") }
                return value
            }
        }
        o.plan = try sampling.plan(defaultModels: o.plan.models)
        return o
    }

    /// Samples, writes accumulators.json, report.json and the figures; returns the report.
    func run(command: String) throws -> QFTReport {
        let options = try options(command: command)
        try options.validate()
        let directory = try prepareOutputDirectory(output.out)
        print("qft \(command): \(activation.displayName), sw \(options.ensemble.sw), sb \(options.ensemble.sb), width \(options.width), "
              + "\(options.points.count) points, \(options.plan.models) models (\(options.plan.chunks) chunks), seed \(options.plan.seed), "
              + "shard \(options.plan.shardIndex)/\(options.plan.shardCount), \(options.plan.threads) threads")
        return try sampleAndReport(threads: options.plan.threads, output: output, directory: directory, summary: printCouplingSummary) {
            try QuarticCouplings.sample(options, command: command, progress: QFTProgressPrinter().report)
        }
    }
}

func printCouplingSummary(_ report: QFTReport) {
    func cut(_ c: Double?) -> String { c.map { String(format: "%g", $0) } ?? "inf" }
    if let rg = report.rg {
        print("cutoff        lambda ± stderr               exact")
        for e in rg.entries {
            print(cut(e.cutoff).leftPadded(8) + "  " + (formatted(e.lambda.value, 5) + " ± " + formatted(e.lambda.stderr, 2)).padding(toLength: 28, withPad: " ", startingAt: 0)
                  + "  " + formatted(e.lambda.exact, 5))
        }
        var line = "slope of log lambda against log Lambda: "
        if let s = rg.slope.slope { line += String(format: "%.6f", s) }
        if let e = rg.slope.exact { line += String(format: " (exact %.6f)", e) }
        if let p = rg.pooledSlope { line += String(format: "; pooled over tuples %.6f, R^2 %.6f", p, rg.pooledR2 ?? .nan) }
        print(line)
        if let l = rg.lambdaTimesCutoff5 {
            print(String(format: "lambda Lambda^5 = %.5f ± %.5f (exact 25/(2 N sw^8) = %.5f)", l.value ?? .nan, l.stderr ?? .nan, l.exact ?? .nan))
        }
        if let law = rg.law { print("law: \(law)") }
    }
    if let six = report.sixpt {
        print("cutoff    lambda        |GP+quartic-G6|/G6  |GP-G6|/G6   (exact G6 and lambda: |GP+quartic-G6|/G6, |GP-G6|/G6)")
        for e in six.cutoffs {
            print(cut(e.cutoff).leftPadded(8) + "  " + formatted(e.lambda) + "    " + formatted(e.predictionError) + "         "
                  + formatted(e.gpError) + "    " + formatted(e.predictionErrorExact) + ", " + formatted(e.gpErrorExact))
        }
    }
    if let fit = report.fit {
        print("model                              coefficients (sampled ± jackknife; exact)                      MAPE train/test %  (exact)")
        for m in fit.models {
            let coefficients = zip(m.terms, m.coefficients).map { term, c in
                term.split(separator: " ").first.map(String.init)! + " " + formatted(c.value) + "±" + formatted(c.stderr, 1) + " (" + formatted(c.exact) + ")"
            }.joined(separator: ", ")
            print(m.name.padding(toLength: 34, withPad: " ", startingAt: 0) + " " + coefficients + "  rank \(m.rank); "
                  + String(format: "%.3g/%.3g (%.3g/%.3g)", m.mapeTrain ?? .nan, m.mapeTest ?? .nan, m.exactMapeTrain ?? .nan, m.exactMapeTest ?? .nan))
        }
    }
    for note in report.notes { print("note: \(note)") }
}

/// `nnfeyn qft rg`.
struct QFTRGCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "rg",
        abstract: "The running quartic coupling lambda(Lambda) = (G4 - G4_GP) / (24 int prod K~) against the cutoff.",
        discussion: """
            For the ReLU-net with sb = 0 at positive inputs, lambda(Lambda) = 25 / (2 N sw^8 Lambda^5) exactly at every \
            tuple: the slope of log lambda against log Lambda is -5. Writes report.json (section rg), accumulators.json \
            and fig-rg.{tex,pdf,png}.
            """)
    @OptionGroup var couplings: QFTCouplingOptions
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws { _ = try couplings.run(command: "rg") }
}

/// `nnfeyn qft sixpt`.
struct QFTSixPointCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "sixpt",
        abstract: "The six-point function predicted by the GP plus the quartic coupling, against the sampled and exact ones.",
        discussion: "Writes report.json (section sixpt), accumulators.json and fig-sixpt.{tex,pdf,png}.")
    @OptionGroup var couplings: QFTCouplingOptions
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws { _ = try couplings.run(command: "sixpt") }
}

/// `nnfeyn qft fit`.
struct QFTFitCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit local, derivative and non-local quartic couplings to G4 - G4_GP; score them on test points.",
        discussion: """
            Templates: 24 int prod K~ (local), 24 int x^2 prod K~ (derivative), 8 sum_3 I I (non-local), by linear \
            least squares on the training points' four-point tuples; the test points are the training points times \
            sqrt(2)/2. Writes report.json (section fit), accumulators.json and fig-fit.{tex,pdf,png}.
            """)
    @OptionGroup var couplings: QFTCouplingOptions
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws { _ = try couplings.run(command: "fit") }
}
