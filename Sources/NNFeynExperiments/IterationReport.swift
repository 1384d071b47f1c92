// The numbers of an iteration run, as written to report.json: sorted keys, a schema version, no timings (so the same
// seed gives the same file byte for byte with one BLAS thread).
//
// Tensor errors are relative Frobenius norms over the dense tensors (every index permutation counted), divided by
// the norm of the exact Born kernel of the same order. Proxy errors are relative RMS errors: sqrt(mean (x - y)^2) /
// sqrt(mean y^2) over the test potentials (or over one lambda bin).
import Foundation
import NNFeynAlgebra
import NNFeynPhysics
import NNFeynTraining

/// report.json of `nnfeyn born iterate`.
public struct IterationReport: Sendable, Codable, Equatable {
    /// The format's name and version.
    public var schema = IterationReport.schemaName
    /// The options of the run.
    public var options: Options
    /// ||K_k||_F of the exact Born kernels, k = 1 ... max(3, iterations).
    public var bornKernelNorms: [Double]
    /// learnedErrors[k-1]: relative error of iteration k's order-k tensor against the exact Born kernel.
    public var learnedErrors: [Double]
    /// estimateErrors[j-1]: relative error of the learned Born series' order-j tensor after the last iteration (the
    /// same as learnedErrors without refinement; see `Refinement`).
    public var estimateErrors: [Double]
    /// One record per iteration.
    public var iterations: [Iteration]
    /// The machine-learned Born approximation of each order.
    public var proxy: [Proxy]

    /// The value of `schema`.
    public static let schemaName = "nnfeyn.born.iterate/1"

    /// The options as recorded.
    public struct Options: Sendable, Codable, Equatable {
        /// See `IterationOptions`.
        public var steps: Int, range: Double, depth: Double, iterations: Int, trainCount: Int, testCount: Int
        /// See `IterationOptions`.
        public var hidden: [Int], activation: String, epochs: Int, batch: Int, lr: Double, schedule: String
        /// See `IterationOptions`.
        public var validation: Double, standardizeInputs: Bool, seed: UInt64, threads: Int, depthBins: Int
        /// See `IterationOptions.sampling`.
        public var sampling: String
        /// The residual-fit method (see IterationMethods.swift): loss weight exponent and floor, depth sampling,
        /// anchoring at U = 0, ensemble size, weight decay and input gain.
        public var weightExponent: Double, weightFloor: Double, depthSampling: String, anchored: Bool
        /// See `IterationOptions`.
        public var ensemble: Int, weightDecay: Double, inputGain: Double
        /// See `Refinement`: none, correct or residual.
        public var refinement: String
        /// L-BFGS steps after each network's Adam epochs, and the L2 penalty on the weights during them.
        public var polish: Int, polishL2: Double
        /// Levenberg-Marquardt steps after those, the first iteration that takes them, and the rows of the
        /// Gauss-Newton matrix (0: all).
        public var polishLM: Int, polishLMFrom: Int, lmRows: Int

        enum CodingKeys: String, CodingKey {
            case steps, range, depth, iterations, hidden, activation, epochs, batch, lr, schedule, validation, seed
            case threads, sampling, anchored, ensemble, refinement, polish
            case polishL2 = "polish_l2", polishLM = "polish_lm", polishLMFrom = "polish_lm_from", lmRows = "lm_rows"
            case weightExponent = "weight_exponent", weightFloor = "weight_floor", depthSampling = "depth_sampling"
            case weightDecay = "weight_decay", inputGain = "input_gain"
            case trainCount = "train_count", testCount = "test_count", standardizeInputs = "standardize_inputs"
            case depthBins = "depth_bins"
        }
    }

    /// One iteration's network.
    public struct Iteration: Sendable, Codable, Equatable {
        /// 1-based k.
        public var iteration: Int
        /// The model file, relative to the output directory.
        public var network: String
        /// What f_k was trained on.
        public var target: String
        /// The training run.
        public var training: Training
        /// Relative RMS error of f_k against its target r_k on the test potentials.
        public var testRelativeRMS: Double
        /// Its tensors of orders 1...max(3, iterations).
        public var tensors: [Tensor]
        /// Relative errors of the learned Born series after this iteration, orders 1...k, against the Born kernels.
        public var estimateErrors: [Double]

