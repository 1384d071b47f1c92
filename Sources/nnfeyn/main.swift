// The nnfeyn command line. Each subcommand lives in its own file and does nothing but argument handling and printing;
// errors become diagnostics and exit codes in one place (CLISupport.swift).
import ArgumentParser
import Foundation

struct NNFeyn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnfeyn",
        abstract: "Taylor expansions of multilayer perceptrons as Feynman-like diagrams.",
        discussion: """
        Describe an MLP in a .nn file (see grammar/README.md), then expand it, check it, or list its diagrams:
          nnfeyn expand model.nn --order 3
          nnfeyn check model.nn --order 3
          nnfeyn diagrams model.nn --order 4 --format latex
        Exit status: 0 on success, 1 for bad input (a diagnostic is printed), 2 when 'check' finds a mismatch.
        """,
        subcommands: [Expand.self, Check.self, Diagrams.self, Born.self, QFT.self, Train.self, Bench.self, Explain.self]
    )
}

// Usage errors are bad input too: print ArgumentParser's message, exit 1 like every other diagnostic.
do {
    var command = try NNFeyn.parseAsRoot()
    try command.run()
} catch {
    let code = NNFeyn.exitCode(for: error)
    if code == .validationFailure {
        // Same header as every other diagnostic, then ArgumentParser's usage line.
        let message = NNFeyn.message(for: error)
        let lowered = message.prefix(1).lowercased() + message.dropFirst()
        printError("error[E0108]: " + lowered)
        let full = NNFeyn.fullMessage(for: error)
        if let usage = full.range(of: "Usage:") { printError(String(full[usage.lowerBound...])) }
        exit(1)
    }
    NNFeyn.exit(withError: error)
}
