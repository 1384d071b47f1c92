// Lowering's parameters: where each layer's weight and bias come from, and their values.
//
// A layer's array comes from its clause (inline values, 'bias none', or `from "KEY"`), else from the parameters file
// under nnfeyn's own name (`<layer>.weight`, `<layer>.bias`), else, for layers with neither weight nor bias named
// anywhere, from the file's layer groups in order when ParameterKeys finds them unambiguous. The file is an .npz or a
// safetensors file (TensorFile); a tensor's shape is checked from its header before its values are read, and a
// transposed weight is transposed exactly. Every problem is located: at the 'parameters' string for the file and for
// layers it cannot be matched to, at the key for a `from` clause, at the layer's name for its own or inferred arrays.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynNPZ

extension Lowering {
    /// Where one array of a layer comes from.
    enum ArraySource {
        /// Written in the model (a matrix, a vector or 'none').
        case inline
        /// A tensor of the parameters file; diagnostics about it point at `span`.
        case file(key: String, transposed: Bool, span: SourceSpan, naming: Naming)
        /// Nowhere yet.
        case missing

        var isMissing: Bool { if case .missing = self { true } else { false } }
    }

    /// How a tensor of the file was chosen.
    enum Naming {
        /// By a `from` clause.
        case explicit
        /// nnfeyn's own `<layer>.weight` or `<layer>.bias`.
        case own
        /// From the file's layer order.
        case inferred
    }

    /// A layer's name and sizes, for matching it to the file's layers.
    typealias SizedLayer = (name: String, width: Int, fanIn: Int)

