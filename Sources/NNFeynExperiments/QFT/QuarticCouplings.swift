// Effective couplings at finite width: the running quartic coupling (rg), the six-point prediction (sixpt) and
// fits of local and non-local quartic interactions (fit), in d_in = 1.
//
// With the action S = S_GP + (lambda/4!) int phi^4 and the propagator K~ = K - sb^2 (the output's own Gaussian bias
// carries no interaction), first order in lambda gives G4 - G4_GP = -lambda int prod K~; the reference and the issue
// define the coupling with the opposite sign,
//   lambda(Lambda) = (G4 - G4_GP) / (24 int_{-Lambda}^{Lambda} prod_a K~(x, x_a) dx),
// and so do we. The cutoff dependence of the ReLU-net (sb = 0, inputs x_a > 0) is exact: K~(x, x_a) = sw^4 x x_a / 2
// for x > 0 and 0 for x < 0, so the integral is (sw^4/2)^4 x_1 x_2 x_3 x_4 Lambda^5 / 5, while G4 - G4_GP =
// (15 sw^8 / (4N)) x_1 x_2 x_3 x_4 (FiniteWidthTheory.swift). Hence, at every tuple,
//   lambda(Lambda) = 25 / (2 N sw^8 Lambda^5):  the slope of log lambda against log Lambda is -5,
// an integer fixed by dimensional analysis (the kernel is homogeneous of degree 2, four of them and dx give 5).
// Since every tuple gives the same lambda, the quartic interaction is exactly local for this ensemble, and the
// six-point prediction GP + sum_15 K 24 lambda int prod K~ is exact up to the connected six-point function.
//
// Non-local and derivative templates (reference lam_fit): T0 = 24 int prod K~, T2 = 24 int x^2 prod K~,
// TNL = 8 sum_3 pairings I(a, b) I(c, d) with I(a, b) = int K~(x, x_a) K~(x, x_b) dx (the double integral of the
// reference factorises). The fits are linear least squares on the four-point tuples of a training set of points
// and are scored on a test set (the training points times sqrt(2)/2), as in the reference.
import Foundation

/// Integrals of products of the reduced kernel over [-Lambda, Lambda] in d_in = 1.
struct KernelIntegrals {
    let rule: QuadratureRule
    /// kernelTable[a][q] = K~(node q, x_a).
    let kernelTable: [[Double]]

    /// Composite Gauss-Legendre: panels of 1/4 up to |x| = 16 (or the cutoff), doubling beyond; breaks at 0.
    /// An infinite cutoff (Gauss-net only) integrates to where the Gaussian kernels are below 1e-300.
    init(ensemble: QFTEnsemble, points: [Double], cutoff: Double) {
        let reach = points.map(abs).max() ?? 0
        let limit = cutoff.isFinite ? cutoff : reach + 38 * (2 * Double(ensemble.dIn)).squareRoot() / ensemble.sw
        var positive: [Double] = [0]
        var x = 0.0
        while x < min(limit, 16) { x = min(x + 0.25, limit); positive.append(x) }
        while x < limit { x = min(2 * x, limit); positive.append(x) }
        let breaks = positive.reversed().map { -$0 } + positive.dropFirst()
        let rule = QuadratureRule.composite(breaks: Array(breaks), pointsPerPanel: 20)
        self.rule = rule
        kernelTable = points.map { a in rule.nodes.map { ensemble.reducedKernel([$0], [a]) } }
    }

    /// int prod_s K~(x, x_{t_s}) x^power dx.
    func product(_ tuple: [Int], power: Int = 0) -> Double {
        var total = 0.0
        for q in rule.nodes.indices {
            var p = rule.weights[q]
            if power > 0 { p *= Foundation.pow(rule.nodes[q], Double(power)) }
            for s in tuple { p *= kernelTable[s][q] }
            total += p
        }
        return total
    }
}

/// Options of `qft rg`, `qft sixpt` and `qft fit`.
public struct CouplingOptions: Sendable {
    public var ensemble: QFTEnsemble
    public var points: [Double]
    public var width: Int
    public var cutoffs: [Double]
    public var plan: SamplingPlan

