// Iterative neural-network perturbation theory (Kaspschak & Meißner, PRR 3, 023223 (2021)): a machine-learned
// Born series of the scattering length.
//
// Iteration 1 fits f_1 to a0(U). Iteration k >= 2 fits a fresh f_k to the residual r_k = a0 - Σ_{j<k} P_j(U), where
// P_j is the order-j Taylor term of f_j at U = 0 (derivatives from nnfeyn's expansion, `Expander`).
// Because every P_j is a polynomial of degree j < k, r_k has the same order-k derivative as a0, which is the exact
// k-th Born kernel; f_k's order-k tensor is compared with it, and the proxy a_ML = Σ_k P_k with the analytic Born
// partial sums on fresh potentials.
//
// The later networks also see the earlier orders (`Refinement`). r_k's order-j derivative for j < k is exactly
// K_j - P_j, what P_j missed, so f_k's order-j tensor is a fit of that correction. By default (`.correct`) the
// residuals are the published ones and the learned order j after iteration k is P_j plus f_k's order-j tensor
// (measured at the defaults, seeds 1-3: order 1 from 0.39-0.52% to 0.002-0.007%, order 2 from 8.0-13.6% after
// iteration 2 to 1.2-3.4% after iteration 3, order 3 unchanged). `.residual` subtracts all of f_k's terms of orders 1...k
// instead, r_{k+1} = a0 - Σ_{i<=k} T_i[f_i], and sums every iteration's order-j tensors; it corrects orders 1 and 2
// less (order 2 3.6-7.6%) and learns order 3 worse (seed 2: 174% against 85%). `.none` is the published method:
// order k from iteration k alone.
//
// The networks train on attractive wells by default, as the test potentials and the paper are. Derivatives are read
// at U = 0, a corner of that data, so a plain mean-squared-error fit leaves them to extrapolation (seed 1: order-2
// error 50% after iteration 2). The default method (IterationMethods.swift) builds the known facts of a residual
// into the fit: every network vanishes at U = 0 (`anchored`) and iteration k weights squared errors by
// max(lambda, 0.05)^(-k), so shallow potentials, where r_k = O(lambda^k), count. `PotentialSampling.mixed` puts
// U = 0 inside the training data instead.
//
// Random streams (fixed, so a seed repeats the run): the training potentials use `seed`, the test potentials
// `seed ^ testSalt`, and iteration k's initial weights, split and shuffles use `seed + k`.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynEval
import NNFeynModel
import NNFeynPhysics
import NNFeynTraining

