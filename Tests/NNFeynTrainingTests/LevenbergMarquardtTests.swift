// Levenberg-Marquardt after the L-BFGS polish: the workspace's Jacobian rows against finite differences (plain and
// anchored, two outputs), its Gauss-Newton pieces against the backward pass's gradient, a linear least-squares
// problem solved exactly, and the trainer's phase lowering the loss L-BFGS left, deterministically.
import Foundation
import NNFeynAlgebra
import NNFeynModel
import Testing
@testable import NNFeynTraining

@Suite struct LevenbergMarquardtTests {
    @Test(arguments: [false, true])
    func jacobianRowsAreTheOutputsDerivatives(anchored: Bool) throws {
        let network = try initialized([3, 5, 4, 2], [.tanh, .sigmoid, .linear], seed: 3)
        let rows = 4
        let inputs = (0..<rows * 3).map { 0.3 * sin(Double($0) + 0.5) }
        let anchor = [0.2, -0.1, 0.05]
        let workspace = MLPWorkspace(network: network, capacity: rows + 1)
        let P = workspace.parameterCount
        func load() {
            workspace.input.update(from: inputs, count: rows * 3)
            if anchored { (workspace.input + rows * 3).update(from: anchor, count: 3) }
        }
        // Output o of row k, minus the anchor's with `anchored`.
        func outputs() -> [Double] {
            load()
            workspace.forward(batch: rows + 1, derivatives: false)
            return (0..<rows * 2).map { i in workspace.output[i] - (anchored ? workspace.output[rows * 2 + i % 2] : 0) }
        }
        var jacobian = [Double](repeating: 0, count: rows * P), anchorRow = [Double](repeating: 0, count: P)
        for o in 0..<2 {
            load()
            workspace.forward(batch: anchored ? rows + 1 : rows, derivatives: true)
            workspace.jacobian(batch: rows, output: o, anchored: anchored, into: &jacobian, anchorRow: &anchorRow)
            for p in 0..<P {
                let saved = workspace.parameters[p], h = 1e-6
                workspace.parameters[p] = saved + h
                let up = outputs()
                workspace.parameters[p] = saved - h
                let down = outputs()
                workspace.parameters[p] = saved
                for k in 0..<rows {
                    let difference = (up[k * 2 + o] - down[k * 2 + o]) / (2 * h)
                    #expect(abs(jacobian[k * P + p] - difference) < 1e-8, "output \(o), row \(k), parameter \(p)")
                }
            }
        }
    }

