// Mini-batch Adam (optionally AdamW) on a mean squared error, per-row weighted if asked and optionally of the anchored
// model y(x) - y(anchor), in float64, deterministic for a seed and a BLAS thread count.
//
// Order of random draws (fixed, so runs repeat): one xoshiro256** stream derived from the seed first permutes all
// rows to split validation from training, then reshuffles the training rows at the start of every epoch.
// Initial weights come from `Initializer.network(for:seed:)`, a separate stream of the same seed.
import COpenBLAS
import Foundation
import NNFeynAlgebra
import NNFeynModel

/// How the learning rate changes over epochs.
public enum LearningRateSchedule: String, Sendable, CaseIterable, Codable {
    /// The same rate every epoch.
    case constant
    /// lr * (1 + cos(pi (epoch - 1) / epochs)) / 2.
    case cosine
    /// lr * gamma^floor((epoch - 1) / stepSize).
    case step
}

/// Everything that controls a training run.
public struct TrainingOptions: Sendable, Equatable {
    /// Passes over the training rows.
    public var epochs: Int = 100
    /// Rows per Adam step.
    public var batchSize: Int = 256
    /// Adam's base learning rate.
    public var learningRate: Double = 1e-3
    /// Seeds the split and the shuffles (and, by convention, initialisation).
    public var seed: UInt64 = 1
    /// Fraction of rows held out for validation, in [0, 1).
    public var validationFraction: Double = 0.1
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule = .constant
    /// Epochs between decays for `.step` (nil: a third of the epochs, at least 1).
    public var stepSize: Int? = nil
    /// Decay factor for `.step`.
    public var gamma: Double = 0.1
    /// Stop after this many epochs without improving the monitored loss (validation if any, else training), and
    /// keep the best parameters; nil trains all epochs and keeps the last.
    public var patience: Int? = nil
    /// Train on standardized targets and fold mean and standard deviation back into the output.
    public var standardize: Bool = false
    /// OpenBLAS threads (results repeat exactly for a fixed thread count).
    public var threads: Int = 1
    /// Train the model y(x) - y(anchor) instead of y(x), so it vanishes exactly at `anchor` (an input row of the
    /// training inputs' units); the written model folds -y(anchor) into the output bias, which needs a linear output
    /// layer. Targets are then standardized by scale only (no mean shift). nil: no anchor.
    public var anchor: [Double]? = nil
    /// Decoupled weight decay (AdamW, applied to weights only, scaled by the scheduled learning rate); 0 is plain Adam.
    public var weightDecay: Double = 0
    /// Adam's constants (PyTorch's defaults).
    public var beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8
    /// L-BFGS steps on the full training loss after the Adam epochs (0: none). Each step costs about one epoch of
    /// forward and backward passes (more when its line search halves the step).
    public var polishSteps: Int = 0
    /// An L2 penalty mu/2 sum w^2 on the weights (not biases) added to the polish's loss (training units; 0: none).
    public var polishPenalty: Double = 0
    /// Levenberg-Marquardt steps on the same loss after the L-BFGS polish (0: none). Each builds the Gauss-Newton
    /// matrix (rows x parameters^2 flops) and solves with it.
    public var levenbergMarquardtSteps: Int = 0
    /// Rows of largest weight whose Jacobians form the Gauss-Newton matrix (0: all training rows).
    public var curvatureRows: Int = 0

    /// The default options.
    public init() {}