    /// The parameters of every layer (nil for a layer a trainer initialises, and for one with a diagnostic), given
    /// each layer's width and fan-in. The layers are not copied: a model of many layers holds them once.
    mutating func layerParameters(_ layers: ChunkedArray<DenseNode>, widths: [Int], fanIns: [Int], input: NameNode,
                                  parameters: (path: String, span: SourceSpan)?) -> [LayerParameters?] {
        let failuresBefore = diagnosticCount
        let file = parameters.flatMap { openParameters($0.path, span: $0.span) }
        // When the file could not be read, the arrays it would have given are not reported missing as well.
        let fileFailed = diagnosticCount > failuresBefore

        // Clauses first, then nnfeyn's own names.
        var weights: [ArraySource] = [], biases: [ArraySource] = []
        for layer in layers {
            switch layer.weight?.value {
            case .matrix: weights.append(.inline)
            case .file(let reference):
                weights.append(.file(key: reference.key, transposed: reference.transposed, span: reference.span, naming: .explicit))
            case nil: weights.append(ownSource(layer.name.text + ".weight", of: layer, in: file))
            }
            switch layer.bias?.value {
            case .vector, .zero: biases.append(.inline)
            case .file(let reference):
                biases.append(.file(key: reference.key, transposed: false, span: reference.span, naming: .explicit))
            case nil: biases.append(ownSource(layer.name.text + ".bias", of: layer, in: file))
            }
        }

        // Layers with neither array named anywhere take the file's layer groups in order, when those fit.
        let pending = layers.indices.filter { weights[$0].isMissing && biases[$0].isMissing }
        var inferenceReported = false
        if let file, let parameters, !pending.isEmpty {
            let used = Set((weights + biases).compactMap { source -> String? in
                if case .file(let key, _, _, _) = source { return key } else { return nil }
            })
            let candidates = file.names.filter { ParameterKeys.isLayerTensor($0) && !used.contains($0) }
            // A file with nothing that looks like a layer says nothing about order: its layers are reported missing.
            if !candidates.isEmpty {
                switch inferSources(for: pending.map { (layers[$0].name.text, widths[$0], fanIns[$0]) }, candidates: candidates, excluding: used, in: file,
                                    parameters: parameters) {
                case .some(let sources):
                    for (k, source) in zip(pending, sources) {
                        let span = layers[k].name.span
                        weights[k] = .file(key: source.weight, transposed: source.transposed, span: span, naming: .inferred)
                        biases[k] = source.bias.map { .file(key: $0, transposed: false, span: span, naming: .inferred) } ?? .inline
                    }
                case .none:
                    inferenceReported = true
                }
            }
        }

        var built: [LayerParameters?] = []
        for (k, layer) in layers.enumerated() {
            let width = widths[k], fanIn = fanIns[k]
            if weights[k].isMissing && biases[k].isMissing {
                // A trainer initialises this layer; or it was reported already (the file, or its layer order).
                if !options.allowMissingParameters && !fileFailed && !inferenceReported {
                    if let file {
                        reportMissingMember(layer.name.text + ".weight", of: layer, in: file, parameters: parameters, suggestion: nil)
                        reportMissingMember(layer.name.text + ".bias", of: layer, in: file, parameters: parameters, suggestion: nil)
                    } else {
                        reportNoValues("weight and no bias", of: layer)
                    }
                }
                built.append(nil)
                continue
            }
            let fanInSource = k == 0 ? "the dimension of input '\(q(input.text))'" : "the width of layer '\(q(layers[k - 1].name.text))'"
            var weight: ParameterArray?
            switch (weights[k], layer.weight?.value) {
            case (.inline, .matrix(let matrix)?):
                weight = checkInlineWeight(matrix, layer: layer.name.text, width: width, fanIn: fanIn, fanInSource: fanInSource)
            case (.file(let key, let transposed, let span, let naming), _):
                weight = fileValues(key, transposed: transposed, shape: [width, fanIn], at: span, naming: naming,
                                    of: layer, in: file, fileFailed: fileFailed, parameters: parameters)
            default:
                reportAbsent("weight", of: layer, in: file, fileFailed: fileFailed, parameters: parameters, sibling: nil)
            }
            var bias: ParameterArray?
            switch (biases[k], layer.bias?.value) {
            case (.inline, .vector(let vector)?):
                bias = vector.values
                if vector.count != width {
                    error(DiagnosticCode.biasLengthMismatch,
                          "the bias of layer '\(q(layer.name.text))' has \(vector.count) \(Lowering.plural(vector.count, "entry", "entries")) but the layer's width is \(width)",
                          at: vector.span, help: "a bias has one entry per neuron")
                    bias = nil
                }
            case (.inline, _):
                // 'bias none', or an inferred layer without a bias (PyTorch's bias=False).
                bias = .zeros(width)
            case (.file(let key, _, let span, let naming), _):
                bias = fileValues(key, transposed: false, shape: [width], at: span, naming: naming,
                                  of: layer, in: file, fileFailed: fileFailed, parameters: parameters)
            case (.missing, _):
                var sibling: String?
                if case .file(let key, _, _, .explicit) = weights[k], let (group, _) = ParameterKeys.split(key) {
                    sibling = [group + ".bias", group + "/bias"].first { file?.contains($0) == true }
                }
                reportAbsent("bias", of: layer, in: file, fileFailed: fileFailed, parameters: parameters, sibling: sibling)
            }
            built.append(weight.flatMap { w in bias.map { LayerParameters(weight: w, bias: $0) } })
        }
        return built
    }

    /// `.file` when the parameters file holds nnfeyn's own name for this array, `.missing` otherwise.
    func ownSource(_ key: String, of layer: DenseNode, in file: (any TensorFile)?) -> ArraySource {
        file?.contains(key) == true ? .file(key: key, transposed: false, span: layer.name.span, naming: .own) : .missing
    }

