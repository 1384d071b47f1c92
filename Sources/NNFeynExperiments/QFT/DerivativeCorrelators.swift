// Derivative correlators: the observables are the Taylor coefficients of each sampled network at a point,
// computed by nnfeyn's own expansion (NNFeynEval's fused evaluator on OpenBLAS, through ArrayExpansion), so the two
// diagram traditions meet: the deterministic diagrams of one network give its coefficients, and the ensemble over
// networks gives their correlators.
//
// Theory (one hidden layer): the coefficient of x^alpha is c_alpha = b_1 [alpha = 0] + sum_i w1_i u_alpha(theta_i)
// with u_alpha = act^(|alpha|)(w . x0 + b) w^alpha / alpha!, again a sum of N i.i.d. neuron terms times Gaussian
// output weights, so FiniteWidthTheory applies unchanged with these u (NeuronObservable.taylor). For the Erf-net at
// x0 = 0 with sw = sb = 1: E[c_1^2] = E[f'(0)^2] = sw^2 (sw^2/d_in) (4/pi) E[e^(-2 b^2)] = 4/(pi sqrt 5) at every N.
import Foundation
import NNFeynDiagnostics
import NNFeynAlgebra
import NNFeynEval
import NNFeynModel

/// Options of `qft derivs`.
public struct DerivativeOptions: Sendable {
    public var ensemble: QFTEnsemble
    public var point: [Double]
    public var order: Int
    public var widths: [Int]
    public var orders: [Int]
    public var plan: SamplingPlan
    public var slopeWidths: [Int]

    public static func defaults(_ activation: QFTActivation, order: Int, quick: Bool = false) -> DerivativeOptions {
        DerivativeOptions(ensemble: QFTEnsemble(activation: activation), point: [activation == .relu ? 1 : 0], order: order,
                          widths: quick ? [2, 5, 20] : [1, 2, 3, 5, 10, 20, 50, 100], orders: [2, 4],
                          plan: SamplingPlan(models: quick ? 2000 : 200_000, chunks: 10), slopeWidths: [2, 20])
    }

    public init(ensemble: QFTEnsemble, point: [Double], order: Int, widths: [Int], orders: [Int], plan: SamplingPlan, slopeWidths: [Int]) {
        self.ensemble = ensemble
        self.point = point
        self.order = order
        self.widths = widths
        self.orders = orders
        self.plan = plan
        self.slopeWidths = slopeWidths
    }

    /// The monomials' exponent vectors in nnfeyn's basis order (graded, then lexicographic).
    public var monomials: [[Int]] {
        MonomialBasis(variables: ensemble.dIn, maxDegree: order).indexLists.map { list in
            var alpha = [Int](repeating: 0, count: ensemble.dIn)
            for i in list { alpha[i] += 1 }
            return alpha
        }
    }

    public func validate() throws(QFTError) {
        try ensemble.validate()
        try plan.validate()
        try QFTRunOptions.validate(widths: widths, orders: orders, slopeWidths: slopeWidths)
        guard ensemble.activation != .gauss else {
            throw QFTError("the Gauss-net's normalisation depends on the input, so it is not a network nnfeyn expands: use erf or relu")
        }
        guard order >= 0, order <= 20 else { throw QFTError("--order must be between 0 and 20 (got \(order))") }
        guard point.count == ensemble.dIn, point.allSatisfy(\.isFinite) else { throw QFTError("--point needs \(ensemble.dIn) finite coordinates") }
        guard let count = MonomialBasis.count(variables: ensemble.dIn, maxDegree: order), count <= 12 else {
            throw QFTError("at most 12 Taylor coefficients can be correlated: lower --order or --d-in")
        }
    }
}

/// Draws networks and expands each with nnfeyn at the point.
struct TaylorEvaluator: BlockEvaluator {
    let ensemble: QFTEnsemble
    let point: [Double]
    let order: Int
    let count: Int

    var observableCount: Int { count }
    func blockSize(width: Int) -> Int { Swift.max(8, Swift.min(256, 16384 / Swift.max(width, 1))) }
    func makeWorker(width: Int) -> any BlockWorker { TaylorWorker(evaluator: self, width: width) }
}

final class TaylorWorker: BlockWorker {
    let evaluator: TaylorEvaluator
    let width: Int
    /// The sampled networks' shape (made once; only the numbers change from model to model).
    let architecture: Architecture?

    init(evaluator: TaylorEvaluator, width: Int) {
        self.evaluator = evaluator
        self.width = width
        let e = evaluator.ensemble
        let activation: Activation = e.activation == .relu ? .relu : .erf
        let hidden = max(e.depth, 1)
        architecture = try? Architecture(name: "sampled", input: ModelInput(name: "x", dimension: e.dIn),
                                         widths: [Int](repeating: width, count: hidden) + [1],
                                         activations: [Activation](repeating: activation, count: hidden) + [.linear])
    }

