// The entry point for expansions: check the size, pick exact or numeric arithmetic, run the fused evaluator on the
// model converted once to that arithmetic.
import NNFeynAlgebra
import NNFeynModel

/// Which arithmetic an expansion uses.
public enum ExpansionMode: String, Sendable, Equatable, CaseIterable {
    /// Exact rationals; fails when a needed activation value is irrational.
    case exact
    /// Doubles (OpenBLAS for the linear steps).
    case numeric
    /// Exact when every needed value is rational and the exact cost fits the limit, numeric otherwise.
    case automatic
}

/// An expansion with the arithmetic it was computed in.
public struct ExpansionResult: Sendable {
    /// The coefficients, exact or numeric.
    public enum Values: Sendable {
        /// Computed exactly.
        case exact(TaylorExpansion<Rational>)
        /// Computed in double precision.
        case numeric(TaylorExpansion<Double>)
    }

    /// The coefficients.
    public var values: Values
    /// The arithmetic actually used: `.exact` or `.numeric`, never `.automatic`.
    public var mode: ExpansionMode
    /// In automatic mode, why exact arithmetic was impossible (nil when it was used or not tried).
    public var fallbackReason: EvaluationError?
    /// The size estimate the request was checked against.
    public var estimate: ExpansionEstimate

    /// The coefficients as doubles, whichever arithmetic computed them.
    public var numeric: TaylorExpansion<Double> {
        switch values {
        case .exact(let expansion): expansion.doubleValues
        case .numeric(let expansion): expansion
        }
    }

    /// The exact coefficients, if they were computed exactly.
    public var exact: TaylorExpansion<Rational>? {
        if case .exact(let expansion) = values { return expansion }
        return nil
    }
}

/// Taylor expansions of a network's outputs around its point.
public enum Expander {
    /// The default cost limit (multiply-adds or bytes, see `ExpansionEstimate.cost`): about a second of numeric
    /// work. It admits d = 6, N = 8 through 64-wide layers and refuses order 1000 with d = 16.
    public static let defaultLimit = 1_000_000_000

    /// Every Taylor coefficient of every output of `model` at its point up to `order` (0 = the value only). Exact
    /// mode is refused with `.tooLarge` when the exact cost exceeds the limit; automatic mode then falls back to
    /// numeric.
    public static func expand(_ model: Model, order: Int, mode: ExpansionMode, limit: Int = defaultLimit,
                              progress: ExpansionProgress? = nil) throws(EvaluationError) -> ExpansionResult {
        guard order >= 0 else { throw .negativeOrder(order) }
        let estimate = try checkedEstimate(model, order: order, limit: limit)
        // Built only once the request has passed its size checks (it is the largest thing built before any work).
        var table: ProductTable { ProductTable.cached(variables: model.architecture.input.dimension, maxDegree: order) }
        func exact() throws(EvaluationError) -> ExpansionResult {
            guard estimate.fits(limit: limit, arithmetic: .exact) else { throw .tooLarge(estimate: estimate, limit: limit) }
            let network = try converted(model, as: Rational.self)
            let points = try PointDerivatives<Rational>(network: network, order: order)
            return ExpansionResult(values: .exact(try FusedEvaluator.expand(network, points: points, table: table, progress: progress)),
                                   mode: .exact, fallbackReason: nil, estimate: estimate)
        }
        func numeric(fallbackReason: EvaluationError?) throws(EvaluationError) -> ExpansionResult {
            let network = try converted(model, as: Double.self)
            return ExpansionResult(values: .numeric(try numericExpansion(network, order: order, table: table, progress: progress)),
                                   mode: .numeric, fallbackReason: fallbackReason, estimate: estimate)
        }
        switch mode {
        case .exact: return try exact()
        case .numeric: return try numeric(fallbackReason: nil)
        case .automatic:
            do throws(EvaluationError) {
                return try exact()
            } catch {
                switch error {
                case .irrational, .tooLarge: return try numeric(fallbackReason: error)
                default: throw error
                }
            }
        }
    }