    /// The reference's setting for `command` ("rg", "sixpt" or "fit").
    public static func defaults(_ activation: QFTActivation, command: String, quick: Bool = false) -> CouplingOptions {
        let ensemble = QFTEnsemble(activation: activation)
        var points = (activation.defaultPoints(dIn: 1) ?? []).map { $0[0] }
        var cutoffs: [Double]
        switch activation {
        case .relu: cutoffs = [7, 10, 15, 20, 30, 40, 50, 70, 100, 200, 500, 1000, 2000, 5000, 7000, 10000, 20000, 40000, 60000, 80000, 100000]
        case .erf: cutoffs = [2, 5, 10, 20, 50, 100, 200]
        case .gauss: cutoffs = [1, 2, 5, 10, .infinity]
        }
        if command == "fit" {
            // The reference's lam_fit sets: x in {0.2, ..., 1.2} (times 0.01 for Erf and Gauss), one cutoff.
            let base = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
            points = activation == .relu ? base : base.map { 0.01 * $0 }
            cutoffs = activation == .gauss ? [.infinity] : [100]
        }
        let width = command == "fit" && activation == .gauss ? 1000 : activation.interactingWidth
        return CouplingOptions(ensemble: ensemble, points: points, width: width, cutoffs: cutoffs,
                               plan: SamplingPlan(models: quick ? 4000 : 1_000_000, chunks: 10))
    }

    public init(ensemble: QFTEnsemble, points: [Double], width: Int, cutoffs: [Double], plan: SamplingPlan) {
        self.ensemble = ensemble
        self.points = points
        self.width = width
        self.cutoffs = cutoffs
        self.plan = plan
    }

    public func validate() throws(QFTError) {
        try ensemble.validate()
        try plan.validate()
        guard ensemble.dIn == 1 else { throw QFTError("the coupling commands integrate over the input line: use --d-in 1") }
        guard ensemble.depth == 1 else { throw QFTError("the coupling commands use one hidden layer: use --depth 1") }
        guard !points.isEmpty, points.count <= 8, points.allSatisfy(\.isFinite) else {
            throw QFTError("give between 1 and 8 finite input points")
        }
        guard width >= 1, width <= 100_000 else { throw QFTError("--width must be between 1 and 100000") }
        guard !cutoffs.isEmpty, cutoffs.allSatisfy({ $0 > 0 && !$0.isNaN }) else { throw QFTError("--cutoffs must be positive ('inf' allowed)") }
        if ensemble.activation == .erf || ensemble.activation == .relu, cutoffs.contains(where: \.isInfinite) {
            throw QFTError("the \(ensemble.activation.displayName)'s kernel does not decay: its quartic integrals need finite cutoffs")
        }
    }
}

/// `qft rg`: lambda against the cutoff.
public struct RGReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        /// The cutoff Lambda (null: infinite).
        public var cutoff: Double?
        /// The tuple mean of lambda_t, with jackknife error and the exact value.
        public var lambda: EstimateReport
        /// lambda_t per four-point tuple (sampled).
        public var tuples: [Double?]
    }
    public var width: Int
    public var entries: [Entry]
    /// Weighted fit of log10 lambda against log10 Lambda over the finite cutoffs (exact: the same fit of the exact).
    public var slope: SlopeReport
    /// The reference's regression of log10 |lambda_t| over all tuples and cutoffs: slope and R^2.
    public var pooledSlope: Double?
    public var pooledR2: Double?
    /// For the ReLU-net with sb = 0 at positive inputs: lambda Lambda^5, sampled (tuple mean) and exact 25/(2 N sw^8).
    public var lambdaTimesCutoff5: EstimateReport?
    public var law: String?

    enum CodingKeys: String, CodingKey {
        case width, entries, slope, law
        case pooledSlope = "pooled_slope"
        case pooledR2 = "pooled_r2"
        case lambdaTimesCutoff5 = "lambda_times_cutoff5"
    }
}