        enum CodingKeys: String, CodingKey {
            case iteration, network, target, training, tensors
            case testRelativeRMS = "test_relative_rms", estimateErrors = "estimate_errors"
        }
    }

    /// Losses of one training run, mean squared errors in the target's original units.
    public struct Training: Sendable, Codable, Equatable {
        /// Epochs run and the one whose weights were kept.
        public var epochs: Int, bestEpoch: Int
        /// Training and validation MSE of the kept epoch.
        public var trainingLoss: Double, validationLoss: Double?
        /// The standard deviation of the targets (losses in standardized units are these divided by its square).
        public var targetScale: Double
        /// L-BFGS steps after the epochs, and the training and validation MSE after them (nil: no polish).
        public var polishSteps: Int?, polishedTrainingLoss: Double?, polishedValidationLoss: Double?
        /// Levenberg-Marquardt steps after those, and the training and validation MSE after them (nil: none).
        public var lmSteps: Int?, lmTrainingLoss: Double?, lmValidationLoss: Double?

        enum CodingKeys: String, CodingKey {
            case epochs
            case bestEpoch = "best_epoch", trainingLoss = "training_loss", validationLoss = "validation_loss"
            case targetScale = "target_scale", polishSteps = "polish_steps"
            case polishedTrainingLoss = "polished_training_loss", polishedValidationLoss = "polished_validation_loss"
            case lmSteps = "lm_steps", lmTrainingLoss = "lm_training_loss", lmValidationLoss = "lm_validation_loss"
        }

        /// The training and validation MSE of the written network: after the last polish there was.
        public var finalTrainingLoss: Double { lmTrainingLoss ?? polishedTrainingLoss ?? trainingLoss }
        public var finalValidationLoss: Double? {
            lmSteps != nil ? lmValidationLoss : polishSteps != nil ? polishedValidationLoss : validationLoss
        }

        /// The numbers of a training log, its standardized losses converted back to the target's units.
        public init(log: TrainingLog) {
            let scale = log.targetScale.first ?? 1
            let kept = log.epochs[log.bestEpoch - 1]
            epochs = log.epochs.count
            bestEpoch = log.bestEpoch
            trainingLoss = kept.trainingLoss * scale * scale
            validationLoss = kept.validationLoss.map { $0 * scale * scale }
            targetScale = scale
            polishSteps = log.polish?.steps
            polishedTrainingLoss = log.polish.map { $0.trainingLoss * scale * scale }
            polishedValidationLoss = log.polish?.validationLoss.map { $0 * scale * scale }
            lmSteps = log.levenbergMarquardt?.steps
            lmTrainingLoss = log.levenbergMarquardt.map { $0.trainingLoss * scale * scale }
            lmValidationLoss = log.levenbergMarquardt?.validationLoss.map { $0 * scale * scale }
        }
    }

    /// One derivative tensor of f_k at U = 0.
    public struct Tensor: Sendable, Codable, Equatable {
        /// Its order j.
        public var order: Int
        /// "learned" (j = k), "leftover" (j < k: should be small) or "higher" (j > k: what f_k sees of a0's order j).
        public var role: String
        /// ||T - E||/||K_j|| with E the exact order-j derivative of f_k's target: K_j for j >= k, K_j - (what
        /// iteration j subtracted) for j < k.
        public var relativeError: Double
        /// ||T - K_j|| / ||K_j||.
        public var relativeErrorVsBorn: Double
        /// ||T|| / ||K_j||.
        public var relativeNorm: Double

        enum CodingKeys: String, CodingKey {
            case order, role
            case relativeError = "relative_error", relativeErrorVsBorn = "relative_error_vs_born"
            case relativeNorm = "relative_norm"
        }
    }

