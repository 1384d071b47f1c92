// Deeper networks: how the 1/N coefficient of the connected four-point function grows with depth.
//
// For each depth L (hidden layers of equal width N) the normalised connected four-point function
// ratio4 = mean over tuples of (G4 - G4_GP)/G4_GP is sampled at several widths, and its 1/N coefficient c(L) is
// the intercept of a weighted fit N ratio4 = c + c'/N. The GP kernels follow the arcsine (Erf) and arc-cosine
// (ReLU) recursions. For the ReLU-net with sb = 0 at positive inputs the theory is exact at every width:
// ratio4 = (1 + 5/N)^L - 1, so c(L) = 5 L (FiniteWidthTheory.swift); other ensembles are measured only.
import Foundation

/// Options of `qft depth`.
public struct DepthOptions: Sendable {
    public var ensemble: QFTEnsemble
    public var points: [[Double]]
    public var depths: [Int]
    public var widths: [Int]
    public var plan: SamplingPlan

    public static func defaults(_ activation: QFTActivation, quick: Bool = false) -> DepthOptions {
        DepthOptions(ensemble: QFTEnsemble(activation: activation), points: activation.defaultPoints(dIn: 1) ?? [],
                     depths: quick ? [1, 2] : [1, 2, 3, 4], widths: quick ? [5, 20] : [5, 10, 20, 50, 100],
                     plan: SamplingPlan(models: quick ? 4000 : 200_000, chunks: 10))
    }

    public init(ensemble: QFTEnsemble, points: [[Double]], depths: [Int], widths: [Int], plan: SamplingPlan) {
        self.ensemble = ensemble
        self.points = points
        self.depths = depths
        self.widths = widths
        self.plan = plan
    }

    public func validate() throws(QFTError) {
        guard ensemble.activation != .gauss else { throw QFTError("the Gauss-net has one hidden layer: use erf or relu") }
        guard !depths.isEmpty, Set(depths).count == depths.count else { throw QFTError("--depths must list distinct depths") }
        for depth in depths {
            var e = ensemble
            e.depth = depth
            try e.validate()
        }
        try plan.validate()
        try QFTRunOptions.validate(widths: widths, orders: [2, 4], slopeWidths: [2, 20])
        guard !points.isEmpty, points.count <= 12, points.allSatisfy({ $0.count == ensemble.dIn }) else {
            throw QFTError("give between 1 and 12 input points with \(ensemble.dIn) coordinates each")
        }
    }
}

/// `qft depth`: per depth, ratio4 per width and the 1/N coefficient.
public struct DepthReport: Sendable, Codable, Equatable {
    public struct Depth: Sendable, Codable, Equatable {
        public var depth: Int
        /// K(x_a, x_a) of the first point, the GP variance after the recursions.
        public var kernel: Double
        public var widths: [WidthReport]
        public var coefficient: EstimateReport?
        public var slopeM4: SlopeReport?

        enum CodingKeys: String, CodingKey {
            case depth, kernel, widths, coefficient
            case slopeM4 = "slope_m4"
        }
    }
    public var depths: [Depth]
    /// Weighted fit of the coefficient against L (sampled), and the exact law where there is one.
    public var growthPerLayer: EstimateReport?
    public var law: String?

    enum CodingKeys: String, CodingKey {
        case depths, law
        case growthPerLayer = "growth_per_layer"
    }
}

/// The depth sweep.
public enum DepthSweep {
    public static func sample(_ options: DepthOptions, progress: (@Sendable (QFTEvent) -> Void)? = nil) throws(QFTError) -> QFTAccumulators {
        try options.validate()
        var all: QFTAccumulators? = nil
        for depth in options.depths {
            var e = options.ensemble
            e.depth = depth
            let part = try QFTRun.sample(evaluator: ForwardEvaluator(ensemble: e, points: options.points), command: "depth",
                                         ensemble: options.ensemble, observables: .outputs(options.points), orders: [2, 4],
                                         widths: options.widths, plan: options.plan, slopeWidths: [2, 20],
                                         streamTag: QFTRun.outputStreamTag(depth: depth), progress: progress)
            if all == nil { all = part } else { all!.widths += part.widths }
        }
        all!.depths = options.depths
        return all!
    }

    static func report(_ accumulators: QFTAccumulators) -> QFTReport {
        let depths = accumulators.depths ?? [accumulators.ensemble.depth]
        let perDepth = accumulators.widths.count / max(depths.count, 1)
        let tuples = CorrelatorTuples(observableCount: accumulators.observables.count, orders: accumulators.orders)
        var entries: [DepthReport.Depth] = []
        for (k, depth) in depths.enumerated() {
            var ensemble = accumulators.ensemble
            ensemble.depth = depth
            let theory = FiniteWidthTheory(ensemble: ensemble, observables: accumulators.observables.neuronObservables, highestOrder: 4)
            let widths = accumulators.widths[(k * perDepth)..<((k + 1) * perDepth)].map { sums in
                WidthReportBuilder.build(width: sums.width, tuples: tuples, theory: theory, statistics: WidthStatistics(sums, tuples: tuples),
                                         includeTuples: false)
            }
            let relevant = IndexTuples.nonDecreasing(count: accumulators.observables.count, length: 4)
            let points = accumulators.observables.points ?? [[0]]
            entries.append(DepthReport.Depth(depth: depth, kernel: ensemble.kernel(points[0], points[0]), widths: Array(widths),
                                             coefficient: QFTRun.coefficient(Array(widths), exact: theory.coefficientFour(relevant)),
                                             slopeM4: SlopeFit.slope(widths: Array(widths), measure: \.m4, low: 1, high: 1_000_000)))
        }
        var section = DepthReport(depths: entries)
        // Growth per layer: weighted fit c(L) = a + b L.
        let rows = entries.compactMap { e -> (Double, Double, Double)? in
            guard let v = e.coefficient?.value, let s = e.coefficient?.stderr, s > 0 else { return nil }
            return (Double(e.depth), v, s)
        }
        if rows.count >= 2, let f = SlopeFit.fit(x: rows.map(\.0), y: rows.map(\.1), sigma: rows.map(\.2)) {
            let exact = entries.compactMap { e -> (Double, Double)? in e.coefficient?.exact.map { (Double(e.depth), $0) } }
            let exactSlope = exact.count >= 2 ? SlopeFit.fit(x: exact.map(\.0), y: exact.map(\.1), sigma: nil)?.slope : nil
            section.growthPerLayer = EstimateReport(value: f.slope, stderr: f.stderr, exact: exactSlope)
        }
        let e = accumulators.ensemble
        if e.activation == .relu, e.sb == 0, e.dIn == 1, (accumulators.observables.points ?? []).allSatisfy({ $0[0] > 0 }) {
            section.law = "(G4 - G4_GP)/G4_GP = (1 + 5/N)^L - 1 at every tuple: coefficient 5 L"
        }
        var report = QFTReport(command: "depth", ensemble: accumulators.ensemble, observables: accumulators.observables,
                               orders: accumulators.orders,
                               sampling: SamplingInfo(models: accumulators.models, chunks: accumulators.chunks, seed: accumulators.seed,
                                                      complete: Set(accumulators.shards) == Set(0..<accumulators.shardCount),
                                                      modelsSampled: accumulators.widths.first.map { $0.chunks.reduce(0) { $0 + $1.models } } ?? 0),
                               widths: [], slopes: [:], coefficient4: nil, notes: [])
        report.depth = section
        if entries.contains(where: { $0.coefficient?.exact == nil }) {
            report.notes.append("no exact finite-width theory beyond one hidden layer for this ensemble: those depths are measured only")
        }
        return report
    }
}
