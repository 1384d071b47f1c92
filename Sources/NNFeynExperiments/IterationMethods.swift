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

    /// "uniform" or "power:p".
    public var description: String {
        switch self {
        case .uniform: "uniform"
        case .power(let p): "power:\(p)"
        }
    }

    /// Parses "uniform" or "power:p" (p > 0).
    public init?(_ text: String) {
        if text == "uniform" { self = .uniform; return }
        guard text.hasPrefix("power:"), let p = Double(text.dropFirst(6)), p.isFinite, p > 0 else { return nil }
        self = .power(p)
    }
}

extension IterationOptions {
    /// Per-row loss weights of iteration k: max(lambda, floor * depth)^(-p k) with p = `weightExponent`; nil when
    /// p = 0 (the unweighted loss, bit for bit).
    public func weights(lambda: [Double], iteration k: Int) -> [Double]? {
        guard weightExponent != 0 else { return nil }
        let floor = weightFloor * depth
        let exponent = -weightExponent * Double(k)
        return lambda.map { Foundation.pow(Swift.max($0, floor), exponent) }
    }

    /// The training potentials: attractive wells with lambda ~ Uniform(0, depth) as `born data` draws them, lambda
    /// remapped by `depthSampling`, then mapped to mixed signs if asked; a0 and the Born terms recomputed.
    public func trainingSet() throws(BornDataError) -> BornDataSet {
        guard case .power(let p) = depthSampling else {
            return try IterativePerturbationTheory.sample(sampling, trainingData)
        }
        var data = try BornDataSet(options: trainingData)
        let n = steps
        for row in 0..<data.a0.count {
            let old = data.lambda[row]
            let new = depth * Foundation.pow(old / depth, p)
            data.lambda[row] = new
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
