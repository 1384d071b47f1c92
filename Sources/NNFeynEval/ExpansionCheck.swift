// `nnfeyn check`: an expansion against a reference that is independent of the Taylor engine and accurate at every
// order, with verdicts that only say FAIL when the gap is certain. See ReferenceDerivatives.swift for the reference.
//
// What is compared, per order k (derivatives, not Taylor coefficients):
//   - entries: individual derivatives d^k y_o / dx^alpha, every one when the order has at most `samples`
//     monomials, otherwise every pure one (x_v^k), the four largest, and a seeded sample of the mixed ones, as
//     many as a budget of stencil points allows (see `selectEntries`); all outputs each time;
//   - directions: D^k y_o[u, ..., u] = k! sum_alpha c_alpha u^alpha for `directions` seeded random directions u with
//     every component nonzero and |u|_1 = 1 (dyadic, so the stencils stay exact), as JAX's check_grads does: each
//     one weighs every entry of the order, so no entry goes unprobed. Since |D^k y[u^k]| <= max |d^k y / dx^alpha|
//     when |u|_1 = 1, the same scale and tolerance apply.
// Scale of order k: the largest |derivative| of that order in the expansion, floored at `floorFraction` times the
// scale of the nearest nonvanishing orders around it (so an order that vanishes is judged against the terms
// around it, not 0/0; see `floored`).
// Verdict of one comparison, gap = |expansion - reference|, bound = the reference's own error bound,
// resolution = tolerance * scale: FAIL if gap - bound > resolution (certainly past the tolerance), ok if
// gap + bound <= resolution, unsure otherwise, which happens only when the reference misses the accuracy it aims
// for (tolerance / 64 of the scale), with the reason. Exact expansions of polynomial networks (relu in its local
// form) meet an exact reference: they must be equal, whatever the tolerance.
//
// Default tolerances (relative to the order's scale), from what each arithmetic delivers:
//   exact: 1e-20 against the MPFR reference (an exact expansion has no error at all);
//   double: orders 0-12: 1e-10, 13-20: 1e-9, beyond: 1e-8 (measured errors of the numeric expansion: below
//     2e-14 up to order 12 on random networks as bench/random_models.py draws them, below 1e-12 with ten times
//     larger weights; see docs/check.md);
//   multiprecision, P bits: 2^-(P - 8) (confirmed to P bits; printed with floor(P log10 2) digits, whose rounding
//     alone can reach 50 * 2^-P of the value when read back from a file).
import Foundation
import NNFeynAlgebra
import NNFeynModel

/// An expansion to check, in the arithmetic that computed it.
public enum CheckedExpansion: Sendable {
    /// Exact rationals.
    case exact(TaylorExpansion<Rational>)
    /// Doubles.
    case numeric(TaylorExpansion<Double>)
    /// MPFR values confirmed to `bits` bits.
    case multiprecision(TaylorExpansion<BigFloat>, bits: Int)

    /// The monomials.
    public var basis: MonomialBasis {
        switch self {
        case .exact(let e): e.basis
        case .numeric(let e): e.basis
        case .multiprecision(let e, _): e.basis
        }
    }

    /// The number of outputs.
    public var outputCount: Int {
        switch self {
        case .exact(let e): e.outputCount
        case .numeric(let e): e.outputCount
        case .multiprecision(let e, _): e.outputCount
        }
    }

    /// The default tolerance of order k (see the top of ExpansionCheck.swift).
    public func defaultTolerance(order k: Int) -> Double {
        switch self {
        case .exact: return 1e-20
        case .numeric:
            switch k {
            case ...12: return 1e-10
            case 13...20: return 1e-9
            default: return 1e-8
            }
        case .multiprecision(_, let bits): return Foundation.pow(2.0, -Double(max(bits - 8, 1)))
        }
    }

    /// The derivative at (output, position) rounded to `precision` bits (doubles are exact from 53 bits on).
    func derivative(_ o: Int, _ p: Int, precision: Int) -> BigFloat { value(o, p, as: .derivative, precision: precision) }