/// Everything that controls `nnfeyn born iterate`.
public struct IterationOptions: Sendable, Equatable {
    /// Number of equal steps n (the network's input dimension).
    public var steps = 16
    /// The range R.
    public var range = 1.0
    /// The largest depth scale lambda of the potentials (lambda ~ Uniform(0, depth)).
    public var depth = 1.0
    /// How many iterations (orders of the learned Born series), 1 to 5.
    public var iterations = 3
    /// Training potentials (shared by all iterations; a tenth is held out for validation).
    public var trainCount = 50_000
    /// Fresh test potentials for the proxy.
    public var testCount = 20_000
    /// Hidden-layer widths; the output layer is one linear neuron.
    public var hidden: [Int] = [32, 32]
    /// The hidden activation (a smooth one: derivatives at 0 are read off).
    public var activation: Activation = .tanh
    /// Epochs per iteration.
    public var epochs = 100
    /// Rows per Adam step.
    public var batchSize = 256
    /// Adam's base learning rate.
    public var learningRate = 3e-3
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule = .cosine
    /// Fraction of the training potentials held out for validation.
    public var validationFraction = 0.1
    /// Train on standardized inputs; the affine map is folded into the first layer of the written network.
    public var standardizeInputs = true
    /// Train on whitened inputs instead (decorrelated by the inverse Cholesky factor of their covariance), so that
    /// the weakly varying mixed-sign directions of the data are as large as the rest; folded in the same way.
    public var whitenInputs = false
    /// The seed of data, initialisation and shuffles.
    public var seed: UInt64 = 1
    /// OpenBLAS threads for training.
    public var threads = 1
    /// Number of equal lambda bins for the proxy's error versus depth.
    public var depthBins = 5
    /// Which potentials the networks are trained on (the test potentials are always attractive).
    public var sampling: PotentialSampling = .attractive
    /// Loss weights max(lambda, weightFloor * depth)^(-weightExponent * k) in iteration k (0: unweighted); see
    /// IterationMethods.swift.
    public var weightExponent = 1.0
    /// The depth below which the loss weights stop growing, as a fraction of `depth`. At 0.01 the wells shallower
    /// than 0.01 held two thirds of iteration 3's loss weight, although there r_3 is mostly what P_1 and P_2 missed,
    /// not K_3; 0.05 took iteration 3's order-3 error from 82% / 42% to 14% / 10% (seeds 2 / 3, README).
    public var weightFloor = 0.05
    /// How the training potentials' depth scale lambda is distributed.
    public var depthSampling: DepthSampling = .uniform
    /// Networks trained per iteration (different initial weights and shuffles); their mean is the iteration's network.
    public var ensemble = 1
    /// Decoupled weight decay of the networks' weights (0: plain Adam).
    public var weightDecay = 0.0
    /// Standardized inputs are multiplied by this before the first layer (smaller: a smoother start).
    public var inputGain = 1.0
    /// Train f_k(U) - f_k(0), so every network vanishes exactly at U = 0 as the residuals do.
    public var anchored = true
    /// How the later iterations' networks correct the earlier orders (see `Refinement`).
    public var refinement: Refinement = .correct
    /// L-BFGS steps on the full training loss after each network's Adam epochs (0: none). Derivatives at the
    /// corner U = 0 amplify fit errors, and the full-batch steps fit past where Adam's stochastic steps stall.
    public var polishSteps = 1500
    /// L2 penalty on the weights during the polish (standardized units; 0: none). Without it, seed 3's network 3
    /// grew order-3 entries 300 times the Born kernel's in directions the data cancel (34x error; 37% with it).
    public var polishPenalty = 1e-10
    /// Levenberg-Marquardt steps after the L-BFGS polish (0: none), on the same loss, for the networks of
    /// iterations `levenbergMarquardtFrom` and later. Full Gauss-Newton steps fit the small residuals where L-BFGS
    /// stalls; with 32 x 32 networks a step costs about 2.6 s.
    public var levenbergMarquardtSteps = 50
    /// The first iteration whose network takes the Levenberg-Marquardt steps. 2 by default: iteration 1 is the
    /// single network of the paper, trained as networks usually are; fitted by Levenberg-Marquardt too, it learns
    /// order 2 to 1.5-4.9% (seeds 1-3) and the phenomenon the iteration remedies is mostly gone.
    public var levenbergMarquardtFrom = 2
    /// Rows of largest loss weight whose Jacobians form the Gauss-Newton matrix (0: all training rows).
    public var curvatureRows = 0

    /// The defaults (the published experiment plus a third iteration).
    public init() {}

    /// A run small enough for a test in a debug build: 8 steps, few potentials, one small hidden layer.
    public static var quick: IterationOptions {
        var o = IterationOptions()
        o.steps = 8
        o.trainCount = 6000
        o.testCount = 1000
        o.hidden = [24]
        o.epochs = 80
        o.batchSize = 64
        o.learningRate = 1e-2
        o.polishSteps = 100
        o.levenbergMarquardtSteps = 10
        return o
    }

