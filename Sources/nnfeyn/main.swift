// The nnfeyn command line. Each subcommand lives in its own file and does nothing but argument handling, files and
// printing; every error, from any command, becomes a coded diagnostic in one place (ErrorBoundary.swift).
import ArgumentParser
import Foundation

struct NNFeyn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nnfeyn",
        abstract: "Taylor expansions of multilayer perceptrons as Feynman-like diagrams.",
        discussion: """
        Describe an MLP in a .nn file (see grammar/README.md), or write one for a checkpoint with 'nnfeyn import',
        then expand it, check it, or list its diagrams:
          nnfeyn import mlp.safetensors --activation tanh -o model.nn
          nnfeyn expand model.nn --order 3
          nnfeyn check model.nn --order 3
          nnfeyn diagrams model.nn --order 4 --format latex
        Exit status: 0 on success, 1 for bad input (a diagnostic is printed), 2 when 'check' finds a mismatch.
        """,
        subcommands: [Import.self, Expand.self, Check.self, Diagrams.self, Born.self, QFT.self, Train.self, Bench.self, Explain.self]
    )
}

ErrorBoundary.run(NNFeyn.self)