    /// The Taylor coefficient at (output, position) rounded to `precision` bits.
    func coefficient(_ o: Int, _ p: Int, precision: Int) -> BigFloat { value(o, p, as: .coefficient, precision: precision) }

    /// The number at (output, position) in `convention`, rounded to `precision` bits (at least 64): from the stored
    /// value, which doubles and MPFR values give exactly, times or over alpha! where the conventions differ.
    func value(_ o: Int, _ p: Int, as convention: TaylorConvention, precision: Int) -> BigFloat {
        let bits = max(precision, 64)
        let stored: BigFloat, storedConvention: TaylorConvention
        switch self {
        case .exact(let e):
            let exact = convention == .derivative ? e.derivative(output: o, position: p) : e.coefficient(output: o, position: p)
            return BigFloat(exact, precision: bits)
        case .numeric(let e):
            (stored, storedConvention) = (BigFloat(e.stored(output: o, position: p), precision: 53), e.convention)
        case .multiprecision(let e, _):
            (stored, storedConvention) = (e.stored(output: o, position: p), e.convention)
        }
        guard storedConvention != convention else { return stored.rounded(toPrecision: max(bits, stored.precision)) }
        let factorial = BigFloat(basis.multiplicityFactorial(at: p, as: Rational.self), precision: bits)
        return convention == .derivative ? stored * factorial : stored / factorial
    }

    var exactExpansion: TaylorExpansion<Rational>? {
        if case .exact(let e) = self { return e }
        return nil
    }

    /// An expansion as `Expander.expand` computed it.
    public init(_ result: ExpansionResult) {
        switch result.values {
        case .exact(let e): self = .exact(e)
        case .numeric(let e): self = .numeric(e)
        }
    }
}

/// How `ExpansionCheck.run` checks.
public struct ExpansionCheckOptions: Sendable, Equatable {
    /// Entries compared individually per order; orders with more monomials are sampled (pure ones always).
    public var samples: Int
    /// Random directions compared at every order.
    public var directions: Int
    /// The seed of the samples and directions.
    public var seed: UInt64
    /// A tolerance for every order (nil: the default of the expansion's arithmetic).
    public var tolerance: Double?
    /// Tolerances of single orders; these win over `tolerance`, whatever the order they were given in.
    public var orderTolerances: [Int: Double]
    /// The scale floor as a fraction of the scale of the nearest nonvanishing orders.
    public var floorFraction: Double
    /// New stencil points an order may add for its sampled mixed entries (beyond those higher orders need);
    /// nil: 25 per sample.
    public var pointBudget: Int?
    /// Threads for the forward passes.
    public var threads: Int

    public init(samples: Int = 64, directions: Int = 4, seed: UInt64 = 0, tolerance: Double? = nil,
                orderTolerances: [Int: Double] = [:], floorFraction: Double = 1e-3, pointBudget: Int? = nil,
                threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)) {
        self.samples = samples
        self.directions = directions
        self.seed = seed
        self.tolerance = tolerance
        self.orderTolerances = orderTolerances
        self.floorFraction = floorFraction
        self.pointBudget = pointBudget
        self.threads = threads
    }

    /// The tolerance of order k: a per-order one, else the one for every order, else the default.
    public func tolerance(order k: Int, for expansion: CheckedExpansion) -> Double {
        orderTolerances[k] ?? tolerance ?? expansion.defaultTolerance(order: k)
    }
}

/// The verdict of an order.
public enum CheckVerdict: String, Sendable, Equatable {
    case ok
    case fail = "FAIL"
    case unsure
}

/// One comparison: an entry or a direction of one output.
public struct CheckFinding: Sendable, Equatable {
    /// What was compared.
    public enum Probe: Sendable, Equatable {
        /// The derivative with respect to these variables (non-decreasing).
        case entry([Int])
        /// The k-th derivative along random direction `index` (see `ExpansionCheckReport.directions`).
        case direction(Int)
    }
    public var probe: Probe
    public var output: Int
    /// The expansion's value.
    public var value: BigFloat
    /// The reference value.
    public var reference: BigFloat
    /// The reference's error bound (0 when exact).
    public var referenceError: BigFloat
    /// |value - reference| / scale.
    public var relativeGap: Double
    /// Why the reference is not trustworthy here, if it is not.
    public var reason: String?
}

