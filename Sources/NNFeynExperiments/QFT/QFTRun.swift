// `qft run`, `qft theory` and `qft merge`: sample the correlators of an ensemble at many widths (or compute them
// exactly), and reduce shards.
import Foundation
import NNFeynDiagnostics

/// What `qft run` and `qft theory` do.
public struct QFTRunOptions: Sendable {
    public var ensemble: QFTEnsemble
    public var points: [[Double]]
    public var widths: [Int]
    public var orders: [Int]
    public var plan: SamplingPlan
    /// The width range [low, high] of the slope fits.
    public var slopeWidths: [Int]

    /// The published run of an activation (`quick`: a small one of the same shape, seconds, for tests).
    public static func defaults(_ activation: QFTActivation, dIn: Int = 1, quick: Bool = false) -> QFTRunOptions {
        let ensemble = QFTEnsemble(activation: activation, dIn: dIn)
        return QFTRunOptions(ensemble: ensemble, points: activation.defaultPoints(dIn: dIn) ?? [],
                             widths: quick ? [2, 3, 5, 10, 20] : qftDefaultWidths, orders: [2, 4, 6],
                             plan: SamplingPlan(models: quick ? 4000 : 1_000_000, chunks: 10),
                             slopeWidths: [2, 20])
    }

    public init(ensemble: QFTEnsemble, points: [[Double]], widths: [Int], orders: [Int], plan: SamplingPlan, slopeWidths: [Int]) {
        self.ensemble = ensemble
        self.points = points
        self.widths = widths
        self.orders = orders
        self.plan = plan
        self.slopeWidths = slopeWidths
    }

    public func validate() throws(QFTError) {
        try ensemble.validate()
        try plan.validate()
        guard !points.isEmpty, points.count <= 12 else { throw QFTError("give between 1 and 12 input points (got \(points.count))") }
        guard points.allSatisfy({ $0.count == ensemble.dIn && $0.allSatisfy(\.isFinite) }) else {
            throw QFTError("every input point needs \(ensemble.dIn) finite coordinates (--d-in \(ensemble.dIn))")
        }
        try Self.validate(widths: widths, orders: orders, slopeWidths: slopeWidths)
    }

    static func validate(widths: [Int], orders: [Int], slopeWidths: [Int]) throws(QFTError) {
        guard !widths.isEmpty, widths.allSatisfy({ $0 >= 1 && $0 <= 100_000 }) else {
            throw QFTError("--widths must be integers between 1 and 100000")
        }
        guard Set(widths).count == widths.count else { throw QFTError("--widths lists a width twice") }
        guard !orders.isEmpty, orders.allSatisfy({ [2, 4, 6].contains($0) }), Set(orders).count == orders.count else {
            throw QFTError("--npt must list orders among 2, 4, 6 (got \(orders.map(String.init).joined(separator: ",")))")
        }
        guard slopeWidths.count == 2, slopeWidths[0] <= slopeWidths[1] else {
            throw QFTError("--slope-widths must be LOW,HIGH with LOW <= HIGH")
        }
    }

    /// The orders measured: six points need four (for the connected part) and two are always cheap.
    var measuredOrders: [Int] {
        var set = Set(orders)
        if set.contains(6) { set.insert(4) }
        set.insert(2)
        return set.sorted()
    }
}

/// Progress events of the QFT commands.
public enum QFTEvent: Sendable {
    case width(index: Int, count: Int, width: Int)
    case sampling(SamplingProgress)
    case widthDone(width: Int, seconds: Double)
}

/// The `run`, `theory` and `merge` pipelines.
public enum QFTRun {
    /// The random streams of network outputs at a depth: tag 0 for one hidden layer (the published runs), L - 1
    /// for L hidden layers, so that `run --depth L` and `depth` draw the same networks and depths never share streams.
    static func outputStreamTag(depth: Int) -> UInt64 { UInt64(max(depth - 1, 0)) }

    /// Samples this shard of a run.
    public static func sample(_ options: QFTRunOptions, progress: (@Sendable (QFTEvent) -> Void)? = nil) throws(QFTError) -> QFTAccumulators {
        try options.validate()
        let evaluator = ForwardEvaluator(ensemble: options.ensemble, points: options.points)
        return try sample(evaluator: evaluator, command: "run", ensemble: options.ensemble,
                          observables: .outputs(options.points), orders: options.measuredOrders, widths: options.widths,
                          plan: options.plan, slopeWidths: options.slopeWidths,
                          streamTag: outputStreamTag(depth: options.ensemble.depth), progress: progress)
    }

