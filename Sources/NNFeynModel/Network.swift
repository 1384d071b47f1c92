// A model converted to one scalar type: what every evaluator, the trainer and the experiments compute on. Weights
// are flat row-major arrays per layer (row i = neuron i's incoming weights, PyTorch's layout), checked once when the
// network is made, so no consumer re-validates shapes.
import NNFeynAlgebra

/// An MLP with its parameters and expansion point in `S`.
public struct Network<S: Scalar>: Sendable {
    public let architecture: Architecture
    /// weights[l]: width x fanIn of layer l, row-major.
    public let weights: [[S]]
    /// biases[l]: one per neuron of layer l.
    public let biases: [[S]]
    /// The expansion point.
    public let point: [S]

    /// Checks every shape (and that every value is finite); throws naming the first problem.
    public init(architecture: Architecture, weights: [[S]], biases: [[S]], point: [S]? = nil) throws(ModelError) {
        guard weights.count == architecture.layers.count, biases.count == architecture.layers.count else {
            throw .shape(layer: nil, "\(weights.count) weights and \(biases.count) biases for \(architecture.layers.count) layers")
        }
        for (l, layer) in architecture.layers.enumerated() {
            guard weights[l].count == layer.width * layer.fanIn else {
                throw .shape(layer: l, "the weight has \(weights[l].count) values, not \(layer.width) x \(layer.fanIn)")
            }
            guard biases[l].count == layer.width else {
                throw .shape(layer: l, "the bias has \(biases[l].count) values, not \(layer.width)")
            }
            guard weights[l].allSatisfy(\.isFiniteValue), biases[l].allSatisfy(\.isFiniteValue) else {
                throw .nonFinite(layer: l, "a parameter of layer '\(layer.name)'")
            }
        }
        let point = point ?? [S](repeating: .zero, count: architecture.input.dimension)
        guard point.count == architecture.input.dimension else {
            throw .pointDimension(got: point.count, expected: architecture.input.dimension)
        }
        guard point.allSatisfy(\.isFiniteValue) else { throw .nonFinite(layer: nil, "a coordinate of the point") }
        self.architecture = architecture
        self.weights = weights
        self.biases = biases
        self.point = point
    }

    /// For callers that have already checked the shapes (a `Model` converting itself).
    init(checked architecture: Architecture, weights: [[S]], biases: [[S]], point: [S]) {
        self.architecture = architecture
        self.weights = weights
        self.biases = biases
        self.point = point
    }

    /// The same network at another point.
    public func at(_ point: [S]) throws(ModelError) -> Network<S> {
        guard point.count == architecture.input.dimension else {
            throw .pointDimension(got: point.count, expected: architecture.input.dimension)
        }
        return Network(checked: architecture, weights: weights, biases: biases, point: point)
    }

    /// The same shapes with other parameters (a trainer's update); shapes are checked.
    public func with(weights: [[S]], biases: [[S]]) throws(ModelError) -> Network<S> {
        try Network(architecture: architecture, weights: weights, biases: biases, point: point)
    }

    /// The same numbers under another architecture (same shapes, e.g. renamed); shapes are checked.
    public func with(architecture: Architecture) throws(ModelError) -> Network<S> {
        try Network(architecture: architecture, weights: weights, biases: biases, point: point)
    }

    public var inputDimension: Int { architecture.input.dimension }
    public var outputCount: Int { architecture.outputCount }
    public var layers: [LayerShape] { architecture.layers }
    /// The total number of weights and biases.
    public var parameterCount: Int { architecture.parameterCount }

    /// Every value converted to another scalar type.
    public func map<T: Scalar>(_ transform: (S) -> T) -> Network<T> {
        Network<T>(checked: architecture, weights: weights.map { $0.map(transform) }, biases: biases.map { $0.map(transform) },
                   point: point.map(transform))
    }
}