    /// Checks ranges; the error names the command-line option.
    public func validate() throws(TrainingError) {
        guard epochs >= 1 else { throw .invalidOption("--epochs must be at least 1 (got \(epochs))") }
        guard batchSize >= 1 else { throw .invalidOption("--batch must be at least 1 (got \(batchSize))") }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidOption("--lr must be a positive number (got \(learningRate))")
        }
        guard validationFraction.isFinite, validationFraction >= 0, validationFraction < 1 else {
            throw .invalidOption("--validation must be in [0, 1) (got \(validationFraction))")
        }
        if let stepSize, stepSize < 1 { throw .invalidOption("--step-size must be at least 1 (got \(stepSize))") }
        guard gamma.isFinite, gamma > 0 else { throw .invalidOption("--gamma must be a positive number (got \(gamma))") }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidOption("--weight-decay must be a non-negative number (got \(weightDecay))")
        }
        if let anchor, !anchor.allSatisfy(\.isFinite) { throw .invalidOption("the anchor point must be finite") }
        if let patience, patience < 1 { throw .invalidOption("--patience must be at least 1 (got \(patience))") }
        guard threads >= 1, threads <= 256 else { throw .invalidOption("--threads must be between 1 and 256 (got \(threads))") }
        guard polishPenalty.isFinite, polishPenalty >= 0 else {
            throw .invalidOption("--polish-l2 must be a non-negative number (got \(polishPenalty))")
        }
        guard polishSteps >= 0, polishSteps <= 1_000_000 else {
            throw .invalidOption("--polish must be between 0 and 1000000 (got \(polishSteps))")
        }
        guard levenbergMarquardtSteps >= 0, levenbergMarquardtSteps <= 100_000 else {
            throw .invalidOption("--polish-lm must be between 0 and 100000 (got \(levenbergMarquardtSteps))")
        }
        guard curvatureRows >= 0 else { throw .invalidOption("--lm-rows must be non-negative (got \(curvatureRows))") }
    }

    /// The learning rate of an epoch (1-based) under the schedule.
    public func learningRate(epoch: Int) -> Double {
        switch schedule {
        case .constant: return learningRate
        case .cosine: return learningRate * 0.5 * (1 + Foundation.cos(Double.pi * Double(epoch - 1) / Double(epochs)))
        case .step:
            let size = stepSize ?? Swift.max(1, epochs / 3)
            return learningRate * Foundation.pow(gamma, Double((epoch - 1) / size))
        }
    }
}

/// One epoch's numbers, reported as training goes.
public struct EpochReport: Sendable, Codable, Equatable {
    /// 1-based epoch.
    public var epoch: Int
    /// The planned number of epochs.
    public var epochs: Int
    /// Mean over the epoch's batches of the batch MSE, weighted by batch size (in training units).
    public var trainingLoss: Double
    /// MSE on the validation rows after the epoch, if there are any.
    public var validationLoss: Double?
    /// The learning rate used.
    public var learningRate: Double
    /// Seconds since training started.
    public var elapsed: Double
    /// Projected seconds to the last epoch.
    public var remaining: Double

    enum CodingKeys: String, CodingKey {
        case epoch, epochs, elapsed, remaining
        case trainingLoss = "training_loss", validationLoss = "validation_loss", learningRate = "learning_rate"
    }
}

/// One accepted L-BFGS step of the polish, reported as it goes.
public struct PolishProgress: Sendable, Equatable {
    /// Which minimizer took the step.
    public var method: PolishMethod = .lbfgs
    /// 1-based step and the budget.
    public var step: Int, steps: Int
    /// Full training loss after the step (training units).
    public var loss: Double
    /// Seconds since the polish started.
    public var elapsed: Double

    /// A report of step `step` of `steps`.
    public init(step: Int, steps: Int, loss: Double, elapsed: Double, method: PolishMethod = .lbfgs) {
        self.step = step
        self.steps = steps
        self.loss = loss
        self.elapsed = elapsed
        self.method = method
    }
}

/// The full-batch minimizers that can follow the Adam epochs.
public enum PolishMethod: String, Sendable, Codable, CaseIterable {
    /// Limited-memory BFGS (`LBFGS`).
    case lbfgs = "L-BFGS"
    /// Levenberg-Marquardt (`LevenbergMarquardt`): Gauss-Newton steps with adaptive damping.
    case levenbergMarquardt = "Levenberg-Marquardt"
}

/// What the L-BFGS polish after the Adam epochs did (losses in training units, full training set).
public struct PolishReport: Sendable, Codable, Equatable {
    /// The minimizer.
    public var method: PolishMethod = .lbfgs
    /// Accepted steps and loss-and-gradient evaluations.
    public var steps: Int, evaluations: Int
    /// Whether it stopped early because no step decreased the loss.
    public var stalled: Bool
    /// Training loss (all training rows, without any penalty) before and after.
    public var trainingLossBefore: Double, trainingLoss: Double
    /// Validation loss after, if there are validation rows.
    public var validationLoss: Double?
    /// Seconds the polish took.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case method, steps, evaluations, stalled, seconds
        case trainingLossBefore = "training_loss_before", trainingLoss = "training_loss", validationLoss = "validation_loss"
    }
}

