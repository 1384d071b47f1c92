// Writes a `Network` back as a model file plus its .npz of parameters (what `nnfeyn train` produces).
//
// The text declares the architecture and points at the parameters by a path relative to the model file; the .npz
// holds `<layer>.weight` (width x fan-in, the PyTorch layout) and `<layer>.bias` as float64, each the nearest double
// of the exact rational. The expansion point and poly coefficients stay exact in the text.
import Foundation
import NNFeynAlgebra
import NNFeynNPZ

/// Writes networks as `.nn` text plus a `.npz` of parameters.
public enum ModelWriter {
    /// Writes `network` to `modelPath` and its parameters to `parametersFileName`, resolved against the model
    /// file's directory (the path the text's `parameters` line names).
    public static func write(_ network: Network, to modelPath: String, parametersFileName: String) throws {
        let modelURL = URL(fileURLWithPath: modelPath)
        let parametersURL = URL(fileURLWithPath: parametersFileName, relativeTo: modelURL.deletingLastPathComponent())
        try parameters(of: network).write(to: parametersURL)
        try Data(text(of: network, parametersFileName: parametersFileName).utf8).write(to: modelURL)
    }

    /// The model text, with a `parameters` line naming `parametersFileName`.
    public static func text(of network: Network, parametersFileName: String) -> String {
        var lines = ["# written by nnfeyn; parameters are in the .npz named below"]
        lines.append("network \(identifier(network.displayName))")
        lines.append("input \(network.input.name) : \(network.input.dimension)")
        let escaped = parametersFileName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        lines.append("parameters \"\(escaped)\"")
        if network.point.contains(where: { !$0.isZero }) {
            lines.append("at \(network.input.name) = [" + network.point.map(\.description).joined(separator: ", ") + "]")
        }
        for layer in network.layers {
            lines.append("dense \(layer.name) : \(layer.width) \(layer.activation.sourceForm)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The parameters as an archive: `<layer>.weight` (width x fanIn) and `<layer>.bias` (width), float64.
    public static func parameters(of network: Network) -> NPZArchive {
        var archive = NPZArchive()
        for layer in network.layers {
            archive.set(layer.name + ".weight",
                        NDArray(shape: [layer.width, layer.fanIn], values: layer.weight.flatMap { $0.map(\.doubleValue) }))
            archive.set(layer.name + ".bias", NDArray(vector: layer.bias.map(\.doubleValue)))
        }
        return archive
    }

    /// A name usable after `network`: letters, digits and underscores, not starting with a digit.
    static func identifier(_ name: String) -> String {
        var result = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if result.isEmpty || result.first!.isNumber { result = "n" + result }
        return result
    }
}