/// The outcome of one order.
public struct OrderCheckResult: Sendable, Equatable {
    public var order: Int
    /// Entries (monomial, output) compared individually, and the order's total.
    public var entriesChecked: Int
    public var entriesTotal: Int
    /// Directions compared (per output).
    public var directions: Int
    /// The largest |derivative| of the order (floored), which gaps are divided by.
    public var scale: BigFloat
    public var tolerance: Double
    /// The largest |expansion - reference| / scale.
    public var maxRelativeError: Double
    /// The largest reference error bound / scale.
    public var maxReferenceError: Double
    public var verdict: CheckVerdict
    /// The comparison that decided the verdict (the largest gap, or the most certain failure).
    public var worst: CheckFinding?
    /// Whether the reference of this order is exact.
    public var exactReference: Bool
}

/// The outcome of a check.
public struct ExpansionCheckReport: Sendable, Equatable {
    public var orders: [OrderCheckResult]
    /// The random directions, |u|_1 = 1.
    public var directions: [[Rational]]
    /// How the reference was computed, for people.
    public var referenceSummary: String
    /// No order failed (unsure orders pass).
    public var passed: Bool { !orders.contains { $0.verdict == .fail } }
}

/// Checks expansions against the independent reference.
public enum ExpansionCheck {
    /// Polynomial networks up to this total degree get the exact reference.
    public static let exactDegreeLimit = 64