    /// The same draw order as ForwardEvaluator, model by model: first-layer weights and biases, deeper layers,
    /// output weights and bias. Each model is a `Network<Double>` expanded by nnfeyn's fused evaluator.
    func evaluate(count: Int, rng: inout NormalSampler, output: UnsafeMutablePointer<Double>) throws(QFTError) {
        let e = evaluator.ensemble, n = width, d = e.dIn
        guard let architecture else { throw QFTError("the sampled networks' shape is invalid (width \(n), d_in \(d))") }
        func draw(_ k: Int, _ scale: Double) -> [Double] { (0..<k).map { _ in scale * rng.normal() } }
        for m in 0..<count {
            var weights: [[Double]] = [], biases: [[Double]] = []
            weights.append(draw(n * d, e.sw / Double(d).squareRoot()))
            biases.append(e.sb > 0 ? draw(n, e.sb) : [Double](repeating: 0, count: n))
            for _ in 1..<max(e.depth, 1) {
                weights.append(draw(n * n, e.sw / Double(n).squareRoot()))
                biases.append(e.sb > 0 ? draw(n, e.sb) : [Double](repeating: 0, count: n))
            }
            weights.append(draw(n, e.sw / Double(n).squareRoot()))
            biases.append(e.sb > 0 ? draw(1, e.sb) : [0.0])
            let expansion: TaylorExpansion<Double>
            do {
                let network = try Network(architecture: architecture, weights: weights, biases: biases, point: evaluator.point)
                expansion = try Expander.expand(network, order: evaluator.order)
            } catch let error as EvaluationError {
                if case .reluKink = error {
                    throw QFTError("a relu pre-activation is exactly 0 at the point (sb = 0 at x = 0?): move --point", code: .reluKink)
                }
                throw QFTError("the expansion of a sampled network failed: \(error)", code: .experimentFailed)
            } catch {
                throw QFTError("a sampled network is malformed: \(error)", code: .experimentFailed)
            }
            for k in 0..<evaluator.count { output[m * evaluator.count + k] = expansion.coefficient(output: 0, position: k) }
        }
    }
}

/// `qft derivs`: per width, the diagonal two-point functions E[c_alpha^2], sampled and exact.
public struct DerivsReport: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var width: Int
        public var monomial: [Int]
        public var sampled: Double?
        public var stderr: Double?
        public var exact: Double?
    }
    public var order: Int
    public var point: [Double]
    public var monomials: [[Int]]
    public var diagonal: [Entry]
}

/// The derivative-correlator pipeline.
public enum DerivativeCorrelators {
    /// Samples this shard (stream tag 1000 + depth: networks apart from `qft run`'s).
    public static func sample(_ options: DerivativeOptions, progress: (@Sendable (QFTEvent) -> Void)? = nil) throws(QFTError) -> QFTAccumulators {
        try options.validate()
        let monomials = options.monomials
        let evaluator = TaylorEvaluator(ensemble: options.ensemble, point: options.point, order: options.order, count: monomials.count)
        var orders = Set(options.orders)
        orders.insert(2)
        if orders.contains(6) { orders.insert(4) }
        return try QFTRun.sample(evaluator: evaluator, command: "derivs", ensemble: options.ensemble,
                                 observables: .taylor(point: options.point, monomials: monomials), orders: orders.sorted(),
                                 widths: options.widths, plan: options.plan, slopeWidths: options.slopeWidths,
                                 streamTag: 1000 + UInt64(options.ensemble.depth),
                                 progress: progress)
    }

    /// The exact report without sampling.
    public static func theory(_ options: DerivativeOptions) throws(QFTError) -> QFTReport {
        try options.validate()
        var orders = Set(options.orders)
        orders.insert(2)
        if orders.contains(6) { orders.insert(4) }
        let observables = ObservableSet.taylor(point: options.point, monomials: options.monomials)
        let tuples = CorrelatorTuples(observableCount: observables.count, orders: orders.sorted())
        let theory = FiniteWidthTheory(ensemble: options.ensemble, observables: observables.neuronObservables, highestOrder: orders.max()!)
        let widths = options.widths.map { WidthReportBuilder.build(width: $0, tuples: tuples, theory: theory, statistics: nil) }
        var report = QFTRun.assemble(command: "derivs", ensemble: options.ensemble, observables: observables, orders: orders.sorted(),
                                     theory: theory, widths: widths, slopeWidths: options.slopeWidths, sampling: nil)
        report.derivs = section(report)
        return report
    }

    static func report(_ accumulators: QFTAccumulators) -> QFTReport {
        var report = QFTRun.standardReport(accumulators)
        report.derivs = section(report)
        return report
    }

    static func section(_ report: QFTReport) -> DerivsReport {
        let monomials = report.observables.monomials ?? []
        var entries: [DerivsReport.Entry] = []
        for w in report.widths {
            for tuple in w.correlators["2"] ?? [] where tuple.index[0] == tuple.index[1] {
                entries.append(DerivsReport.Entry(width: w.width, monomial: monomials[tuple.index[0]], sampled: tuple.sampled,
                                                  stderr: tuple.stderr, exact: tuple.exact ?? tuple.gp))
            }
        }
        let order = monomials.map { $0.reduce(0, +) }.max() ?? 0
        return DerivsReport(order: order, point: report.observables.point ?? [], monomials: monomials, diagonal: entries)
    }
}
