// Which tensors of a parameters file belong to which dense layer, for files written by PyTorch, JAX/Flax or nnfeyn.
//
// A layer takes its weight and bias, in this order of preference, from
//   1. the names its `weight from "..."` / `bias from "..."` clauses give;
//   2. nnfeyn's own names, `<layer>.weight` and `<layer>.bias`;
//   3. the file's layer groups in order, when the file is unambiguous: its tensor names split into a group prefix and
//      a role (weight, kernel or bias; `.` or `/` separated), the groups are ordered by the number in their prefix
//      (`0`, `net.2`, `model.layers.3`, `params/Dense_1`), there are exactly as many groups as layers still needing
//      parameters, and each group's shapes are its layer's. PyTorch stores a weight (out, in); Flax stores a kernel
//      (in, out), which is transposed.
// Anything else is a diagnostic that lists what the file holds. Lowering does 1 and 2; this file does 3, and, for
// `nnfeyn import`, reads the layers themselves (widths from the shapes, which must chain) out of a file.
import NNFeynDiagnostics
import NNFeynNPZ

/// Where one layer's parameters come from.
public struct LayerSource: Sendable, Equatable {
    public var weight: String
    /// The weight is stored (fanIn, width): a Flax kernel.
    public var transposed: Bool
    /// Nil for a layer without a bias (PyTorch's `Linear(..., bias=False)`): a zero bias.
    public var bias: String?
}

/// One layer group of a file, in order: its prefix, its sizes and its tensors.
public struct FileLayer: Sendable, Equatable {
    /// The group prefix: `0`, `net.2`, `params/Dense_1`.
    public var group: String
    public var width: Int
    public var fanIn: Int
    public var source: LayerSource
}

/// Why a file's tensors cannot be matched to layers; `description` is a lowercase clause for a note.
public struct KeyMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Matches a file's tensors to layers.
public enum ParameterKeys {
    /// The role a tensor name ends in, and the group prefix before it.
    static func split(_ name: String) -> (group: String, role: String)? {
        guard let cut = name.lastIndex(where: { $0 == "." || $0 == "/" }) else { return nil }
        let role = String(name[name.index(after: cut)...])
        guard ["weight", "kernel", "bias"].contains(role) else { return nil }
        return (String(name[..<cut]), role)
    }

    /// Whether a tensor name is one a layer group could hold (ends in a role).
    public static func isLayerTensor(_ name: String) -> Bool { split(name) != nil }

    /// The number that orders a group: the last run of digits in its prefix (`layers.3` -> 3, `Dense_12` -> 12).
    static func index(of group: String) -> Int? {
        var digits = ""
        var result: Int?
        for c in group {
            if c.isASCII && c.isNumber { digits.append(c) } else if !digits.isEmpty { result = Int(digits); digits = "" }
        }
        if !digits.isEmpty { result = Int(digits) }
        return result
    }

    /// The file's layer groups, ordered by their numbers, each with a matrix weight (or kernel) and a bias that fits
    /// it. Tensors whose names end in no role are not looked at. Throws when the groups cannot be told apart.
    public static func groups(in tensors: [TensorHeader]) throws(KeyMismatch) -> [FileLayer] {
        var found: [String: (weight: TensorHeader?, kernel: TensorHeader?, bias: TensorHeader?)] = [:]
        for tensor in tensors {
            guard let (group, role) = split(tensor.name) else { continue }
            var entry = found[group] ?? (nil, nil, nil)
            switch role {
            case "weight": entry.weight = tensor
            case "kernel": entry.kernel = tensor
            default: entry.bias = tensor
            }
            found[group] = entry
        }
        // Only groups that hold a weight or a kernel are layers (a lone bias is not).
        let layerGroups = found.filter { $0.value.weight != nil || $0.value.kernel != nil }
        guard !layerGroups.isEmpty else {
            throw KeyMismatch(description: "it holds no tensor named like a layer's weight ('<prefix>.weight' or '<prefix>/kernel')")
        }
        var ordered: [(index: Int, group: String)] = []
        for group in layerGroups.keys.sorted() {
            guard let i = index(of: group) else {
                throw KeyMismatch(description: "layer '\(q(group))' has no number in its name, so the layers cannot be put in order")
            }
            if let twin = ordered.first(where: { $0.index == i }) {
                throw KeyMismatch(description: "layers '\(q(twin.group))' and '\(q(group))' have the same number, \(i), so the layers cannot be put in order")
            }
            ordered.append((i, group))
        }
        ordered.sort { $0.index < $1.index }
        return try ordered.map { (_, group) throws(KeyMismatch) -> FileLayer in
            let entry = found[group]!
            if let weight = entry.weight, let kernel = entry.kernel {
                throw KeyMismatch(description: "layer '\(q(group))' has both '\(q(weight.name))' and '\(q(kernel.name))'")
            }
            let matrix = entry.weight ?? entry.kernel!
            guard matrix.shape.count == 2 else {
                throw KeyMismatch(description: "'\(q(matrix.name))' has shape \(shapeText(matrix.shape)), not a matrix")
            }
            let transposed = entry.kernel != nil
            let (width, fanIn) = transposed ? (matrix.shape[1], matrix.shape[0]) : (matrix.shape[0], matrix.shape[1])
            if let bias = entry.bias, bias.shape != [width] {
                throw KeyMismatch(description: "'\(q(bias.name))' has shape \(shapeText(bias.shape)) but '\(q(matrix.name))' is \(shapeText(matrix.shape)), a layer of width \(width)")
            }
            return FileLayer(group: group, width: width, fanIn: fanIn,
                             source: LayerSource(weight: matrix.name, transposed: transposed, bias: entry.bias?.name))
        }
    }