    /// Checks every order of `expansion`, an expansion of `model` around its point.
    public static func run(_ expansion: CheckedExpansion, of model: Model,
                           options: ExpansionCheckOptions = ExpansionCheckOptions()) throws(EvaluationError) -> ExpansionCheckReport {
        let f = try ReferenceFunction(model)
        let basis = expansion.basis
        let n = basis.maxDegree, d = basis.variables, outputs = expansion.outputCount

        // Scales.
        var orderMaximum = [BigFloat](repeating: BigFloat(0, precision: 64), count: n + 1)
        for o in 0..<outputs {
            for p in 0..<basis.count {
                let k = basis.degree(of: p)
                orderMaximum[k] = BigFloat.maximum(orderMaximum[k], expansion.derivative(o, p, precision: 64).magnitude.rounded(toPrecision: 64))
            }
        }
        let scales = floored(orderMaximum, fraction: options.floorFraction)
        let tolerances = (0...n).map { options.tolerance(order: $0, for: expansion) }

        // What to compare.
        // The largest entries of each order are always compared individually: an error there matters most.
        var largest: [[Int]] = []
        for k in 0...n {
            let positions = Array(basis.range(ofDegree: k))
            let size = positions.map { p in (0..<outputs).map { expansion.derivative($0, p, precision: 64).magnitude }.reduce(BigFloat(0, precision: 64), BigFloat.maximum) }
            largest.append(positions.indices.sorted { size[$0] > size[$1] }.prefix(4).map { positions[$0] })
        }
        let entries = selectEntries(basis, limit: options.samples, budget: options.pointBudget ?? 25 * options.samples,
                                    seed: options.seed, required: largest)
        let totals = (0...n).map { basis.range(ofDegree: $0).count }
        let directions = d == 0 ? [] : randomDirections(count: options.directions, dimension: d, seed: options.seed)
        var probes: [ReferenceProbe] = []
        var targets: [ReferenceProbe: BigFloat] = [:]
        for k in 0...n {
            let target = scales[k] * BigFloat(tolerances[k] / 64, precision: 64)
            for p in entries[k] {
                let probe = ReferenceProbe(entry: basis.indexLists[p])
                probes.append(probe)
                targets[probe] = target
            }
            if k >= 1 {
                for i in directions.indices {
                    let probe = ReferenceProbe(direction: i, order: k)
                    probes.append(probe)
                    targets[probe] = target
                }
            }
        }

        // The reference.
        let engine = ReferenceDerivatives(function: f, randomDirections: directions, threads: options.threads)
        let references: [ReferenceProbe: ReferenceValue]
        let summary: String
        var precision = 128
        if let degree = f.polynomialDegree, degree <= exactDegreeLimit {
            references = engine.exact(probes, degree: degree)
            summary = "exact: the network is a polynomial of degree \(degree)"
                + (model.layers.contains { $0.activation == .relu } ? " (relu in its local linear form)" : "")
                + "; central differences with exact Richardson extrapolation"
        } else {
            let parameters = initialParameters(expansion, scales: scales, tolerances: tolerances, function: f)
            let result = engine.approximate(probes, targets: targets, parameters: parameters)
            references = result.values
            precision = result.finalParameters.precision
            let retried = result.finalParameters != parameters
            summary = "MPFR central differences, 3-level Richardson, step 2^-\(parameters.stepExponent) at \(parameters.precision) bits"
                + (retried ? " (down to 2^-\(result.finalParameters.stepExponent) at \(result.finalParameters.precision) bits where needed)" : "")
                + (model.layers.contains { $0.activation == .relu } ? "; relu in its local linear form" : "")
        }

        // Compare.
        var results: [OrderCheckResult] = []
        for k in 0...n {
            var findings: [(CheckFinding, CheckVerdict, Double)] = []  // finding, verdict, certainty of failure
            let resolution = scales[k] * BigFloat(tolerances[k], precision: 64)
            for p in entries[k] {
                guard let reference = references[ReferenceProbe(entry: basis.indexLists[p])] else { continue }
                for o in 0..<outputs {
                    let exactValue = expansion.exactExpansion.map { $0.derivative(output: o, position: p) }
                    findings.append(compare(value: expansion.derivative(o, p, precision: precision + 64), exactValue: exactValue,
                                            reference: reference, output: o, probe: .entry(basis.indexLists[p]),
                                            scale: scales[k], resolution: resolution, precision: precision))
                }
            }
            if k >= 1 {
                for (i, u) in directions.enumerated() {
                    guard let reference = references[ReferenceProbe(direction: i, order: k)] else { continue }
                    for o in 0..<outputs {
                        let (value, exactValue) = directional(expansion, output: o, order: k, direction: u, precision: precision + 64)
                        findings.append(compare(value: value, exactValue: exactValue, reference: reference, output: o,
                                                probe: .direction(i), scale: scales[k], resolution: resolution, precision: precision))
                    }
                }
            }
            let verdict: CheckVerdict = findings.contains { $0.1 == .fail } ? .fail : (findings.contains { $0.1 == .unsure } ? .unsure : .ok)
            let deciding = findings.filter { $0.1 == verdict }
            let worst = (deciding.isEmpty ? findings : deciding).max { a, b in
                verdict == .fail ? a.2 < b.2 : a.0.relativeGap < b.0.relativeGap
            }?.0
            let maxReference = findings.map { ($0.0.referenceError / scales[k]).doubleValue }.max() ?? 0
            results.append(OrderCheckResult(
                order: k, entriesChecked: entries[k].count * outputs, entriesTotal: totals[k] * outputs,
                directions: k >= 1 ? directions.count : 0, scale: scales[k], tolerance: tolerances[k],
                maxRelativeError: findings.map(\.0.relativeGap).max() ?? 0, maxReferenceError: maxReference,
                verdict: verdict, worst: worst,
                exactReference: entries[k].first.flatMap { references[ReferenceProbe(entry: basis.indexLists[$0])]?.exact } != nil))
        }
        return ExpansionCheckReport(orders: results, directions: directions, referenceSummary: summary)
    }

