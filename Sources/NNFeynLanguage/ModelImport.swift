// `nnfeyn import`: the model file for a file of tensors. The layers are the file's layer groups (ParameterKeys: the
// same conventions a model's own parameters file is read with), widths come from the shapes, which must chain, and
// the tensors are referenced, never copied: the text names the file, and `from` clauses name the tensors where they are
// not nnfeyn's own `<layer>.weight` and `<layer>.bias`. Activations are parsed by the language's own parser, so a
// wrong one is reported at its place on the command line. The text is loaded back, against the real file, before
// anyone writes it: what `import` produces, `expand` accepts.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynNPZ

/// What a model written by `import` declares besides its layers.
public struct ImportOptions: Sendable {
    /// Activations: one for every hidden layer (the output layer is linear), or one per layer.
    public enum Activations: Sendable {
        /// The text after --activation.
        case hidden(String)
        /// The text after --activations: comma-separated, the output layer's last.
        case perLayer(String)
    }

    public var activations: Activations
    public var inputName: String
    /// The name after `network`; nil: one made from the file's name.
    public var networkName: String?
    /// The expansion point; nil: the origin.
    public var point: [Rational]?

    public init(activations: Activations, inputName: String = "x", networkName: String? = nil, point: [Rational]? = nil) {
        self.activations = activations
        self.inputName = inputName
        self.networkName = networkName
        self.point = point
    }
}

/// Writes model files for files of tensors.
public enum ModelImport {
    /// Opens the file of tensors a model will be written for; `path` is also how messages name it. A PyTorch
    /// checkpoint is E0227 with the line that saves safetensors instead, anything else unreadable E0219.
    public static func open(_ path: String) throws(DiagnosticList) -> any TensorFile {
        do throws(TensorFileError) {
            return try TensorFiles.open(URL(fileURLWithPath: path), displayPath: path)
        } catch .pytorch(_, let what) {
            throw DiagnosticList([Diagnostic(code: .pytorchCheckpoint, message: "'\(Diagnostic.quoted(path))' is \(what)",
                                             path: path, help: TensorFiles.pytorchAdvice,
                                             notes: ["nnfeyn reads \(TensorFiles.formats); it never unpickles, since unpickling runs code"])])
        } catch {
            throw DiagnosticList([Diagnostic(code: .unreadableParameters, message: "cannot read the tensors of '\(Diagnostic.quoted(path))'",
                                             path: path, notes: [error.description])])
        }
    }

