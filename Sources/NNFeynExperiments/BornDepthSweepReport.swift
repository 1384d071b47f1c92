// The numbers of a depth sweep, as written to report.json: sorted keys, a schema version, no timings (the same seed
// gives the same file byte for byte with one BLAS thread).
//
// Tensor errors are relative Frobenius norms of the dense symmetric tensors, ||T_k - K_k||_F / ||K_k||_F, computed on
// the packed ones. Residual numbers are RMS values over the test wells: exact_rms = rms(a0 - sum_{j<=k} a_j),
// network_rms = rms(f - sum_{j<=k} P_j), relative_difference = rms(network - exact residual) / exact_rms, and
// relative_to_a0 = exact_rms / rms(a0) (how much of a0 is left after k Born orders).
import Foundation
import NNFeynAlgebra

/// report.json of `nnfeyn born depth-sweep`.
public struct BornDepthSweepReport: Sendable, Codable, Equatable {
    /// The format's name and version.
    public var schema = BornDepthSweepReport.schemaName
    /// The options of the run.
    public var options: Options
    /// ||K_k||_F of the exact Born tensors, k = 1...K.
    public var bornKernelNorms: [Double]
    /// One record per depth, in the order of `options.depths`.
    public var depths: [Depth]

    /// The value of `schema`.
    public static let schemaName = "nnfeyn.born.depth-sweep/1"

    /// The options as recorded.
    public struct Options: Sendable, Codable, Equatable {
        /// See `BornDepthSweepOptions`.
        public var depths: [Double], orders: Int
        /// See `IterationOptions` (the training of each network).
        public var steps: Int, range: Double, trainCount: Int, testCount: Int, hidden: [Int], activation: String
        /// See `IterationOptions`.
        public var epochs: Int, batch: Int, lr: Double, schedule: String, validation: Double, standardizeInputs: Bool
        /// See `IterationOptions`.
        public var seed: UInt64, threads: Int, sampling: String, weightExponent: Double, weightFloor: Double
        /// See `IterationOptions`.
        public var anchored: Bool

        enum CodingKeys: String, CodingKey {
            case depths, orders, steps, range, hidden, activation, epochs, batch, lr, schedule, validation, seed, threads
            case sampling, anchored
            case trainCount = "train_count", testCount = "test_count", standardizeInputs = "standardize_inputs"
            case weightExponent = "weight_exponent", weightFloor = "weight_floor"
        }
    }

    /// One depth's network.
    public struct Depth: Sendable, Codable, Equatable {
        /// The maximum depth D of its training and test wells.
        public var depth: Double
        /// The model file, relative to the output directory.
        public var network: String
        /// The training run (losses in the target's units).
        public var training: IterationReport.Training
        /// rms(f - a0) / rms(a0) on the test wells.
        public var testRelativeRMS: Double
        /// Its tensors of orders 1...K against the Born tensors.
        public var tensors: [Tensor]
        /// Residuals after k = 0...K orders.
        public var residuals: [Residual]

        enum CodingKeys: String, CodingKey {
            case depth, network, training, tensors, residuals
            case testRelativeRMS = "test_relative_rms"
        }
    }

    /// One Taylor tensor of f_D at U = 0.
    public struct Tensor: Sendable, Codable, Equatable {
        /// Its order k.
        public var order: Int
        /// ||T_k - K_k||_F / ||K_k||_F.
        public var relativeError: Double
        /// ||T_k||_F / ||K_k||_F.
        public var relativeNorm: Double

        enum CodingKeys: String, CodingKey {
            case order
            case relativeError = "relative_error", relativeNorm = "relative_norm"
        }
    }

    /// The residuals after k orders on the test wells.
    public struct Residual: Sendable, Codable, Equatable {
        /// k (0: a0 and f themselves).
        public var order: Int
        /// rms(a0 - sum_{j<=k} a_j).
        public var exactRMS: Double
        /// rms(f - sum_{j<=k} P_j).
        public var networkRMS: Double
        /// rms(network residual - exact residual) / exactRMS.
        public var relativeDifference: Double
        /// exactRMS / rms(a0).
        public var relativeToA0: Double

        enum CodingKeys: String, CodingKey {
            case order
            case exactRMS = "exact_rms", networkRMS = "network_rms", relativeDifference = "relative_difference"
            case relativeToA0 = "relative_to_a0"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, options, depths
        case bornKernelNorms = "born_kernel_norms"
    }

    /// The report of a finished sweep.
    public init(options o: BornDepthSweepOptions, exact: TaylorExpansion<Double>, outcomes: [BornDepthOutcome]) {
        let t = o.training
        options = Options(depths: o.depths, orders: o.orders, steps: t.steps, range: t.range, trainCount: t.trainCount,
                          testCount: t.testCount, hidden: t.hidden, activation: t.activation.sourceForm, epochs: t.epochs,
                          batch: t.batchSize, lr: t.learningRate, schedule: t.schedule.rawValue,
                          validation: t.validationFraction, standardizeInputs: t.standardizeInputs, seed: t.seed,
                          threads: t.threads, sampling: t.sampling.rawValue, weightExponent: t.weightExponent,
                          weightFloor: t.weightFloor, anchored: t.anchored)
        let K = o.orders
        let norms = (1...K).map { exact.frobeniusNorm(order: $0) }
        bornKernelNorms = norms
        depths = outcomes.map { outcome in
            let r = outcome.residuals
            let a0RMS = Self.rms(r.exact[0])
            return Depth(
                depth: outcome.depth, network: BornDepthSweep.stem(depth: outcome.depth) + ".nn",
                training: IterationReport.Training(log: outcome.log),
                testRelativeRMS: IterationReport.relativeRMS(r.network[0], r.exact[0]),
                tensors: (1...K).map { k in
                    Tensor(order: k, relativeError: outcome.tensors.relativeFrobeniusError(against: exact, order: k),
                           relativeNorm: outcome.tensors.frobeniusNorm(order: k) / norms[k - 1])
                },
                residuals: (0...K).map { k in
                    let exactRMS = Self.rms(r.exact[k])
                    return Residual(order: k, exactRMS: exactRMS, networkRMS: Self.rms(r.network[k]),
                                    relativeDifference: IterationReport.relativeRMS(r.network[k], r.exact[k]),
                                    relativeToA0: exactRMS / a0RMS)
                })
        }
    }

    /// sqrt(mean x^2); NaN for no values.
    static func rms(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        return (x.reduce(0) { $0 + $1 * $1 } / Double(x.count)).squareRoot()
    }

    /// Pretty-printed JSON with sorted keys; non-finite numbers become the strings "nan", "inf", "-inf".
    public func jsonData() throws -> Data { try IterationReport.json(self) }
}
