// From accumulated sums to the measured quantities of one width.
//
//   sampled G_t   = S1_t / M,  stderr_t = sqrt((S2_t/M - G_t^2) / (M - 1))     (per-model variance; M models)
//   m_n           = mean over tuples t of order n of |G_t - G_t^GP| / |G_t^GP|  (tuples with G^GP != 0)
//   background_n  = mean over t of std over chunks (ddof 0) of the chunk means, / |G_t^GP|   (the reference's)
//   stderr(m_n)   = jackknife over chunks (leave one chunk out)
//   exact m_n     = the same mean with the exact finite-width G_t: the m_n of infinitely many models
//   expected m_n  = mean over t of E|D_t + e| / |G^GP| with D = exact - GP and e ~ N(0, stderr_t^2): the m_n that
//                   this many models should show, noise included (the folded-normal mean)
//   ratio_4       = mean over t of (G_t - G^GP_t) / G^GP_t, signed (so unbiased), with its jackknife error:
//                   N ratio_4 estimates the 1/N coefficient of the connected four-point function
//   connected 6   = G6 - sum_15 G4 K + 2 sum_15 K K K per tuple (the reference's definition, K the exact kernel),
//                   summarised like m_n as c6 = mean |k6| / |G6^GP|, with chunk background and jackknife error.
import Foundation

/// One measured quantity with its noise.
public struct MeasureReport: Sendable, Codable, Equatable {
    public var value: Double?
    public var background: Double?
    public var stderr: Double?
    public var exact: Double?
    /// The value expected at this number of models, noise included.
    public var expected: Double?
}

/// One correlator entry.
public struct TupleReport: Sendable, Codable, Equatable {
    public var index: [Int]
    public var gp: Double?
    public var exact: Double?
    public var sampled: Double?
    public var stderr: Double?
    /// The exact connected part (k4 for four points, k6 for six).
    public var connectedExact: Double?
    public var connectedSampled: Double?
    public var connectedStderr: Double?

    enum CodingKeys: String, CodingKey {
        case index, gp, exact, sampled, stderr
        case connectedExact = "connected_exact"
        case connectedSampled = "connected_sampled"
        case connectedStderr = "connected_stderr"
    }
}

/// Everything measured (or computed exactly) at one width.
public struct WidthReport: Sendable, Codable, Equatable {
    public var width: Int
    public var models: Int?
    public var m2: MeasureReport?
    public var m4: MeasureReport?
    public var m6: MeasureReport?
    /// The connected six-point function relative to the GP six-point function (mean over tuples of |k6|/|G6_GP|).
    public var c6: MeasureReport?
    /// The signed mean of (G4 - G4_GP)/G4_GP; times the width it is the 1/N coefficient.
    public var ratio4: MeasureReport?
    /// Per order, the largest |sampled - exact| / stderr over tuples.
    public var maxZ: [String: Double]?
    public var correlators: [String: [TupleReport]]

    enum CodingKeys: String, CodingKey {
        case width, models, m2, m4, m6, c6
        case ratio4 = "ratio4"
        case maxZ = "max_z"
        case correlators
    }
}

/// A fitted slope of log10 of a quantity against log10 of the width.
public struct SlopeReport: Sendable, Codable, Equatable {
    public var slope: Double?
    public var stderr: Double?
    public var intercept: Double?
    /// The same fit to the exact values.
    public var exact: Double?
    public var widths: [Int]
    /// chi^2 per degree of freedom of the weighted fit.
    public var chi2PerDof: Double?

    enum CodingKeys: String, CodingKey {
        case slope, stderr, intercept, exact, widths
        case chi2PerDof = "chi2_per_dof"
    }
}

/// Statistics of one width from its sums.
public struct WidthStatistics: Sendable {
    public let width: Int
    public let tuples: CorrelatorTuples
    /// Per tuple: mean over all models, its standard error, the chunk means.
    public let mean: [Double]
    public let stderr: [Double]
    public let chunkMeans: [[Double]]
    /// Per chunk, the means without that chunk (jackknife).
    public let leaveOneOut: [[Double]]
    public let models: Int

