// How `born iterate` fits the residuals: per-sample loss weights by depth, and the depth distribution of the
// training potentials. Kept apart from the experiment's loop, which only asks for
// `weights(lambda:iteration:)` and `trainingSet()`, plain arrays in and out. Ensembles are averaged into one
// network by `Network.averaging` (NNFeynTraining).
//
// Why. Iteration k fits r_k = a0 - Σ_{j<k} P_j, which is O(lambda^k) near U = 0, and reads the network's order-k
// tensor there. With an unweighted mean squared error the shallow potentials, where r_k is dominated by its order-k
// term, contribute about lambda^(2k) of the deep ones and the fit near U = 0 is left to extrapolation. Weighting each
// squared error by max(lambda, floor)^(-p k) (p = 2: every depth fitted to the same relative accuracy; the same as
// dividing target and prediction by lambda^k) makes the shallow potentials count.
import Foundation
import NNFeynPhysics

/// The depth distribution of the training potentials.
public enum DepthSampling: Sendable, Equatable, CustomStringConvertible {
    /// lambda ~ Uniform(0, depth), as `nnfeyn born data` draws it.
    case uniform
    /// lambda = depth v^p with v ~ Uniform(0, 1): denser near 0 for p > 1 (the same v as `uniform`).
    case power(Double)
    /// lambda = depth f^(1 - v), f the weight floor: log-uniform on [f depth, depth], with the loss weights
    /// multiplied by lambda so the weighted loss is the one of uniform depths in expectation (importance sampling).
    /// The weights max(lambda, f)^(-k) of uniform depths leave few rows that count (effective sample size 16%, 3.0%
    /// and 1.9% of the rows for k = 1, 2, 3 at f = 0.01); here 100%, 43% and 22%. Measured: worse (README).
    case logUniform

    /// "uniform", "power:p" or "log".
    public var description: String {
        switch self {
        case .uniform: "uniform"
        case .power(let p): "power:\(p)"
        case .logUniform: "log"
        }
    }

    /// Parses "uniform", "power:p" (p > 0) or "log".
    public init?(_ text: String) {
        if text == "uniform" { self = .uniform; return }
        if text == "log" { self = .logUniform; return }
        guard text.hasPrefix("power:"), let p = Double(text.dropFirst(6)), p.isFinite, p > 0 else { return nil }
        self = .power(p)
    }
}

extension IterationOptions {
    /// Per-row loss weights of iteration k: max(lambda, floor * depth)^(-p k) with p = `weightExponent`, times
    /// lambda for log-uniform depths (the importance weight back to uniform ones); nil for p = 0 and uniform or
    /// power depths (the unweighted loss, bit for bit).
    public func weights(lambda: [Double], iteration k: Int) -> [Double]? {
        let importance = depthSampling == .logUniform
        guard weightExponent != 0 || importance else { return nil }
        let floor = weightFloor * depth
        let exponent = -weightExponent * Double(k)
        return lambda.map { Foundation.pow(Swift.max($0, floor), exponent) * (importance ? $0 : 1) }
    }

    /// The training potentials: attractive wells with lambda ~ Uniform(0, depth) as `born data` draws them, lambda
    /// remapped by `depthSampling`, then mapped to mixed signs if asked; a0 and the Born terms recomputed.
    public func trainingSet() throws(BornDataError) -> BornDataSet {
        let remap: (Double) -> Double
        switch depthSampling {
        case .uniform: return try IterativePerturbationTheory.sample(sampling, trainingData)
        case .power(let p): remap = { v in self.depth * Foundation.pow(v, p) }
        case .logUniform: remap = { v in self.depth * Foundation.pow(self.weightFloor, 1 - v) }
        }
        var data = try BornDataSet(options: trainingData)
        let n = steps
        for row in 0..<data.a0.count {
            let old = data.lambda[row]
            let new = remap(old / depth)
            data.lambda[row] = new
            // The shape u is kept; a draw with lambda = 0 has none left (u = 0), so it stays U = 0.
            let factor = old > 0 ? new / old : 0
            for i in 0..<n {
                let u = data.potentials[row * n + i] * factor
                // mixed: U_i = lambda (1 - 2 u_i) from the attractive draw -lambda u_i.
                data.potentials[row * n + i] = sampling == .mixed ? 2 * u + new : u
            }
        }
        data.recomputeScatteringLengths()
        return data
    }
}