/// `qft sixpt`: the six-point function predicted from the GP and the quartic coupling.
public struct SixPointReport: Sendable, Codable, Equatable {
    public struct CutoffEntry: Sendable, Codable, Equatable {
        public var cutoff: Double?
        public var lambda: Double?
        /// Mean over tuples of |prediction - G6| / |G6| with the sampled G6, for GP + quartic and for GP alone.
        public var predictionError: Double?
        public var gpError: Double?
        /// The same against the exact G6 with the exact lambda: what is left is the connected six-point function.
        public var predictionErrorExact: Double?
        public var gpErrorExact: Double?

        enum CodingKeys: String, CodingKey {
            case cutoff, lambda
            case predictionError = "prediction_error"
            case gpError = "gp_error"
            case predictionErrorExact = "prediction_error_exact"
            case gpErrorExact = "gp_error_exact"
        }
    }
    public struct Tuple: Sendable, Codable, Equatable {
        public var index: [Int]
        public var gp: Double?
        public var sampled: Double?
        public var stderr: Double?
        /// sum_15 K 24 lambda int prod K~ with the sampled lambda at the figure's cutoff.
        public var quartic: Double?
        public var exact: Double?
        /// The exact sum_15 k4 K (order 1/N) and k6 (order 1/N^2).
        public var exactFourTwo: Double?
        public var exactConnected: Double?

        enum CodingKeys: String, CodingKey {
            case index, gp, sampled, stderr, quartic, exact
            case exactFourTwo = "exact_four_two"
            case exactConnected = "exact_connected"
        }
    }
    public var width: Int
    public var cutoffs: [CutoffEntry]
    /// The cutoff of `tuples`: the one whose prediction is closest to the sampled G6 (null: infinite).
    public var tupleCutoff: Double?
    public var tuples: [Tuple]

    enum CodingKeys: String, CodingKey {
        case width, cutoffs, tuples
        case tupleCutoff = "tuple_cutoff"
    }
}

/// `qft fit`: local and non-local quartic couplings.
public struct FitReport: Sendable, Codable, Equatable {
    public struct Model: Sendable, Codable, Equatable {
        public var name: String
        public var terms: [String]
        /// Fitted to the sampled G4 - G4_GP (jackknife errors) and to the exact one.
        public var coefficients: [EstimateReport]
        public var rank: Int
        public var mapeTrain: Double?
        public var maxApeTrain: Double?
        public var mapeTest: Double?
        public var maxApeTest: Double?
        public var exactMapeTrain: Double?
        public var exactMapeTest: Double?

        enum CodingKeys: String, CodingKey {
            case name, terms, coefficients, rank
            case mapeTrain = "mape_train"
            case maxApeTrain = "max_ape_train"
            case mapeTest = "mape_test"
            case maxApeTest = "max_ape_test"
            case exactMapeTrain = "exact_mape_train"
            case exactMapeTest = "exact_mape_test"
        }
    }
    public var width: Int
    public var cutoff: Double?
    public var trainPoints: [Double]
    public var testPoints: [Double]
    public var models: [Model]
    /// Per four-point tuple of the training set: sampled and exact G4 - G4_GP, then the local and the full fit.
    public var trainDelta: [[Double?]]
    public var testDelta: [[Double?]]

    enum CodingKeys: String, CodingKey {
        case width, cutoff, models
        case trainPoints = "train_points"
        case testPoints = "test_points"
        case trainDelta = "train_delta"
        case testDelta = "test_delta"
    }
}