    public init(_ sums: WidthSums, tuples: CorrelatorTuples) {
        width = sums.width
        self.tuples = tuples
        let total = sums.chunks.reduce(0) { $0 + $1.models }
        models = total
        let t = tuples.tuples.count
        var firstTotal = [ExactSum](repeating: ExactSum(), count: t)
        var secondTotal = [ExactSum](repeating: ExactSum(), count: t)
        for chunk in sums.chunks {
            for i in 0..<t {
                firstTotal[i].add(chunk.first[i])
                secondTotal[i].add(chunk.second[i])
            }
        }
        let m = Double(total)
        mean = firstTotal.map { total > 0 ? $0.doubleValue / m : .nan }
        stderr = (0..<t).map { i in
            guard total > 1 else { return .nan }
            let g = firstTotal[i].doubleValue / m
            let variance = Swift.max(secondTotal[i].doubleValue / m - g * g, 0) * m / (m - 1)
            return (variance / m).squareRoot()
        }
        chunkMeans = sums.chunks.map { chunk in chunk.first.map { chunk.models > 0 ? $0.doubleValue / Double(chunk.models) : .nan } }
        leaveOneOut = sums.chunks.map { chunk in
            (0..<t).map { i in
                var rest = firstTotal[i]
                var negated = chunk.first[i]
                negated.negate()
                rest.add(negated)
                let count = total - chunk.models
                return count > 0 ? rest.doubleValue / Double(count) : .nan
            }
        }
    }
}

extension ExactSum {
    /// Negates in place.
    mutating func negate() {
        canonicalize()
        if !digits.isEmpty { negative.toggle() }
    }
}

/// Builds the report of one width from statistics (optional: theory only) and the theory.
enum WidthReportBuilder {
    /// Tuples whose GP value is not (numerically) zero, within an order's range.
    static func relevant(_ range: Range<Int>, gp: [Double]) -> [Int] {
        let scale = range.map { abs(gp[$0]) }.max() ?? 0
        return range.filter { abs(gp[$0]) > 1e-12 * scale }
    }

    static func finite(_ x: Double?) -> Double? {
        guard let x, x.isFinite else { return nil }
        return x
    }

    /// E|D + e| for e ~ N(0, s^2): the folded normal mean.
    static func foldedMean(_ d: Double, _ s: Double) -> Double {
        guard s > 0 else { return abs(d) }
        let u = d / s
        return s * (2 / Double.pi).squareRoot() * Foundation.exp(-u * u / 2) + d * (1 - 2 * 0.5 * Foundation.erfc(u / 2.0.squareRoot()))
    }