/// The loss curve and the facts of a run, written as `<model>.log.json`.
public struct TrainingLog: Sendable, Codable, Equatable {
    /// One entry per epoch run.
    public var epochs: [EpochReport]
    /// The epoch whose parameters were kept.
    public var bestEpoch: Int
    /// Whether early stopping ended training.
    public var stoppedEarly: Bool
    /// Training and validation row counts.
    public var trainingRows: Int, validationRows: Int
    /// Per-output mean and standard deviation used to standardize targets (empty when not standardizing); losses
    /// are in these standardized units.
    public var targetMean: [Double], targetScale: [Double]
    /// Training throughput over the whole run (training rows x epochs / seconds in the epoch loop).
    public var samplesPerSecond: Double
    /// The L-BFGS polish after the epochs, if any.
    public var polish: PolishReport? = nil
    /// The Levenberg-Marquardt steps after that, if any.
    public var levenbergMarquardt: PolishReport? = nil

    enum CodingKeys: String, CodingKey {
        case epochs, polish
        case levenbergMarquardt = "levenberg_marquardt"
        case bestEpoch = "best_epoch", stoppedEarly = "stopped_early", trainingRows = "training_rows"
        case validationRows = "validation_rows", targetMean = "target_mean", targetScale = "target_scale"
        case samplesPerSecond = "samples_per_second"
    }

    /// The log as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }
}

/// The outcome of training: the model (standardization already folded in) and its log.
public struct TrainingResult: Sendable {
    /// The trained network, predicting targets in their original units.
    public var network: Network<Double>
    /// The loss curve.
    public var log: TrainingLog
}

/// Trains MLPs with Adam on the mean squared error using OpenBLAS.
public struct MLPTrainer: Sendable {
    /// The most parameters Levenberg-Marquardt takes: its two P x P matrices then need 4.3 GB.
    public static let largestLevenbergMarquardtNetwork = 16_384

    /// Refuses Levenberg-Marquardt for networks whose two P x P matrices (the Gauss-Newton matrix and its damped
    /// copy) would not fit, before any training.
    public static func checkLevenbergMarquardt(parameters count: Int) throws(TrainingError) {
        guard count <= largestLevenbergMarquardtNetwork else {
            throw .invalidOption("--polish-lm needs two \(count) x \(count) matrices "
                                 + "(\(count * count * 16 / 1_000_000) MB) for this network's \(count) parameters; "
                                 + "it takes at most \(largestLevenbergMarquardtNetwork) parameters (use --polish instead)")
        }
    }

    /// The run's options.
    public var options: TrainingOptions

    /// A trainer with the given options.
    public init(options: TrainingOptions) { self.options = options }