/// The coupling pipelines.
public enum QuarticCouplings {
    /// Samples what `command` needs at the interacting width: the points (and for "fit" the test points too),
    /// orders 2 and 4, and 6 for "sixpt".
    public static func sample(_ options: CouplingOptions, command: String,
                              progress: (@Sendable (QFTEvent) -> Void)? = nil) throws(QFTError) -> QFTAccumulators {
        try options.validate()
        var points = options.points
        if command == "fit" { points += options.points.map { $0 * 2.0.squareRoot() / 2 } }
        let orders = command == "sixpt" ? [2, 4, 6] : [2, 4]
        let evaluator = ForwardEvaluator(ensemble: options.ensemble, points: points.map { [$0] })
        var accumulators = try QFTRun.sample(evaluator: evaluator, command: command, ensemble: options.ensemble,
                                             observables: .outputs(points.map { [$0] }), orders: orders, widths: [options.width],
                                             plan: options.plan, slopeWidths: [options.width, options.width], streamTag: 0,
                                             progress: progress)
        accumulators.cutoffs = options.cutoffs.map { $0.isFinite ? $0 : nil }
        accumulators.trainPoints = command == "fit" ? options.points.count : nil
        return accumulators
    }

    /// The report of sampled coupling accumulators.
    static func report(_ accumulators: QFTAccumulators) -> QFTReport {
        var report = QFTRun.standardReport(accumulators)
        let cutoffs = (accumulators.cutoffs ?? []).map { $0 ?? .infinity }
        let tuples = CorrelatorTuples(observableCount: accumulators.observables.count, orders: accumulators.orders)
        let theory = FiniteWidthTheory(ensemble: accumulators.ensemble, observables: accumulators.observables.neuronObservables,
                                       highestOrder: accumulators.orders.max() ?? 4)
        guard let sums = accumulators.widths.first else { return report }
        let statistics = WidthStatistics(sums, tuples: tuples)
        let points = (accumulators.observables.points ?? []).map { $0[0] }
        switch accumulators.command {
        case "rg":
            report.rg = rg(ensemble: accumulators.ensemble, points: points, width: sums.width, cutoffs: cutoffs,
                           tuples: tuples, theory: theory, statistics: statistics)
        case "sixpt":
            report.sixpt = sixPoint(ensemble: accumulators.ensemble, points: points, width: sums.width, cutoffs: cutoffs,
                                    tuples: tuples, theory: theory, statistics: statistics)
        case "fit":
            report.fit = fit(ensemble: accumulators.ensemble, points: points, train: accumulators.trainPoints ?? points.count,
                             width: sums.width, cutoff: cutoffs.first ?? .infinity, tuples: tuples, theory: theory,
                             statistics: statistics)
        default:
            break
        }
        return report
    }

    /// Sampled and exact G4 - G4_GP for every four-point tuple (the means are the full-sample and leave-one-out ones).
    static func deltas(_ means: [Double], tuples: CorrelatorTuples, theory: FiniteWidthTheory) -> [Double] {
        tuples.ranges[4]!.map { means[$0] - theory.gaussianProcess(tuples.tuples[$0]) }
    }