    /// Each order's scale, floored at `fraction` times the scale its nearest nonvanishing neighbours suggest
    /// (geometric interpolation between the nearest nonzero orders below and above, or the nearest one), so an
    /// order that vanishes is judged against the size of the terms around it. (A floor from the largest
    /// derivative of any order would make low orders unjudgeable: derivatives grow like k!, and at order 30 the
    /// largest is 10^30 times those of order 8.)
    static func floored(_ maxima: [BigFloat], fraction: Double) -> [BigFloat] {
        let nonzero = maxima.indices.filter { !maxima[$0].isZero && maxima[$0].isFiniteValue }
        let fractionValue = BigFloat(fraction, precision: 64)
        return maxima.indices.map { k in
            let below = nonzero.last { $0 < k }, above = nonzero.first { $0 > k }
            let typical: BigFloat
            switch (below, above) {
            case let (lo?, hi?):
                // exp((hi - k)/(hi - lo) log s_lo + (k - lo)/(hi - lo) log s_hi), in log2 through doubles.
                let a = log2(maxima[lo]), b = log2(maxima[hi])
                let t = Double(k - lo) / Double(hi - lo)
                let exponent = (1 - t) * a + t * b
                let whole = exponent.rounded(.down)
                typical = BigFloat(Foundation.exp2(exponent - whole), precision: 64).scaled(byPowerOfTwo: Int(whole))
            case let (lo?, nil): typical = maxima[lo]
            case let (nil, hi?): typical = maxima[hi]
            case (nil, nil): typical = BigFloat(1, precision: 64)
            }
            let floor = typical * fractionValue
            return maxima[k].isFiniteValue ? BigFloat.maximum(maxima[k], floor) : floor
        }
    }

    /// log2 |x| of a finite nonzero value, through its exponent and leading bits.
    static func log2(_ x: BigFloat) -> Double {
        guard let e = x.binaryExponent else { return 0 }
        return Double(e) + Foundation.log2(x.magnitude.scaled(byPowerOfTwo: -e).doubleValue)
    }

    /// One comparison and its verdict; the third element orders failures by certainty, (gap - bound) / resolution.
    static func compare(value: BigFloat, exactValue: Rational?, reference: ReferenceValue, output o: Int,
                        probe: CheckFinding.Probe, scale: BigFloat, resolution: BigFloat,
                        precision: Int) -> (CheckFinding, CheckVerdict, Double) {
        let wide = max(precision, value.precision) + 64
        let referenceValue = reference.exact.map { BigFloat($0[o], precision: wide) } ?? reference.approximate[o]
        let gap = (value.rounded(toPrecision: wide) - referenceValue).magnitude
        let bound = reference.errors[o]
        let relativeGap = (gap / scale).doubleValue
        var finding = CheckFinding(probe: probe, output: o, value: value, reference: referenceValue,
                                   referenceError: bound, relativeGap: relativeGap.isNaN ? .infinity : relativeGap, reason: nil)
        if let exactValue, let exactReference = reference.exact?[o] {
            // Exact against exact: equal or wrong.
            let difference = (exactValue - exactReference).magnitude
            finding.value = BigFloat(exactValue, precision: wide)
            finding.relativeGap = difference.isZero ? 0 : BigFloat.maximum((BigFloat(difference, precision: 64) / scale), BigFloat(Double.leastNonzeroMagnitude, precision: 64)).doubleValue
            return (finding, difference.isZero ? .ok : .fail, difference.isZero ? 0 : .infinity)
        }
        guard bound.isFiniteValue, gap.isFiniteValue else {
            finding.reason = reference.reason ?? "the reference is not finite"
            return (finding, gap.isFiniteValue ? .unsure : .fail, gap.isFiniteValue ? 0 : .infinity)
        }
        let certainty = ((gap - bound) / resolution).doubleValue
        if gap - bound > resolution { return (finding, .fail, resolution.isZero ? .infinity : certainty) }
        if gap + bound <= resolution { return (finding, .ok, certainty) }
        finding.reason = reference.reason
            ?? "the gap is within the reference's own error bound \(bound.text(significantDigits: 2)) of the tolerance"
        return (finding, .unsure, certainty)
    }