    /// Checks ranges; the error names the command-line option.
    public func validate() throws(IterationError) {
        guard steps >= 1, steps <= 64 else { throw .invalid("--steps must be between 1 and 64 (got \(steps))") }
        guard range.isFinite, range > 0 else { throw .invalid("--range must be a positive number (got \(range))") }
        guard depth.isFinite, depth > 0 else { throw .invalid("--depth must be a positive number (got \(depth))") }
        guard iterations >= 1, iterations <= 5 else {
            throw .invalid("--iterations must be between 1 and 5 (got \(iterations))")
        }
        guard trainCount >= 10, trainCount <= 10_000_000 else {
            throw .invalid("--train-count must be between 10 and 10000000 (got \(trainCount))")
        }
        guard testCount >= 1, testCount <= 10_000_000 else {
            throw .invalid("--test-count must be between 1 and 10000000 (got \(testCount))")
        }
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else {
            throw .invalid("--hidden needs at least one width, each between 1 and 4096")
        }
        if activation == .relu || activation == .linear {
            throw .invalid("--activation '\(activation.name)' has no curvature: its higher derivatives at 0 vanish")
        }
        guard weightExponent.isFinite, weightExponent >= 0, weightExponent <= 8 else {
            throw .invalid("--weight-exponent must be between 0 and 8 (got \(weightExponent))")
        }
        guard weightFloor.isFinite, weightFloor > 0, weightFloor <= 1 else {
            throw .invalid("--weight-floor must be in (0, 1] (got \(weightFloor))")
        }
        guard inputGain.isFinite, inputGain > 0 else { throw .invalid("--input-gain must be a positive number (got \(inputGain))") }
        guard levenbergMarquardtFrom >= 1 else {
            throw .invalid("--polish-lm-from must be at least 1 (got \(levenbergMarquardtFrom))")
        }
        guard ensemble >= 1, ensemble <= 64 else { throw .invalid("--ensemble must be between 1 and 64 (got \(ensemble))") }
        guard depthBins >= 1, depthBins <= 100 else { throw .invalid("--depth-bins must be between 1 and 100 (got \(depthBins))") }
        do {
            try trainingOptions(iteration: 1).validate()
            // The Levenberg-Marquardt options first apply at iteration `levenbergMarquardtFrom`: check them now, not
            // after the earlier networks have trained.
            if levenbergMarquardtFrom <= iterations {
                let later = trainingOptions(iteration: levenbergMarquardtFrom)
                try later.validate()
                if later.levenbergMarquardtSteps > 0 {
                    let widths = [steps] + hidden + [1]
                    try MLPTrainer.checkLevenbergMarquardt(parameters: zip(widths, widths.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 })
                }
            }
        } catch { throw .invalid(error.description) }
    }

    /// The orders of f_k's Taylor terms that iteration k subtracts from the residual: k alone, or 1...k with
    /// `Refinement.residual`.
    public func subtractedOrders(iteration k: Int) -> ClosedRange<Int> { refinement == .residual ? 1...k : k...k }

    /// The learned Born series after the iterations whose tensors are `tensors` (f_1, f_2, ... in order): what they
    /// subtracted, plus with `Refinement.correct` the last network's terms of every lower order.
    public func learnedSeries(_ tensors: [TaylorExpansion<Double>]) -> TaylorExpansion<Double> {
        guard let last = tensors.last else { preconditionFailure("no iteration yet") }
        var series = last.zero
        for (i, t) in tensors.enumerated() { series = series + t.keeping(orders: subtractedOrders(iteration: i + 1)) }
        if refinement == .correct && tensors.count >= 2 { series = series + last.keeping(orders: 1...(tensors.count - 1)) }
        return series
    }

    /// The highest order of the tensors read from every network and compared: 3, or the iteration count if higher.
    public var tensorOrder: Int { Swift.max(IterativePerturbationTheory.tensorOrder, iterations) }

    /// The trainer's options for iteration k (seed + k, standardized targets).
    public func trainingOptions(iteration k: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batchSize
        o.learningRate = learningRate
        o.schedule = schedule
        o.validationFraction = validationFraction
        o.standardize = true
        o.threads = threads
        o.weightDecay = weightDecay
        o.polishSteps = polishSteps
        o.polishPenalty = polishPenalty
        o.levenbergMarquardtSteps = k >= levenbergMarquardtFrom ? levenbergMarquardtSteps : 0
        o.curvatureRows = curvatureRows
        o.seed = seed &+ UInt64(k)
        return o
    }

    /// The data options of the training potentials.
    public var trainingData: BornDataOptions {
        BornDataOptions(steps: steps, range: range, depth: depth, count: trainCount, seed: seed, family: .steps)
    }

    /// The data options of the test potentials (an independent stream).
    public var testData: BornDataOptions {
        BornDataOptions(steps: steps, range: range, depth: depth, count: testCount, seed: seed ^ Self.testSalt, family: .steps)
    }

