// `nnfeyn qft`: neural-network field theory on the numeric backend. Argument handling, progress and printing only;
// the experiment is NNFeynExperiments (QFT/).
import ArgumentParser
import Foundation
import NNFeynDiagnostics
import NNFeynExperiments
import NNFeynIO
import NNFeynLanguage

/// `nnfeyn qft`: ensembles of random networks as field theories.
struct QFT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qft",
        abstract: "Neural-network field theory: correlators of random-network ensembles, exact finite-width theory.",
        discussion: """
            Reproduces Halverson, Maiti and Stoner (arXiv:2008.08601) for the Erf-, ReLU- and Gauss-net and goes \
            beyond it: exact finite-width correlators, derivative correlators from nnfeyn's expansion, deeper \
            networks. Every command writes DIR/report.json (schema nnfeyn.qft/1) and pgfplots figures. Runs shard \
            with --shard i/K; 'qft merge' adds the shards' exact sums into the single-process result.
            """,
        subcommands: [QFTRunCommand.self, QFTTheoryCommand.self, QFTRGCommand.self, QFTSixPointCommand.self, QFTFitCommand.self,
                      QFTDerivsCommand.self, QFTDepthCommand.self, QFTMergeCommand.self])
}

/// `nnfeyn qft run`.
struct QFTRunCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sample the 2-, 4- and 6-point functions of an ensemble at many widths; m_n against N.",
        discussion: """
            m_n is the mean over non-decreasing index tuples of |G_n - G_n^GP| / G_n^GP; its background is the spread \
            of the chunk means (as in the reference), its stderr a jackknife over chunks. Writes report.json, \
            accumulators.json (what 'qft merge' adds) and fig-mn.{tex,pdf,png}.
            """)

    @OptionGroup var ensemble: QFTEnsembleOptions
    @OptionGroup var sampling: QFTSamplingOptions
    @Option(parsing: .unconditional, help: "Widths, comma-separated (default 2,3,4,5,10,20,50,100,500,1000).") var widths: String?
    @Option(parsing: .unconditional, help: "Correlator orders among 2,4,6.") var npt = "2,4,6"
    @Option(parsing: .unconditional, help: "LOW,HIGH: the widths of the slope fits.") var slopeWidths = "2,20"
    @Flag(help: "A small run of the same shape (5 widths, 4000 models): seconds, for tests.") var quick = false
    @OptionGroup var output: QFTOutputOptions

    func options() throws -> QFTRunOptions {
        var o = QFTRunOptions.defaults(ensemble.activation, dIn: ensemble.dIn, quick: quick)
        o.ensemble = ensemble.ensemble
        o.points = try ensemble.parsedPoints()
        if let widths { o.widths = try parseIntegers(widths, option: "--widths") }
        o.orders = try parseIntegers(npt, option: "--npt")
        o.slopeWidths = try parseIntegers(slopeWidths, option: "--slope-widths")
        o.plan = try sampling.plan(defaultModels: o.plan.models)
        return o
    }

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let options = try options()
        try options.validate()
        let directory = try prepareOutputDirectory(output.out)
        let plan = options.plan
        print("qft run: \(options.ensemble.activation.displayName), d_in \(options.ensemble.dIn), sw \(options.ensemble.sw), "
              + "sb \(options.ensemble.sb), \(options.ensemble.depth) hidden layer\(options.ensemble.depth == 1 ? "" : "s"); "
              + "\(options.points.count) points; \(plan.models) models x \(options.widths.count) widths "
              + "(\(plan.chunks) chunks), seed \(plan.seed), shard \(plan.shardIndex)/\(plan.shardCount), \(plan.threads) threads")
        try sampleAndReport(threads: plan.threads, output: output, directory: directory, summary: printSummary) {
            try QFTRun.sample(options, progress: QFTProgressPrinter().report)
        }
    }
}

/// `nnfeyn qft theory`.
struct QFTTheoryCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "The exact finite-width correlators and m_n of an ensemble, without sampling.",
        discussion: """
            One hidden layer: G2 is the GP kernel at every width, G4 - G4_GP = (sw^4/N)[3 M4 - (M2 M2 + M2 M2 + M2 M2)] \
            with M the single-neuron moments, and the connected 6-point function is exactly proportional to 1/N^2. \
            Deep ReLU-nets with sb = 0 at one-signed inputs: G4 = G4_GP (1 + 5/N)^L.
            """)

    @OptionGroup var ensemble: QFTEnsembleOptions
    @Option(parsing: .unconditional, help: "Widths, comma-separated (default 2,3,4,5,10,20,50,100,500,1000).") var widths: String?
    @Option(parsing: .unconditional, help: "Correlator orders among 2,4,6.") var npt = "2,4,6"
    @Option(parsing: .unconditional, help: "LOW,HIGH: the widths of the slope fits.") var slopeWidths = "2,20"
    @OptionGroup var output: QFTOutputOptions

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        var o = QFTRunOptions.defaults(ensemble.activation, dIn: ensemble.dIn)
        o.ensemble = ensemble.ensemble
        o.points = try ensemble.parsedPoints()
        if let widths { o.widths = try parseIntegers(widths, option: "--widths") }
        o.orders = try parseIntegers(npt, option: "--npt")
        o.slopeWidths = try parseIntegers(slopeWidths, option: "--slope-widths")
        guard o.points.allSatisfy({ $0.count == o.ensemble.dIn }) else {
            throw QFTError("every input point needs \(o.ensemble.dIn) coordinates (--d-in \(o.ensemble.dIn))")
        }
        let report = try QFTRun.theory(o)  // validates the options before the directory is made (and is quick)
        let directory = try prepareOutputDirectory(output.out)
        let written = try writeReport(report, to: directory, figures: !output.noFigures)
        print("qft theory: \(o.ensemble.activation.displayName), d_in \(o.ensemble.dIn), sw \(o.ensemble.sw), sb \(o.ensemble.sb), "
              + "\(o.ensemble.depth) hidden layer\(o.ensemble.depth == 1 ? "" : "s"), \(o.points.count) points")
        printSummary(report)
        print("wrote \(written.count) files to \(output.out): " + written.joined(separator: ", "))
    }
}