    static func sample(evaluator: any BlockEvaluator, command: String, ensemble: QFTEnsemble, observables: ObservableSet,
                       orders: [Int], widths: [Int], plan: SamplingPlan, slopeWidths: [Int], streamTag: UInt64,
                       progress: (@Sendable (QFTEvent) -> Void)?) throws(QFTError) -> QFTAccumulators {
        let tuples = CorrelatorTuples(observableCount: observables.count, orders: orders)
        var sums: [WidthSums] = []
        for (k, width) in widths.enumerated() {
            progress?(.width(index: k, count: widths.count, width: width))
            let start = Date()
            var relay: (@Sendable (SamplingProgress) -> Void)? = nil
            if let progress { relay = { progress(.sampling($0)) } }
            sums.append(try EnsembleSampler.accumulate(width: width, evaluator: evaluator, tuples: tuples, plan: plan,
                                                       streamTag: streamTag, progress: relay))
            progress?(.widthDone(width: width, seconds: Date().timeIntervalSince(start)))
        }
        return QFTAccumulators(command: command, ensemble: ensemble, observables: observables, orders: orders,
                               models: plan.models, chunks: plan.chunks, seed: plan.seed, slopeWidths: slopeWidths,
                               shardCount: plan.shardCount, shards: [plan.shardIndex], widths: sums)
    }

    /// Reduces shards of one run: sums add exactly; refuses different runs and repeated shards.
    public static func merge(_ parts: [QFTAccumulators]) throws(QFTError) -> QFTAccumulators {
        guard var total = parts.first else { throw QFTError("nothing to merge", code: .unmergeable) }
        for part in parts.dropFirst() {
            guard part.sameRun(as: total) else {
                throw QFTError("the accumulators come from different runs (configuration, widths or shard count differ)",
                               code: .unmergeable)
            }
            let repeated = Set(part.shards).intersection(total.shards)
            guard repeated.isEmpty else {
                throw QFTError("shard \(repeated.sorted().map(String.init).joined(separator: ", ")) of \(total.shardCount) is given twice",
                               code: .unmergeable)
            }
            for w in total.widths.indices { total.widths[w].add(part.widths[w]) }
            total.shards = (total.shards + part.shards).sorted()
        }
        for w in total.widths.indices {
            for c in total.widths[w].chunks.indices { total.widths[w].chunks[c] = total.widths[w].chunks[c].normalized() }
        }
        return total
    }

    /// The report of sampled (possibly merged) accumulators, for whichever command sampled them.
    public static func report(_ accumulators: QFTAccumulators) -> QFTReport {
        switch accumulators.command {
        case "rg", "sixpt", "fit": return QuarticCouplings.report(accumulators)
        case "derivs": return DerivativeCorrelators.report(accumulators)
        case "depth": return DepthSweep.report(accumulators)
        default: return standardReport(accumulators)
        }
    }

    /// m_n, slopes and correlators per width.
    static func standardReport(_ accumulators: QFTAccumulators) -> QFTReport {
        let tuples = CorrelatorTuples(observableCount: accumulators.observables.count, orders: accumulators.orders)
        let theory = FiniteWidthTheory(ensemble: accumulators.ensemble, observables: accumulators.observables.neuronObservables,
                                       highestOrder: accumulators.orders.max() ?? 2)
        let widths = accumulators.widths.map { sums in
            WidthReportBuilder.build(width: sums.width, tuples: tuples, theory: theory, statistics: WidthStatistics(sums, tuples: tuples))
        }
        let complete = Set(accumulators.shards) == Set(0..<accumulators.shardCount)
        let sampled = accumulators.widths.first.map { $0.chunks.reduce(0) { $0 + $1.models } } ?? 0
        return assemble(command: accumulators.command, ensemble: accumulators.ensemble, observables: accumulators.observables,
                        orders: accumulators.orders, theory: theory, widths: widths, slopeWidths: accumulators.slopeWidths,
                        sampling: SamplingInfo(models: accumulators.models, chunks: accumulators.chunks, seed: accumulators.seed,
                                               complete: complete, modelsSampled: sampled))
    }

    /// The exact report: GP and finite-width correlators, no sampling.
    public static func theory(_ options: QFTRunOptions) throws(QFTError) -> QFTReport {
        try options.ensemble.validate()
        try QFTRunOptions.validate(widths: options.widths, orders: options.orders, slopeWidths: options.slopeWidths)
        let orders = options.measuredOrders
        let tuples = CorrelatorTuples(observableCount: options.points.count, orders: orders)
        let theory = FiniteWidthTheory(ensemble: options.ensemble, observables: options.points.map { .output($0) },
                                       highestOrder: orders.max() ?? 2)
        let widths = options.widths.map { WidthReportBuilder.build(width: $0, tuples: tuples, theory: theory, statistics: nil) }
        return assemble(command: "theory", ensemble: options.ensemble, observables: .outputs(options.points), orders: orders,
                        theory: theory, widths: widths, slopeWidths: options.slopeWidths, sampling: nil)
    }