    /// The file's layer groups for the pending layers, or nil after reporting why there are none (E0222 for a
    /// header that cannot be read, E0228 for a file that does not fit); with `allowMissingParameters` a file that
    /// does not fit is not an error (the trainer initialises those layers).
    mutating func inferSources(for pending: [SizedLayer], candidates: [String], excluding used: Set<String>,
                               in file: any TensorFile, parameters: (path: String, span: SourceSpan)) -> [LayerSource]? {
        var headers: [TensorHeader] = []
        for name in candidates {
            do {
                headers.append(try file.tensorHeader(name))
            } catch {
                self.error(.memberValues, "cannot use array '\(q(name))' of the parameters file", at: parameters.span,
                           notes: ["\(error)"])
                return nil
            }
        }
        do {
            return try ParameterKeys.inferredSources(for: pending,
                                                     tensors: headers, excluding: used)
        } catch {
            guard !options.allowMissingParameters else { return nil }
            let names = pending.map { "'\(q($0.name))'" }
            let which = names.count == 1 ? "layer " + names[0]
                : "layers " + names.prefix(6).joined(separator: ", ") + (names.count > 6 ? ", ..." : "")
            self.error(.parameterKeys, "cannot tell which tensors of the parameters file belong to \(which)",
                       at: parameters.span,
                       help: "name them under each layer: 'weight from \"KEY\"' (add 'transposed' for a (fan-in, width) kernel) and 'bias from \"KEY\"'",
                       notes: ["the file does not fit: \(error.description)", "the file holds \(ParameterKeys.listing(file))"])
            return nil
        }
    }

    /// The values of a tensor of the file as the layer's `shape` (the tensor stored the other way round when
    /// `transposed`), exactly; nil after a diagnostic at `span`.
    mutating func fileValues(_ key: String, transposed: Bool, shape: [Int], at span: SourceSpan, naming: Naming,
                             of layer: DenseNode, in file: (any TensorFile)?, fileFailed: Bool,
                             parameters: (path: String, span: SourceSpan)?) -> ParameterArray? {
        guard let file else {
            // Only a 'from' clause names a tensor without a file to find it in.
            if !fileFailed {
                error(.missingParameters, "'from \"\(q(key))\"' names a tensor, but the model has no parameters file",
                      at: span, help: "name the file with 'parameters \"FILE\"' (.npz or .safetensors)")
            }
            return nil
        }
        guard file.contains(key) else {
            reportMissingMember(key, of: layer, in: file, parameters: parameters, suggestion: nil, at: span)
            return nil
        }
        let stored = transposed ? Array(shape.reversed()) : shape
        let header: TensorHeader
        do { header = try file.tensorHeader(key) } catch {
            self.error(.memberValues, "cannot use array '\(q(key))' of the parameters file", at: span, notes: ["\(error)"])
            return nil
        }
        guard header.shape == stored else {
            let looksTransposed = shape.count == 2 && header.shape == stored.reversed()
            let help: String
            switch (naming, looksTransposed, transposed) {
            case (.explicit, true, false): help = "it looks transposed (fan-in, width): write 'from \"\(q(key))\" transposed'"
            case (.explicit, true, true): help = "it is stored (width, fan-in): remove 'transposed'"
            case (.explicit, false, true): help = "'transposed' reads a (fan-in, width) matrix"
            case (_, true, _): help = "it looks transposed: a weight is (width, fan-in), PyTorch's layout"
            default: help = shape.count == 2 ? "a weight is (width, fan-in), PyTorch's layout" : "a bias is (width,)"
            }
            error(.memberShape, "array '\(q(key))' has shape \(ParameterKeys.shapeText(header.shape)), expected \(ParameterKeys.shapeText(stored))",
                  at: span, help: help, notes: ["the parameters file holds \(ParameterKeys.listing(file))"])
            return nil
        }
        let array: DenseArray
        do { array = try file.array(key) } catch {
            self.error(.memberValues, "cannot use array '\(q(key))' of the parameters file", at: span, notes: ["\(error)"])
            return nil
        }
        // Integers beyond 2^53 keep their exact values (an exact run uses them; a numeric one, their nearest doubles).
        guard let values = ParameterArray(transposed ? array.axesReversed() : array) else {
            let doubles = array.doubles ?? []
            let i = doubles.firstIndex(where: { !$0.isFinite }) ?? 0
            let index = stored.count == 2 && stored[1] > 0 ? "[\(i / stored[1]), \(i % stored[1])]" : "[\(i)]"
            error(.memberValues, "array '\(q(key))' holds \(doubles.isEmpty ? "text" : "\(doubles[i])") at \(index)",
                  at: span, help: "parameters must be finite numbers")
            return nil
        }
        return values
    }

