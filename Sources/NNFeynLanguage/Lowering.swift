// Lowering: ModelNode -> Model, with every check on names, sizes and shapes; parameters from files are resolved
// and read in Lowering+Parameters.swift.
// It runs only on a file without syntax errors, reports every problem it finds (it does not stop at the first),
// and builds the Model only when there are none. Sizes are checked, and the total parameter count is bounded,
// before anything proportional to them is allocated.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynIO
import NNFeynModel
import NNFeynNPZ

/// Bounds on a model's sizes; anything beyond is a diagnostic (E0215, E0216), never an allocation.
public enum ModelLimits {
    /// Largest width of a layer and largest input dimension.
    public static let maximumWidth = 100_000
    /// Largest total number of weights and biases.
    public static let maximumParameters = 50_000_000
}

/// Lowers a parsed model to a checked Model.
struct Lowering {
    let file: SourceFile
    let options: LoadOptions
    /// The diagnostics that can still be among the first `Parser.maximumErrors` in source order (see `error`).
    var diagnostics: [Diagnostic] = []
    /// Every diagnostic reported, kept or not.
    var diagnosticCount = 0

    init(file: SourceFile, options: LoadOptions) {
        self.file = file
        self.options = options
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, at span: SourceSpan?, help: String? = nil,
                        notes: [String] = []) {
        diagnostics.append(Diagnostic(code: code, message: message, file: file, path: file.path, span: span,
                                      help: help, notes: notes))
        diagnosticCount += 1
        // Only the first diagnostics in source order are printed (and one more tells that there were more): a file
        // with millions of bad rows keeps that many, not millions.
        if diagnostics.count >= 1024 { diagnostics = Lowering.inSourceOrder(diagnostics).prefix(Parser.maximumErrors + 1).map { $0 } }
    }

    /// Diagnostics sorted by position, those about the whole file (no span) first, otherwise in the order reported.
    static func inSourceOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted {
            let a = $0.element.span?.start ?? -1, b = $1.element.span?.start ?? -1
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
    }

    func line(of span: SourceSpan) -> Int { file.line(of: span.start) }

    /// Source text (a name, a path, a literal) as a message quotes it: at most `Diagnostic.quotedLength` characters.
    func q(_ text: String) -> String { Diagnostic.quoted(text) }

