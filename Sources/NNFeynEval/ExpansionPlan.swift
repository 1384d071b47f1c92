// Repeated numeric expansions of one network (benchmarks, scans over expansion points): convert the weights,
// check the size and build the product table once, then expand as often as needed.
import NNFeynAlgebra
import NNFeynLanguage

/// A network prepared for repeated numeric expansions to a fixed order.
public struct ExpansionPlan: Sendable {
    let network: ScalarNetwork<Double>
    let table: ProductTable
    /// The order N of every expansion.
    public let order: Int
    /// The size estimate, checked against the limit when the plan was made.
    public let estimate: ExpansionEstimate

    /// Checks and prepares `network` (throws like `Expander.expand` for bad orders, shapes and sizes).
    public init(_ network: Network, order: Int, limit: Int = Expander.defaultLimit) throws(EvaluationError) {
        guard order >= 0 else { throw .negativeOrder(order) }
        try ScalarNetwork<Double>.validate(network)
        estimate = try Expander.checkedEstimate(network, order: order, limit: limit)
        self.network = ScalarNetwork<Double>(network)
        self.order = order
        table = ProductTable.cached(variables: network.input.dimension, maxDegree: order)
    }

    /// The numeric expansion around `point` (the network's own point when nil), by the OpenBLAS path.
    public func numeric(at point: [Double]? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        var shifted = network
        if let point {
            guard point.count == network.inputDimension else {
                throw .shapeMismatch(layer: -1, reason: "the point has \(point.count) coordinates, the input has \(network.inputDimension)")
            }
            shifted.point = point
        }
        let points = try PointDerivatives<Double>.forward(shifted, order: order)
        return try BLASEvaluator.expand(shifted, points: points, table: table)
    }
}