    static func rg(ensemble: QFTEnsemble, points: [Double], width: Int, cutoffs: [Double], tuples: CorrelatorTuples,
                   theory: FiniteWidthTheory, statistics: WidthStatistics) -> RGReport {
        let four = tuples.ranges[4]!.map { tuples.tuples[$0] }
        let exactDelta = four.map { theory.connectedFour($0, width: width) }
        var entries: [RGReport.Entry] = []
        var pooledX: [Double] = [], pooledY: [Double] = []
        for cutoff in cutoffs {
            let integrals = KernelIntegrals(ensemble: ensemble, points: points, cutoff: cutoff)
            let denominators = four.map { 24 * integrals.product($0) }
            func lambdas(_ means: [Double]) -> [Double] { zip(deltas(means, tuples: tuples, theory: theory), denominators).map { $0 / $1 } }
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            let sampled = lambdas(statistics.mean)
            var lambda = EstimateReport(value: WidthReportBuilder.finite(mean(sampled)),
                                        stderr: WidthReportBuilder.finite(WidthReportBuilder.jackknife(statistics.leaveOneOut.map { mean(lambdas($0)) })),
                                        exact: nil)
            if exactDelta.allSatisfy({ $0 != nil }) { lambda.exact = WidthReportBuilder.finite(mean(zip(exactDelta, denominators).map { $0! / $1 })) }
            entries.append(RGReport.Entry(cutoff: cutoff.isFinite ? cutoff : nil, lambda: lambda, tuples: sampled.map(WidthReportBuilder.finite)))
            if cutoff.isFinite {
                for l in sampled where l != 0 && l.isFinite {
                    pooledX.append(Foundation.log10(cutoff))
                    pooledY.append(Foundation.log10(abs(l)))
                }
            }
        }
        // Weighted fit of log10 lambda-bar over the finite cutoffs.
        let finite = entries.filter { $0.cutoff != nil }
        var slope = SlopeReport(widths: [])
        let usable = finite.compactMap { e -> (Double, Double, Double)? in
            guard let c = e.cutoff, let v = e.lambda.value, v > 0, let s = e.lambda.stderr, s > 0 else { return nil }
            return (Foundation.log10(c), Foundation.log10(v), s / (v * Foundation.log(10)))
        }
        // lambda-bar at different cutoffs comes from the same samples (fully correlated), so the weighted fit's
        // standard error is that of one point: the slope's spread is set by the integrals, not by the noise.
        if usable.count == finite.count, let f = SlopeFit.fit(x: usable.map(\.0), y: usable.map(\.1), sigma: usable.map(\.2)) {
            slope.slope = f.slope
            slope.intercept = f.intercept
            slope.chi2PerDof = f.chi2
            slope.stderr = f.stderr
        }
        let exact = finite.compactMap { e -> (Double, Double)? in
            guard let c = e.cutoff, let v = e.lambda.exact, v > 0 else { return nil }
            return (Foundation.log10(c), Foundation.log10(v))
        }
        if exact.count == finite.count, let f = SlopeFit.fit(x: exact.map(\.0), y: exact.map(\.1), sigma: nil) { slope.exact = f.slope }
        var report = RGReport(width: width, entries: entries, slope: slope)
        if let f = SlopeFit.fit(x: pooledX, y: pooledY, sigma: nil) {
            report.pooledSlope = f.slope
            let my = pooledY.reduce(0, +) / Double(pooledY.count)
            let total = pooledY.reduce(0) { $0 + ($1 - my) * ($1 - my) }
            let residual = zip(pooledX, pooledY).reduce(0) { $0 + ($1.1 - f.intercept - f.slope * $1.0) * ($1.1 - f.intercept - f.slope * $1.0) }
            report.pooledR2 = total > 0 ? 1 - residual / total : nil
        }
        if ensemble.activation == .relu, ensemble.sb == 0, points.allSatisfy({ $0 > 0 }) {
            report.law = "lambda(Lambda) = 25 / (2 N sw^8 Lambda^5) at every tuple: slope -5"
            // lambda Lambda^5 from the finite cutoffs (equal at all of them up to rounding).
            let scaled = finite.compactMap { e -> (Double, Double?)? in
                guard let c = e.cutoff, let v = e.lambda.value else { return nil }
                return (v * Foundation.pow(c, 5), e.lambda.stderr.map { $0 * Foundation.pow(c, 5) })
            }
            if let first = scaled.first {
                report.lambdaTimesCutoff5 = EstimateReport(value: first.0, stderr: first.1,
                                                           exact: 12.5 / (Double(width) * Foundation.pow(ensemble.sw, 8)))
            }
        }
        return report
    }

