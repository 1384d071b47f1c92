// The numeric expansion of a network given as plain double arrays, for callers that build many networks in memory
// (the ensembles of `nnfeyn qft derivs`): the same ScalarNetwork -> point derivatives -> OpenBLAS fused evaluator
// path as `Expander.numericTaylorExpansion`, without a `Network` of exact rationals in between. Shapes are checked
// here, since nothing upstream has.
import NNFeynAlgebra

/// One dense layer as arrays: z = W a + b, a = activation(z); `weight` is width x fanIn, row-major.
public struct DenseLayerArrays: Sendable {
    public var width: Int
    public var fanIn: Int
    public var activation: Activation
    public var weight: [Double]
    public var bias: [Double]

    public init(width: Int, fanIn: Int, activation: Activation, weight: [Double], bias: [Double]) {
        self.width = width
        self.fanIn = fanIn
        self.activation = activation
        self.weight = weight
        self.bias = bias
    }
}

/// Taylor expansions of networks given as arrays.
public enum ArrayExpansion {
    /// The Taylor coefficients (not derivatives) of every output up to `order` around `point`, as
    /// coefficients[output][position] over `MonomialBasis(variables: point.count, maxDegree: order)`.
    public static func taylorCoefficients(layers: [DenseLayerArrays], point: [Double], order: Int,
                                          limit: Int = Expander.defaultLimit) throws(EvaluationError) -> [[Double]] {
        guard order >= 0 else { throw .negativeOrder(order) }
        let maximum = PointDerivatives<Double>.maximumOrder
        guard order <= maximum else { throw .orderTooHigh(order: order, maximum: maximum) }
        var previous = point.count
        for (l, layer) in layers.enumerated() {
            guard layer.width >= 0, layer.fanIn == previous else {
                throw .shapeMismatch(layer: l, reason: "fan-in \(layer.fanIn), but the previous layer has \(previous) outputs")
            }
            guard layer.weight.count == layer.width * layer.fanIn, layer.bias.count == layer.width else {
                throw .shapeMismatch(layer: l, reason: "the weight is not \(layer.width) x \(layer.fanIn) or the bias has the wrong length")
            }
            previous = layer.width
        }
        guard let monomials = MonomialBasis.count(variables: point.count, maxDegree: order),
              monomials <= Int(Int32.max), monomials.multipliedReportingOverflow(by: max(previous, 1)).overflow == false,
              monomials * max(layers.map(\.width).max() ?? 1, 1) <= limit else {
            throw .shapeMismatch(layer: -1, reason: "the expansion is too large for the array path")
        }
        let network = ScalarNetwork<Double>(inputDimension: point.count, layers: layers.map {
            ScalarNetwork<Double>.Layer(width: $0.width, fanIn: $0.fanIn, activation: $0.activation, weight: $0.weight, bias: $0.bias)
        }, point: point)
        let points = try PointDerivatives<Double>.forward(network, order: order)
        let table = ProductTable.cached(variables: point.count, maxDegree: order)
        return try BLASEvaluator.expand(network, points: points, table: table).coefficients
    }
}

extension ScalarNetwork {
    /// A network from already converted layers (shapes checked by the caller).
    init(inputDimension: Int, layers: [Layer], point: [S]) {
        self.inputDimension = inputDimension
        self.layers = layers
        self.point = point
    }
}
