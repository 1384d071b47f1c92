// Writes a `Model` back as a model file plus its .npz of parameters (what `nnfeyn train` and `born iterate` produce).
//
// The text declares the architecture and points at the parameters by a path relative to the model file; the .npz
// holds `<layer>.weight` (width x fan-in, the PyTorch layout) and `<layer>.bias` as float64, each the nearest double
// of the exact value. The expansion point and poly coefficients stay exact in the text.
//
// Two renames are never atomic together, so the pair is replaced without renaming over anything the old model
// names: the parameters go to a new file named by their content (`<stem>.<16 hex digits>.npz`), the model is renamed
// over the old model last, and only then are the old parameters removed. Whenever the process dies, the model file
// on disk names complete parameters that are its own (at worst an unreferenced .npz is left behind).
import Foundation
import NNFeynAlgebra
import NNFeynIO
import NNFeynModel
import NNFeynNPZ

/// Writes models as `.nn` text plus a `.npz` of parameters.
public enum ModelWriter {
    /// Writes `model` (complete) to `modelPath` and its parameters beside it; returns the parameters' file name.
    @discardableResult
    public static func write(_ model: Model, to modelPath: String) throws -> String {
        let data = try parameters(of: model).encoded()
        let stem = ((modelPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let name = parametersFileName(stem: stem, data: data)
        let directory = URL(fileURLWithPath: modelPath).deletingLastPathComponent()
        let previous = previousParameters(of: modelPath, stem: stem)
        try Files.write(data, to: directory.appendingPathComponent(name).path)
        try Files.write(Data(text(of: model, parametersFileName: name).utf8), to: modelPath)
        if let previous, previous != name { unlink(directory.appendingPathComponent(previous).path) }
        return name
    }

    /// `<stem>.<16 hex digits of a 64-bit FNV-1a hash of the bytes>.npz`: a new name for new parameters, the same
    /// name (and the same bytes) for the same ones.
    static func parametersFileName(stem: String, data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return stem + "." + String(repeating: "0", count: 16 - hex.count) + hex + ".npz"
    }

    /// The parameters file an existing model at `path` names, if nnfeyn wrote it for this model: in the same
    /// directory, named `<stem>.npz` or `<stem>.<16 hex digits>.npz`. Anything else is the user's and is kept.
    static func previousParameters(of path: String, stem: String) -> String? {
        guard let data = try? Files.read(path, limit: 1 << 20), let text = String(data: data, encoding: .utf8),
              text.hasPrefix(header) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("parameters \"") && line.hasSuffix("\"") {
            let name = String(line.dropFirst("parameters \"".count).dropLast())
            let suffix = name.hasPrefix(stem + ".") ? name.dropFirst(stem.count + 1) : ""
            let hexDigits = suffix.hasSuffix(".npz") ? suffix.dropLast(4) : ""
            if name == stem + ".npz" || (hexDigits.count == 16 && hexDigits.allSatisfy(\.isHexDigit)) { return name }
        }
        return nil
    }

    /// The first line of every model file nnfeyn writes.
    static let header = "# written by nnfeyn; parameters are in the .npz named below"

    /// The model text, with a `parameters` line naming `parametersFileName`.
    public static func text(of model: Model, parametersFileName: String) -> String {
        let architecture = model.architecture
        var lines = [header]
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
