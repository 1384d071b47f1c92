import ArgumentParser
import NNFeynLanguage

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the long explanation of a diagnostic code (e.g. E0204).")

    @Argument(help: "A diagnostic code such as E0204, or 'all' to list every code.")
    var code: String

    func run() throws {
        if code.lowercased() == "all" {
            for entry in DiagnosticCodes.all { print("\(entry.code)  \(entry.title)") }
            return
        }
        guard let text = DiagnosticCodes.explanation(for: code.uppercased()) else {
            throw ValidationError("unknown diagnostic code '\(code)'; 'nnfeyn explain all' lists them")
        }
        print(text)
    }
}