    /// The proxy a_ML = P_1 + ... + P_K of one order K.
    public struct Proxy: Sendable, Codable, Equatable {
        /// K.
        public var order: Int
        /// The proxy's error against exact a0.
        public var relativeRMSVsA0: Double
        /// The proxy's distance from the analytic Born approximation a1 + ... + aK.
        public var relativeRMSVsBorn: Double
        /// The analytic Born approximation's own error against a0.
        public var bornRelativeRMSVsA0: Double
        /// relativeRMSVsA0 / bornRelativeRMSVsA0.
        public var ratioToBorn: Double
        /// The same numbers per lambda bin.
        public var bins: [Bin]

        enum CodingKeys: String, CodingKey {
            case order, bins
            case relativeRMSVsA0 = "relative_rms_vs_a0", relativeRMSVsBorn = "relative_rms_vs_born"
            case bornRelativeRMSVsA0 = "born_relative_rms_vs_a0", ratioToBorn = "ratio_to_born"
        }
    }

    /// Proxy errors over the test potentials with lambda in [lambdaMin, lambdaMax).
    public struct Bin: Sendable, Codable, Equatable {
        /// The bin's lambda range.
        public var lambdaMin: Double, lambdaMax: Double
        /// Test potentials in the bin.
        public var count: Int
        /// As in `Proxy`, restricted to the bin.
        public var relativeRMSVsA0: Double, relativeRMSVsBorn: Double, bornRelativeRMSVsA0: Double

        enum CodingKeys: String, CodingKey {
            case count
            case lambdaMin = "lambda_min", lambdaMax = "lambda_max"
            case relativeRMSVsA0 = "relative_rms_vs_a0", relativeRMSVsBorn = "relative_rms_vs_born"
            case bornRelativeRMSVsA0 = "born_relative_rms_vs_a0"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, options, iterations, proxy
        case bornKernelNorms = "born_kernel_norms", learnedErrors = "learned_errors", estimateErrors = "estimate_errors"
    }

