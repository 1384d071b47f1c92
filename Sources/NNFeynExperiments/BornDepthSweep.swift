// The depth sweep (after Wu, Zhang, Shen, Zhai, "Visualizing a neural network that develops quantum perturbation
// theory", PRA 98, 010701 (2018)): one network per maximum depth D, trained on a0 alone (no subtraction), and what
// of the Born series it has picked up.
//
// For each D the network f_D is fitted to a0 on attractive wells with lambda ~ Uniform(0, D), exactly as iteration 1
// of `born iterate` fits it (same options, same method). Two things are measured:
//   - its Taylor tensors at U = 0 against the exact Born tensors, order by order (the Born kernels do not depend on
//     D: they are derivatives at U = 0);
//   - on fresh test wells of the same depth, the network's residual after k orders, f_D - sum_{j<=k} P_j (P_j the
//     order-j Taylor term of f_D), against the exact residual after k Born orders, a0 - sum_{j<=k} a_j.
// At a small depth a0 is almost a1 and the higher orders are below the fit's accuracy, so only order 1 is learned;
// as D grows, a_k ~ D^k rises above the fit error and order after order appears in the network's tensors.
//
// Random streams: every depth uses the same seed, so the training wells at depth D are the wells at depth 1 scaled by
// D (lambda = D v, U_i = -lambda u_i with the same v and u_i), the standardized network inputs are identical, and
// only the targets change with D. Test wells use `seed ^ testSalt` the same way.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynEval
import NNFeynModel
import NNFeynPhysics
import NNFeynTraining

/// Everything that controls `nnfeyn born depth-sweep`.
public struct BornDepthSweepOptions: Sendable, Equatable {
    /// The maximum depths D, increasing.
    public var depths: [Double] = [0.01, 0.03, 0.1, 0.3, 1, 2]
    /// The highest order K of the tensors and residuals compared.
    public var orders = 4
    /// How each network is trained (iteration 1 of `born iterate`); its `depth` and `iterations` are set per depth.
    public var training: IterationOptions

    /// The defaults: `born iterate`'s networks and method at 50 000 potentials, 200 epochs and no L-BFGS polish per
    /// depth (6 networks instead of 3).
    public init() {
        var o = IterationOptions()
        o.trainCount = 50_000
        o.testCount = 5_000
        o.epochs = 200
        // Measured and documented with 64 x 64 networks, loss weights floored at 0.01 D, and without the L-BFGS and
        // Levenberg-Marquardt polish of `born iterate` (six networks: it would triple the run).
        o.hidden = [64, 64]
        o.weightFloor = 0.01
        o.polishSteps = 0
        o.levenbergMarquardtSteps = 0
        training = o
    }

    /// A run small enough for a test in a debug build: 6 steps, few potentials, one small hidden layer.
    public static var quick: BornDepthSweepOptions {
        var o = BornDepthSweepOptions()
        o.training.steps = 6
        o.training.trainCount = 2_000
        o.training.testCount = 500
        o.training.hidden = [16]
        o.training.epochs = 40
        o.training.batchSize = 64
        o.training.learningRate = 1e-2
        return o
    }

    /// The options of the network at depth D.
    public func training(depth: Double) -> IterationOptions {
        var o = training
        o.depth = depth
        o.iterations = 1
        return o
    }

    /// Checks ranges; the error names the command-line option.
    public func validate() throws(IterationError) {
        guard !depths.isEmpty, depths.count <= 32 else { throw .invalid("--depths needs 1 to 32 depths (got \(depths.count))") }
        for (i, d) in depths.enumerated() {
            guard d.isFinite, d > 0 else { throw .invalid("--depths must be positive numbers (got \(d))") }
            if i > 0 && d <= depths[i - 1] { throw .invalid("--depths must increase (\(d) follows \(depths[i - 1]))") }
        }
        guard orders >= 1, orders <= 6 else { throw .invalid("--orders must be between 1 and 6 (got \(orders))") }
        for d in depths { try training(depth: d).validate() }
    }
}

/// What a sweep reports as it goes.
public enum BornDepthSweepEvent: Sendable {
    /// Network `index` (0-based, of `count`) at maximum depth `depth` finished an epoch.
    case epoch(index: Int, count: Int, depth: Double, EpochReport)
    /// Its network is trained, expanded and evaluated.
    case depthDone(index: Int, depth: Double, tensorErrors: [Double], seconds: Double)
}

/// One depth's network and what was read from it.
public struct BornDepthOutcome: Sendable {
    /// The maximum depth D of its training wells.
    public var depth: Double
    /// f_D, mapping U to a0 in original units.
    public var network: Network<Double>
    /// Its derivatives at U = 0, orders 0...K.
    public var tensors: TaylorExpansion<Double>
    /// The training log (losses in standardized target units).
    public var log: TrainingLog
    /// The test wells' residuals, order by order.
    public var residuals: BornResidualComparison
    /// Seconds spent training, expanding and evaluating.
    public var seconds: Double
}

/// The residuals after k = 0...K orders on test wells: the network's own and the exact ones.
public struct BornResidualComparison: Sendable, Equatable {
    /// network[k]: f - sum_{j<=k} P_j at every test well (network[0] = f).
    public var network: [[Double]]
    /// exact[k]: a0 - sum_{j<=k} a_j at every test well (exact[0] = a0).
    public var exact: [[Double]]