    /// D^k y_o[u, ..., u] = k! sum_alpha c_alpha u^alpha from the expansion, in MPFR and exactly when it is exact.
    static func directional(_ expansion: CheckedExpansion, output o: Int, order k: Int, direction u: [Rational],
                            precision: Int) -> (BigFloat, Rational?) {
        let basis = expansion.basis
        var factorial = Rational.one
        for i in stride(from: 2, through: k, by: 1) { factorial = factorial * Rational(i) }
        if let exact = expansion.exactExpansion {
            var sum = Rational.zero
            for p in basis.range(ofDegree: k) {
                var monomial = Rational.one
                for v in basis.indexLists[p] { monomial = monomial * u[v] }
                sum.addProduct(exact.coefficient(output: o, position: p), monomial)
            }
            let value = sum * factorial
            return (BigFloat(value, precision: precision), value)
        }
        var sum = BigFloat(0, precision: precision)
        for p in basis.range(ofDegree: k) {
            var monomial = Rational.one
            for v in basis.indexLists[p] { monomial = monomial * u[v] }
            sum.addProduct(expansion.coefficient(o, p, precision: precision), BigFloat(monomial, precision: precision))
        }
        return (sum * BigFloat(factorial, precision: precision), nil)
    }

    /// Step and precision from the highest order, the targets and the radius of convergence estimated from the
    /// expansion (see ReferenceDerivatives.swift): truncation (h0 (N + 6) / R)^6 <= target / 16 and rounding
    /// 2^(24 - w) M 2^k / h_2^k <= target.
    static func initialParameters(_ expansion: CheckedExpansion, scales: [BigFloat], tolerances: [Double],
                                  function f: ReferenceFunction) -> ReferenceDerivatives.Parameters {
        let basis = expansion.basis
        let n = basis.maxDegree
        guard n >= 1 else { return .init(stepExponent: 8, precision: 128) }
        // log2 of the largest |Taylor coefficient| per order.
        var logCoefficient = [Double](repeating: -.infinity, count: n + 1)
        for o in 0..<expansion.outputCount {
            for p in 0..<basis.count {
                let c = expansion.coefficient(o, p, precision: 64)
                if let e = c.binaryExponent { logCoefficient[basis.degree(of: p)] = max(logCoefficient[basis.degree(of: p)], Double(e)) }
            }
        }
        // Root test against the largest lower order: R ~ (max_j<k |c_j| / |c_k|)^(1 / (k - j)).
        var logRadius = 0.0
        for k in 1...n where logCoefficient[k].isFinite {
            var best = -Double.infinity, bestOrder = 0
            for j in 0..<k where logCoefficient[j] > best { best = logCoefficient[j]; bestOrder = j }
            guard best.isFinite else { continue }
            logRadius = min(logRadius, (best - logCoefficient[k]) / Double(k - bestOrder))
        }
        logRadius = max(logRadius, -30)
        let logTarget = (1...n).map { Foundation.log2(max(tolerances[$0] / 64, 1e-300)) }
        let s0 = Int((Foundation.log2(Double(n + 6)) - logRadius + (4 - (logTarget.min() ?? -40)) / 6).rounded(.up))
        let stepExponent = max(s0, 4)
        // M: the size of the output at the point, for the rounding bound.
        let probe = f.evaluate(f.point.map { BigFloat($0, precision: 128) }, f.converted(precision: 128))
        let logSize = Double(probe.magnitudes.compactMap(\.binaryExponent).max() ?? 0)
        var bits = 64.0
        for k in 1...n {
            let logScale = Double(scales[k].binaryExponent ?? 0)
            let needed = -logTarget[k - 1] + Double(k * (stepExponent + ReferenceDerivatives.levels - 1)) + Double(k)
                + (logSize - logScale) + 48
            bits = max(bits, needed)
        }
        return .init(stepExponent: stepExponent, precision: Int(bits.rounded(.up)))
    }

