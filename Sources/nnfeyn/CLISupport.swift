// The one place where errors become messages and exit codes. Every subcommand's run() calls `reportingErrors`,
// so a diagnostic anywhere in the pipeline prints in the same style and exits with status 1.
import ArgumentParser
import Foundation
import NNFeynEval
import NNFeynLanguage

/// How diagnostics are printed.
enum DiagnosticStyle: String, ExpressibleByArgument, CaseIterable {
    case full
    case short
}

/// Options every command that reads a model shares.
struct DiagnosticOptions: ParsableArguments {
    @Option(name: .customLong("diagnostics"), help: "Diagnostic style: full (source excerpt with carets) or short (one line per error, for editors).")
    var style: DiagnosticStyle = .full
}

/// Writes to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body`; diagnostics are printed to standard error and turned into exit status 1.
func reportingErrors(_ style: DiagnosticStyle, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let list as DiagnosticList {
        printDiagnostics(list.diagnostics, style: style)
        throw ExitCode(1)
    } catch let diagnostic as Diagnostic {
        printDiagnostics([diagnostic], style: style)
        throw ExitCode(1)
    } catch let validation as ValidationError {
        // Argument checks made in run(): the same coded form as the parser's own usage errors.
        printDiagnostics([Diagnostic(code: "E0108", message: validation.message)], style: style)
        throw ExitCode(1)
    }
}

func printDiagnostics(_ diagnostics: [Diagnostic], style: DiagnosticStyle) {
    switch style {
    case .full: printError(DiagnosticRenderer.render(DiagnosticList(diagnostics)))
    case .short: for d in diagnostics { printError(DiagnosticRenderer.renderShort(d)) }
    }
}

/// Writes `text` to a file, or to standard output when `path` is nil or "-".
func writeOutput(_ text: String, to path: String?) throws {
    guard let path, path != "-" else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        throw Diagnostic(code: "E0225", message: "cannot write '\(path)': \(error.localizedDescription)", path: path)
    }
}

/// A per-layer progress line on standard error for expansions estimated to take a while, on a terminal only
/// (pipes and golden files stay clean). Nil when there is nothing worth showing.
func expansionProgress(_ network: Network, estimatedCost: Int, label: String) -> ExpansionProgress? {
    guard isatty(STDERR_FILENO) == 1, estimatedCost >= 50_000_000 else { return nil }
    let start = Date()
    let names = network.layers.map(\.name)
    return { done, count in
        let elapsed = String(format: "%.1f", Date().timeIntervalSince(start))
        let name = done >= 1 && done <= names.count ? names[done - 1] : ""
        let line = "\r\(label): layer \(done)/\(count) ('\(name)') done, \(elapsed) s" + (done == count ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}