    static let testSalt: UInt64 = 0x7465_7374_7365_7473 // "testsets"
}

/// How the learned Born series uses the networks of later iterations.
public enum Refinement: String, Sendable, CaseIterable, Codable {
    /// The published method: the learned order k is P_k, iteration k's own order-k term, and r_{k+1} = a0 - Σ_{j<=k} P_j.
    case none
    /// Residuals as published; after iteration k the learned order j < k is P_j plus f_k's order-j term, f_k's fit of
    /// K_j - P_j (the order-j derivative of r_k, exactly). The default.
    case correct
    /// Iteration k subtracts all of f_k's terms of orders 1...k, so r_{k+1} = a0 - Σ_{i<=k} T_i[f_i]; the learned order
    /// j is the sum of f_i's order-j terms over i >= j.
    case residual
}

/// The training potentials of an iteration run.
public enum PotentialSampling: String, Sendable, CaseIterable, Codable {
    /// U_i = -lambda u_i, u_i ~ Uniform(0, 1): the attractive wells of `nnfeyn born data`; U = 0 is a corner of
    /// the data, so derivatives there are read from an extrapolation.
    case attractive
    /// U_i = lambda (1 - 2 u_i) ~ Uniform(-lambda, lambda): attractive and repulsive steps mixed, so U = 0 lies
    /// inside the data. Drawn from the same u_i and lambda as `attractive`.
    case mixed
}

/// A failed iteration run; `description` is a lowercase standalone sentence.
public enum IterationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option is out of range (the message names it).
    case invalid(String)
    /// Training failed (the trainer's message).
    case training(iteration: Int, String)
    /// The Taylor expansion of a trained network failed.
    case expansion(iteration: Int, String)

    /// The message.
    public var description: String {
        switch self {
        case .invalid(let message): message
        case .training(let k, let message): "iteration \(k): \(message)"
        case .expansion(let k, let message): "iteration \(k): expanding the trained network failed: \(message)"
        }
    }
}

/// What the run reports as it goes.
public enum IterationEvent: Sendable {
    /// Training and test potentials are ready.
    case dataReady(training: Int, test: Int, seconds: Double)
    /// Iteration k (of `iterations`) finished an epoch.
    case epoch(iteration: Int, iterations: Int, EpochReport)
    /// Iteration k took an L-BFGS step of its polish.
    case polish(iteration: Int, iterations: Int, PolishProgress)
    /// Iteration k's network is trained and expanded.
    case iterationDone(iteration: Int, learnedError: Double, seconds: Double)
}

/// One iteration's network and what was read from it.
public struct IterationOutcome: Sendable {
    /// 1-based iteration k.
    public var iteration: Int
    /// f_k, mapping U to r_k in original units (input and target scaling folded in).
    public var network: Network<Double>
    /// Its derivatives at U = 0, orders 0...`IterationOptions.tensorOrder`.
    public var tensors: TaylorExpansion<Double>
    /// The training log (losses in standardized target units).
    public var log: TrainingLog
    /// Seconds spent training.
    public var seconds: Double
}

/// A finished run: the networks, the exact kernels and the numbers.
public struct IterationRun: Sendable {
    /// The options it ran with.
    public var options: IterationOptions
    /// The exact Born tensors (derivatives of a0 at U = 0) of orders 0 to `options.tensorOrder`.
    public var exact: TaylorExpansion<Double>
    /// One outcome per iteration.
    public var outcomes: [IterationOutcome]
    /// The learned Born series after the last iteration (see `Refinement`), in the networks' convention.
    public var estimate: TaylorExpansion<Double>
    /// The numbers written to report.json.
    public var report: IterationReport
    /// Test-set data for figures: lambda, a0, the analytic partial sums and the proxies (per order).
    public var test: ProxyEvaluation
}

/// The proxy and the analytic Born partial sums on the test potentials.
public struct ProxyEvaluation: Sendable {
    /// lambda of each test potential.
    public var lambda: [Double]
    /// Exact a0.
    public var a0: [Double]
    /// born[K-1]: a1 + ... + aK.
    public var born: [[Double]]
    /// proxy[K-1]: P_1 + ... + P_K.
    public var proxy: [[Double]]

