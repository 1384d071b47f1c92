// Entry points for many points and for reduced quantities: full expansions at every point of a list, Hessian
// functionals (Laplacian, diagonal, weighted operator) and directional series, each exact, numeric or automatic
// like `Expander.expand`. Exact mode expands each point with the generic evaluator (the reference); numeric mode
// runs the batch evaluator once over all points.
import NNFeynAlgebra
import NNFeynModel

/// Values computed exactly or numerically, laid out as their producer says.
public enum ComputedValues: Sendable {
    case exact([Rational])
    case numeric([Double])

    /// The values as doubles.
    public var doubles: [Double] {
        switch self {
        case .exact(let values): values.map(\.doubleValue)
        case .numeric(let values): values
        }
    }
}

/// Expansions at several points.
public struct PointsExpansion: Sendable {
    /// One expansion per point, in the points' order.
    public enum Expansions: Sendable {
        case exact([TaylorExpansion<Rational>])
        case numeric(BatchExpansion)
    }
    public var expansions: Expansions
    public var mode: ExpansionMode
    public var fallbackReason: EvaluationError?
    public var estimate: ExpansionEstimate
}

/// A Hessian functional at several points.
public struct ReducedResult: Sendable {
    public var reduction: HessianReduction
    public var pointCount: Int
    public var outputCount: Int
    /// Values per output and point (d for the diagonal, else 1).
    public var width: Int
    /// values[(p * outputCount + o) * width + k].
    public var values: ComputedValues
    /// The outputs at the points, [p * outputCount + o].
    public var outputs: ComputedValues
    public var mode: ExpansionMode
    public var fallbackReason: EvaluationError?
}

/// Directional series f(x + t v) at several points.
public struct SeriesResult: Sendable {
    public var pointCount: Int
    public var outputCount: Int
    public var order: Int
    /// Taylor coefficients in t, [(p * outputCount + o) * (order + 1) + k].
    public var coefficients: ComputedValues
    /// Radius estimates per point and output, [p * outputCount + o].
    public var radii: [RadiusEstimate]
    public var mode: ExpansionMode
    public var fallbackReason: EvaluationError?
}

extension Expander {
    /// Runs `exact` or `numeric` by `mode`, falling back from exact to numeric in automatic mode when a value is
    /// irrational or the exact cost is too large.
    static func choosing<R>(_ mode: ExpansionMode, exact: () throws(EvaluationError) -> R,
                            numeric: (EvaluationError?) throws(EvaluationError) -> R) throws(EvaluationError) -> R {
        switch mode {
        case .exact: return try exact()
        case .numeric: return try numeric(nil)
        case .automatic:
            do throws(EvaluationError) {
                return try exact()
            } catch {
                switch error {
                case .irrational, .tooLarge: return try numeric(error)
                default: throw error
                }
            }
        }
    }

    static func moved(_ model: Model, to point: [Rational]) throws(EvaluationError) -> Model {
        do { return try model.at(point) } catch { throw .model(error) }
    }

    static func doubles(_ points: [[Rational]], dimension d: Int) throws(EvaluationError) -> [Double] {
        var flat: [Double] = []
        flat.reserveCapacity(points.count * d)
        for point in points {
            guard point.count == d else { throw .model(.pointDimension(got: point.count, expected: d)) }
            flat += point.map(\.doubleValue)
        }
        return flat
    }

    /// Every Taylor coefficient to `order` at each point (exact points; numeric mode uses their nearest doubles).
    public static func expand(_ model: Model, order: Int, points: [[Rational]], mode: ExpansionMode,
                              limit: Int = defaultLimit) throws(EvaluationError) -> PointsExpansion {
        guard order >= 0 else { throw .negativeOrder(order) }
        let estimate = try checkedEstimate(model, order: order, limit: limit)
        return try choosing(mode, exact: { () throws(EvaluationError) in
            var expansions: [TaylorExpansion<Rational>] = []
            for point in points {
                let result = try expand(try moved(model, to: point), order: order, mode: .exact, limit: limit)
                expansions.append(result.exact!)
            }
            return PointsExpansion(expansions: .exact(expansions), mode: .exact, fallbackReason: nil, estimate: estimate)
        }, numeric: { (reason: EvaluationError?) throws(EvaluationError) in
            let plan = try ExpansionPlan(try converted(model, as: Double.self), order: order, limit: limit)
            let flat = try doubles(points, dimension: model.input.dimension)
            return PointsExpansion(expansions: .numeric(try plan.numeric(points: flat, count: points.count)), mode: .numeric,
                                   fallbackReason: reason, estimate: estimate)
        })
    }

