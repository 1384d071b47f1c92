// The one validated network of nnfeyn: an architecture, each layer's parameters as given (exact values with their
// nearest doubles) and the expansion point, exactly. Everything downstream of the language reads a `Model`, and
// every evaluator, the trainer and the experiments compute on `network(as:)`, the model converted once per scalar
// type and shared.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics

/// One layer's weight (width x fanIn, row-major: row i holds neuron i's incoming weights, PyTorch's layout) and bias.
public struct LayerParameters: Sendable, Equatable {
    public let weight: ParameterArray
    public let bias: ParameterArray
    public init(weight: ParameterArray, bias: ParameterArray) {
        self.weight = weight
        self.bias = bias
    }
}

/// A checked network with its numbers, or (for a trainer) an architecture whose layers may lack parameters yet.
public struct Model: Sendable {
    public let architecture: Architecture
    /// Per layer; nil for a layer without parameters yet (only in models loaded for training).
    public let parameters: [LayerParameters?]
    /// The expansion point x0, exactly.
    public let point: [Rational]
    /// Networks converted from this model, one per scalar type, built on first use and shared by copies.
    let conversions: ConversionCache

    /// Checks that every given parameter array has its layer's size and the point has the input's dimension.
    public init(architecture: Architecture, parameters: [LayerParameters?], point: [Rational]? = nil) throws(ModelError) {
        guard parameters.count == architecture.layers.count else {
            throw .shape(layer: nil, "\(parameters.count) parameter sets for \(architecture.layers.count) layers")
        }
        for (l, (layer, given)) in zip(architecture.layers, parameters).enumerated() {
            guard let given else { continue }
            guard given.weight.count == layer.width * layer.fanIn else {
                throw .shape(layer: l, "the weight has \(given.weight.count) values, not \(layer.width) x \(layer.fanIn)")
            }
            guard given.bias.count == layer.width else {
                throw .shape(layer: l, "the bias has \(given.bias.count) values, not \(layer.width)")
            }
        }
        let point = point ?? [Rational](repeating: .zero, count: architecture.input.dimension)
        guard point.count == architecture.input.dimension else {
            throw .pointDimension(got: point.count, expected: architecture.input.dimension)
        }
        self.architecture = architecture
        self.parameters = parameters
        self.point = point
        conversions = ConversionCache()
    }

    /// The model of a network in doubles (every double is kept exactly).
    public init(_ network: Network<Double>) {
        architecture = network.architecture
        parameters = zip(network.weights, network.biases).map { weight, bias in
            // A Network<Double> holds finite values only, so these cannot fail.
            LayerParameters(weight: ParameterArray(doubles: weight) ?? .zeros(weight.count),
                            bias: ParameterArray(doubles: bias) ?? .zeros(bias.count))
        }
        point = network.point.map { Rational($0) }
        conversions = ConversionCache()
    }

    /// The same model expanded at another point (parameters and their conversions are shared).
    public func at(_ point: [Rational]) throws(ModelError) -> Model {
        guard point.count == architecture.input.dimension else {
            throw .pointDimension(got: point.count, expected: architecture.input.dimension)
        }
        return Model(architecture: architecture, parameters: parameters, point: point, conversions: conversions)
    }

    /// The same numbers under another architecture name (e.g. for writing a trained copy).
    public func renamed(_ name: String?) -> Model {
        Model(architecture: architecture.renamed(name), parameters: parameters, point: point, conversions: conversions)
    }

    init(architecture: Architecture, parameters: [LayerParameters?], point: [Rational], conversions: ConversionCache) {
        self.architecture = architecture
        self.parameters = parameters
        self.point = point
        self.conversions = conversions
    }

    /// Whether every layer has its parameters.
    public var isComplete: Bool { parameters.allSatisfy { $0 != nil } }

    /// Names of the layers without parameters.
    public var layersWithoutParameters: [String] {
        zip(architecture.layers, parameters).compactMap { $1 == nil ? $0.name : nil }
    }

    /// The model converted to `S` (throws `.missingParameters` for an incomplete model). The parameters are
    /// converted once per type (per precision, for multiprecision types) and shared by every caller and every copy
    /// of this model; the point each time.
    public func network<S: Scalar>(as type: S.Type = S.self) throws(ModelError) -> Network<S> {
        guard isComplete else { throw .missingParameters(layers: layersWithoutParameters) }
        let converted = conversions.parameters(S.self) {
            parameters.map { given in (given!.weight.values(as: S.self), given!.bias.values(as: S.self)) }
        }
        return Network(checked: architecture, weights: converted.map(\.0), biases: converted.map(\.1),
                       point: point.map { S($0) })
    }

    /// The largest bit size (numerator plus denominator) of any parameter or point coordinate: exact arithmetic's
    /// cost grows with it.
    public var maximumBitSize: Int {
        var bits = point.reduce(2) { max($0, $1.bitSize) }
        for layer in parameters {
            guard let layer else { continue }
            bits = max(bits, layer.weight.maximumBitSize, layer.bias.maximumBitSize)
        }
        return bits
    }
}

/// Converted parameters per scalar type and arithmetic (a multiprecision type converts at the precision in effect).
/// A class so that copies of a model (at other points) share it.
final class ConversionCache: @unchecked Sendable {
    struct Key: Hashable {
        let type: ObjectIdentifier
        let arithmetic: Arithmetic
    }

    private let lock = NSLock()
    private var byType: [Key: Any] = [:]

    func parameters<S: Scalar>(_ type: S.Type, build: () -> [([S], [S])]) -> [([S], [S])] {
        let key = Key(type: ObjectIdentifier(S.self), arithmetic: S.arithmetic)
        lock.lock()
        if let cached = byType[key] as? [([S], [S])] { lock.unlock(); return cached }
        lock.unlock()
        // Built outside the lock: a second thread may build the same thing, which costs time, never correctness.
        let built = build()
        lock.lock()
        byType[key] = built
        lock.unlock()
        return built
    }
}

extension Model {
    /// The architecture's display name.
    public var displayName: String { architecture.displayName }
    /// The input vector.
    public var input: ModelInput { architecture.input }
    /// The layers' shapes.
    public var layers: [LayerShape] { architecture.layers }
    /// The number of outputs.
    public var outputCount: Int { architecture.outputCount }
    /// The source file, when the model came from one.
    public var source: SourceFile? { architecture.source }
}
