// What the diagrams of a network may contain: per layer, the vertex degrees its activation allows.
import NNFeynAlgebra
import NNFeynModel

/// The part of a network that decides its diagrams: the layers' activations (and names, for display).
public struct DiagramRules: Sendable, Equatable {
    /// activations[l - 1] is layer l's activation.
    public let activations: [Activation]
    /// layerNames[l - 1] is layer l's name.
    public let layerNames: [String]

    /// Rules from activations; names default to "L1", "L2", ...
    public init(activations: [Activation], layerNames: [String]? = nil) {
        self.activations = activations
        if let layerNames, layerNames.count == activations.count {
            self.layerNames = layerNames
        } else {
            self.layerNames = activations.indices.map { "L\($0 + 1)" }
        }
    }

    /// The rules of a network's architecture.
    public init(_ architecture: Architecture) {
        self.init(activations: architecture.layers.map(\.activation), layerNames: architecture.layers.map(\.name))
    }

    /// L, the number of layers (the output layer's index).
    public var layerCount: Int { activations.count }

    /// Whether the output layer multiplies roots below it by D_L = diag(sigma_L'(z_L)) (false when linear or absent).
    public var outputHasDerivativeFactor: Bool {
        guard let last = activations.last else { return false }
        return last != .linear
    }

    /// The vertex degrees k in 2...maxDegree that layer l (1-based) can carry; empty for layers out of range.
    public func vertexDegrees(atLayer l: Int, upTo maxDegree: Int) -> [Int] {
        guard l >= 1, l <= activations.count, maxDegree >= 2 else { return [] }
        let activation = activations[l - 1]
        let bound = min(maxDegree, activation.maximumVertexDegree ?? maxDegree)
        guard bound >= 2 else { return [] }
        return (2...bound).filter { activation.hasVertex(ofDegree: $0) }
    }
}
