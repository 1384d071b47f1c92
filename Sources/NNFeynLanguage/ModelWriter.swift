// Writes a `Model` back as a model file plus its .npz of parameters (what `nnfeyn train` and `born iterate` produce).
//
// The text declares the architecture and points at the parameters by a path relative to the model file; the .npz
// holds `<layer>.weight` (width x fan-in, the PyTorch layout) and `<layer>.bias` as float64, each the nearest double
// of the exact value. The expansion point and poly coefficients stay exact in the text. Both files are staged and
// renamed into place together, the parameters first, so a reader never sees the new model beside old parameters.
import Foundation
import NNFeynAlgebra
import NNFeynIO
import NNFeynModel
import NNFeynNPZ

/// Writes models as `.nn` text plus a `.npz` of parameters.
public enum ModelWriter {
    /// Writes `model` (complete) to `modelPath` and its parameters to `parametersFileName`, resolved against the
    /// model file's directory (the path the text's `parameters` line names).
    public static func write(_ model: Model, to modelPath: String, parametersFileName: String) throws {
        let parametersPath = URL(fileURLWithPath: parametersFileName,
                                 relativeTo: URL(fileURLWithPath: modelPath).deletingLastPathComponent()).path
        try Files.write([(parametersPath, try parameters(of: model).encoded()),
                         (modelPath, Data(text(of: model, parametersFileName: parametersFileName).utf8))])
    }

    /// The model text, with a `parameters` line naming `parametersFileName`.
    public static func text(of model: Model, parametersFileName: String) -> String {
        let architecture = model.architecture
        var lines = ["# written by nnfeyn; parameters are in the .npz named below"]
        lines.append("network \(identifier(architecture.displayName))")
        lines.append("input \(architecture.input.name) : \(architecture.input.dimension)")
        let escaped = parametersFileName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        lines.append("parameters \"\(escaped)\"")
        if model.point.contains(where: { !$0.isZero }) {
            lines.append("at \(architecture.input.name) = [" + model.point.map(\.description).joined(separator: ", ") + "]")
        }
        for layer in architecture.layers {
            lines.append("dense \(layer.name) : \(layer.width) \(layer.activation.sourceForm)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The parameters as an archive: `<layer>.weight` (width x fanIn) and `<layer>.bias` (width), float64, the
    /// nearest double of each value. Layers without parameters are left out.
    public static func parameters(of model: Model) -> NPZArchive {
        var archive = NPZArchive()
        for (layer, given) in zip(model.architecture.layers, model.parameters) {
            guard let given else { continue }
            archive.set(layer.name + ".weight", DenseArray(shape: [layer.width, layer.fanIn], .float64(given.weight.nearest)))
            archive.set(layer.name + ".bias", DenseArray(vector: given.bias.nearest))
        }
        return archive
    }

    /// A name usable after `network`: ASCII letters, digits and underscores, not starting with a digit, not a keyword.
    static func identifier(_ name: String) -> String {
        var result = String(name.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" ? $0 : "_" })
        if result.isEmpty || result.first!.isNumber { result = "n" + result }
        if Lexer.keywords.contains(result) { result += "_" }
        return result
    }
}
