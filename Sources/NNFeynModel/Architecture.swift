// The shape of an MLP without its numbers: the input, and per layer a name, a width and an activation. Layer k
// computes z_k = W_k a_{k-1} + b_k and a_k = act_k(z_k), with a_0 = x; the output is the last layer's a. Diagrams
// depend on nothing else, and a trainer starts from an architecture alone.
import NNFeynAlgebra
import NNFeynDiagnostics

/// The input vector of a network.
public struct ModelInput: Sendable, Equatable {
    public var name: String
    public var dimension: Int
    public init(name: String, dimension: Int) {
        self.name = name
        self.dimension = dimension
    }
}

/// One dense layer's shape: z = W a_prev + b with W of width x fanIn, a = activation(z).
public struct LayerShape: Sendable, Equatable {
    public var name: String
    public var width: Int
    public var fanIn: Int
    public var activation: Activation
    public init(name: String, width: Int, fanIn: Int, activation: Activation) {
        self.name = name
        self.width = width
        self.fanIn = fanIn
        self.activation = activation
    }
}

/// Where a model's parts are written in its source file, for diagnostics that point at them.
public struct ModelLocations: Sendable {
    public var file: SourceFile
    public var input: SourceSpan?
    /// The span of each layer's name (its declaration).
    public var layers: [SourceSpan?]
    /// The span of each layer's activation.
    public var activations: [SourceSpan?]
    /// The `at` statement.
    public var point: SourceSpan?
    /// The file name after `parameters`.
    public var parameters: SourceSpan?
    /// The parameters file that name resolves to.
    public var parametersPath: String?

    public init(file: SourceFile, input: SourceSpan? = nil, layers: [SourceSpan?] = [], activations: [SourceSpan?] = [],
                point: SourceSpan? = nil, parameters: SourceSpan? = nil, parametersPath: String? = nil) {
        self.file = file
        self.input = input
        self.layers = layers
        self.activations = activations
        self.point = point
        self.parameters = parameters
        self.parametersPath = parametersPath
    }
}

/// A checked MLP shape: fan-ins chain from the input through every layer, widths are positive, names are unique.
public struct Architecture: Sendable, Equatable {
    /// The model's name (`network NAME`), or nil.
    public let name: String?
    public let input: ModelInput
    public let layers: [LayerShape]
    /// Where the parts are written, when the architecture came from a file (not part of equality).
    public let locations: ModelLocations?

    /// Checks the shapes; throws `.shape` naming the first layer that does not fit.
    public init(name: String?, input: ModelInput, layers: [LayerShape], locations: ModelLocations? = nil) throws(ModelError) {
        guard input.dimension >= 1 else { throw .shape(layer: nil, "the input dimension is \(input.dimension), not at least 1") }
        var fanIn = input.dimension
        var names: Set<String> = [input.name]
        for (l, layer) in layers.enumerated() {
            guard layer.width >= 1 else { throw .shape(layer: l, "the width is \(layer.width), not at least 1") }
            guard layer.fanIn == fanIn else {
                throw .shape(layer: l, "the fan-in is \(layer.fanIn), but the layer below has \(fanIn) outputs")
            }
            guard names.insert(layer.name).inserted else { throw .shape(layer: l, "the name '\(layer.name)' is used twice") }
            fanIn = layer.width
        }
        self.name = name
        self.input = input
        self.layers = layers
        self.locations = locations
    }

    /// A plain architecture from widths: layers named h1, h2, ... and `outputName` for the last; `activations`
    /// gives one activation per layer.
    public init(name: String?, input: ModelInput, widths: [Int], activations: [Activation],
                outputName: String = "y") throws(ModelError) {
        guard widths.count == activations.count else {
            throw .shape(layer: nil, "\(widths.count) widths but \(activations.count) activations")
        }
        var layers: [LayerShape] = []
        var fanIn = input.dimension
        for (l, width) in widths.enumerated() {
            layers.append(LayerShape(name: l == widths.count - 1 ? outputName : "h\(l + 1)", width: width, fanIn: fanIn,
                                     activation: activations[l]))
            fanIn = width
        }
        try self.init(name: name, input: input, layers: layers)
    }

    public static func == (lhs: Architecture, rhs: Architecture) -> Bool {
        lhs.name == rhs.name && lhs.input == rhs.input && lhs.layers == rhs.layers
    }

    /// The number of outputs: the last layer's width (the input's dimension without layers).
    public var outputCount: Int { layers.last?.width ?? input.dimension }
    /// The total number of weights and biases.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.width * ($1.fanIn + 1) } }
    /// The widest layer (or the input).
    public var widestLayer: Int { max(layers.map(\.width).max() ?? 0, input.dimension) }
    /// The source file, when the architecture came from one.
    public var source: SourceFile? { locations?.file }

    /// A display name: the declared name, else the file's base name, else "network".
    public var displayName: String {
        if let name { return name }
        if let path = locations?.file.path {
            let base = path.split(separator: "/").last.map(String.init) ?? path
            return base.hasSuffix(".nn") ? String(base.dropLast(3)) : base
        }
        return "network"
    }

    /// The same architecture under another name, and without source locations.
    public func renamed(_ name: String?) -> Architecture {
        // Shapes were checked when `self` was made, so this cannot fail.
        (try? Architecture(name: name, input: input, layers: layers)) ?? self
    }

    /// Where layer `l` (0-based) is declared, and where its activation is written.
    public func layerSpan(_ l: Int) -> SourceSpan? { locations?.layers[safe: l] ?? nil }
    public func activationSpan(_ l: Int) -> SourceSpan? { (locations?.activations[safe: l] ?? nil) ?? layerSpan(l) }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
