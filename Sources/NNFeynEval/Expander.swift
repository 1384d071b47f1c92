// The entry point the CLI calls: check the size, pick exact or numeric arithmetic, run the fused evaluator.
import NNFeynAlgebra
import NNFeynLanguage

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

/// Taylor expansions of a network's outputs around `network.point`.
public enum Expander {
    /// The default cost limit (multiply-adds or bytes, see `ExpansionEstimate.cost`): about a second of numeric
    /// work. It admits d = 6, N = 8 through 64-wide layers and refuses order 1000 with d = 16.
    public static let defaultLimit = 1_000_000_000

    /// Every Taylor coefficient of every output up to `order` (0 = the value only). Exact mode is refused with
    /// `.tooLarge` when `estimate.exactCost` exceeds the limit; automatic mode then falls back to numeric.
    public static func expand(_ network: Network, order: Int, mode: ExpansionMode,
                              limit: Int = defaultLimit, progress: ExpansionProgress? = nil) throws(EvaluationError) -> ExpansionResult {
        guard order >= 0 else { throw .negativeOrder(order) }
        try ScalarNetwork<Double>.validate(network)
        let estimate = try checkedEstimate(network, order: order, limit: limit)
        let table = ProductTable.cached(variables: network.input.dimension, maxDegree: order)
        switch mode {
        case .exact:
            guard estimate.fits(limit: limit, exact: true) else { throw .tooLarge(estimate: estimate, limit: limit) }
            return ExpansionResult(values: .exact(try exactExpansion(network, order: order, table: table, progress: progress)),
                                   mode: .exact, fallbackReason: nil, estimate: estimate)
        case .numeric:
            return ExpansionResult(values: .numeric(try numericExpansion(network, order: order, table: table, progress: progress)),
                                   mode: .numeric, fallbackReason: nil, estimate: estimate)
        case .automatic:
            do throws(EvaluationError) {
                guard estimate.fits(limit: limit, exact: true) else { throw .tooLarge(estimate: estimate, limit: limit) }
                return ExpansionResult(values: .exact(try exactExpansion(network, order: order, table: table, progress: progress)),
                                       mode: .exact, fallbackReason: nil, estimate: estimate)
            } catch {
                switch error {
                case .irrational, .tooLarge: break
                default: throw error
                }
                return ExpansionResult(values: .numeric(try numericExpansion(network, order: order, table: table, progress: progress)),
                                       mode: .numeric, fallbackReason: error, estimate: estimate)
            }
        }
    }

    /// The size estimate of an expansion (never traps, whatever the order).
    public static func estimate(network: Network, order: Int) -> ExpansionEstimate {
        ExpansionEstimate(network: network, order: order)
    }

    /// The estimate, or `.tooLarge` when its cost exceeds `limit` (or positions would not fit the product table),
    /// or `.orderTooHigh` beyond `PointDerivatives.maximumOrder`.
    public static func checkedEstimate(_ network: Network, order: Int, limit: Int) throws(EvaluationError) -> ExpansionEstimate {
        let maximum = PointDerivatives<Double>.maximumOrder
        guard order <= maximum else { throw .orderTooHigh(order: order, maximum: maximum) }
        let estimate = ExpansionEstimate(network: network, order: order)
        guard estimate.fits(limit: limit), estimate.monomials <= Int(Int32.max) else {
            throw .tooLarge(estimate: estimate, limit: limit)
        }
        return estimate
    }

    /// The activation derivatives at the point, generic over the arithmetic (see `PointDerivatives.init`).
    public static func pointDerivatives<S: ActivationScalar>(of network: Network, order: Int,
                                                             as type: S.Type = S.self) throws(EvaluationError) -> PointDerivatives<S> {
        try PointDerivatives<S>(network: network, order: order)
    }

    /// The fused expansion in any activation scalar by the generic evaluator, after the size check.
    public static func taylorExpansion<S: ActivationScalar>(of network: Network, order: Int, as type: S.Type = S.self,
                                                            limit: Int = defaultLimit) throws(EvaluationError) -> TaylorExpansion<S> {
        guard order >= 0 else { throw .negativeOrder(order) }
        try ScalarNetwork<S>.validate(network)
        let estimate = try checkedEstimate(network, order: order, limit: limit)
        guard estimate.fits(limit: limit, exact: S.isExact) else { throw .tooLarge(estimate: estimate, limit: limit) }
        let converted = ScalarNetwork<S>(network)
        let points = try PointDerivatives<S>.forward(converted, order: order)
        let table = ProductTable.cached(variables: network.input.dimension, maxDegree: order)
        return try FusedEvaluator.expand(converted, points: points, table: table)
    }

    /// The numeric expansion by the OpenBLAS fast path, after the size check.
    public static func numericTaylorExpansion(of network: Network, order: Int,
                                              limit: Int = defaultLimit) throws(EvaluationError) -> TaylorExpansion<Double> {
        guard order >= 0 else { throw .negativeOrder(order) }
        try ScalarNetwork<Double>.validate(network)
        _ = try checkedEstimate(network, order: order, limit: limit)
        let table = ProductTable.cached(variables: network.input.dimension, maxDegree: order)
        return try numericExpansion(network, order: order, table: table)
    }

    static func exactExpansion(_ network: Network, order: Int, table: ProductTable,
                               progress: ExpansionProgress? = nil) throws(EvaluationError) -> TaylorExpansion<Rational> {
        let converted = ScalarNetwork<Rational>(network)
        let points = try PointDerivatives<Rational>.forward(converted, order: order)
        return try FusedEvaluator.expand(converted, points: points, table: table, progress: progress)
    }

    static func numericExpansion(_ network: Network, order: Int, table: ProductTable,
                                 progress: ExpansionProgress? = nil) throws(EvaluationError) -> TaylorExpansion<Double> {
        let converted = ScalarNetwork<Double>(network)
        let points = try PointDerivatives<Double>.forward(converted, order: order)
        return try BLASEvaluator.expand(converted, points: points, table: table, progress: progress)
    }
}
