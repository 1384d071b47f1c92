// Which tensors of a parameters file belong to which dense layer, for files written by PyTorch, JAX/Flax or nnfeyn.
//
// A layer takes its weight and bias, in this order of preference, from
//   1. the names its `weight from "..."` / `bias from "..."` clauses give;
//   2. nnfeyn's own names, `<layer>.weight` and `<layer>.bias`;
//   3. the file's layer groups in order, when the file is unambiguous: its tensor names split into a group prefix and
//      a role (weight, kernel or bias; `.` or `/` separated), the groups are ordered by the number in their prefix
//      (`0`, `net.2`, `model.layers.3`, `params/Dense_1`), there are exactly as many groups as layers still needing
//      parameters, and the shapes chain from the input to the output. PyTorch stores a weight (out, in); Flax stores a
//      kernel (in, out), which is transposed.
// Anything else is a diagnostic that lists what the file holds.

/// One tensor of a parameters file: its name and shape.
public struct ParameterTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// Where one layer's parameters come from.
public struct LayerSource: Sendable, Equatable {
    public var weight: String?
    /// The weight is stored (fanIn, width): a Flax kernel.
    public var transposed: Bool
    public var bias: String?
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

    /// Sources for the layers without explicit names (`pending`), in order, from the file's groups: nil when the
    /// file is not unambiguous for them (the caller reports what the file holds).
    public static func inferredSources(for layers: [(width: Int, fanIn: Int)], tensors: [ParameterTensor],
                                       excluding used: Set<String> = []) -> [LayerSource]? {
        var groups: [String: (weight: ParameterTensor?, kernel: ParameterTensor?, bias: ParameterTensor?)] = [:]
        for tensor in tensors where !used.contains(tensor.name) {
            guard let (group, role) = split(tensor.name) else { continue }
            var entry = groups[group] ?? (nil, nil, nil)
            switch role {
            case "weight": entry.weight = tensor
            case "kernel": entry.kernel = tensor
            default: entry.bias = tensor
            }
            groups[group] = entry
        }
        // Only groups that hold a weight or a kernel are layers (a lone bias is not).
        let layerGroups = groups.filter { $0.value.weight != nil || $0.value.kernel != nil }
        guard layerGroups.count == layers.count else { return nil }
        // Every group needs an index, and indices must order the groups unambiguously.
        var ordered: [(index: Int, group: String)] = []
        for group in layerGroups.keys {
            guard let i = index(of: group) else { return nil }
            ordered.append((i, group))
        }
        ordered.sort { ($0.index, $0.group) < ($1.index, $1.group) }
        guard Set(ordered.map(\.index)).count == ordered.count else { return nil }
        var sources: [LayerSource] = []
        for ((_, group), layer) in zip(ordered, layers) {
            guard let entry = groups[group], (entry.weight == nil) != (entry.kernel == nil) else { return nil }
            if let weight = entry.weight {
                guard weight.shape == [layer.width, layer.fanIn] else { return nil }
                sources.append(LayerSource(weight: weight.name, transposed: false, bias: entry.bias?.name))
            } else if let kernel = entry.kernel {
                guard kernel.shape == [layer.fanIn, layer.width] else { return nil }
                sources.append(LayerSource(weight: kernel.name, transposed: true, bias: entry.bias?.name))
            }
            if let bias = entry.bias, bias.shape != [layer.width] { return nil }
        }
        return sources
    }

    /// A short list of what a file holds, for diagnostics: name and shape of each tensor, sorted by name.
    public static func listing(_ tensors: [ParameterTensor], limit: Int = 12) -> String {
        let sorted = tensors.sorted { $0.name < $1.name }
        let shown = sorted.prefix(limit).map { "'\($0.name)' " + shapeText($0.shape) }
        return shown.joined(separator: ", ") + (sorted.count > limit ? ", ... (\(sorted.count) in all)" : "")
    }

    /// NumPy's way of writing a shape: (3,), (3, 2).
    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