    @Test func theGradientIsTheJacobianTransposeTimesTheWeightedResiduals() throws {
        // The backward pass and the Jacobian rows are independent code: 2/N sum_k w_k r_k J_k must be the gradient.
        let (inputs, targets) = toyData(rows: 50, seed: 2)
        let network = try initialized([2, 6, 1], [.tanh, .linear], seed: 4)
        let weights = (0..<50).map { 1 + Double($0 % 5) }
        let workspace = MLPWorkspace(network: network, capacity: 17)
        let objective = PolishObjective(workspace: workspace, rows: Array(0..<50), inputs: inputs, targets: targets,
                                        weights: weights, anchor: [0.1, 0.3], penalty: 0, dIn: 2, dOut: 1)
        let x = Array(UnsafeBufferPointer(start: workspace.parameters, count: workspace.parameterCount))
        var gradient = x
        _ = objective.value(x, gradient: &gradient)
        var expected = [Double](repeating: 0, count: x.count)
        let P = x.count
        var jacobian = [Double](repeating: 0, count: P), anchorRow = jacobian
        workspace.input.update(from: [0.1, 0.3], count: 2)
        workspace.forward(batch: 1, derivatives: false)
        let offset = workspace.output[0]
        for k in 0..<50 {
            workspace.input.update(from: Array(inputs[2 * k..<2 * k + 2]) + [0.1, 0.3], count: 4)
            workspace.forward(batch: 2, derivatives: true)
            let r = workspace.output[0] - offset - targets[k]
            workspace.jacobian(batch: 1, output: 0, anchored: true, into: &jacobian, anchorRow: &anchorRow)
            for p in 0..<P { expected[p] += 2 / 50 * weights[k] * r * jacobian[p] }
        }
        for p in 0..<P { #expect(abs(gradient[p] - expected[p]) < 1e-12 * (1 + abs(expected[p])), "parameter \(p)") }
    }

    @Test func aLinearLeastSquaresProblemIsSolvedExactly() throws {
        // One linear layer: the loss is quadratic, Gauss-Newton is Newton, and a few damped steps reach the weighted
        // normal equations' solution, solved here independently by Gaussian elimination.
        var rng = Xoshiro256(seed: 9)
        let rows = 60
        var inputs: [Double] = [], targets: [Double] = [], weights: [Double] = []
        for k in 0..<rows {
            let x = (0..<3).map { _ in rng.uniform(-1, 1) }
            inputs += x
            targets.append(0.7 * x[0] - 1.3 * x[1] + 0.2 * x[2] + 0.4 + 0.05 * sin(Double(k)))
            weights.append(1 + Double(k % 3))
        }
        var options = TrainingOptions()
        options.epochs = 1
        options.validationFraction = 0
        options.learningRate = 1e-6
        options.levenbergMarquardtSteps = 30
        let run = try MLPTrainer(options: options).train(try initialized([3, 1], [.linear], seed: 1), inputs: inputs,
                                                        targets: targets, weights: weights)
        let lm = try #require(run.log.levenbergMarquardt)
        #expect(lm.method == .levenbergMarquardt && lm.trainingLoss < lm.trainingLossBefore)
        // Normal equations A^T W A c = A^T W t with A = [x, 1].
        var normal = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 4)
        for k in 0..<rows {
            let a = Array(inputs[3 * k..<3 * k + 3]) + [1]
            for i in 0..<4 {
                for j in 0..<4 { normal[i][j] += weights[k] * a[i] * a[j] }
                normal[i][4] += weights[k] * a[i] * targets[k]
            }
        }
        for c in 0..<4 {
            for r in c + 1..<4 {
                let f = normal[r][c] / normal[c][c]
                for j in c..<5 { normal[r][j] -= f * normal[c][j] }
            }
        }
        var solution = [Double](repeating: 0, count: 4)
        for r in stride(from: 3, through: 0, by: -1) {
            solution[r] = (normal[r][4] - (r + 1..<4).reduce(0.0) { $0 + normal[r][$1] * solution[$1] }) / normal[r][r]
        }
        let fitted = run.network.weights[0] + run.network.biases[0]
        for i in 0..<4 { #expect(abs(fitted[i] - solution[i]) < 1e-9, "coefficient \(i): \(fitted[i]) vs \(solution[i])") }
    }

    @Test(arguments: [0, 150])
    func theTrainerGoesBelowWhereLBFGSStopped(curvatureRows: Int) throws {
        let (inputs, targets) = toyData(rows: 400, seed: 6)
        let network = try initialized([2, 10, 1], [.tanh, .linear], seed: 7)
        var options = PolishTests.options(polish: 40)
        options.anchor = [0.1, 0.2]
        options.levenbergMarquardtSteps = 15
        options.curvatureRows = curvatureRows
        let weights = (0..<400).map { 0.5 + Double($0 % 7) }
        let run = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, weights: weights)
        let polish = try #require(run.log.polish), lm = try #require(run.log.levenbergMarquardt)
        #expect(abs(lm.trainingLossBefore - polish.trainingLoss) <= 1e-12 * polish.trainingLoss)
        // As many more L-BFGS steps instead end higher.
        var longer = options
        longer.polishSteps += options.levenbergMarquardtSteps
        longer.levenbergMarquardtSteps = 0
        let lbfgs = try #require(try MLPTrainer(options: longer).train(network, inputs: inputs, targets: targets, weights: weights).log.polish)
        #expect(lm.steps > 0 && lm.trainingLoss < 0.8 * lbfgs.trainingLoss,
                "\(polish.trainingLoss) -> \(lm.trainingLoss) (L-BFGS: \(lbfgs.trainingLoss))")
        #expect(abs(run.network.predict([0.1, 0.2])[0]) < 1e-13)
        let again = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, weights: weights)
        #expect(again.network.flatParameters == run.network.flatParameters)
        let json = String(decoding: try run.log.jsonData(), as: UTF8.self)
        #expect(json.contains("\"levenberg_marquardt\"") && json.contains("\"Levenberg-Marquardt\""))
    }

    @Test func aNetworkTooLargeForItsMatricesIsRefusedBeforeTraining() throws {
        // 1 x 130 x 130 x 1: 17 421 parameters, above the limit; the error names the option and the size.
        let network = try initialized([1, 130, 130, 1], [.tanh, .tanh, .linear], seed: 1)
        var options = TrainingOptions()
        options.levenbergMarquardtSteps = 1
        #expect(throws: TrainingError.invalidOption("--polish-lm needs two 17421 x 17421 matrices (4855 MB) for this "
                                                    + "network's 17421 parameters; it takes at most 16384 parameters (use --polish instead)")) {
            try MLPTrainer(options: options).train(network, inputs: [0, 1], targets: [0, 1])
        }
    }

    @Test func itsOptionsAreValidated() {
        var options = TrainingOptions()
        options.levenbergMarquardtSteps = -1
        #expect(throws: TrainingError.self) { try options.validate() }
        options.levenbergMarquardtSteps = 5
        options.curvatureRows = -3
        #expect(throws: TrainingError.self) { try options.validate() }
    }
}
