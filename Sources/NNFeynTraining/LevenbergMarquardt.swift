// Levenberg-Marquardt on a network's weighted least-squares loss (Nocedal & Wright, 2nd ed., section 10.3; the
// damping update of Nielsen, 1999). After Adam and L-BFGS it takes full Gauss-Newton steps: each solves
// (J^T W J + mu I) delta = -gradient with the Jacobian J of every output over the training rows, which L-BFGS only
// approximates from a few dozen gradient differences. That matters when derivatives are read outside the data: they
// follow the fit's last digits.
//
// Cost per step: the Gauss-Newton matrix (rows x P^2 flops, P parameters, by dsyrk) and a Cholesky solve (P^3 / 3)
// per trial damping. `curvatureRows` may restrict the matrix to the rows of largest weight, which carry nearly all
// of a strongly weighted loss; the gradient and every accepted step are always judged on the full loss.
import COpenBLAS
import Foundation

/// The polish's loss: mean weighted squared error over the training rows of the (anchored) model plus an L2 penalty
/// mu/2 sum w^2 on the weights, with its gradient by full-batch backward passes.
struct PolishObjective {
    let workspace: MLPWorkspace
    let rows: [Int]
    let inputs: [Double], targets: [Double]
    let weights: [Double]?
    let anchor: [Double]?
    let penalty: Double
    let dIn: Int, dOut: Int

    var chunk: Int { Swift.max(1, workspace.capacity - (anchor != nil ? 1 : 0)) }

    /// The loss at `x` and its gradient (written to `gradient`); leaves `x` in the workspace.
    func value(_ x: [Double], gradient: inout [Double]) -> Double {
        let count = workspace.parameterCount
        x.withUnsafeBufferPointer { workspace.parameters.update(from: $0.baseAddress!, count: count) }
        for i in 0..<count { gradient[i] = 0 }
        var total = 0.0
        workspace.passes(over: rows, size: chunk, inputs: inputs, targets: targets, weights: weights, anchor: anchor) { b, loss in
            // Each batch's loss and gradient are its means; weighted by its share, they sum to the full ones.
            let share = Double(b) / Double(rows.count)
            total += loss * share
            for i in 0..<count { gradient[i] += share * workspace.gradients[i] }
        }
        return total + penalize(x, gradient: &gradient)
    }

    /// The loss at `x` alone (forward passes only); leaves `x` in the workspace.
    func value(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { workspace.parameters.update(from: $0.baseAddress!, count: workspace.parameterCount) }
        var unused: [Double] = []
        return fit() + penalize(x, gradient: &unused)
    }

    /// The weighted mean squared error of the workspace's current parameters, without the penalty.
    func fit(on subset: [Int]? = nil) -> Double {
        MLPTrainer.meanSquaredError(workspace, rows: subset ?? rows, inputs: inputs, targets: targets, weights: weights,
                                    anchor: anchor, dIn: dIn, dOut: dOut)
    }

    /// The penalty at `x`, its gradient added to `gradient` unless that is empty.
    func penalize(_ x: [Double], gradient: inout [Double]) -> Double {
        guard penalty > 0 else { return 0 }
        var total = 0.0
        for l in 0..<workspace.weightOffsets.count {
            for i in workspace.weightOffsets[l]..<workspace.biasOffsets[l] {
                total += 0.5 * penalty * x[i] * x[i]
                if !gradient.isEmpty { gradient[i] += penalty * x[i] }
            }
        }
        return total
    }

    /// The Gauss-Newton matrix of the loss at the workspace's parameters, upper triangle of a row-major P x P array:
    /// 2 / (rows * outputs) sum_k w_k J_k^T J_k over `curvatureRows`, scaled up by the ratio of all training rows'
    /// weight to theirs, plus the penalty on the weights' diagonal.
    func gaussNewton(curvatureRows: [Int]) -> [Double] {
        let P = workspace.parameterCount, anchored = anchor != nil
        var matrix = [Double](repeating: 0, count: P * P)
        let weightOf = { (row: Int) in weights?[row] ?? 1 }
        let coverage = rows.reduce(0.0) { $0 + weightOf($1) } / Swift.max(curvatureRows.reduce(0.0) { $0 + weightOf($1) }, .leastNormalMagnitude)
        let scale = 2 / Double(rows.count * dOut) * coverage
        let jacobian = UnsafeMutablePointer<Double>.allocate(capacity: chunk * P)
        let anchorRow = UnsafeMutablePointer<Double>.allocate(capacity: P)
        defer { jacobian.deallocate(); anchorRow.deallocate() }
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                matrix.withUnsafeMutableBufferPointer { H in
                    var first = 0
                    while first < curvatureRows.count {
                        let b = Swift.min(chunk, curvatureRows.count - first)
                        let batch = curvatureRows[first..<first + b]
                        workspace.load(batch, inputs: x.baseAddress!, targets: t.baseAddress!, weights: weights, anchor: anchor)
                        workspace.forward(batch: anchored ? b + 1 : b, derivatives: true)
                        for o in 0..<dOut {
                            workspace.jacobian(batch: b, output: o, anchored: anchored, into: jacobian, anchorRow: anchorRow)
                            for (k, row) in batch.enumerated() {
                                let s = (scale * weightOf(row)).squareRoot()
                                let r = jacobian + k * P
                                for p in 0..<P { r[p] *= s }
                            }
                            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(P), blasint(b), 1, jacobian, blasint(P),
                                        1, H.baseAddress!, blasint(P))
                        }
                        first += b
                    }
                }
            }
        }
        if penalty > 0 {
            for l in 0..<workspace.weightOffsets.count {
                for i in workspace.weightOffsets[l]..<workspace.biasOffsets[l] { matrix[i * P + i] += penalty }
            }
        }
        return matrix
    }
}