    static func sixPoint(ensemble: QFTEnsemble, points: [Double], width: Int, cutoffs: [Double], tuples: CorrelatorTuples,
                         theory: FiniteWidthTheory, statistics: WidthStatistics) -> SixPointReport {
        let four = tuples.ranges[4]!.map { tuples.tuples[$0] }
        let six = tuples.ranges[6]!.map { tuples.tuples[$0] }
        let quartets = IndexTuples.Index(count: tuples.observableCount, length: 4)
        let kernel = theory.kernel
        let exactSix = six.map { theory.exact($0, width: width) }
        var entries: [SixPointReport.CutoffEntry] = []
        var figureTuples: [SixPointReport.Tuple] = []
        var figureCutoff = cutoffs.first ?? .infinity
        for (k, cutoff) in cutoffs.enumerated() {
            let integrals = KernelIntegrals(ensemble: ensemble, points: points, cutoff: cutoff)
            let j = four.map { integrals.product($0) }
            let sampledDelta = deltas(statistics.mean, tuples: tuples, theory: theory)
            let lambda = zip(sampledDelta, j).map { $0 / (24 * $1) }.reduce(0, +) / Double(four.count)
            let exactDelta = four.map { theory.connectedFour($0, width: width) }
            let exactLambda: Double? = exactDelta.allSatisfy({ $0 != nil })
                ? zip(exactDelta, j).map { $0! / (24 * $1) }.reduce(0, +) / Double(four.count) : nil
            func quartic(_ t: [Int], _ l: Double) -> Double {
                IndexTuples.pairQuartetSplits.reduce(0) { total, split in
                    total + kernel[t[split.pair.0]][t[split.pair.1]] * 24 * l * j[quartets.position(of: split.quartet.map { t[$0] })]
                }
            }
            var entry = SixPointReport.CutoffEntry(cutoff: cutoff.isFinite ? cutoff : nil, lambda: WidthReportBuilder.finite(lambda))
            var prediction = 0.0, gpOnly = 0.0, predictionExact = 0.0, gpExact = 0.0
            for (i, t) in six.enumerated() {
                let g6 = statistics.mean[tuples.ranges[6]!.lowerBound + i], gp = theory.gaussianProcess(t)
                prediction += abs(gp + quartic(t, lambda) - g6) / abs(g6)
                gpOnly += abs(gp - g6) / abs(g6)
                if let e = exactSix[i], let el = exactLambda {
                    predictionExact += abs(gp + quartic(t, el) - e) / abs(e)
                    gpExact += abs(gp - e) / abs(e)
                }
            }
            let n = Double(six.count)
            entry.predictionError = WidthReportBuilder.finite(prediction / n)
            entry.gpError = WidthReportBuilder.finite(gpOnly / n)
            if exactLambda != nil, exactSix.allSatisfy({ $0 != nil }) {
                entry.predictionErrorExact = WidthReportBuilder.finite(predictionExact / n)
                entry.gpErrorExact = WidthReportBuilder.finite(gpExact / n)
            }
            entries.append(entry)
            // The per-tuple table is kept for the cutoff whose prediction fits the sampled G6 best.
            let best = entries.indices.min { (entries[$0].predictionError ?? .infinity) < (entries[$1].predictionError ?? .infinity) }
            if best == k {
                figureCutoff = cutoff
                figureTuples = six.enumerated().map { i, t in
                    let index = tuples.ranges[6]!.lowerBound + i
                    var fourTwo: Double? = 0
                    for split in IndexTuples.pairQuartetSplits {
                        guard let k4 = theory.connectedFour(split.quartet.map { t[$0] }, width: width) else { fourTwo = nil; break }
                        fourTwo! += k4 * theory.exactKernel[t[split.pair.0]][t[split.pair.1]]
                    }
                    return SixPointReport.Tuple(index: t, gp: WidthReportBuilder.finite(theory.gaussianProcess(t)),
                                                sampled: WidthReportBuilder.finite(statistics.mean[index]),
                                                stderr: WidthReportBuilder.finite(statistics.stderr[index]),
                                                quartic: WidthReportBuilder.finite(quartic(t, lambda)),
                                                exact: WidthReportBuilder.finite(exactSix[i]),
                                                exactFourTwo: WidthReportBuilder.finite(fourTwo),
                                                exactConnected: WidthReportBuilder.finite(theory.connectedSix(t, width: width)))
                }
            }
        }
        return SixPointReport(width: width, cutoffs: entries, tupleCutoff: figureCutoff.isFinite ? figureCutoff : nil,
                              tuples: figureTuples)
    }