    /// The Model, or nil when diagnostics were recorded.
    mutating func lower(_ model: ModelNode) -> Model? {
        // Statements that may appear once: keep the first, report the others.
        var networkName: NameNode?
        var input: (name: NameNode, dimension: IntegerNode)?
        var parameters: (path: String, span: SourceSpan)?
        var at: (name: NameNode, point: VectorNode, span: SourceSpan)?
        var firstLine: [String: Int] = [:]
        let layers = model.layers
        for statement in model.statements {
            let keyword: String, keywordSpan: SourceSpan
            switch statement {
            case .network(let k, _): (keyword, keywordSpan) = ("network", k)
            case .input(let k, _, _): (keyword, keywordSpan) = ("input", k)
            case .parameters(let k, _, _): (keyword, keywordSpan) = ("parameters", k)
            case .at(let k, _, _, _): (keyword, keywordSpan) = ("at", k)
            case .dense: continue
            }
            if let first = firstLine[keyword] {
                error(DiagnosticCode.duplicateStatement, "duplicate '\(keyword)' statement", at: keywordSpan,
                      help: "a model has at most one '\(keyword)' statement",
                      notes: ["the first '\(keyword)' is on line \(first)"])
                continue
            }
            firstLine[keyword] = line(of: keywordSpan)
            switch statement {
            case .network(_, let name): networkName = name
            case .input(_, let name, let dimension): input = (name, dimension)
            case .parameters(_, let path, let span): parameters = (path, span)
            case .at(_, let name, let point, let span): at = (name, point, span)
            case .dense: break
            }
        }

        // Names.
        var inputDimension: Int?
        if let input {
            inputDimension = checkSize(input.dimension, what: "the dimension of input '\(q(input.name.text))'")
        } else {
            // Nothing to point at, so point where the statement belongs: the start of the file.
            error(DiagnosticCode.missingInput, "missing 'input' statement", at: SourceSpan(start: 0, end: 0),
                  help: "declare the input vector and its dimension, e.g. 'input x : 2'")
        }
        if layers.isEmpty {
            // Layers would follow everything else: point at the end of the file.
            error(DiagnosticCode.missingLayers, "the model has no layers", at: Lowering.endOfFile(file),
                  help: "add at least one layer, e.g. 'dense y : 1 linear'; the last layer is the output")
        }
        var seen: [String: SourceSpan] = [:]
        for layer in layers {
            if let input, layer.name.text == input.name.text {
                error(DiagnosticCode.layerNamedLikeInput, "layer '\(q(layer.name.text))' has the same name as the input",
                      at: layer.name.span, help: "rename the layer",
                      notes: ["the input is declared on line \(line(of: input.name.span))"])
            }
            if let first = seen[layer.name.text] {
                error(DiagnosticCode.duplicateLayer, "duplicate layer name '\(q(layer.name.text))'", at: layer.name.span,
                      help: "layer names must be unique", notes: ["the first '\(q(layer.name.text))' is on line \(line(of: first))"])
            } else {
                seen[layer.name.text] = layer.name.span
            }
        }

        // Activations and sizes; fan-ins follow from the widths, and the parameter count is bounded before any
        // array of that size exists.
        var activations: [Activation?] = []
        var widths: [Int?] = []
        var fanIns: [Int?] = []
        var total = 0
        var sizesKnown = inputDimension != nil
        var withinLimits = true
        for layer in layers {
            activations.append(resolveActivation(layer.activation))
            let width = checkSize(layer.width, what: "the width of layer '\(q(layer.name.text))'")
            let fanIn = widths.isEmpty ? inputDimension : widths[widths.count - 1]
            widths.append(width)
            fanIns.append(fanIn)
            guard let width, let fanIn else { sizesKnown = false; continue }
            guard withinLimits else { continue }
            // width <= 100000 and fanIn <= 100000, so width * (fanIn + 1) cannot overflow; the sum is checked.
            let (sum, overflow) = total.addingReportingOverflow(width * (fanIn + 1))
            if overflow || sum > ModelLimits.maximumParameters {
                error(DiagnosticCode.tooManyParameters,
                      "the network has more than \(ModelLimits.maximumParameters) parameters", at: layer.name.span,
                      help: "the total passes the limit at layer '\(q(layer.name.text))' (\(width) x \(fanIn) weights and \(width) biases)")
                withinLimits = false
            }
            total = overflow ? Int.max : sum
        }

        // Per-layer values, from the clauses, the parameters file (read only when it can be used: sizes known,
        // within limits) or nowhere.
        for layer in layers {
            if let second = layer.secondClauses["weight"], let first = layer.weight {
                error(DiagnosticCode.duplicateClause, "layer '\(q(layer.name.text))' has more than one 'weight'",
                      at: second, help: "remove one of them",
                      notes: ["the first 'weight' is on line \(line(of: first.keywordSpan))"])
            }
            if let second = layer.secondClauses["bias"], let first = layer.bias {
                error(DiagnosticCode.duplicateClause, "layer '\(q(layer.name.text))' has more than one 'bias'",
                      at: second, help: "remove one of them",
                      notes: ["the first 'bias' is on line \(line(of: first.keywordSpan))"])
            }
        }
        var built: [LayerParameters?] = []
        if sizesKnown && withinLimits, let input {
            built = layerParameters(layers, widths: widths.map { $0! }, fanIns: fanIns.map { $0! }, input: input.name,
                                    parameters: parameters)
        }

        // The expansion point (its exact values are built only for a model that is built).
        if let at {
            if let input, at.name.text != input.name.text {
                error(DiagnosticCode.pointNameMismatch,
                      "the expansion point is given for '\(q(at.name.text))', but the input is '\(q(input.name.text))'",
                      at: at.name.span, help: "write 'at \(q(input.name.text)) = [...]'")
            }
            if let inputDimension, at.point.count != inputDimension {
                error(DiagnosticCode.pointDimensionMismatch,
                      "the expansion point has \(at.point.count) \(Lowering.plural(at.point.count, "coordinate", "coordinates")) but input '\(q(input?.name.text ?? ""))' has dimension \(inputDimension)",
                      at: at.point.span, help: "give one coordinate per input dimension")
            }
        }

        // Source order reads best; diagnostics about the whole file (no span) come first.
        diagnostics = Lowering.inSourceOrder(diagnostics)
        guard diagnostics.isEmpty, let input, let inputDimension, built.count == layers.count else {
            return nil
        }
        let point = at?.point.values.exactValues ?? Array(repeating: .zero, count: inputDimension)
        var shapes: [LayerShape] = []
        for (k, layer) in layers.enumerated() {
            guard let width = widths[k], let fanIn = fanIns[k], var activation = activations[k] else { return nil }
            if case .poly = activation, let coefficients = layer.activation.arguments {
                // The coefficients become rationals only now, for a model that is built.
                activation = .poly(coefficients.exactValues)
            }
            shapes.append(LayerShape(name: layer.name.text, width: width, fanIn: fanIn, activation: activation))
        }
        let locations = ModelLocations(file: file, input: input.name.span, layers: layers.map { $0.name.span },
                                       activations: layers.map { $0.activation.span }, point: at?.span,
                                       parameters: parameters?.span,
                                       parametersPath: parameters.map { Lowering.resolve($0.path, relativeTo: file.path).path })
        // Every shape was checked above with a located diagnostic, so the model's own checks cannot fail here.
        do {
            let architecture = try Architecture(name: networkName?.text,
                                                input: ModelInput(name: input.name.text, dimension: inputDimension),
                                                layers: shapes, locations: locations)
            return try Model(architecture: architecture, parameters: built, point: point)
        } catch {
            self.error(.internalError, "the checked model could not be built: \(error)", at: nil)
            return nil
        }
    }

