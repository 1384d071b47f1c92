// What the `nnfeyn qft` commands share: argument parsing into the experiment's plain types, the output directory,
// progress on stderr, writing report.json, and compiling the figures (pdflatex and pdftoppm run here, in the CLI,
// never in the library, which only writes LaTeX text).
import ArgumentParser
import Foundation
import NNFeynIO
import NNFeynExperiments
import NNFeynLanguage

extension QFTActivation: ExpressibleByArgument {}

/// The ensemble and where it is observed.
struct QFTEnsembleOptions: ParsableArguments {
    @Option(help: "Activation: erf (Erf-net), relu (ReLU-net) or gauss (Gauss-net).") var activation: QFTActivation
    @Option(name: .customLong("d-in"), parsing: .unconditional, help: "Input dimension.") var dIn = 1
    @Option(parsing: .unconditional, help: "Weight scale sigma_w (W ~ N(0, sw^2/fan-in)).") var sw = 1.0
    @Option(parsing: .unconditional, help: "Bias scale sigma_b (default 1, 0 for the ReLU-net).") var sb: Double?
    @Option(parsing: .unconditional, help: "Hidden layers (Erf and ReLU; the Gauss-net has one).") var depth = 1
    @Option(parsing: .unconditional, help: "Input points, ';' between points and ',' between coordinates (d_in = 1: commas alone are fine). Default: the published ones.")
    var points: String?

    var ensemble: QFTEnsemble { QFTEnsemble(activation: activation, dIn: dIn, sw: sw, sb: sb, depth: depth) }

    func parsedPoints() throws -> [[Double]] {
        guard dIn >= 1 else { throw ValidationError("--d-in must be at least 1 (got \(dIn))") }
        guard let points else {
            guard let defaults = activation.defaultPoints(dIn: dIn) else {
                throw ValidationError("there are no default points for --d-in \(dIn): give --points")
            }
            return defaults
        }
        let separatorIsSemicolon = points.contains(";")
        let groups = separatorIsSemicolon ? points.split(separator: ";").map(String.init)
            : (dIn == 1 ? points.split(separator: ",").map(String.init) : [points])
        let parsed = try groups.map { group in
            try group.split(separator: ",").map { piece -> Double in
                guard let value = Double(piece.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw ValidationError("--points: '\(piece)' is not a number")
                }
                return value
            }
        }
        return parsed
    }
}

/// How many models, and which part of the run this process does.
struct QFTSamplingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Models per width (default: 1000000, or the command's own).") var models: Int?
    @Option(parsing: .unconditional, help: "Chunks for the background and the jackknife errors.") var chunks = 10
    @Option(parsing: .unconditional, help: "Seed of the run.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "This process's slice i/K of the run, 0 <= i < K; 'qft merge' adds the slices.") var shard = "0/1"
    @Option(parsing: .unconditional, help: "Worker threads (results do not depend on it). Default: the number of processors.") var threads: Int?

    func plan(defaultModels: Int) throws -> SamplingPlan {
        let parts = shard.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let k = Int(parts[1]) else {
            throw ValidationError("--shard must be i/K, for example 0/4 (got '\(shard)')")
        }
        return SamplingPlan(models: models ?? defaultModels, chunks: chunks, seed: seed, shardIndex: i, shardCount: k,
                            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// The output directory and figures.
struct QFTOutputOptions: ParsableArguments {
    @Option(help: "Output directory (created if missing).") var out: String
    @Flag(help: "Write report.json only: no LaTeX figures.") var noFigures = false
}

/// Comma-separated integers.
func parseIntegers(_ text: String, option: String) throws -> [Int] {
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
        throw ValidationError("\(option) must be comma-separated integers (got '\(text)')")
    }
    return values.map { $0! }
}

/// Comma-separated numbers.
func parseNumbers(_ text: String, option: String) throws -> [Double] {
    let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
        throw ValidationError("\(option) must be comma-separated numbers (got '\(text)')")
    }
    return values.map { $0! }
}

/// Creates the output directory (or checks an existing one) before any sampling, or E0225.
func prepareOutputDirectory(_ path: String) throws -> URL {
    try Files.prepareDirectory(path)
    return URL(fileURLWithPath: path, isDirectory: true)
}

/// Writes data to DIR/name safely, or E0225.
func writeFile(_ data: Data, _ name: String, in directory: URL) throws {
    try Files.write(data, to: directory.appendingPathComponent(name).path)
}

/// Writes report.json and the figures; returns the files written.
func writeReport(_ report: QFTReport, to directory: URL, figures: Bool) throws -> [String] {
    try writeFile(try report.jsonData(), "report.json", in: directory)
    var written = ["report.json"]
    if figures {
        let result = try LaTeXReport.compile(QFTLaTeX.figures(report).map { ($0.name + ".tex", $0.document) },
                                             in: directory.path, resolution: 150)
        written += result.written
        for note in result.notes { printError("note: \(note)") }
    }
    return written
}

/// Times a sampling run, then writes accumulators.json (the exact sums, for `qft merge`), report.json and the
/// figures, and prints the summary, the time and the files written.
@discardableResult
func sampleAndReport(threads: Int, output: QFTOutputOptions, directory: URL, summary: (QFTReport) -> Void,
                     sample: () throws -> QFTAccumulators) throws -> QFTReport {
    let start = Date()
    let accumulators = try sample()
    let seconds = Date().timeIntervalSince(start)
    try writeFile(try accumulators.jsonData(), "accumulators.json", in: directory)
    let report = QFTRun.report(accumulators)
    let written = try writeReport(report, to: directory, figures: !output.noFigures)
    summary(report)
    print(String(format: "sampling took %.1f s on %d threads", seconds, threads))
    print("wrote \(written.count + 1) files to \(output.out): accumulators.json, " + written.joined(separator: ", "))
    return report
}

/// Sampling progress on stderr: a redrawn line on a terminal, a line per width otherwise.
final class QFTProgressPrinter: Sendable {
    let terminal = isatty(STDERR_FILENO) != 0
    let start = Date()

    func report(_ event: QFTEvent) {
        switch event {
        case .width(let index, let count, let width):
            if !terminal { printError("width \(width) (\(index + 1)/\(count)) ...") }
        case .sampling(let p):
            guard terminal, p.blocksDone % 8 == 0 || p.blocksDone == p.blocksTotal else { return }
            FileHandle.standardError.write(Data(String(format: "\r\u{1B}[2Kwidth %d: %d/%d blocks, %d models, %.0f s",
                                                       p.width, p.blocksDone, p.blocksTotal, p.modelsDone,
                                                       Date().timeIntervalSince(start)).utf8))
        case .widthDone(let width, let seconds):
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            printError(String(format: "width %d done in %.1f s", width, seconds))
        }
    }
}

/// Numbers for the summary tables.
func formatted(_ x: Double?, _ digits: Int = 3) -> String {
    guard let x, x.isFinite else { return "-" }
    return String(format: "%.\(digits)e", x)
}