    /// Evaluates the partial sums sum_{j<=K} of the order-j terms of `estimate` (the learned Born series: P_j, the
    /// order-j term of iteration j's network, or its refinement, see `Refinement`), K = 1 to
    /// `orders`, and of the analytic series on `data`.
    public init(estimate: TaylorExpansion<Double>, orders K: Int, data: BornDataSet) {
        lambda = data.lambda
        a0 = data.a0
        var analytic = [data.a1, data.a2, data.a3]
        if K > 3 {
            // Orders 4 and up by the scalar any-order recursion, one potential at a time.
            let n = data.options.steps
            var higher = [[Double]](repeating: [Double](repeating: 0, count: data.a0.count), count: K - 3)
            data.edges.withUnsafeBufferPointer { edges in
                data.potentials.withUnsafeBufferPointer { U in
                    for row in 0..<data.a0.count {
                        let a = BornSeries.terms(values: U.baseAddress! + row * n, edges: edges.baseAddress!, steps: n, order: K)
                        for k in 3..<K { higher[k - 3][row] = a[k] }
                    }
                }
            }
            analytic += higher
        }
        var born: [[Double]] = [], proxy: [[Double]] = []
        var bornSum = [Double](repeating: 0, count: data.a0.count), proxySum = bornSum
        for k in 1...K {
            let values = estimate.termValues(order: k, rows: data.potentials)
            for i in proxySum.indices {
                proxySum[i] += values[i]
                bornSum[i] += analytic[k - 1][i]
            }
            proxy.append(proxySum)
            born.append(bornSum)
        }
        self.born = born
        self.proxy = proxy
    }
}

/// Runs the iterative experiment.
public enum IterativePerturbationTheory {
    /// The lowest highest order of the tensors read from every network (`IterationOptions.tensorOrder` is the one used).
    public static let tensorOrder = 3

    /// Generates data, trains one network per iteration on the residual, reads its tensors and evaluates the proxy.
    /// `checkpoint` receives the run of the iterations finished so far after each one but the last (its report
    /// evaluates the learned series up to that order), so a caller can save every finished network and its numbers
    /// before the next long training starts.
    public static func run(_ options: IterationOptions,
                           progress: (@Sendable (IterationEvent) -> Void)? = nil,
                           checkpoint: ((IterationRun) -> Void)? = nil) throws(IterationError) -> IterationRun {
        try options.validate()
        let clock = ContinuousClock()
        let start = clock.now
        let training: BornDataSet, test: BornDataSet
        do {
            training = try options.trainingSet()
            test = try BornDataSet(options: options.testData)
        } catch { throw .invalid(error.description) }
        progress?(.dataReady(training: training.a0.count, test: test.a0.count, seconds: seconds(clock.now - start)))
        let exact: TaylorExpansion<Double>
        do { exact = try BornTensors.expansion(edges: training.edges, order: options.tensorOrder) } catch {
            throw .invalid(error.description)
        }

        var residual = training.a0
        var outcomes: [IterationOutcome] = []
        for k in 1...options.iterations {
            let began = clock.now
            var members: [TrainingResult] = []
            for m in 0..<options.ensemble {
                var member = options
                member.seed = options.seed &+ (UInt64(m) << 20)
                members.append(try train(iteration: k, options: member, inputs: training.potentials, targets: residual,
                                         weights: options.weights(lambda: training.lambda, iteration: k), progress: progress))
            }
            var result = members[0]
            do { result.network = try Network.averaging(members.map(\.network)) } catch {
                throw .training(iteration: k, error.description)
            }
            let tensors: TaylorExpansion<Double>
            do { tensors = try Expander.expand(result.network, order: options.tensorOrder) } catch {
                throw .expansion(iteration: k, error.description)
            }
            let elapsed = seconds(clock.now - began)
            outcomes.append(IterationOutcome(iteration: k, network: result.network, tensors: tensors, log: result.log,
                                             seconds: elapsed))
            residual = subtracting(tensors, orders: options.subtractedOrders(iteration: k), from: residual,
                                   rows: training.potentials)
            progress?(.iterationDone(iteration: k, learnedError: tensors.relativeFrobeniusError(against: exact, order: k),
                                     seconds: elapsed))
            if let checkpoint, k < options.iterations {
                checkpoint(finished(options, exact: exact, outcomes: outcomes, test: test))
            }
        }
        return finished(options, exact: exact, outcomes: outcomes, test: test)
    }

