// Repeated numeric expansions of one network (benchmarks, scans over expansion points): check the size and build
// the product table once, then expand as often as needed.
import NNFeynAlgebra
import NNFeynModel

/// A network prepared for repeated numeric expansions to a fixed order: tables built and scratch memory allocated
/// once, reused by every call.
public struct ExpansionPlan: Sendable {
    let network: Network<Double>
    let table: ProductTable
    let evaluator: BatchEvaluator
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
        evaluator = BatchEvaluator(network: network, order: order, table: table)
    }

    /// The numeric expansion around `point` (the network's own point when nil), by the OpenBLAS path.
    public func numeric(at point: [Double]? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        let point = point ?? network.point
        guard point.count == network.inputDimension else {
            throw .model(.pointDimension(got: point.count, expected: network.inputDimension))
        }
        guard !network.layers.isEmpty else {
            let moved: Network<Double>
            do { moved = try network.at(point) } catch { throw .model(error) }
            return try FusedEvaluator.expand(moved, points: try PointDerivatives(network: moved, order: order), table: table)
        }
        return try evaluator.expand(points: point).expansion(at: 0)
    }

    /// A Hessian functional at every row of `points` (n x d), never forming the Hessian; the plan's order must be 2.
    public func reduce(_ reduction: HessianReduction, points: [Double], count: Int) throws(EvaluationError) -> ReducedBatch {
        precondition(order == 2, "Hessian functionals need a plan of order 2")
        guard points.count == count * network.inputDimension, !network.layers.isEmpty else {
            throw .model(.pointDimension(got: count == 0 ? 0 : points.count / max(count, 1), expected: network.inputDimension))
        }
        if case .weighted(let a) = reduction, a.count != network.inputDimension * network.inputDimension {
            throw .model(.shape(layer: nil, "the operator has \(a.count) entries, not \(network.inputDimension) squared"))
        }
        return try evaluator.reduce(reduction, points: points)
    }

    /// Floating-point operations of one batched Laplacian at `points` points (multiply-add = 2): d + 1 GEMM rows per
    /// point forward, the reverse sweep, and the neuron sums.
    public func laplacianFlopCount(points: Int) -> Double {
        let d = Double(network.inputDimension), outputs = Double(network.outputCount), p = Double(points)
        var flops = 0.0
        for (l, layer) in network.layers.enumerated() {
            let dense = Double(layer.width * layer.fanIn)
            flops += 2 * p * dense * (l == 0 ? 1 : d + 1) + (l == 0 ? 0 : 2 * p * outputs * dense) + 3 * p * outputs * d * Double(layer.width)
        }
        return flops
    }

    /// Floating-point operations of one expansion at `points` points (multiply-add = 2), for GFLOP/s figures.
    public func flopCount(points: Int = 1) -> Double { evaluator.flopCount(points: points) }

    /// The numeric expansions at every row of `points` (n x d, row-major), the points as GEMM rows.
    public func numeric(points: [Double], count: Int) throws(EvaluationError) -> BatchExpansion {
        guard points.count == count * network.inputDimension else {
            throw .model(.pointDimension(got: count == 0 ? 0 : points.count / max(count, 1), expected: network.inputDimension))
        }
        guard !network.layers.isEmpty else {
            var values: [Double] = []
            for p in 0..<count {
                let point = Array(points[(p * network.inputDimension)..<((p + 1) * network.inputDimension)])
                values += try numeric(at: point).values
            }
            return BatchExpansion(basis: table.basis, outputCount: network.outputCount, pointCount: count, values: values)
        }
        return try evaluator.expand(points: points)
    }
}
