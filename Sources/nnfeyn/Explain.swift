import ArgumentParser
import NNFeynDiagnostics

/// `nnfeyn explain`: the long explanation of a diagnostic code.
struct Explain: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(abstract: "Print the long explanation of a diagnostic code (e.g. E0204).")

    @Argument(help: "A diagnostic code such as E0204, or 'all' to list every code.")
    var code: String
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        if code.lowercased() == "all" {
            for entry in DiagnosticCode.registry { print("\(entry.code)  \(entry.title)") }
            return
        }
        guard let entry = DiagnosticCode.entry(for: code) else {
            throw Diagnostic(code: .unknownCode, message: "unknown diagnostic code '\(code)'",
                             help: "'nnfeyn explain all' lists every code")
        }
        print(entry.explanation)
    }
}