    static func assemble(command: String, ensemble: QFTEnsemble, observables: ObservableSet, orders: [Int],
                         theory: FiniteWidthTheory, widths: [WidthReport], slopeWidths: [Int], sampling: SamplingInfo?) -> QFTReport {
        var slopes: [String: SlopeReport] = [:]
        let low = slopeWidths.first ?? 2, high = slopeWidths.last ?? 20
        if orders.contains(2) { slopes["m2"] = SlopeFit.slope(widths: widths, measure: \.m2, low: low, high: high) }
        if orders.contains(4) { slopes["m4"] = SlopeFit.slope(widths: widths, measure: \.m4, low: low, high: high) }
        if orders.contains(6) {
            slopes["m6"] = SlopeFit.slope(widths: widths, measure: \.m6, low: low, high: high)
            slopes["c6"] = SlopeFit.slope(widths: widths, measure: \.c6, low: low, high: high)
        }
        var notes: [String] = []
        if !theory.isExact {
            notes.append("no exact finite-width theory for this ensemble and these points (exact fields are null); "
                         + "the GP values are exact")
        }
        var coefficient4: EstimateReport? = nil
        if orders.contains(4) {
            coefficient4 = coefficient(widths, exact: theory.coefficientFour(IndexTuples.nonDecreasing(count: observables.count, length: 4)))
        }
        if ensemble.activation == .gauss, sampling != nil, let points = observables.points {
            // exp(z - Var z) is lognormal: E[act^k] = exp(k(k-1) Var z / 2), so the variance of an n-point product
            // involves exp(n (2n - 1) Var z) against exp(n (n - 1) Var z) for its mean squared.
            let variance = points.map { ensemble.inputCovariance($0, $0) }.max() ?? 0
            let spread = Foundation.exp(Double(orders.max() ?? 2) * Double(orders.max() ?? 2) * variance)
            notes.append(String(format: "Gauss-net: the activations are lognormal (Var z up to %.3g), so an n-point product has a "
                                + "variance about exp(n^2 Var z) = %.2g times its squared mean at n = %d: sample means converge slowly "
                                + "and the standard errors, from sample variances, underestimate the error at large n", variance, spread,
                                orders.max() ?? 2))
        }
        var report = QFTReport(command: command, ensemble: ensemble, observables: observables, orders: orders, sampling: sampling,
                               widths: widths, slopes: slopes, coefficient4: coefficient4, notes: notes)
        report.theoryAccuracy = theory.momentAccuracy
        if let accuracy = report.theoryAccuracy, accuracy > 1e-8 {
            report.notes.append(String(format: "the exact theory's quadrature is good to %.1e relative here (G2 against the closed-form kernel)", accuracy))
        }
        return report
    }

    /// c from a weighted fit of N ratio4 = c + c'/N (+ c''/N^2 with four or more widths) over widths >= 5; the exact
    /// c is the theory's limit. The quadratic term matters for deep networks: (1 + 5/N)^L - 1 has 1/N^2 terms of
    /// order 10 L (L - 1) / N^2, which a linear fit from N = 5 turns into a bias of ~1 at L = 4.
    static func coefficient(_ widths: [WidthReport], exact: Double?) -> EstimateReport? {
        var estimate = EstimateReport(value: nil, stderr: nil, exact: exact)
        let used = widths.filter { $0.width >= 5 }
        guard used.count >= 2 else { return exact == nil ? nil : estimate }
        let sampled = used.compactMap { w -> (Double, Double, Double)? in
            guard let r = w.ratio4, let v = r.value, let s = r.stderr, s > 0 else { return nil }
            let n = Double(w.width)
            return (1 / n, n * v, n * s)
        }
        if sampled.count == used.count,
           let f = PolynomialFit.intercept(x: sampled.map(\.0), y: sampled.map(\.1), sigma: sampled.map(\.2), degree: used.count >= 4 ? 2 : 1) {
            estimate.value = f.value
            estimate.stderr = f.stderr
        }
        return estimate.value == nil && estimate.exact == nil ? nil : estimate
    }
}

/// Weighted least squares of y against a polynomial in x.
enum PolynomialFit {
    /// The constant term and its standard error (from the weights) of y = c0 + c1 x + ... + c_degree x^degree.
    static func intercept(x: [Double], y: [Double], sigma: [Double], degree: Int) -> (value: Double, stderr: Double)? {
        let k = degree + 1
        guard x.count >= k, x.count == y.count, y.count == sigma.count, sigma.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var b = [Double](repeating: 0, count: k)
        for i in x.indices {
            let w = 1 / (sigma[i] * sigma[i])
            let powers = (0..<k).map { Foundation.pow(x[i], Double($0)) }
            for r in 0..<k {
                b[r] += w * powers[r] * y[i]
                for c in 0..<k { a[r][c] += w * powers[r] * powers[c] }
            }
        }
        guard let inverse = invert(a) else { return nil }
        let c0 = (0..<k).reduce(0) { $0 + inverse[0][$1] * b[$1] }
        return inverse[0][0] > 0 ? (c0, inverse[0][0].squareRoot()) : nil
    }

    /// The inverse of a small matrix by Gauss-Jordan elimination with partial pivoting, or nil when singular.
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        var a = matrix
        var inverse = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), a[pivot][column] != 0 else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let scale = a[column][column]
            for j in 0..<n { a[column][j] /= scale; inverse[column][j] /= scale }
            for r in 0..<n where r != column {
                let factor = a[r][column]
                guard factor != 0 else { continue }
                for j in 0..<n { a[r][j] -= factor * a[column][j]; inverse[r][j] -= factor * inverse[column][j] }
            }
        }
        return inverse
    }
}