    /// Trains `network` on rows of `inputs` (row-major, `inputDimension` each) against `targets` (`outputCount`
    /// each). `weights` (one per row, finite, >= 0, not all 0) multiply each row's squared error in the training and
    /// validation losses; they are rescaled to mean 1 over the training rows, and nil means all 1 (bit-identical to
    /// an unweighted run). `progress` is called after every epoch, `polishProgress` after every L-BFGS step.
    public func train(_ network: Network<Double>, inputs: [Double], targets: [Double], weights: [Double]? = nil,
                      progress: ((EpochReport) -> Void)? = nil,
                      polishProgress: ((PolishProgress) -> Void)? = nil) throws(TrainingError) -> TrainingResult {
        try options.validate()
        let dIn = network.inputDimension, dOut = network.outputCount
        guard !network.layers.isEmpty else { throw .shapeMismatch("the network has no layers to train") }
        if options.levenbergMarquardtSteps > 0 {
            try Self.checkLevenbergMarquardt(parameters: network.weights.reduce(0) { $0 + $1.count }
                                             + network.biases.reduce(0) { $0 + $1.count })
        }
        guard !inputs.isEmpty else { throw .unusableData("there are no rows to train on") }
        guard inputs.count % dIn == 0 else {
            throw .shapeMismatch("inputs hold \(inputs.count) numbers, not whole rows of \(dIn)")
        }
        let count = inputs.count / dIn
        guard targets.count == count * dOut else {
            throw .shapeMismatch("\(count) input rows need \(count * dOut) targets (\(dOut) per row), got \(targets.count)")
        }
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) {
            throw .unusableData("input row \(bad / dIn) holds \(inputs[bad]), not a finite number")
        }
        if let bad = targets.firstIndex(where: { !$0.isFinite }) {
            throw .unusableData("target row \(bad / dOut) holds \(targets[bad]), not a finite number")
        }
        if let anchor = options.anchor {
            guard anchor.count == dIn else { throw .shapeMismatch("the anchor has \(anchor.count) inputs, not \(dIn)") }
            guard network.layers.last?.activation == .linear else {
                throw .shapeMismatch("an anchored model needs a linear output layer to fold the anchor value into")
            }
        }
        if let weights {
            guard weights.count == count, weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
                throw .shapeMismatch("\(count) rows need \(count) finite non-negative weights, not all zero")
            }
        }
        openblas_set_num_threads(Int32(options.threads))

        var rng = Xoshiro256(seed: options.seed ^ 0x7472_6169_6E69_6E67) // "training": a stream apart from init
        var order = Array(0..<count)
        rng.shuffle(&order)
        let validationCount = Swift.min(count - 1, Int((options.validationFraction * Double(count)).rounded()))
        let validationRows = Array(order[0..<validationCount])
        var trainingRows = Array(order[validationCount...])

        // Weights rescaled to mean 1 over the training rows, so weighted losses stay comparable to unweighted ones.
        var rowWeights: [Double]? = nil
        if let weights {
            let mean = trainingRows.reduce(0.0) { $0 + weights[$1] } / Double(trainingRows.count)
            guard mean > 0 else { throw .shapeMismatch("the training rows all have weight 0") }
            rowWeights = weights.map { $0 / mean }
        }

        // Standardize with training-row statistics only, so validation stays unseen; with weights, the statistics
        // are weighted the way the loss is (then the weighted loss starts near 1 whatever the weights).
        var mean = [Double](repeating: 0, count: dOut), scale = [Double](repeating: 1, count: dOut)
        var scaledTargets = targets
        if options.standardize {
            func weight(_ row: Int) -> Double { rowWeights?[row] ?? 1 }
            let total = rowWeights == nil ? Double(trainingRows.count) : trainingRows.reduce(0.0) { $0 + weight($1) }
            for row in trainingRows { for j in 0..<dOut { mean[j] += weight(row) * targets[row * dOut + j] } }
            for j in 0..<dOut { mean[j] = options.anchor == nil ? mean[j] / total : 0 }
            var variance = [Double](repeating: 0, count: dOut)
            for row in trainingRows {
                for j in 0..<dOut { let r = targets[row * dOut + j] - mean[j]; variance[j] += weight(row) * r * r }
            }
            for j in 0..<dOut {
                let s = (variance[j] / total).squareRoot()
                scale[j] = s > 0 && s.isFinite ? s : 1
            }
            for i in 0..<count { for j in 0..<dOut { scaledTargets[i * dOut + j] = (targets[i * dOut + j] - mean[j]) / scale[j] } }
        }

        let batchSize = Swift.min(options.batchSize, trainingRows.count)
        let anchored = options.anchor != nil
        // One row more with an anchor: it rides along in every forward pass (see `MLPWorkspace.backward`).
        let workspace = MLPWorkspace(network: network,
                                     capacity: Swift.max(batchSize, Swift.min(validationCount, 4096), 1) + (anchored ? 1 : 0))
        var best = Double.infinity, bestEpoch = 0
        var bestParameters: [Double] = []
        var reports: [EpochReport] = []
        var stoppedEarly = false
        let clock = ContinuousClock()
        let start = clock.now
        func seconds(since instant: ContinuousClock.Instant) -> Double {
            let d = clock.now - instant
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }

        for epoch in 1...options.epochs {
            let rate = options.learningRate(epoch: epoch)
            rng.shuffle(&trainingRows)
            var total = 0.0
            workspace.passes(over: trainingRows, size: batchSize, inputs: inputs, targets: scaledTargets, weights: rowWeights,
                             anchor: options.anchor) { b, loss in
                total += loss * Double(b)
                if options.weightDecay > 0 { workspace.decayWeights(rate: rate * options.weightDecay) }
                workspace.adam(learningRate: rate, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon)
            }
            let trainingLoss = total / Double(trainingRows.count)
            let validationLoss = validationCount > 0
                ? Self.meanSquaredError(workspace, rows: validationRows, inputs: inputs, targets: scaledTargets,
                                        weights: rowWeights, anchor: options.anchor, dIn: dIn, dOut: dOut)
                : nil
            let monitored = validationLoss ?? trainingLoss
            guard monitored.isFinite, trainingLoss.isFinite else { throw .diverged(epoch: epoch) }
            if monitored < best {
                best = monitored
                bestEpoch = epoch
                if options.patience != nil {
                    bestParameters = Array(UnsafeBufferPointer(start: workspace.parameters, count: workspace.parameterCount))
                }
            }
            let elapsed = seconds(since: start)
            let report = EpochReport(epoch: epoch, epochs: options.epochs, trainingLoss: trainingLoss,
                                     validationLoss: validationLoss, learningRate: rate, elapsed: elapsed,
                                     remaining: elapsed / Double(epoch) * Double(options.epochs - epoch))
            reports.append(report)
            progress?(report)
            if let patience = options.patience, epoch - bestEpoch >= patience, epoch < options.epochs {
                stoppedEarly = true
                break
            }
        }
        let elapsed = seconds(since: start)
        if options.patience != nil, !bestParameters.isEmpty {
            workspace.parameters.update(from: bestParameters, count: bestParameters.count)
        } else {
            bestEpoch = reports.count
        }
        var polish: PolishReport? = nil, secondOrder: PolishReport? = nil
        let objective = PolishObjective(workspace: workspace, rows: trainingRows, inputs: inputs, targets: scaledTargets,
                                        weights: rowWeights, anchor: options.anchor, penalty: options.polishPenalty,
                                        dIn: dIn, dOut: dOut)
        if options.polishSteps > 0 {
            polish = Self.polish(objective, steps: options.polishSteps, validationRows: validationRows, progress: polishProgress)
            guard polish!.trainingLoss.isFinite else { throw .diverged(epoch: reports.count) }
        }
        if options.levenbergMarquardtSteps > 0 {
            secondOrder = Self.levenbergMarquardt(objective, steps: options.levenbergMarquardtSteps,
                                                  curvatureRows: options.curvatureRows, validationRows: validationRows,
                                                  progress: polishProgress)
            guard secondOrder!.trainingLoss.isFinite else { throw .diverged(epoch: reports.count) }
        }
        var trained: Network<Double>
        do {
            trained = try workspace.network(like: network)
            if let anchor = options.anchor {
                // y(x) - y(anchor) as one network: the output layer is linear (checked above), so its bias takes it.
                let value = trained.predict(anchor)
                var biases = trained.biases
                for j in 0..<dOut { biases[biases.count - 1][j] -= value[j] }
                trained = try trained.with(weights: trained.weights, biases: biases)
            }
            if options.standardize { trained = try trained.rescalingOutputs(scale: scale, shift: mean) }
        } catch {
            // Finite losses imply finite parameters; a non-finite one is divergence by another name.
            throw .diverged(epoch: reports.count)
        }
        let log = TrainingLog(epochs: reports, bestEpoch: bestEpoch, stoppedEarly: stoppedEarly,
                              trainingRows: trainingRows.count, validationRows: validationCount,
                              targetMean: options.standardize ? mean : [], targetScale: options.standardize ? scale : [],
                              samplesPerSecond: Double(trainingRows.count * reports.count) / Swift.max(elapsed, 1e-9),
                              polish: polish, levenbergMarquardt: secondOrder)
        return TrainingResult(network: trained, log: log)
    }

    /// L-BFGS on the weighted (anchored) loss over all `rows`, from the workspace's parameters, which it leaves at
    /// the best point found. The loss and gradient are exact full-batch sums, in chunks of the workspace's capacity.
    static func polish(_ objective: PolishObjective, steps: Int, validationRows: [Int],
                       progress: ((PolishProgress) -> Void)? = nil) -> PolishReport {
        refine(objective, method: .lbfgs, steps: steps, validationRows: validationRows, progress: progress) { x, report in
            LBFGS().minimize(&x, iterations: steps, evaluate: objective.value, progress: report)
        }
    }

    /// Levenberg-Marquardt on the same loss, its Gauss-Newton matrix from the `curvatureRows` rows of largest
    /// weight (0: all rows).
    static func levenbergMarquardt(_ objective: PolishObjective, steps: Int, curvatureRows: Int, validationRows: [Int],
                                   progress: ((PolishProgress) -> Void)? = nil) -> PolishReport {
        let ranked = objective.weights.map { w in objective.rows.sorted { (w[$0], $1) > (w[$1], $0) } } ?? objective.rows
        let subset = curvatureRows > 0 && curvatureRows < ranked.count ? Array(ranked[0..<curvatureRows]) : objective.rows
        return refine(objective, method: .levenbergMarquardt, steps: steps, validationRows: validationRows,
                      progress: progress) { x, report in
            LevenbergMarquardt().minimize(objective, &x, steps: steps, curvatureRows: subset, progress: report)
        }
    }

    /// Runs `minimize` from the workspace's parameters, leaves them at its result and reports the losses (the fit's
    /// own, without the penalty) before and after, with elapsed seconds filled into every progress report.
    private static func refine(_ objective: PolishObjective, method: PolishMethod, steps: Int, validationRows: [Int],
                               progress: ((PolishProgress) -> Void)?,
                               minimize: (inout [Double], @escaping (Int, Double) -> Void) -> LBFGS.Outcome) -> PolishReport {
        let clock = ContinuousClock()
        let start = clock.now
        func seconds() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let workspace = objective.workspace
        var x = Array(UnsafeBufferPointer(start: workspace.parameters, count: workspace.parameterCount))
        let before = objective.fit()
        let outcome = minimize(&x) { step, loss in
            progress?(PolishProgress(step: step, steps: steps, loss: loss, elapsed: seconds(), method: method))
        }
        // The minimizer's x is its best point; the workspace holds whatever was evaluated last.
        workspace.parameters.update(from: x, count: x.count)
        let validation = validationRows.isEmpty ? nil : objective.fit(on: validationRows)
        return PolishReport(method: method, steps: outcome.iterations, evaluations: outcome.evaluations + 1,
                            stalled: outcome.stalled, trainingLossBefore: before, trainingLoss: objective.fit(),
                            validationLoss: validation, seconds: seconds())
    }

    /// MSE of the workspace's current parameters on the given rows, in chunks of the workspace's capacity.
    static func meanSquaredError(_ workspace: MLPWorkspace, rows: [Int], inputs: [Double], targets: [Double],
                                 weights: [Double]? = nil, anchor: [Double]? = nil, dIn: Int, dOut: Int) -> Double {
        var total = 0.0
        var offset = [Double](repeating: 0, count: dOut)
        if let anchor {
            workspace.input.update(from: anchor, count: dIn)
            workspace.forward(batch: 1, derivatives: false)
            for j in 0..<dOut { offset[j] = workspace.output[j] }
        }
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                var first = 0
                while first < rows.count {
                    let b = Swift.min(workspace.capacity, rows.count - first)
                    for k in 0..<b {
                        (workspace.input + k * dIn).update(from: x.baseAddress! + rows[first + k] * dIn, count: dIn)
                    }
                    workspace.forward(batch: b, derivatives: false)
                    let y = workspace.output
                    for k in 0..<b {
                        let row = rows[first + k]
                        let w = weights?[row] ?? 1
                        for j in 0..<dOut { let r = y[k * dOut + j] - offset[j] - t[row * dOut + j]; total += w * r * r }
                    }
                    first += b
                }
            }
        }
        return total / Double(rows.count * dOut)
    }
}
