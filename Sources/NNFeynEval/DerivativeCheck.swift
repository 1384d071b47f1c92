// Checking an expansion against finite differences, order by order, for `nnfeyn check`.
//
// Per order k, each checked entry's error is |taylor - fd| divided by the order's scale: the largest |derivative|
// of that order over all its entries and outputs, floored at `floorFraction` times the function's scale (the
// largest |derivative| of any order), so an order whose derivatives all vanish is judged against the function
// instead of 0/0. Derivatives rather than Taylor coefficients: the differences divide by h^k like derivatives do,
// so their roundoff grows with the derivatives' size, and a coefficient floor (k! smaller) false-failed exactly
// vanishing orders at 4e-8. When an order has more monomials than `sampleLimit`, a seeded shuffle picks
// `sampleLimit` of them (every output is checked at each), and the report says so.
//
// Default tolerances, with what central differences with Richardson reached on 2-3 input, 8-8 hidden networks
// with N(0, 1/fanIn) weights (tanh, sigmoid, silu, gelu, softplus, sin) in the tests, for comparison:
//   order 0: 1e-12 (plain evaluation; measured 0)
//   order 1-2: 1e-8 (measured 1e-14 .. 1e-10)     order 3-4: 1e-5 (measured 3e-11 .. 6e-9)
//   order 5-6: 1e-3 (measured 2e-8 .. 2e-6)      order 7 and above: 1e-2 (measured 5e-6 .. 2e-4 up to order 8)
import NNFeynAlgebra
import NNFeynModel

/// How an expansion is checked.
public struct CheckOptions: Sendable, Equatable {
    /// Most monomials checked per order; larger orders are sampled.
    public var sampleLimit: Int
    /// The seed of the sampling (same seed, same entries).
    public var seed: UInt64
    /// Tolerance overrides per order; orders not listed use `CheckOptions.defaultTolerance(order:)`.
    public var tolerances: [Int: Double]
    /// The scale floor as a fraction of the function's scale.
    public var floorFraction: Double

    /// Options with the defaults: 64 monomials per order, seed 0, default tolerances, floor 1e-3.
    public init(sampleLimit: Int = 64, seed: UInt64 = 0, tolerances: [Int: Double] = [:], floorFraction: Double = 1e-3) {
        self.sampleLimit = sampleLimit
        self.seed = seed
        self.tolerances = tolerances
        self.floorFraction = floorFraction
    }

    /// The default tolerance of order k (see the table at the top of DerivativeCheck.swift).
    public static func defaultTolerance(order k: Int) -> Double {
        switch k {
        case ..<1: 1e-12
        case 1...2: 1e-8
        case 3...4: 1e-5
        case 5...6: 1e-3
        default: 1e-2
        }
    }

    /// The tolerance used for order k.
    public func tolerance(order k: Int) -> Double { tolerances[k] ?? CheckOptions.defaultTolerance(order: k) }
}

/// The outcome of checking one order.
public struct OrderCheck: Sendable, Equatable {
    /// The order k.
    public var order: Int
    /// Entries (monomial, output) compared.
    public var checked: Int
    /// Entries of this order in the expansion.
    public var total: Int
    /// Whether the monomials were sampled.
    public var sampled: Bool
    /// The largest |taylor - fd| / scale.
    public var maxRelativeError: Double
    /// The largest finite-difference error estimate, relative to the same scale.
    public var maxRelativeErrorEstimate: Double
    /// The scale errors are divided by.
    public var scale: Double
    /// The tolerance applied.
    public var tolerance: Double
    /// The worst entry: output and variable indices.
    public var worstOutput: Int
    /// The worst entry's variable indices (non-decreasing).
    public var worstIndices: [Int]
    /// No entry is confidently past the tolerance (see `inconclusive`).
    public var passed: Bool
    /// Some entry is past the tolerance, but by less than twice the finite differences' own error estimate:
    /// the reference is too uncertain to call it a failure (high orders, nearly vanishing orders).
    public var inconclusive: Bool = false
}

/// The outcome of checking an expansion against finite differences.
public struct CheckReport: Sendable, Equatable {
    /// One check per order, 0...N.
    public var orders: [OrderCheck]
    /// Every order passed.
    public var passed: Bool { orders.allSatisfy(\.passed) }
}

extension FiniteDifferences {
    /// Checks every order of `expansion` (of `network` at its point) against finite differences.
    public static func check(_ expansion: TaylorExpansion<Double>, of f: Network<Double>,
                             options: CheckOptions = CheckOptions()) -> CheckReport {
        let radius = f.smoothRadius
        let basis = expansion.basis
        var functionScale = 0.0
        for o in 0..<expansion.outputCount {
            for p in 0..<expansion.basis.count { functionScale = max(functionScale, abs(expansion.derivative(output: o, position: p))) }
        }
        var report: [OrderCheck] = []
        for k in 0...basis.maxDegree {
            let positions = Array(basis.range(ofDegree: k))
            var scale = 0.0
            for o in 0..<expansion.outputCount {
                for p in positions { scale = max(scale, abs(expansion.derivative(output: o, position: p))) }
            }
            scale = max(scale, options.floorFraction * functionScale, Double.leastNormalMagnitude)
            let chosen = sample(positions, limit: options.sampleLimit, seed: options.seed, order: k)
            var worst = 0.0, worstEstimate = 0.0, worstOutput = 0, worstIndices: [Int] = []
            let tolerance = options.tolerance(order: k)
            var confidentFailure = false, unresolved = false
            for p in chosen {
                let estimate = derivative(of: { f.outputs(at: $0) }, at: f.point, indices: basis.indexLists[p], smoothRadius: radius)
                for o in 0..<expansion.outputCount {
                    let error = abs(expansion.derivative(output: o, position: p) - estimate.values[o]) / scale
                    let uncertainty = estimate.errors[o] / scale
                    if !(error <= tolerance) {
                        // A failure only when the gap clearly exceeds what the reference itself is unsure about.
                        if error.isNaN || !(error <= 2 * uncertainty) { confidentFailure = true } else { unresolved = true }
                    }
                    // NaN (a failed difference) must count as a failure, so compare with `!(<=)`.
                    if !(error <= worst) {
                        worst = error.isNaN ? .infinity : error
                        worstOutput = o
                        worstIndices = basis.indexLists[p]
                    }
                    worstEstimate = max(worstEstimate, estimate.errors[o] / scale)
                }
            }
            report.append(OrderCheck(order: k, checked: chosen.count * expansion.outputCount,
                                     total: positions.count * expansion.outputCount, sampled: chosen.count < positions.count,
                                     maxRelativeError: worst, maxRelativeErrorEstimate: worstEstimate, scale: scale,
                                     tolerance: tolerance, worstOutput: worstOutput, worstIndices: worstIndices,
                                     passed: !confidentFailure, inconclusive: unresolved && !confidentFailure))
        }
        return CheckReport(orders: report)
    }

    /// At most `limit` of `items`, a seeded uniform sample (one stream per order), in their original order.
    public static func sample(_ items: [Int], limit: Int, seed: UInt64, order: Int) -> [Int] {
        var generator = Xoshiro256(seed: seed, stream: UInt64(truncatingIfNeeded: order))
        return generator.sample(items, count: limit)
    }
}