    static func fit(ensemble: QFTEnsemble, points: [Double], train: Int, width: Int, cutoff: Double, tuples: CorrelatorTuples,
                    theory: FiniteWidthTheory, statistics: WidthStatistics) -> FitReport {
        let integrals = KernelIntegrals(ensemble: ensemble, points: points, cutoff: cutoff)
        let all = tuples.ranges[4]!
        let trainRows = all.filter { tuples.tuples[$0].allSatisfy { $0 < train } }
        let testRows = all.filter { tuples.tuples[$0].allSatisfy { $0 >= train } }
        // I(a, b) over all points.
        let p = points.count
        var pair = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for a in 0..<p { for b in a..<p { pair[a][b] = integrals.product([a, b]); pair[b][a] = pair[a][b] } }
        func templates(_ t: [Int]) -> [Double] {
            let t0 = 24 * integrals.product(t)
            let t2 = 24 * integrals.product(t, power: 2)
            let tnl = 8 * (pair[t[0]][t[1]] * pair[t[2]][t[3]] + pair[t[0]][t[2]] * pair[t[1]][t[3]] + pair[t[0]][t[3]] * pair[t[1]][t[2]])
            return [t0, t2, tnl]
        }
        let trainT = trainRows.map { templates(tuples.tuples[$0]) }, testT = testRows.map { templates(tuples.tuples[$0]) }
        func delta(_ means: [Double], _ rows: [Int]) -> [Double] { rows.map { means[$0] - theory.gaussianProcess(tuples.tuples[$0]) } }
        let exactTrain = trainRows.map { theory.connectedFour(tuples.tuples[$0], width: width) }
        let exactTest = testRows.map { theory.connectedFour(tuples.tuples[$0], width: width) }
        let models: [(String, [Int])] = [("local", [0]), ("local + derivative", [0, 1]), ("local + non-local", [0, 2]),
                                          ("local + derivative + non-local", [0, 1, 2])]
        let names = ["lambda_0 (24 int prod K)", "lambda_2 (24 int x^2 prod K)", "lambda_NL (8 sum I I)"]
        var reports: [FitReport.Model] = []
        for (name, columns) in models {
            let design = trainT.map { row in columns.map { row[$0] } }
            let sampledTrain = delta(statistics.mean, trainRows)
            let solution = LeastSquares.solve(design, sampledTrain)
            let jackknife = statistics.leaveOneOut.map { LeastSquares.solve(design, delta($0, trainRows)).coefficients }
            var coefficients = columns.indices.map { c in
                EstimateReport(value: WidthReportBuilder.finite(solution.coefficients[c]),
                               stderr: WidthReportBuilder.finite(WidthReportBuilder.jackknife(jackknife.map { $0[c] })), exact: nil)
            }
            var model = FitReport.Model(name: name, terms: columns.map { names[$0] }, coefficients: coefficients, rank: solution.rank)
            func scores(_ rows: [[Double]], _ targets: [Double], _ c: [Double]) -> (Double, Double)? {
                guard !rows.isEmpty else { return nil }
                let errors = zip(rows, targets).map { row, y in
                    100 * abs(y - zip(columns, c).reduce(0) { $0 + row[$1.0] * $1.1 }) / abs(y)
                }
                return (errors.reduce(0, +) / Double(errors.count), errors.max() ?? 0)
            }
            if let s = scores(trainT, sampledTrain, solution.coefficients) { model.mapeTrain = WidthReportBuilder.finite(s.0); model.maxApeTrain = WidthReportBuilder.finite(s.1) }
            if let s = scores(testT, delta(statistics.mean, testRows), solution.coefficients) { model.mapeTest = WidthReportBuilder.finite(s.0); model.maxApeTest = WidthReportBuilder.finite(s.1) }
            if exactTrain.allSatisfy({ $0 != nil }) {
                let exactSolution = LeastSquares.solve(design, exactTrain.map { $0! })
                for c in coefficients.indices { coefficients[c].exact = WidthReportBuilder.finite(exactSolution.coefficients[c]) }
                model.coefficients = coefficients
                model.exactMapeTrain = scores(trainT, exactTrain.map { $0! }, exactSolution.coefficients).flatMap { WidthReportBuilder.finite($0.0) }
                if exactTest.allSatisfy({ $0 != nil }) {
                    model.exactMapeTest = scores(testT, exactTest.map { $0! }, exactSolution.coefficients).flatMap { WidthReportBuilder.finite($0.0) }
                }
            }
            reports.append(model)
        }
        let sampledTrain = delta(statistics.mean, trainRows), sampledTest = delta(statistics.mean, testRows)
        func predictions(_ rows: [[Double]], _ model: FitReport.Model, _ columns: [Int]) -> [Double?] {
            rows.map { row in WidthReportBuilder.finite(zip(columns, model.coefficients).reduce(0) { $0 + row[$1.0] * ($1.1.value ?? .nan) }) }
        }
        let localTrain = predictions(trainT, reports[0], models[0].1), fullTrain = predictions(trainT, reports[3], models[3].1)
        let localTest = predictions(testT, reports[0], models[0].1), fullTest = predictions(testT, reports[3], models[3].1)
        return FitReport(width: width, cutoff: cutoff.isFinite ? cutoff : nil, trainPoints: Array(points[0..<train]),
                         testPoints: Array(points[train...]), models: reports,
                         trainDelta: trainRows.indices.map { [WidthReportBuilder.finite(sampledTrain[$0]), WidthReportBuilder.finite(exactTrain[$0]), localTrain[$0], fullTrain[$0]] },
                         testDelta: testRows.indices.map { [WidthReportBuilder.finite(sampledTest[$0]), WidthReportBuilder.finite(exactTest[$0]), localTest[$0], fullTest[$0]] })
    }
}