    /// Reports a layer's array that nothing provides: missing from the file (E0220) or without a file (E0218).
    mutating func reportAbsent(_ what: String, of layer: DenseNode, in file: (any TensorFile)?, fileFailed: Bool,
                               parameters: (path: String, span: SourceSpan)?, sibling: String?) {
        if let file {
            reportMissingMember(layer.name.text + "." + what, of: layer, in: file, parameters: parameters,
                                suggestion: sibling.map { "did you mean '\(what) from \"\(q($0))\"'?" })
        } else if !fileFailed {
            reportNoValues(what, of: layer)
        }
    }

    /// Reports a tensor the layer needs that the file does not have (E0220), at `span` (the layer's name when nil).
    mutating func reportMissingMember(_ member: String, of layer: DenseNode, in file: any TensorFile,
                                      parameters: (path: String, span: SourceSpan)?, suggestion: String?,
                                      at span: SourceSpan? = nil) {
        let available = file.names
        let listed = available.isEmpty ? "no arrays"
            : "the arrays " + available.prefix(10).map { "'\(q($0))'" }.joined(separator: ", ") + (available.count > 10 ? ", ..." : "")
        error(DiagnosticCode.missingMember, "no array '\(q(member))' in the parameters file for layer '\(q(layer.name.text))'",
              at: span ?? layer.name.span,
              help: suggestion ?? Spelling.closest(to: member, among: available).map { "did you mean '\(q($0))'?" }
                  ?? "add the array to the file, or write the values inline under the layer",
              notes: ["the parameters file (line \(parameters.map { line(of: $0.span) } ?? 0)) has \(listed)"])
    }

    /// Reports a layer without values for `what` ("weight", "bias" or both) and no parameters file (E0218).
    mutating func reportNoValues(_ what: String, of layer: DenseNode) {
        let inline = what == "bias" ? "'bias [...]' or 'bias none'"
            : what == "weight" ? "'weight [[...]]'" : "'weight [[...]]' and 'bias [...]' (or 'bias none')"
        error(DiagnosticCode.missingParameters, "layer '\(q(layer.name.text))' has no \(what)", at: layer.name.span,
              help: "write \(inline) under the layer, or name a file of tensors with 'parameters \"FILE\"' (.npz or .safetensors)")
    }

    /// Opens the parameters file, reporting at the path string; nil when it is absent or unreadable.
    mutating func openParameters(_ path: String, span: SourceSpan) -> (any TensorFile)? {
        guard !path.isEmpty else {
            error(DiagnosticCode.unreadableParameters, "the parameters file name is empty", at: span)
            return nil
        }
        let url = Lowering.resolve(path, relativeTo: file.path)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            // A trainer may be about to create this file.
            if options.allowMissingParameters { return nil }
            error(DiagnosticCode.unreadableParameters, "parameters file '\(q(path))' not found", at: span,
                  help: file.path == "<stdin>" ? "a model read from standard input resolves a relative path against the current directory"
                                               : "a relative path is resolved against the model file's directory",
                  notes: ["looked for '\(q(Lowering.displayPath(path, relativeTo: file.path)))'"])
            return nil
        }
        if isDirectory.boolValue {
            error(DiagnosticCode.unreadableParameters, "parameters file '\(q(path))' is a directory", at: span)
            return nil
        }
        // Messages name the path as the user wrote it, not an absolute one.
        let shownPath = q(Lowering.displayPath(path, relativeTo: file.path))
        do throws(TensorFileError) {
            return try TensorFiles.open(url, displayPath: shownPath)
        } catch .pytorch(_, let what) {
            error(DiagnosticCode.pytorchCheckpoint, "parameters file '\(q(path))' is \(what)", at: span,
                  help: TensorFiles.pytorchAdvice,
                  notes: ["nnfeyn reads \(TensorFiles.formats); it never unpickles, since unpickling runs code"])
        } catch {
            self.error(DiagnosticCode.unreadableParameters, "cannot read parameters file '\(q(path))'", at: span,
                       notes: [error.description])
        }
        return nil
    }
}