    /// The report of finished iterations evaluated on `test`.
    public init(options o: IterationOptions, exact: TaylorExpansion<Double>, outcomes: [IterationOutcome],
                test: BornDataSet, evaluation: ProxyEvaluation) {
        options = Options(steps: o.steps, range: o.range, depth: o.depth, iterations: o.iterations,
                          trainCount: o.trainCount, testCount: o.testCount, hidden: o.hidden,
                          activation: o.activation.sourceForm, epochs: o.epochs, batch: o.batchSize, lr: o.learningRate,
                          schedule: o.schedule.rawValue, validation: o.validationFraction,
                          standardizeInputs: o.standardizeInputs, seed: o.seed, threads: o.threads, depthBins: o.depthBins,
                          sampling: o.sampling.rawValue, weightExponent: o.weightExponent, weightFloor: o.weightFloor,
                          depthSampling: o.depthSampling.description, anchored: o.anchored, ensemble: o.ensemble,
                          weightDecay: o.weightDecay, inputGain: o.inputGain, refinement: o.refinement.rawValue,
                          polish: o.polishSteps, polishL2: o.polishPenalty, polishLM: o.levenbergMarquardtSteps,
                          polishLMFrom: o.levenbergMarquardtFrom, lmRows: o.curvatureRows)
        // Norms of the dense symmetric tensors, computed on the packed ones (see TaylorExpansion+Tensors.swift).
        bornKernelNorms = (1...o.tensorOrder).map { exact.frobeniusNorm(order: $0) }
        var iterations: [Iteration] = []
        var learned: [Double] = []
        // What iterations 1...k-1 subtracted, the learned Born series so far: the order-j term of iteration j's
        // network for every j < k, or with residual refinement its terms of orders 1...j.
        var subtracted = exact.zero
        var testResidual = test.a0
        for outcome in outcomes {
            let k = outcome.iteration
            var tensors: [Tensor] = []
            // f_k's target r_k has the derivatives of a0 less what was subtracted.
            let difference = outcome.tensors - (exact - subtracted)
            for j in 1...o.tensorOrder {
                let norm = bornKernelNorms[j - 1]
                let error = difference.frobeniusNorm(order: j) / norm
                tensors.append(Tensor(order: j, role: j == k ? "learned" : (j < k ? "leftover" : "higher"),
                                      relativeError: error,
                                      relativeErrorVsBorn: outcome.tensors.relativeFrobeniusError(against: exact, order: j),
                                      relativeNorm: outcome.tensors.frobeniusNorm(order: j) / norm))
                if j == k { learned.append(error) }
            }
            let orders = o.subtractedOrders(iteration: k)
            subtracted = subtracted + outcome.tensors.keeping(orders: orders)
            let series = o.learnedSeries(outcomes.prefix(k).map(\.tensors))
            let prediction = outcome.network.predict(test.potentials)
            iterations.append(Iteration(
                iteration: k, network: "iteration\(k).nn",
                target: k == 1 ? "a0" : "a0 - " + (1..<k).map { o.refinement == .residual ? "T\($0)[f\($0)]" : "P\($0)" }.joined(separator: " - "),
                training: Training(log: outcome.log),
                testRelativeRMS: Self.relativeRMS(prediction, testResidual), tensors: tensors,
                estimateErrors: (1...k).map { series.relativeFrobeniusError(against: exact, order: $0) }))
            testResidual = IterativePerturbationTheory.subtracting(outcome.tensors, orders: orders, from: testResidual,
                                                                   rows: test.potentials)
        }
        self.iterations = iterations
        learnedErrors = learned
        estimateErrors = iterations.last?.estimateErrors ?? []

        let bins = o.depthBins
        var proxy: [Proxy] = []
        for K in evaluation.proxy.indices {
            let ml = evaluation.proxy[K], born = evaluation.born[K], a0 = evaluation.a0
            let vsA0 = Self.relativeRMS(ml, a0), bornVsA0 = Self.relativeRMS(born, a0)
            var records: [Bin] = []
            for b in 0..<bins {
                let lo = o.depth * Double(b) / Double(bins), hi = o.depth * Double(b + 1) / Double(bins)
                let rows = evaluation.lambda.indices.filter {
                    evaluation.lambda[$0] >= lo && (evaluation.lambda[$0] < hi || b == bins - 1)
                }
                func pick(_ x: [Double]) -> [Double] { rows.map { x[$0] } }
                records.append(Bin(lambdaMin: lo, lambdaMax: hi, count: rows.count,
                                   relativeRMSVsA0: Self.relativeRMS(pick(ml), pick(a0)),
                                   relativeRMSVsBorn: Self.relativeRMS(pick(ml), pick(born)),
                                   bornRelativeRMSVsA0: Self.relativeRMS(pick(born), pick(a0))))
            }
            proxy.append(Proxy(order: K + 1, relativeRMSVsA0: vsA0, relativeRMSVsBorn: Self.relativeRMS(ml, born),
                               bornRelativeRMSVsA0: bornVsA0, ratioToBorn: vsA0 / bornVsA0, bins: records))
        }
        self.proxy = proxy
    }

    /// sqrt(mean (x - y)^2) / sqrt(mean y^2); NaN for empty input, the absolute RMS when y vanishes.
    public static func relativeRMS(_ x: [Double], _ y: [Double]) -> Double {
        guard !x.isEmpty, x.count == y.count else { return .nan }
        var difference = 0.0, norm = 0.0
        for i in x.indices {
            let d = x[i] - y[i]
            difference += d * d
            norm += y[i] * y[i]
        }
        return norm > 0 ? (difference / norm).squareRoot() : (difference / Double(x.count)).squareRoot()
    }

    /// Pretty-printed JSON with sorted keys; non-finite numbers become the strings "nan", "inf", "-inf".
    public func jsonData() throws -> Data { try Self.json(self) }

    /// The Born experiments' report.json encoding: pretty-printed, sorted keys, a final newline, non-finite numbers as
    /// the strings "nan", "inf", "-inf".
    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(contentsOf: Array("\n".utf8))
        return data
    }
}