    /// The residuals of a network with Taylor terms `tensors` and outputs `predictions` at the rows `potentials`,
    /// and of the Born series, whose terms a_1...a_K per row are `bornTerms[row]`.
    public init(predictions: [Double], tensors: TaylorExpansion<Double>, a0: [Double], bornTerms: [[Double]],
                potentials: [Double], orders K: Int) {
        var network = [predictions], exact = [a0]
        for k in stride(from: 1, through: K, by: 1) {
            let term = tensors.termValues(order: k, rows: potentials)
            network.append(zip(network[k - 1], term).map { $0 - $1 })
            exact.append(exact[k - 1].indices.map { exact[k - 1][$0] - bornTerms[$0][k - 1] })
        }
        self.network = network
        self.exact = exact
    }
}

/// A finished sweep.
public struct BornDepthSweepRun: Sendable {
    /// The options it ran with.
    public var options: BornDepthSweepOptions
    /// The exact Born tensors of orders 0...K.
    public var exact: TaylorExpansion<Double>
    /// One outcome per depth, in the order of `options.depths`.
    public var outcomes: [BornDepthOutcome]
    /// The numbers written to report.json.
    public var report: BornDepthSweepReport
}

/// Runs the depth sweep.
public enum BornDepthSweep {
    /// Trains, expands and evaluates one network per depth. `checkpoint` receives the sweep of the depths finished so
    /// far after each one but the last, so a caller can save every finished network and its numbers.
    public static func run(_ options: BornDepthSweepOptions,
                           progress: (@Sendable (BornDepthSweepEvent) -> Void)? = nil,
                           checkpoint: ((BornDepthSweepRun) -> Void)? = nil) throws(IterationError) -> BornDepthSweepRun {
        try options.validate()
        let K = options.orders, n = options.training.steps
        let exact: TaylorExpansion<Double>
        do {
            exact = try BornTensors.expansion(edges: StepPotential.equalEdges(steps: n, range: options.training.range), order: K)
        } catch { throw .invalid(error.description) }
        let clock = ContinuousClock()
        var outcomes: [BornDepthOutcome] = []
        for (index, depth) in options.depths.enumerated() {
            let began = clock.now
            let o = options.training(depth: depth)
            let training: BornDataSet, test: BornDataSet
            do {
                training = try o.trainingSet()
                test = try BornDataSet(options: o.testData)
            } catch { throw .invalid(error.description) }
            let count = options.depths.count
            let result = try IterativePerturbationTheory.train(
                iteration: 1, options: o, inputs: training.potentials, targets: training.a0,
                weights: o.weights(lambda: training.lambda, iteration: 1),
                progress: progress.map { report in
                    { @Sendable event in
                        if case .epoch(_, _, let epoch) = event { report(.epoch(index: index, count: count, depth: depth, epoch)) }
                    }
                })
            let network: Network<Double>
            do { network = try result.network.with(architecture: result.network.architecture.renamed("born_depth\(index + 1)")) } catch {
                throw .training(iteration: index + 1, error.description)
            }
            let tensors: TaylorExpansion<Double>
            do { tensors = try Expander.expand(network, order: K) } catch {
                throw .expansion(iteration: index + 1, error.description)
            }
            let residuals = BornResidualComparison(
                predictions: network.predict(test.potentials), tensors: tensors, a0: test.a0,
                bornTerms: bornTerms(test, order: K), potentials: test.potentials, orders: K)
            let seconds = IterativePerturbationTheory.seconds(clock.now - began)
            outcomes.append(BornDepthOutcome(depth: depth, network: network, tensors: tensors, log: result.log,
                                         residuals: residuals, seconds: seconds))
            progress?(.depthDone(index: index, depth: depth,
                                 tensorErrors: (1...K).map { tensors.relativeFrobeniusError(against: exact, order: $0) },
                                 seconds: seconds))
            if let checkpoint, index + 1 < options.depths.count {
                checkpoint(BornDepthSweepRun(options: options, exact: exact, outcomes: outcomes,
                                             report: BornDepthSweepReport(options: options, exact: exact, outcomes: outcomes)))
            }
        }
        let report = BornDepthSweepReport(options: options, exact: exact, outcomes: outcomes)
        return BornDepthSweepRun(options: options, exact: exact, outcomes: outcomes, report: report)
    }

    /// a_1...a_K of every row of `data`, by the scalar any-order recursion.
    public static func bornTerms(_ data: BornDataSet, order K: Int) -> [[Double]] {
        let n = data.options.steps
        return data.edges.withUnsafeBufferPointer { edges in
            data.potentials.withUnsafeBufferPointer { U in
                (0..<data.a0.count).map { row in
                    BornSeries.terms(values: U.baseAddress! + row * n, edges: edges.baseAddress!, steps: n, order: K)
                }
            }
        }
    }

    /// The file stem of the network at a depth: `depth-<D>` with D as Swift prints it.
    public static func stem(depth: Double) -> String { "depth-\(depth)" }
}

extension BornDepthSweepRun {
    /// Each depth's network under its file stem.
    public var models: [(stem: String, model: Model)] {
        outcomes.map { (BornDepthSweep.stem(depth: $0.depth), Model($0.network)) }
    }
}
