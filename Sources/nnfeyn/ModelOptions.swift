// Arguments shared by the commands that read a model and expand it.
import ArgumentParser
import NNFeynEval
import NNFeynLanguage

/// The model file and the order.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model file (.nn).")
    var model: String

    // Unconditional parsing: '--order -1' reaches our own check (E0301) instead of looking like a flag.
    @Option(name: [.customLong("order"), .customShort("n")], parsing: .unconditional, help: "The highest derivative order (0 = the value only).")
    var order: String = "3"

    @Option(help: "Refuse expansions whose estimated cost (multiply-adds or bytes) exceeds this.")
    var limit: Int = Expander.defaultLimit

    /// The order as an integer, or E0301.
    func parsedOrder() throws -> Int {
        guard let value = Int(order.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw Diagnostic(code: "E0301", message: "the order must be a whole number 0 or more, not '\(order)'",
                             help: "for example --order 3")
        }
        return value
    }

    /// Loads and checks the model.
    func load() throws -> Network { try ModelLoader.load(path: model) }
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

/// Output format of expansions and diagram listings.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case latex
}