/// `nnfeyn qft merge`.
struct QFTMergeCommand: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Add the exact sums of shards (DIR/accumulators.json) into one run's report.",
        discussion: """
            The sums are exact, so the merge of all K shards of a run equals the single-process run bit for bit, \
            in any order. A merge of some shards only is marked incomplete in the report.
            """)

    @Argument(help: "Directories written by 'qft run --shard i/K' (or by earlier merges).") var directories: [String]
    @OptionGroup var output: QFTOutputOptions

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        guard !directories.isEmpty else { throw QFTError("give the directories to merge") }
        let parts = try directories.map { directory -> QFTAccumulators in
            let path = URL(fileURLWithPath: directory).appendingPathComponent("accumulators.json").path
            // Accumulators of the largest runs are a few megabytes; a gigabyte is surely not one.
            let data = try Files.read(path, limit: 1 << 30)
            do {
                return try JSONDecoder().decode(QFTAccumulators.self, from: data)
            } catch {
                throw Diagnostic(code: .unmergeable, message: "'\(path)' is not a qft accumulators file: \(error)", path: path)
            }
        }
        let merged = try QFTRun.merge(parts)
        let directory = try prepareOutputDirectory(output.out)
        try writeFile(try merged.jsonData(), "accumulators.json", in: directory)
        let report = QFTRun.report(merged)
        let written = try writeReport(report, to: directory, figures: !output.noFigures)
        let complete = report.sampling?.complete == true
        print("qft merge: \(merged.command), shards \(merged.shards.map(String.init).joined(separator: ",")) of \(merged.shardCount)"
              + (complete ? " (complete)" : " (incomplete: \(report.sampling?.modelsSampled ?? 0) of \(merged.models) models)"))
        if report.rg != nil || report.sixpt != nil || report.fit != nil {
            printCouplingSummary(report)
        } else if report.depth != nil {
            printDepthSummary(report)
        } else {
            printSummary(report)
        }
        printDerivsSummary(report)
        print("wrote \(written.count + 1) files to \(output.out): accumulators.json, " + written.joined(separator: ", "))
    }
}

/// The per-width table and the slopes.
func printSummary(_ report: QFTReport) {
    let orders = report.orders
    var header = "width"
    for n in orders { header += "  " + "m\(n) ± stderr [background] (exact)".padding(toLength: 36, withPad: " ", startingAt: 0) }
    print(header.trimmingCharacters(in: .whitespaces))
    func short(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "-" }
        return String(format: "%.3g", x)
    }
    for w in report.widths {
        var line = String(w.width).leftPadded(5)
        for n in orders {
            let m = n == 2 ? w.m2 : n == 4 ? w.m4 : w.m6
            var cell = m?.value != nil ? short(m?.value) : ""
            if m?.stderr != nil { cell += " ± " + short(m?.stderr) }
            if m?.background != nil { cell += " [" + short(m?.background) + "]" }
            if m?.exact != nil { cell += " (" + short(m?.exact) + ")" }
            line += "  " + cell.padding(toLength: 36, withPad: " ", startingAt: 0)
        }
        print(line.trimmingCharacters(in: .whitespaces) == "" ? line : String(line.reversed().drop(while: { $0 == " " }).reversed()))
    }
    for key in ["m2", "m4", "m6", "c6"] {
        guard let s = report.slopes[key], s.slope != nil || s.exact != nil else { continue }
        var line = "slope of log \(key) against log N over N in [\(s.widths.first ?? 0), \(s.widths.last ?? 0)]: "
        if let slope = s.slope { line += String(format: "%.4f ± %.4f", slope, s.stderr ?? .nan) }
        if let e = s.exact { line += String(format: " (exact %.4f)", e) }
        print(line)
    }
    if let c = report.coefficient4 {
        var line = "1/N coefficient of (G4 - G4_GP)/G4_GP: "
        if let v = c.value { line += String(format: "%.4f ± %.4f", v, c.stderr ?? .nan) }
        if let e = c.exact { line += String(format: " (exact %.6g)", e) }
        print(line)
    }
    for note in report.notes { print("note: \(note)") }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