    /// The run of the iterations in `outcomes`, its learned series and proxy up to the last of them.
    static func finished(_ options: IterationOptions, exact: TaylorExpansion<Double>, outcomes: [IterationOutcome],
                         test: BornDataSet) -> IterationRun {
        let estimate = options.learnedSeries(outcomes.map(\.tensors))
        let evaluation = ProxyEvaluation(estimate: estimate, orders: outcomes.count, data: test)
        let report = IterationReport(options: options, exact: exact, outcomes: outcomes, test: test,
                                     evaluation: evaluation)
        return IterationRun(options: options, exact: exact, outcomes: outcomes, estimate: estimate, report: report,
                            test: evaluation)
    }

    /// A data set of the given sampling: attractive draws as `nnfeyn born data` makes them, mixed ones mapped from
    /// them (U -> 2U + lambda) with a0 and the Born terms recomputed.
    public static func sample(_ sampling: PotentialSampling, _ options: BornDataOptions) throws(BornDataError) -> BornDataSet {
        var data = try BornDataSet(options: options)
        guard sampling == .mixed else { return data }
        let n = options.steps
        for row in 0..<data.a0.count {
            for i in 0..<n { data.potentials[row * n + i] = 2 * data.potentials[row * n + i] + data.lambda[row] }
        }
        data.recomputeScatteringLengths()
        return data
    }

    /// r - P_k(U) row by row, P_k the order-k term of `expansion`: the next iteration's target.
    public static func subtracting(_ expansion: TaylorExpansion<Double>, order k: Int, from targets: [Double],
                                   rows: [Double]) -> [Double] {
        let values = expansion.termValues(order: k, rows: rows)
        return zip(targets, values).map { $0 - $1 }
    }

    /// r minus the terms of every order in `orders`, one order after another (lowest first).
    public static func subtracting(_ expansion: TaylorExpansion<Double>, orders: ClosedRange<Int>, from targets: [Double],
                                   rows: [Double]) -> [Double] {
        orders.reduce(targets) { subtracting(expansion, order: $1, from: $0, rows: rows) }
    }

    /// The untrained architecture: `steps` inputs, the hidden layers, one linear output.
    public static func architecture(_ options: IterationOptions, iteration k: Int) throws(ModelError) -> Architecture {
        try Architecture(name: "born_iteration\(k)", input: ModelInput(name: "U", dimension: options.steps),
                         widths: options.hidden + [1],
                         activations: options.hidden.map { _ in options.activation } + [.linear], outputName: "out")
    }