    /// A Hessian functional of every output at each point, without forming the Hessian in numeric mode.
    public static func reduce(_ model: Model, _ reduction: HessianReduction, points: [[Rational]], mode: ExpansionMode,
                              limit: Int = defaultLimit) throws(EvaluationError) -> ReducedResult {
        let d = model.input.dimension, outputs = model.outputCount
        if case .weighted(let a) = reduction, a.count != d * d {
            throw .model(.shape(layer: nil, "the operator has \(a.count) entries, not \(d) x \(d)"))
        }
        let width = reduction.valuesPerOutput(variables: d)
        return try choosing(mode, exact: { () throws(EvaluationError) in
            var values: [Rational] = [], outputValues: [Rational] = []
            for point in points {
                let result = try expand(try moved(model, to: point), order: 2, mode: .exact, limit: limit)
                let expansion = result.exact!
                for o in 0..<outputs {
                    values += reduction.reduce(expansion, output: o)
                    outputValues.append(expansion.coefficient(output: o, position: 0))
                }
            }
            return ReducedResult(reduction: reduction, pointCount: points.count, outputCount: outputs, width: width,
                                 values: .exact(values), outputs: .exact(outputValues), mode: .exact, fallbackReason: nil)
        }, numeric: { (reason: EvaluationError?) throws(EvaluationError) in
            let network = try converted(model, as: Double.self)
            guard !network.layers.isEmpty else { throw .model(.shape(layer: nil, "a network without layers has a zero Hessian")) }
            // Forward work is d + 1 rows per point whatever the reduction; the size check is the order-1 one.
            _ = try checkedEstimate(model, order: 1, limit: limit)
            let evaluator = BatchEvaluator(network: network, order: 2,
                                           table: ProductTable.cached(variables: min(d, 1), maxDegree: 2))
            let batch = try evaluator.reduce(reduction, points: try doubles(points, dimension: d))
            return ReducedResult(reduction: reduction, pointCount: points.count, outputCount: outputs, width: width,
                                 values: .numeric(batch.values), outputs: .numeric(batch.outputsAtPoints), mode: .numeric,
                                 fallbackReason: reason)
        })
    }

    /// The series of every output along x = point + t direction to `order` in t, at each point, with radius estimates.
    public static func series(_ model: Model, direction: [Rational], order: Int, points: [[Rational]], mode: ExpansionMode,
                              limit: Int = defaultLimit) throws(EvaluationError) -> SeriesResult {
        guard order >= 0 else { throw .negativeOrder(order) }
        let outputs = model.outputCount
        func radii(_ values: [Double]) -> [RadiusEstimate] {
            (0..<(values.count / (order + 1))).map { q in
                DirectionalSeries.radius(Array(values[(q * (order + 1))..<((q + 1) * (order + 1))]))
            }
        }
        return try choosing(mode, exact: { () throws(EvaluationError) in
            var values: [Rational] = []
            for point in points {
                let network = try converted(try moved(model, to: point), as: Rational.self)
                let line = try DirectionalSeries.line(network, direction: direction)
                let expansion = try expand(line, order: order, limit: limit)
                for o in 0..<outputs { values += (0...order).map { expansion.coefficient(output: o, position: $0) } }
            }
            return SeriesResult(pointCount: points.count, outputCount: outputs, order: order, coefficients: .exact(values),
                                radii: radii(values.map(\.doubleValue)), mode: .exact, fallbackReason: nil)
        }, numeric: { (reason: EvaluationError?) throws(EvaluationError) in
            let network = try converted(model, as: Double.self)
            let v = direction.map(\.doubleValue)
            var values: [Double] = []
            for point in points {
                let moved: Network<Double>
                do throws(ModelError) { moved = try network.at(point.map(\.doubleValue)) } catch { throw .model(error) }
                let expansion = try expand(try DirectionalSeries.line(moved, direction: v), order: order, limit: limit)
                for o in 0..<outputs { values += (0...order).map { expansion.coefficient(output: o, position: $0) } }
            }
            return SeriesResult(pointCount: points.count, outputCount: outputs, order: order, coefficients: .numeric(values),
                                radii: radii(values), mode: .numeric, fallbackReason: reason)
        })
    }
}
