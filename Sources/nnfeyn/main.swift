// Minimal root command of the phys worktree, to try `born`, `train` and `bench`; the root command proper is
// written on another branch and registers these subcommands.
import ArgumentParser

struct NNFeyn: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nnfeyn", subcommands: [Born.self, Train.self, Bench.self])
}

NNFeyn.main()