/// Levenberg-Marquardt steps on a `PolishObjective`.
struct LevenbergMarquardt {
    /// Initial damping mu, relative to the largest diagonal entry of the Gauss-Newton matrix. The damping is
    /// Levenberg's, mu times the identity: Marquardt's scaling by diag(J^T W J) stalled on the third Born network
    /// (50 steps took its loss from 5.61e-6 to 5.50e-6, against 3.45e-6 to 6.6e-7 with the identity).
    var initialDamping = 1e-6

    /// Runs up to `steps` accepted steps from `x` (updated to the best point). Returns the accepted steps, the
    /// loss evaluations, whether it stopped because no damping gave a decrease, and the final loss.
    func minimize(_ objective: PolishObjective, _ x: inout [Double], steps: Int, curvatureRows: [Int],
                  progress: ((Int, Double) -> Void)? = nil) -> LBFGS.Outcome {
        let P = x.count
        var gradient = [Double](repeating: 0, count: P)
        var value = objective.value(x, gradient: &gradient)
        var evaluations = 1
        guard value.isFinite, P > 0 else { return LBFGS.Outcome(value: value, iterations: 0, evaluations: 1, stalled: true) }
        var matrix = objective.gaussNewton(curvatureRows: curvatureRows)
        var largest = 0.0
        for i in 0..<P { largest = Swift.max(largest, matrix[i * P + i]) }
        var damping = initialDamping * Swift.max(largest, .leastNormalMagnitude), growth = 2.0
        var accepted = 0, stalled = false
        var system = matrix, delta = gradient, trial = x, hDelta = gradient
        while accepted < steps {
            system = matrix
            for i in 0..<P { system[i * P + i] += damping }
            for i in 0..<P { delta[i] = -gradient[i] }
            var info: blasint = 0
            var n = blasint(P), one: blasint = 1
            // The row-major upper triangle is LAPACK's column-major lower one.
            var uplo = Int8(UInt8(ascii: "L"))
            dposv_(&uplo, &n, &one, &system, &n, &delta, &n, &info, 1)
            var improved = false
            if info == 0 {
                for i in 0..<P { trial[i] = x[i] + delta[i] }
                let candidate = objective.value(trial)
                evaluations += 1
                // Predicted decrease of the quadratic model: -g.delta - delta.H.delta / 2.
                matrix.withUnsafeBufferPointer { H in
                    cblas_dsymv(CblasRowMajor, CblasUpper, blasint(P), 1, H.baseAddress!, blasint(P), delta, 1, 0, &hDelta, 1)
                }
                var predicted = 0.0
                for i in 0..<P { predicted -= gradient[i] * delta[i] + 0.5 * delta[i] * hDelta[i] }
                let ratio = (value - candidate) / predicted
                if candidate.isFinite, candidate < value, predicted > 0, ratio > 0 {
                    x = trial
                    value = objective.value(x, gradient: &gradient)
                    evaluations += 1
                    accepted += 1
                    progress?(accepted, value)
                    damping *= Swift.max(1.0 / 3, 1 - Foundation.pow(2 * ratio - 1, 3))
                    growth = 2
                    improved = true
                    if accepted < steps {
                        system = [] // at most two P x P arrays alive while the next one is built
                        matrix = []
                        matrix = objective.gaussNewton(curvatureRows: curvatureRows)
                    }
                }
            }
            if !improved {
                damping *= growth
                growth *= 2
                if growth > 1e15 || !damping.isFinite { stalled = true; break }
            }
        }
        return LBFGS.Outcome(value: value, iterations: accepted, evaluations: evaluations, stalled: stalled)
    }
}