    /// The size estimate of an expansion of `model` (never traps, whatever the order).
    public static func estimate(_ model: Model, order: Int) -> ExpansionEstimate {
        ExpansionEstimate(model: model, order: order)
    }

    /// The estimate, or `.tooLarge` when its numeric cost exceeds `limit` (or positions would not fit the product
    /// table), or `.orderTooHigh` beyond `PointDerivatives.maximumOrder`.
    public static func checkedEstimate(_ model: Model, order: Int, limit: Int) throws(EvaluationError) -> ExpansionEstimate {
        try checked(ExpansionEstimate(model: model, order: order), limit: limit)
    }

    static func checked(_ estimate: ExpansionEstimate, limit: Int) throws(EvaluationError) -> ExpansionEstimate {
        let maximum = PointDerivatives<Double>.maximumOrder
        guard estimate.order <= maximum else { throw .orderTooHigh(order: estimate.order, maximum: maximum) }
        guard estimate.fits(limit: limit, arithmetic: .double), estimate.monomials <= Int(Int32.max) else {
            throw .tooLarge(estimate: estimate, limit: limit)
        }
        return estimate
    }

    /// The fused expansion of a network in its own arithmetic, after the size check (the OpenBLAS path for doubles,
    /// the generic evaluator otherwise).
    public static func expand<S: ActivationScalar>(_ network: Network<S>, order: Int,
                                                   limit: Int = defaultLimit) throws(EvaluationError) -> TaylorExpansion<S> {
        guard order >= 0 else { throw .negativeOrder(order) }
        let estimate = try checked(ExpansionEstimate(architecture: network.architecture, order: order), limit: limit)
        guard estimate.fits(limit: limit, arithmetic: S.arithmetic) else { throw .tooLarge(estimate: estimate, limit: limit) }
        let table = ProductTable.cached(variables: network.inputDimension, maxDegree: order)
        if let doubles = network as? Network<Double> {
            // The same coefficients (to rounding) by the batch evaluator: only speed and memory change.
            return try numericExpansion(doubles, order: order, table: table) as! TaylorExpansion<S>
        }
        let points = try PointDerivatives<S>(network: network, order: order)
        return try FusedEvaluator.expand(network, points: points, table: table)
    }

    /// The numeric expansion at the network's point by the batch evaluator (the generic one for a network without
    /// layers, which is the identity).
    static func numericExpansion(_ network: Network<Double>, order: Int, table: ProductTable,
                                 progress: ExpansionProgress? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        guard !network.layers.isEmpty else {
            return try FusedEvaluator.expand(network, points: try PointDerivatives(network: network, order: order), table: table)
        }
        return try BatchEvaluator(network: network, order: order, table: table)
            .expand(points: network.point, progress: progress).expansion(at: 0)
    }

    /// The fused expansion by the generic evaluator (no OpenBLAS), for cross-checks of the fast path.
    public static func expandGeneric<S: ActivationScalar>(_ network: Network<S>, order: Int,
                                                          limit: Int = defaultLimit) throws(EvaluationError) -> TaylorExpansion<S> {
        guard order >= 0 else { throw .negativeOrder(order) }
        let estimate = try checked(ExpansionEstimate(architecture: network.architecture, order: order), limit: limit)
        guard estimate.fits(limit: limit, arithmetic: S.arithmetic) else { throw .tooLarge(estimate: estimate, limit: limit) }
        let points = try PointDerivatives<S>(network: network, order: order)
        return try FusedEvaluator.expand(network, points: points,
                                         table: ProductTable.cached(variables: network.inputDimension, maxDegree: order))
    }

    /// The model in arithmetic `S` (converted once per model and type).
    public static func converted<S: Scalar>(_ model: Model, as type: S.Type) throws(EvaluationError) -> Network<S> {
        do { return try model.network(as: S.self) } catch { throw .model(error) }
    }
}