    static func build(width: Int, tuples: CorrelatorTuples, theory: FiniteWidthTheory, statistics: WidthStatistics?,
                      includeTuples: Bool = true) -> WidthReport {
        let gp = tuples.tuples.map(theory.gaussianProcess)
        let exact = tuples.tuples.map { theory.exact($0, width: width) }
        var report = WidthReport(width: width, models: statistics?.models, correlators: [:])
        var maxZ: [String: Double] = [:]
        for n in tuples.orders {
            let range = tuples.ranges[n]!
            let used = relevant(range, gp: gp)
            var measure = MeasureReport()
            if exact.allSatisfy({ $0 != nil }), !used.isEmpty {
                measure.exact = finite(used.reduce(0) { $0 + abs(exact[$1]! - gp[$1]) / abs(gp[$1]) } / Double(used.count))
            }
            if let s = statistics, !used.isEmpty {
                func m(_ means: [Double]) -> Double { used.reduce(0) { $0 + abs(means[$1] - gp[$1]) / abs(gp[$1]) } / Double(used.count) }
                measure.value = finite(m(s.mean))
                measure.stderr = finite(jackknife(s.leaveOneOut.map(m)))
                measure.background = finite(used.reduce(0) { total, t in
                    let values = s.chunkMeans.map { $0[t] }
                    return total + standardDeviation(values) / abs(gp[t])
                } / Double(used.count))
                if exact.allSatisfy({ $0 != nil }) {
                    measure.expected = finite(used.reduce(0) { $0 + foldedMean(exact[$1]! - gp[$1], s.stderr[$1]) / abs(gp[$1]) } / Double(used.count))
                    var worst = 0.0
                    for t in range where s.stderr[t] > 0 { worst = Swift.max(worst, abs(s.mean[t] - exact[t]!) / s.stderr[t]) }
                    maxZ["\(n)"] = worst
                }
            }
            switch n {
            case 2: report.m2 = measure
            case 4:
                report.m4 = measure
                var ratio = MeasureReport()
                if !used.isEmpty {
                    func r(_ means: [Double]) -> Double { used.reduce(0) { $0 + (means[$1] - gp[$1]) / gp[$1] } / Double(used.count) }
                    if exact.allSatisfy({ $0 != nil }) { ratio.exact = finite(r(exact.map { $0! })) }
                    if let s = statistics {
                        ratio.value = finite(r(s.mean))
                        ratio.stderr = finite(jackknife(s.leaveOneOut.map(r)))
                    }
                }
                report.ratio4 = ratio
            case 6: report.m6 = measure
            default: break
            }
            if includeTuples {
                report.correlators["\(n)"] = range.map { t in
                    var entry = TupleReport(index: tuples.tuples[t], gp: finite(gp[t]), exact: finite(exact[t]),
                                            sampled: finite(statistics?.mean[t]), stderr: finite(statistics?.stderr[t]))
                    if n == 4 { entry.connectedExact = finite(theory.connectedFour(tuples.tuples[t], width: width)) }
                    if n == 6 { entry.connectedExact = finite(theory.connectedSix(tuples.tuples[t], width: width)) }
                    return entry
                }
            }
        }
        // The connected six-point function, when four and six points are both measured.
        if let range6 = tuples.ranges[6], let range4 = tuples.ranges[4] {
            let quartets = IndexTuples.Index(count: tuples.observableCount, length: 4)
            let kernel = theory.exactKernel
            // Per six-point tuple: the 15 (quartet position in the run's list, kernel of the pair), and the Wick sum.
            var splits: [[(Int, Double)]] = []
            var wick: [Double] = []
            for t in range6 {
                let tuple = tuples.tuples[t]
                splits.append(IndexTuples.pairQuartetSplits.map { split in
                    (range4.lowerBound + quartets.position(of: split.quartet.map { tuple[$0] }),
                     kernel[tuple[split.pair.0]][tuple[split.pair.1]])
                })
                wick.append(IndexTuples.wickSum(tuple, kernel))
            }
            func connected(_ means: [Double], _ t: Int) -> Double {
                let k = t - range6.lowerBound
                var fourTwo = 0.0
                for (q, k2) in splits[k] { fourTwo += means[q] * k2 }
                return means[t] - fourTwo + 2 * wick[k]
            }
            let used = relevant(range6, gp: gp)
            var measure = MeasureReport()
            let exactK6 = range6.map { theory.connectedSix(tuples.tuples[$0], width: width) }
            if exactK6.allSatisfy({ $0 != nil }), !used.isEmpty {
                measure.exact = finite(used.reduce(0) { $0 + abs(exactK6[$1 - range6.lowerBound]!) / abs(gp[$1]) } / Double(used.count))
            }
            if let s = statistics, !used.isEmpty {
                func c(_ means: [Double]) -> Double { used.reduce(0) { $0 + abs(connected(means, $1)) / abs(gp[$1]) } / Double(used.count) }
                measure.value = finite(c(s.mean))
                let jackknifeValues = s.leaveOneOut.map { means in range6.map { connected(means, $0) } }
                measure.stderr = finite(jackknife(s.leaveOneOut.map(c)))
                measure.background = finite(used.reduce(0) { total, t in
                    total + standardDeviation(s.chunkMeans.map { connected($0, t) }) / abs(gp[t])
                } / Double(used.count))
                if includeTuples, var entries = report.correlators["6"] {
                    for (k, t) in range6.enumerated() {
                        entries[k].connectedSampled = finite(connected(s.mean, t))
                        entries[k].connectedStderr = finite(jackknife(jackknifeValues.map { $0[k] }))
                    }
                    report.correlators["6"] = entries
                }
            }
            report.c6 = measure
        }
        report.maxZ = maxZ.isEmpty ? nil : maxZ
        return report
    }

