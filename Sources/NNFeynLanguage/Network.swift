// The IR: a checked MLP. Lowering (Lowering.swift) builds it from the AST; everything downstream reads only this.
//
// Layer k computes z_k = W_k a_{k-1} + b_k and a_k = act_k(z_k), with a_0 = x; the output is the last layer's a.
// All numbers are exact rationals (a float from an .npz is the exact binary fraction it stores).
import NNFeynAlgebra

/// The input vector of a network.
public struct InputSpec: Sendable, Equatable {
    public var name: String
    public var dimension: Int
    public var span: SourceSpan?
    public init(name: String, dimension: Int, span: SourceSpan? = nil) {
        self.name = name
        self.dimension = dimension
        self.span = span
    }
}

/// One dense layer: z = W a_prev + b, a = activation(z).
public struct Layer: Sendable {
    public var name: String
    public var width: Int
    public var fanIn: Int
    public var activation: Activation
    /// width x fanIn, one row per neuron (the PyTorch layout).
    public var weight: [[Rational]]
    public var bias: [Rational]
    /// Where the layer is declared (its name), for diagnostics about it.
    public var span: SourceSpan?
    /// Where its activation is written.
    public var activationSpan: SourceSpan?

    public init(name: String, width: Int, fanIn: Int, activation: Activation, weight: [[Rational]], bias: [Rational],
                span: SourceSpan? = nil, activationSpan: SourceSpan? = nil) {
        self.name = name
        self.width = width
        self.fanIn = fanIn
        self.activation = activation
        self.weight = weight
        self.bias = bias
        self.span = span
        self.activationSpan = activationSpan
    }
}

/// A checked network: shapes agree, names are unique, the point has the input's dimension.
public struct Network: Sendable {
    /// The model's name (`network NAME`), or nil.
    public var name: String?
    public var input: InputSpec
    public var layers: [Layer]
    /// The expansion point x0 (the origin when the file has no `at`).
    public var point: [Rational]
    /// Where `at` is written, if it is.
    public var pointSpan: SourceSpan?
    /// The source the network was lowered from, for diagnostics.
    public var source: SourceFile?

    public init(name: String?, input: InputSpec, layers: [Layer], point: [Rational], pointSpan: SourceSpan? = nil,
                source: SourceFile? = nil) {
        self.name = name
        self.input = input
        self.layers = layers
        self.point = point
        self.pointSpan = pointSpan
        self.source = source
    }

    /// Number of outputs: the last layer's width.
    public var outputCount: Int { layers.last?.width ?? input.dimension }
    /// A display name: the declared name, else the file's base name, else "network".
    public var displayName: String {
        if let name { return name }
        if let path = source?.path {
            let base = path.split(separator: "/").last.map(String.init) ?? path
            return base.hasSuffix(".nn") ? String(base.dropLast(3)) : base
        }
        return "network"
    }
}