/// Least squares by the normal equations on column-scaled designs with a symmetric eigendecomposition (Jacobi), so
/// rank deficiency (the ReLU-net's templates are all proportional) gives a solution and its rank: the minimum-norm
/// one in unit-column coordinates, where each template gets the same share whatever its units.
enum LeastSquares {
    static func solve(_ rows: [[Double]], _ y: [Double]) -> (coefficients: [Double], rank: Int) {
        let k = rows.first?.count ?? 0
        guard k > 0, !rows.isEmpty else { return ([Double](repeating: .nan, count: k), 0) }
        // Scale columns to unit norm.
        let scale = (0..<k).map { c in max(rows.reduce(0) { $0 + $1[c] * $1[c] }.squareRoot(), 1e-300) }
        var a = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var b = [Double](repeating: 0, count: k)
        for (row, target) in zip(rows, y) {
            for i in 0..<k {
                b[i] += row[i] / scale[i] * target
                for j in 0..<k { a[i][j] += row[i] / scale[i] * row[j] / scale[j] }
            }
        }
        let (values, vectors) = jacobiEigen(a)
        let top = values.map(abs).max() ?? 0
        var solution = [Double](repeating: 0, count: k)
        var rank = 0
        for (m, value) in values.enumerated() where value > 1e-10 * top {
            rank += 1
            let projection = (0..<k).reduce(0) { $0 + vectors[$1][m] * b[$1] } / value
            for i in 0..<k { solution[i] += projection * vectors[i][m] }
        }
        return (zip(solution, scale).map { $0 / $1 }, rank)
    }

    /// Eigenvalues and eigenvectors (columns) of a small symmetric matrix by cyclic Jacobi rotations.
    static func jacobiEigen(_ matrix: [[Double]]) -> ([Double], [[Double]]) {
        var a = matrix
        let n = a.count
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where i != j { off += a[i][j] * a[i][j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<n {
                        let arp = a[r][p], arq = a[r][q]
                        a[r][p] = c * arp - s * arq
                        a[r][q] = s * arp + c * arq
                    }
                    for r in 0..<n {
                        let apr = a[p][r], aqr = a[q][r]
                        a[p][r] = c * apr - s * aqr
                        a[q][r] = s * apr + c * aqr
                    }
                    for r in 0..<n {
                        let vrp = v[r][p], vrq = v[r][q]
                        v[r][p] = c * vrp - s * vrq
                        v[r][q] = s * vrp + c * vrq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0][$0] }, v)
    }
}
