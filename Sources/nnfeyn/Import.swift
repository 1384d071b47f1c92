import ArgumentParser
import Foundation
import NNFeynDiagnostics
import NNFeynIO
import NNFeynLanguage

/// `nnfeyn import`: a model file for a file of tensors (a PyTorch state dict or Flax parameters saved as
/// safetensors, or an .npz), written so that `expand` accepts it as it is.
struct Import: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a model file (.nn) for a file of tensors: a PyTorch or Flax checkpoint saved as safetensors, or an .npz.",
        discussion: """
        The layers are the file's layer groups in the order of their numbers: PyTorch's '0.weight', '2.weight' \
        (nn.Sequential; parameter-free modules take numbers too), prefixed ones ('net.0.weight', \
        'model.layers.3.bias') and Flax's 'params/Dense_0/kernel' (stored (in, out), so read transposed). Widths \
        come from the shapes, which must chain.

        The model names each tensor with 'weight from' and 'bias from' and refers to the file by a path relative \
        to its own folder (to the current folder when written to standard output): nothing is copied. The output \
        layer is linear unless --activations names it.

          nnfeyn import mlp.safetensors --activation tanh -o mlp.nn
          nnfeyn expand mlp.nn --order 3 --at "0.5, -0.25" --format npz -o out.npz
        """)

    @Argument(help: "The file of tensors: .safetensors (told apart by its bytes) or .npz.")
    var weights: String

    @Option(help: ArgumentHelp("The activation of every hidden layer; the output layer is linear.", valueName: "activation"))
    var activation: String?

    @Option(help: ArgumentHelp("One activation per layer, comma-separated, the output layer's last (\"tanh,tanh,linear\").", valueName: "list"))
    var activations: String?

    @Option(help: "The name of the input.")
    var inputName = "x"

    @Option(name: .customLong("network"), help: ArgumentHelp("The network's name (default: from the file's name).", valueName: "name"))
    var networkName: String?

    @Option(name: .customLong("at"), parsing: .unconditional,
            help: ArgumentHelp("The expansion point written into the model: exact numbers, comma-separated (default: the origin).", valueName: "point"))
    var point: String?

    @Option(name: .shortAndLong, help: "Write the model to this file instead of standard output.")
    var output: String?

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let chosen: ImportOptions.Activations
        switch (activation, activations) {
        case (let one?, nil): chosen = .hidden(one)
        case (nil, let list?): chosen = .perLayer(list)
        case (nil, nil): throw ValidationError("give the activations: --activation A (every hidden layer; the output layer linear) or --activations a,b,...,linear")
        case (_?, _?): throw ValidationError("give --activation or --activations, not both")
        }
        guard weights != "-" else {
            throw ValidationError("the model references its file of tensors by its path, so it cannot be standard input")
        }
        let coordinates = try point.map(ModelOptions.parsePoint)
        let toFile = output.flatMap { $0 == "-" ? nil : $0 }
        if let toFile, Files.sameFile(toFile, weights) {
            throw Diagnostic(code: .overwritesInput, message: "'\(toFile)' would replace the input '\(weights)'", path: toFile,
                             help: "name the model file with -o, e.g. -o model.nn")
        }
        try checkOutput(toFile)

        let file = try ModelImport.open(weights)
        // The tensors' path as the model names it: relative to the model's folder (the current one on standard output).
        let current = FileManager.default.currentDirectoryPath
        let modelPath = toFile ?? "<stdout>"
        let folder = URL(fileURLWithPath: modelPath, relativeTo: URL(fileURLWithPath: current, isDirectory: true))
            .deletingLastPathComponent().path
        let target = URL(fileURLWithPath: weights, relativeTo: URL(fileURLWithPath: current, isDirectory: true)).path
        let options = ImportOptions(activations: chosen, inputName: inputName, networkName: networkName, point: coordinates)
        let text = try ModelImport.text(for: file, displayPath: weights,
                                        parametersPath: Files.relativePath(of: target, from: folder),
                                        modelPath: modelPath, options: options)
        try writeOutput(text, to: toFile)
    }
}