    /// The model text for `file`, whose path as the model will name it is `parametersPath` (relative to
    /// `modelPath`'s directory, or absolute); `displayPath` names the file in messages. The text is loaded back as
    /// `modelPath` before it is returned, so every error, the file's values included, is reported here.
    public static func text(for file: any TensorFile, displayPath: String, parametersPath: String, modelPath: String,
                            options: ImportOptions) throws(DiagnosticList) -> String {
        func fail(_ code: DiagnosticCode, _ message: String, help: String? = nil, notes: [String] = []) -> DiagnosticList {
            DiagnosticList([Diagnostic(code: code, message: message, path: displayPath, help: help, notes: notes)])
        }
        // The layers, from the headers of the tensors that can belong to one.
        var headers: [TensorHeader] = []
        for name in file.names where ParameterKeys.isLayerTensor(name) {
            do { headers.append(try file.tensorHeader(name)) } catch {
                throw fail(.memberValues, "cannot use tensor '\(Diagnostic.quoted(name))' of '\(displayPath)'", notes: ["\(error)"])
            }
        }
        let layers: [FileLayer]
        do { layers = try ParameterKeys.layers(in: headers) } catch {
            throw fail(.parameterKeys, "cannot tell the layers of '\(displayPath)'",
                       help: "name its tensors 'N.weight' and 'N.bias' (or 'N/kernel') with the layer number N, or write the model by hand with 'weight from \"KEY\"'",
                       notes: ["\(error.description)", "the file holds \(ParameterKeys.listing(file))"])
        }
        let shape = ([layers[0].fanIn] + layers.map(\.width)).map(String.init).joined(separator: " -> ")

        // Activations, as the language reads them.
        var activations: [Activation]
        switch options.activations {
        case .hidden(let text):
            let parsed = try activationList(text, option: "--activation")
            guard parsed.count == 1 else {
                throw fail(.activationCount, "--activation takes one activation, for every hidden layer",
                           help: "give one activation per layer with --activations instead")
            }
            activations = Array(repeating: parsed[0], count: layers.count - 1) + [.linear]
        case .perLayer(let text):
            activations = try activationList(text, option: "--activations")
            guard activations.count == layers.count else {
                throw fail(.activationCount,
                           "--activations names \(activations.count) \(activations.count == 1 ? "activation" : "activations") but '\(displayPath)' holds \(layers.count) \(layers.count == 1 ? "layer" : "layers") (\(shape))",
                           help: "give one activation per layer, the output layer's last, e.g. --activations "
                               + (Array(repeating: "tanh", count: layers.count - 1) + ["linear"]).joined(separator: ","))
            }
        }

        // Names: the input's and the network's must be identifiers; a layer is named after its group when that is
        // one (its tensors are then its own names), else h1, h2, ..., y.
        guard isIdentifier(options.inputName) else {
            throw fail(.unwritableName, "--input-name '\(Diagnostic.quoted(options.inputName))' is not a name the model language accepts",
                       help: "use ASCII letters, digits and '_', not starting with a digit, and not a keyword")
        }
        if let name = options.networkName, !isIdentifier(name) {
            throw fail(.unwritableName, "--network '\(Diagnostic.quoted(name))' is not a name the model language accepts",
                       help: "use ASCII letters, digits and '_', not starting with a digit, and not a keyword")
        }
        var taken: Set<String> = [options.inputName]
        let own = layers.map { isIdentifier($0.group) && $0.group != options.inputName ? $0.group : nil }
        for name in own.compactMap({ $0 }) { taken.insert(name) }
        var names: [String] = []
        for k in layers.indices {
            if let name = own[k] {
                names.append(name)
                continue
            }
            var name = k == layers.count - 1 ? "y" : "h\(k + 1)"
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            names.append(name)
        }

        // Strings cannot hold a double quote or a line break.
        for text in [parametersPath] + layers.flatMap({ [$0.source.weight] + ($0.source.bias.map { [$0] } ?? []) })
        where text.contains("\"") || text.contains("\n") || text.contains("\r") {
            throw fail(.unwritableName, "'\(Diagnostic.quoted(text))' cannot be written in a model file: it holds a double quote or a line break",
                       help: "rename the tensor or the file")
        }
        if let point = options.point, point.count != layers[0].fanIn {
            throw fail(.pointDimensionMismatch,
                       "--at gives \(point.count) \(point.count == 1 ? "coordinate" : "coordinates") but the first layer of '\(displayPath)' takes \(layers[0].fanIn) inputs",
                       help: "give one coordinate per input dimension")
        }

        let stem = URL(fileURLWithPath: displayPath).deletingPathExtension().lastPathComponent
        var lines = ["# written by nnfeyn import: \(layers.count) \(layers.count == 1 ? "layer" : "layers"), \(shape); the tensors stay in the file below",
                     "network \(options.networkName ?? ModelWriter.identifier(stem))",
                     "input \(options.inputName) : \(layers[0].fanIn)",
                     "parameters \"\(parametersPath)\""]
        if let point = options.point {
            lines.append("at \(options.inputName) = [" + point.map(\.description).joined(separator: ", ") + "]")
        }
        for (k, layer) in layers.enumerated() {
            lines.append("")
            lines.append("dense \(names[k]) : \(layer.width) \(activations[k].sourceForm)")
            let source = layer.source
            if names[k] != layer.group || source.transposed || source.weight != layer.group + ".weight" {
                lines.append("  weight from \"\(source.weight)\"" + (source.transposed ? " transposed" : ""))
            }
            if let bias = source.bias {
                if names[k] != layer.group || bias != layer.group + ".bias" { lines.append("  bias from \"\(bias)\"") }
            } else {
                lines.append("  bias none")
            }
        }
        let text = lines.joined(separator: "\n") + "\n"

        // Loaded back against the file itself: a value the model cannot hold (a NaN) is found now, not by 'expand'.
        do { _ = try ModelLoader.load(source: SourceFile(path: modelPath, text: text)) } catch {
            throw DiagnosticList(error.diagnostics.map { diagnostic in
                var diagnostic = diagnostic
                diagnostic.notes.append("in the model 'nnfeyn import' would write (nothing was written)")
                return diagnostic
            })
        }
        return text
    }

    /// Activations written as the language writes them, comma-separated ("tanh", "tanh,poly(0, 1, 1/2),linear"), read by
    /// the language's parser; errors point into `text` as if it were a file named `option`.
    public static func activationList(_ text: String, option: String) throws(DiagnosticList) -> [Activation] {
        let source = SourceFile(path: option, text: text)
        var parser = Parser(file: source, lexer: Lexer(file: source, keep: Parser.maximumErrors), errorCount: 0)
        var nodes: [ActivationNode] = []
        do throws(ParseFailure) {
            repeat {
                if !nodes.isEmpty { parser.advance() }
                nodes.append(try parser.parseActivation())
            } while parser.current.kind == .comma
            if parser.current.kind != .endOfFile { throw try parser.fail(expected: "',' between activations") }
        } catch {}
        let syntax = parser.lexer.diagnostics + parser.diagnostics
        guard syntax.isEmpty else { throw DiagnosticList(syntax) }
        var lowering = Lowering(file: source, options: LoadOptions())
        let activations = nodes.map { node -> Activation? in
            guard let activation = lowering.resolveActivation(node) else { return nil }
            if case .poly = activation, let coefficients = node.arguments { return .poly(coefficients.exactValues) }
            return activation
        }
        guard lowering.diagnostics.isEmpty else { throw DiagnosticList(lowering.diagnostics) }
        return activations.compactMap { $0 }
    }

    /// Whether `text` can be written as a name: an identifier that is not a keyword.
    static func isIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, Lexer.isIdentifierStart(first), bytes.allSatisfy({ Lexer.isIdentifierPart($0) }) else { return false }
        return !Lexer.keywords.contains(text)
    }
}