    /// The jackknife standard error of an estimate from its leave-one-out values.
    static func jackknife(_ values: [Double]) -> Double {
        let k = Double(values.count)
        guard values.count >= 2 else { return .nan }
        let average = values.reduce(0, +) / k
        return ((k - 1) / k * values.reduce(0) { $0 + ($1 - average) * ($1 - average) }).squareRoot()
    }

    /// Population standard deviation (ddof 0, as numpy's default in the reference).
    static func standardDeviation(_ values: [Double]) -> Double {
        let k = Double(values.count)
        guard values.count >= 1 else { return .nan }
        let average = values.reduce(0, +) / k
        return (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / k).squareRoot()
    }
}

/// Weighted least squares of log10 y against log10 x.
enum SlopeFit {
    /// Fits y = a + b x with standard errors sigma (nil: unweighted). Returns (b, se(b), a, chi2/dof).
    static func fit(x: [Double], y: [Double], sigma: [Double]?) -> (slope: Double, stderr: Double, intercept: Double, chi2: Double)? {
        let n = x.count
        guard n >= 2 else { return nil }
        let w = sigma.map { $0.map { 1 / ($0 * $0) } } ?? [Double](repeating: 1, count: n)
        guard w.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
        let sw = w.reduce(0, +)
        let sx = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }, sy = zip(w, y).reduce(0) { $0 + $1.0 * $1.1 }
        let mx = sx / sw, my = sy / sw
        var sxx = 0.0, sxy = 0.0
        for i in 0..<n {
            sxx += w[i] * (x[i] - mx) * (x[i] - mx)
            sxy += w[i] * (x[i] - mx) * (y[i] - my)
        }
        guard sxx > 0 else { return nil }
        let b = sxy / sxx, a = my - b * mx
        var chi2 = 0.0
        for i in 0..<n { chi2 += w[i] * (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]) }
        let dof = Double(max(n - 2, 1))
        // Weighted: se from the weights; unweighted: from the residual scatter.
        let se = sigma != nil ? (1 / sxx).squareRoot() : (chi2 / dof / sxx).squareRoot()
        return (b, se, a, chi2 / dof)
    }

    /// The slope of log10 m against log10 N over widths in [low, high], weighted by the standard errors of log10 m.
    static func slope(widths: [WidthReport], measure: (WidthReport) -> MeasureReport?, low: Int, high: Int) -> SlopeReport {
        let used = widths.filter { $0.width >= low && $0.width <= high }
        var report = SlopeReport(widths: used.map(\.width))
        let sampled = used.compactMap { w -> (Double, Double, Double)? in
            guard let m = measure(w), let v = m.value, v > 0, let s = m.stderr, s > 0 else { return nil }
            return (Foundation.log10(Double(w.width)), Foundation.log10(v), s / (v * Foundation.log(10)))
        }
        if sampled.count == used.count, let f = fit(x: sampled.map(\.0), y: sampled.map(\.1), sigma: sampled.map(\.2)) {
            report.slope = f.slope
            report.stderr = f.stderr
            report.intercept = f.intercept
            report.chi2PerDof = f.chi2
        }
        let exact = used.compactMap { w -> (Double, Double)? in
            guard let e = measure(w)?.exact, e > 0 else { return nil }
            return (Foundation.log10(Double(w.width)), Foundation.log10(e))
        }
        if exact.count == used.count, let f = fit(x: exact.map(\.0), y: exact.map(\.1), sigma: nil) {
            report.exact = f.slope
        }
        return report
    }
}
