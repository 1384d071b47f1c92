// Arguments and helpers shared by the commands: the model file and order, the arithmetic, output formats, writing
// results, progress on a terminal.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynEval
import NNFeynIO
import NNFeynLanguage
import NNFeynModel

/// The model file and the order.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model file (.nn).")
    var model: String

    // Unconditional parsing: '--order -1' reaches our own check (E0301) instead of looking like a flag.
    @Option(name: [.customLong("order"), .customShort("n")], parsing: .unconditional, help: "The highest derivative order (0 = the value only).")
    var order: String = "3"

    @Option(parsing: .unconditional, help: "Refuse expansions whose estimated cost (multiply-adds or bytes; more per operation for large exact numbers) exceeds this.")
    var limit: Int = Expander.defaultLimit

    @Option(name: .customLong("at"), parsing: .unconditional,
            help: ArgumentHelp("Expand at this point instead of the file's: exact numbers as in the language, comma-separated (\"0.5, -1/3, 2e-3\").", valueName: "point"))
    var point: String?

    /// The order as an integer, or E0301.
    func parsedOrder() throws -> Int {
        guard let value = Int(order.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw Diagnostic(code: .negativeOrder, message: "the order must be a whole number 0 or more, not '\(order)'",
                             help: "for example --order 3")
        }
        return value
    }

    /// The limit, checked.
    func checkedLimit() throws -> Int {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more (got \(limit))") }
        return limit
    }

    /// Loads and checks the model, moved to the point given with --at.
    func load() throws -> Model {
        let loaded = try ModelLoader.load(path: model)
        guard let point else { return loaded }
        let coordinates = try Self.parsePoint(point)
        guard coordinates.count == loaded.input.dimension else {
            throw Diagnostic(code: .pointDimensionMismatch,
                             message: "--at gives \(coordinates.count) \(coordinates.count == 1 ? "coordinate" : "coordinates") but input '\(loaded.input.name)' has dimension \(loaded.input.dimension)",
                             help: "give one coordinate per input dimension, e.g. --at \"" + Array(repeating: "0", count: loaded.input.dimension).joined(separator: ", ") + "\"")
        }
        return try loaded.at(coordinates)
    }

    /// Exact coordinates from "0.5, -1/3, 2e-3" (brackets allowed): each one a number of the model language.
    static func parsePoint(_ text: String) throws -> [Rational] {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !(parts.count == 1 && parts[0].isEmpty) else { throw ValidationError("--at needs at least one coordinate") }
        return try parts.map { part in
            guard part.count <= 1000, let value = Rational(literal: part) else {
                throw ValidationError("--at: '\(part)' is not a number (write integers, fractions p/q or decimals such as 2.5e-3)")
            }
            return value
        }
    }
}

/// --exact / --numeric.
struct ArithmeticOptions: ParsableArguments {
    @Flag(help: "Exact rational arithmetic (GMP); fails where a needed value is irrational.")
    var exact = false

    @Flag(help: "Double precision (OpenBLAS).")
    var numeric = false

    /// The requested mode; automatic when neither flag is given.
    func mode() throws -> ExpansionMode {
        if exact && numeric { throw ValidationError("choose one of --exact and --numeric") }
        return exact ? .exact : (numeric ? .numeric : .automatic)
    }
}

/// --precision BITS (expand and check): MPFR arithmetic instead of exact or double.
struct PrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Binary floating point of this many bits (MPFR), for any network at any point; every value is "
                               + "confirmed to floor(bits log10 2) significant digits.", valueName: "bits"))
    var precision: Int?

    /// The bits, checked against their range and the other arithmetic flags; nil without --precision.
    func bits(besides arithmetic: ArithmeticOptions) throws -> Int? {
        guard let precision else { return nil }
        if arithmetic.exact || arithmetic.numeric { throw ValidationError("choose one of --exact, --numeric and --precision") }
        guard (2...Expander.maximumPrecision).contains(precision) else {
            throw ValidationError("--precision takes a number of bits from 2 to \(Expander.maximumPrecision), not \(precision)")
        }
        return precision
    }
}

/// Output format of expansions and diagram listings.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case latex
    case npz
}

/// Writes `text` to a file (safely: a failure leaves any previous file intact), or to standard output when `path`
/// is nil or "-".
func writeOutput(_ text: String, to path: String?) throws {
    guard let path, path != "-" else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    try Files.write(Data(text.utf8), to: path)
}

/// Checks before any long work that an output file can be written (nil and "-" are standard output).
func checkOutput(_ path: String?) throws {
    guard let path, path != "-" else { return }
    try Files.checkWritable(path)
}

/// A per-layer progress line on standard error for expansions estimated to take a while, on a terminal only
/// (pipes and golden files stay clean). Nil when there is nothing worth showing.
func expansionProgress(_ model: Model, estimatedCost: Int, label: String) -> ExpansionProgress? {
    guard isatty(STDERR_FILENO) == 1, estimatedCost >= 50_000_000 else { return nil }
    let start = Date()
    let names = model.layers.map(\.name)
    return { done, count in
        let elapsed = String(format: "%.1f", Date().timeIntervalSince(start))
        let name = done >= 1 && done <= names.count ? names[done - 1] : ""
        let line = "\r\(label): layer \(done)/\(count) ('\(name)') done, \(elapsed) s" + (done == count ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// The MPFR expansion of `model` with confirmed digits, with progress on a terminal; errors come back located.
func expandMultiprecision(_ model: Model, order: Int, bits: Int, limit: Int) throws -> MultiprecisionExpansion {
    try model.locating { () throws(EvaluationError) in
        let estimate = Expander.estimate(model, order: order)
        let progress = expansionProgress(model, estimatedCost: estimate.multiprecisionCost(bits: bits), label: "expanding")
        return try Expander.multiprecisionExpansion(model, order: order, bits: bits, limit: limit, progress: progress)
    }
}

/// Expands `model` with progress on a terminal; errors come back located in the model's source.
func expandReportingProgress(_ model: Model, order: Int, mode: ExpansionMode, limit: Int) throws -> ExpansionResult {
    try model.locating { () throws(EvaluationError) in
        let estimate = Expander.estimate(model, order: order)
        let progress = expansionProgress(model, estimatedCost: mode == .numeric ? estimate.cost : estimate.exactCost,
                                         label: "expanding")
        return try Expander.expand(model, order: order, mode: mode, limit: limit, progress: progress)
    }
}