    /// The entries compared individually, per order: all of an order with at most `limit` monomials; otherwise the
    /// pure ones (x_v^k), the `required` ones (the order's largest), and mixed ones in seeded random order, first those whose stencil points an entry of a higher
    /// order already needs (a multiplicity lower by an even number in every variable: free), then others until one
    /// would take the order's new points past `budget` (at least two of them), up to `limit` in all.
    static func selectEntries(_ basis: MonomialBasis, limit: Int, budget: Int, seed: UInt64, required: [[Int]] = []) -> [[Int]] {
        let n = basis.maxDegree
        var result = [[Int]](repeating: [], count: n + 1)
        var points = Set<[Int]>()
        var covering: [[Int]] = []   // multiplicity vectors of the entries chosen so far
        func multiplicities(_ p: Int) -> [Int] {
            var m = [Int](repeating: 0, count: basis.variables)
            for v in basis.indexLists[p] { m[v] += 1 }
            return m
        }
        // An entry's points are among a chosen entry's when its multiplicities are lower by even numbers.
        func covered(_ m: [Int]) -> Bool {
            covering.contains { c in zip(c, m).allSatisfy { $0 >= $1 && ($0 - $1) % 2 == 0 } }
        }
        func keys(_ p: Int) -> [[Int]] {
            let probe = ReferenceProbe(entry: basis.indexLists[p])
            return (0..<ReferenceDerivatives.levels).flatMap { l in
                ReferenceDerivatives.stencil(probe, directions: basis.variables, level: l, levels: ReferenceDerivatives.levels).map(\.offsets)
            }
        }
        for k in stride(from: n, through: 0, by: -1) {
            let positions = Array(basis.range(ofDegree: k))
            guard positions.count > limit else {
                result[k] = positions
                for p in positions {
                    points.formUnion(keys(p))
                    covering.append(multiplicities(p))
                }
                continue
            }
            var chosen = positions.filter { Set(basis.indexLists[$0]).count <= 1 }
            for p in k < required.count ? required[k] : [] where !chosen.contains(p) && chosen.count < limit { chosen.append(p) }
            for p in chosen {
                points.formUnion(keys(p))
                covering.append(multiplicities(p))
            }
            var pool = positions.filter { Set(basis.indexLists[$0]).count > 1 && !chosen.contains($0) }
            var generator = Xoshiro256(seed: seed, stream: UInt64(truncatingIfNeeded: k))
            for i in pool.indices.dropLast() { pool.swapAt(i, i + generator.index(below: pool.count - i)) }
            var rest: [Int] = []
            for p in pool where chosen.count < limit {
                if covered(multiplicities(p)) { chosen.append(p) } else { rest.append(p) }
            }
            var spent = 0, paid = 0
            for p in rest where chosen.count < limit {
                let fresh = Set(keys(p)).subtracting(points)
                guard spent + fresh.count <= budget || paid < 2 else { break }
                chosen.append(p)
                points.formUnion(fresh)
                covering.append(multiplicities(p))
                spent += fresh.count
                paid += 1
            }
            result[k] = chosen.sorted()
        }
        return result
    }

    /// `count` seeded random directions in `dimension` variables with |u|_1 = 1, every component nonzero and a
    /// multiple of 1/T for a power of two T >= 64 (so stencil points are exact dyadic offsets).
    public static func randomDirections(count: Int, dimension d: Int, seed: UInt64) -> [[Rational]] {
        guard d >= 1 else { return [] }
        var total = 64
        while total < 8 * d { total *= 2 }
        var generator = Xoshiro256(seed: seed, stream: 0x5DEE_CE66_D1CE_4E5B)
        var result: [[Rational]] = []
        for _ in 0..<max(count, 0) {
            let weights = (0..<d).map { _ in 0.2 + Double(generator.next() % 1_000_000) / 1_250_000 }
            let sum = weights.reduce(0, +)
            var parts = weights.map { max(1, Int((Double(total) * $0 / sum).rounded())) }
            // Fix the total on the largest part (it stays >= 1: every part is about total / d >= 8).
            if let largest = parts.indices.max(by: { parts[$0] < parts[$1] }) { parts[largest] += total - parts.reduce(0, +) }
            result.append(parts.map { part in Rational(generator.next() & 1 == 0 ? part : -part, total) })
        }
        return result
    }
}