    /// Trains f_k on (U, targets); inputs are standardized for training when asked and the map folded back.
    static func train(iteration k: Int, options: IterationOptions, inputs: [Double], targets: [Double],
                      weights: [Double]? = nil,
                      progress: (@Sendable (IterationEvent) -> Void)?) throws(IterationError) -> TrainingResult {
        let n = options.steps
        let count = inputs.count / n
        var mean = [Double](repeating: 0, count: n), scale = [Double](repeating: 1, count: n)
        var x = inputs
        var whitening: [Double]? = nil
        if options.whitenInputs {
            let map = InputWhitening(rows: inputs, dimension: n, gain: options.inputGain)
            mean = map.mean
            whitening = map.matrix
            x = map.apply(inputs)
        } else if options.standardizeInputs {
            for row in 0..<count { for i in 0..<n { mean[i] += inputs[row * n + i] } }
            for i in 0..<n { mean[i] /= Double(count) }
            var variance = [Double](repeating: 0, count: n)
            for row in 0..<count { for i in 0..<n { let d = inputs[row * n + i] - mean[i]; variance[i] += d * d } }
            for i in 0..<n {
                let s = (variance[i] / Double(count)).squareRoot()
                scale[i] = (s > 0 && s.isFinite ? s : 1) / options.inputGain
            }
            for row in 0..<count { for i in 0..<n { x[row * n + i] = (inputs[row * n + i] - mean[i]) / scale[i] } }
        }
        do {
            let untrained = try Model(architecture: architecture(options, iteration: k),
                                      parameters: [LayerParameters?](repeating: nil, count: options.hidden.count + 1))
            let start = try Initializer.network(for: untrained, seed: options.seed &+ UInt64(k))
            var training = options.trainingOptions(iteration: k)
            // The anchor U = 0 in the standardized units the network is trained in.
            if options.anchored {
                let origin = [Double](repeating: 0, count: n)
                training.anchor = whitening.map { InputWhitening.apply($0, mean: mean, to: origin) }
                    ?? (0..<n).map { (0 - mean[$0]) / scale[$0] }
            }
            var result = try MLPTrainer(options: training).train(
                start, inputs: x, targets: targets, weights: weights,
                progress: progress.map { report in { report(.epoch(iteration: k, iterations: options.iterations, $0)) } },
                polishProgress: progress.map { report in { report(.polish(iteration: k, iterations: options.iterations, $0)) } })
            if let whitening {
                result.network = try result.network.composingInputs(matrix: whitening, shift: mean)
            } else if options.standardizeInputs {
                result.network = try result.network.composingInputs(scale: scale, shift: mean)
            }
            return result
        } catch { throw .training(iteration: k, "\(error)") }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

extension IterationError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        switch self {
        case .invalid: [Diagnostic(code: .usage, message: description)]
        case .training, .expansion: [Diagnostic(code: .experimentFailed, message: description)]
        }
    }
}

/// The affine map x -> gain L^-1 (x - mean), L the Cholesky factor of the inputs' covariance: whitened inputs.
struct InputWhitening {
    var mean: [Double]
    /// gain L^-1, row-major n x n (lower triangular).
    var matrix: [Double]

    init(rows inputs: [Double], dimension n: Int, gain: Double) {
        let count = inputs.count / n
        var mean = [Double](repeating: 0, count: n)
        for row in 0..<count { for i in 0..<n { mean[i] += inputs[row * n + i] } }
        for i in 0..<n { mean[i] /= Double(count) }
        var covariance = [Double](repeating: 0, count: n * n)
        for row in 0..<count {
            for i in 0..<n {
                let di = inputs[row * n + i] - mean[i]
                for j in 0...i { covariance[i * n + j] += di * (inputs[row * n + j] - mean[j]) }
            }
        }
        for i in 0..<n { for j in 0...i { covariance[i * n + j] /= Double(count) } }
        // Cholesky, with a floor on the pivots so constant or duplicated inputs do not divide by zero.
        var L = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = covariance[i * n + j]
                for k in 0..<j { sum -= L[i * n + k] * L[j * n + k] }
                if i == j {
                    L[i * n + i] = Swift.max(sum, 1e-12 * Swift.max(covariance[i * n + i], 1e-300)).squareRoot()
                } else {
                    L[i * n + j] = sum / L[j * n + j]
                }
            }
        }
        // Its inverse, lower triangular, column by column (forward substitution on the unit vectors).
        var inverse = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            for i in column..<n {
                var sum = i == column ? 1.0 : 0.0
                for k in column..<i { sum -= L[i * n + k] * inverse[k * n + column] }
                inverse[i * n + column] = sum / L[i * n + i]
            }
        }
        self.mean = mean
        self.matrix = inverse.map { $0 * gain }
    }

    /// Every row mapped.
    func apply(_ inputs: [Double]) -> [Double] {
        let n = mean.count
        var out = [Double](repeating: 0, count: inputs.count)
        for row in 0..<inputs.count / n {
            let mapped = Self.apply(matrix, mean: mean, to: Array(inputs[row * n..<(row + 1) * n]))
            for i in 0..<n { out[row * n + i] = mapped[i] }
        }
        return out
    }

    /// matrix (x - mean).
    static func apply(_ matrix: [Double], mean: [Double], to x: [Double]) -> [Double] {
        let n = mean.count
        return (0..<n).map { i in (0..<n).reduce(0.0) { $0 + matrix[i * n + $1] * (x[$1] - mean[$1]) } }
    }
}