    /// The network a file describes: its layer groups, whose shapes must chain (each layer's fan-in is the width of
    /// the one before).
    public static func layers(in tensors: [TensorHeader]) throws(KeyMismatch) -> [FileLayer] {
        let layers = try groups(in: tensors)
        for (below, layer) in zip(layers, layers.dropFirst()) where layer.fanIn != below.width {
            throw KeyMismatch(description: "the shapes do not chain: '\(q(layer.source.weight))' takes \(layer.fanIn) inputs but layer '\(q(below.group))' gives \(below.width)")
        }
        return layers
    }

    /// Sources for `layers` (those still needing parameters, in order) from the file's groups, leaving out the
    /// tensors in `used`. Throws when the file is not unambiguous for them (the caller lists what the file holds).
    public static func inferredSources(for layers: [(name: String, width: Int, fanIn: Int)], tensors: [TensorHeader],
                                       excluding used: Set<String> = []) throws(KeyMismatch) -> [LayerSource] {
        let groups = try groups(in: tensors.filter { !used.contains($0.name) })
        guard groups.count == layers.count else {
            throw KeyMismatch(description: "it holds \(groups.count) \(groups.count == 1 ? "layer" : "layers") (\(listed(groups.map(\.group)))) for the \(layers.count) \(layers.count == 1 ? "layer" : "layers") without parameters (\(listed(layers.map(\.name))))")
        }
        return try zip(groups, layers).map { (group, layer) throws(KeyMismatch) -> LayerSource in
            guard group.width == layer.width, group.fanIn == layer.fanIn else {
                throw KeyMismatch(description: "layer '\(q(group.group))' of the file is \(group.width) x \(group.fanIn) (width x fan-in) but layer '\(q(layer.name))' is \(layer.width) x \(layer.fanIn)")
            }
            return group.source
        }
    }

    /// A short list of what a file holds, for diagnostics: name, shape and dtype of each tensor, sorted by name
    /// (the headers of the first `limit` only are read; one that cannot be read is listed as such).
    public static func listing(_ file: any TensorFile, limit: Int = 12) -> String {
        let names = file.names
        guard !names.isEmpty else { return "no tensors" }
        let shown = names.prefix(limit).map { name in
            let described: String
            do {
                let header = try file.tensorHeader(name)
                described = shapeText(header.shape) + " " + dtypeName(header.dtype)
            } catch NPZError.unsupportedType(_, let dtype) {
                described = "(not numbers: dtype '\(q(dtype))')"
            } catch {
                described = "(unreadable)"
            }
            return "'\(q(name))' " + described
        }
        return shown.joined(separator: ", ") + (names.count > limit ? ", ... (\(names.count) in all)" : "")
    }

    /// A dtype as NumPy names it, whichever format spelled it ("<f8" and "F64" are float64); others as spelled.
    static func dtypeName(_ dtype: String) -> String {
        let names = ["<f8": "float64", "F64": "float64", "<f4": "float32", "F32": "float32", "<f2": "float16",
                     "F16": "float16", "BF16": "bfloat16", "<i8": "int64", "I64": "int64", "<i4": "int32",
                     "I32": "int32", "<i2": "int16", "I16": "int16", "|i1": "int8", "I8": "int8", "<u8": "uint64",
                     "U64": "uint64", "<u4": "uint32", "U32": "uint32", "<u2": "uint16", "U16": "uint16",
                     "|u1": "uint8", "U8": "uint8", "|b1": "bool", "BOOL": "bool"]
        return names[dtype] ?? dtype
    }

    /// Names as a message lists them: quoted, at most eight.
    static func listed(_ names: [String]) -> String {
        names.prefix(8).map { "'\(q($0))'" }.joined(separator: ", ") + (names.count > 8 ? ", ..." : "")
    }

    /// A name from the file as a message quotes it (a long one shortened).
    static func q(_ name: String) -> String { Diagnostic.quoted(name) }

    /// NumPy's way of writing a shape: (3,), (3, 2), () for a scalar.
    public static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