    // MARK: checks

    /// The size if it is from 1 to the limit; reports and returns nil otherwise.
    mutating func checkSize(_ node: IntegerNode, what: String) -> Int? {
        guard let value = node.value, value <= ModelLimits.maximumWidth else {
            let text = String(decoding: file.utf8[node.span.start..<node.span.end], as: UTF8.self)
            error(DiagnosticCode.sizeOutOfRange, "\(what) is too large ('\(q(text))'; at most \(ModelLimits.maximumWidth))",
                  at: node.span)
            return nil
        }
        guard value >= 1 else {
            error(DiagnosticCode.sizeOutOfRange, "\(what) must be at least 1", at: node.span)
            return nil
        }
        return value
    }

    mutating func resolveActivation(_ node: ActivationNode) -> Activation? {
        let name = node.name.text
        if name == "poly" {
            guard let arguments = node.arguments, arguments.count > 0 else {
                error(DiagnosticCode.polyWithoutCoefficients, "'poly' needs at least one coefficient", at: node.span,
                      help: "write the coefficients lowest degree first, e.g. 'poly(0, 1, 1/2)' for z + z^2/2")
                return nil
            }
            // The coefficients themselves are filled in when the model is built (see `lower`).
            return .poly([])
        }
        guard let activation = Activation.simpleNames[name] else {
            let help = Spelling.closest(to: name, among: Activation.allNames).map { "did you mean '\(q($0))'?" }
                ?? "known activations: " + Activation.allNames.joined(separator: ", ")
            error(DiagnosticCode.unknownActivation, "unknown activation '\(q(name))'", at: node.name.span, help: help)
            return nil
        }
        if node.arguments != nil {
            error(DiagnosticCode.unexpectedArguments, "activation '\(q(name))' takes no coefficients", at: node.span,
                  help: "write just '\(q(name))'; only 'poly' takes coefficients")
            return nil
        }
        return activation
    }

    mutating func checkInlineWeight(_ matrix: MatrixNode, layer: String, width: Int, fanIn: Int,
                                    fanInSource: String) -> ParameterArray? {
        var ok = true
        if matrix.rows.count != width {
            error(DiagnosticCode.rowCountMismatch,
                  "the weight of layer '\(q(layer))' has \(matrix.rows.count) \(Lowering.plural(matrix.rows.count, "row", "rows")) but the layer's width is \(width)",
                  at: matrix.span, help: "a weight has one row per neuron (width x fan-in)")
            ok = false
        }
        if let first = matrix.rows.first.map({ Int($0.count) }), matrix.rows.allSatisfy({ Int($0.count) == first }) {
            if first != fanIn {
                error(DiagnosticCode.fanInMismatch,
                      "the weight of layer '\(q(layer))' has \(first) \(Lowering.plural(first, "column", "columns")) but its fan-in is \(fanIn)",
                      at: matrix.span, help: "each row has one entry per input to the layer; the fan-in is \(fanInSource)")
                ok = false
            }
        } else {
            // Ragged: point at each row that differs from the fan-in (the rows that are right need no comment).
            // Rows come in source order, so past the number of errors ever printed the rest are only counted.
            var reported = 0
            for (i, row) in matrix.rows.enumerated() where Int(row.count) != fanIn {
                reported += 1
                guard reported <= Parser.maximumErrors + 1 else { diagnosticCount += 1; continue }
                let count = Int(row.count)
                error(DiagnosticCode.raggedWeight,
                      "row \(i + 1) of the weight of layer '\(q(layer))' has \(count) \(Lowering.plural(count, "entry", "entries")), expected \(fanIn)",
                      at: row.span, help: "every row has one entry per input to the layer; the fan-in is \(fanInSource)")
            }
            ok = false
        }
        return ok ? matrix.values : nil
    }

    /// An empty span at the end of the text, before a final newline, so the excerpt shows the last line.
    static func endOfFile(_ file: SourceFile) -> SourceSpan {
        var end = file.utf8.count
        while end > 0, file.utf8[end - 1] == UInt8(ascii: "\n") || file.utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return SourceSpan(start: end, end: end)
    }

    /// The same resolution as `resolve`, as a path relative to where the user runs nnfeyn (for messages).
    static func displayPath(_ path: String, relativeTo modelPath: String) -> String {
        if path.hasPrefix("/") || modelPath == "<stdin>" { return path }
        let directory = modelPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return directory.isEmpty ? path : directory + "/" + path
    }

    /// A path from the model file resolved against the model file's directory (absolute paths stay as they are; a
    /// model read from standard input resolves against the current directory).
    static func resolve(_ path: String, relativeTo modelPath: String) -> URL {
        if path.hasPrefix("/") || modelPath == "<stdin>" { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: modelPath).deletingLastPathComponent().appendingPathComponent(path)
    }
}

extension Lowering {
    /// "1 row", "2 rows".
    static func plural(_ count: Int, _ one: String, _ many: String) -> String { count == 1 ? one : many }
}
