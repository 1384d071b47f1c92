// Repeated numeric expansions of one network (benchmarks, scans over expansion points): check the size and build
// the product table once, then expand as often as needed.
import NNFeynAlgebra
import NNFeynModel

/// A network prepared for repeated numeric expansions to a fixed order.
public struct ExpansionPlan: Sendable {
    let network: Network<Double>
    let table: ProductTable
    /// The order N of every expansion.
    public let order: Int
    /// The size estimate, checked against the limit when the plan was made.
    public let estimate: ExpansionEstimate

    /// Checks and prepares `network` (throws like `Expander.expand` for bad orders and sizes).
    public init(_ network: Network<Double>, order: Int, limit: Int = Expander.defaultLimit) throws(EvaluationError) {
        guard order >= 0 else { throw .negativeOrder(order) }
        estimate = try Expander.checked(ExpansionEstimate(architecture: network.architecture, order: order), limit: limit)
        self.network = network
        self.order = order
        table = ProductTable.cached(variables: network.inputDimension, maxDegree: order)
    }

    /// The numeric expansion around `point` (the network's own point when nil), by the OpenBLAS path.
    public func numeric(at point: [Double]? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        var shifted = network
        if let point {
            do { shifted = try network.at(point) } catch { throw .model(error) }
        }
        let points = try PointDerivatives<Double>(network: shifted, order: order)
        return try BLASEvaluator.expand(shifted, points: points, table: table)
    }
}
