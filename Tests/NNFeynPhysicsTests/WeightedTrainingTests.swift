// Per-sample loss weights and the anchored model y(x) - y(x0) in the trainer: gradients against finite differences
// of the loss the workspace reports, unit weights bit-identical to no weights, and an anchored model that vanishes
// at its anchor once written.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage
import Testing
@testable import NNFeynPhysics

@Suite struct WeightedTrainingTests {
    /// The workspace's loss and gradient for one batch (the anchor, if any, in the row after the batch).
    static func lossAndGradient(_ workspace: MLPWorkspace, batch: Int, anchored: Bool) -> (Double, [Double]) {
        workspace.forward(batch: anchored ? batch + 1 : batch, derivatives: true)
        let loss = workspace.backward(batch: batch, anchored: anchored)
        return (loss, Array(UnsafeBufferPointer(start: workspace.gradients, count: workspace.parameterCount)))
    }

    @Test(arguments: [false, true])
    func weightedAndAnchoredGradientsMatchFiniteDifferences(anchored: Bool) throws {
        let model = try TrainedMLP(network: unparameterised([3, 5, 4, 2], [.tanh, .sigmoid, .linear]), seed: 4)
        let batch = 6
        let workspace = MLPWorkspace(model: model, capacity: batch + 1)
        var rng = Xoshiro256(seed: 8)
        for i in 0..<(batch + 1) * 3 { workspace.input[i] = rng.uniform(-1, 1) }
        for i in 0..<batch * 2 { workspace.target[i] = rng.uniform(-1, 1) }
        for i in 0..<batch { workspace.weight[i] = rng.uniform(0, 3) }
        let (_, gradient) = Self.lossAndGradient(workspace, batch: batch, anchored: anchored)
        let h = 1e-6
        var worst = 0.0
        for p in 0..<workspace.parameterCount {
            let saved = workspace.parameters[p]
            workspace.parameters[p] = saved + h
            let plus = Self.lossAndGradient(workspace, batch: batch, anchored: anchored).0
            workspace.parameters[p] = saved - h
            let minus = Self.lossAndGradient(workspace, batch: batch, anchored: anchored).0
            workspace.parameters[p] = saved
            let numeric = (plus - minus) / (2 * h)
            worst = Swift.max(worst, abs(numeric - gradient[p]) / Swift.max(1e-3, abs(numeric)))
        }
        #expect(worst < 1e-6, "worst relative gradient error \(worst)")
    }

    @Test func unitWeightsAreBitIdenticalToNoWeights() throws {
        let (inputs, targets) = toyData(rows: 300, seed: 2)
        let model = try TrainedMLP(network: unparameterised([2, 8, 1], [.tanh, .linear]), seed: 3)
        var options = TrainingOptions()
        options.epochs = 5
        options.batchSize = 32
        options.standardize = true
        let plain = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        let ones = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets,
                                                          weights: [Double](repeating: 2.5, count: 300))
        #expect(plain.model.flatParameters == ones.model.flatParameters)
        #expect(throws: TrainingError.self) {
            try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets, weights: [1, 2])
        }
    }

    @Test func anchoredModelVanishesAtTheAnchor() throws {
        let (inputs, targets) = toyData(rows: 300, seed: 2)
        let model = try TrainedMLP(network: unparameterised([2, 8, 1], [.tanh, .linear]), seed: 3)
        var options = TrainingOptions()
        options.epochs = 5
        options.batchSize = 32
        options.standardize = true
        options.anchor = [0.25, -0.5]
        let run = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        #expect(abs(run.model.predict([0.25, -0.5])[0]) < 1e-14)
        #expect(run.log.targetMean == [0])
        var bad = options
        bad.anchor = [0]
        #expect(throws: TrainingError.self) { try MLPTrainer(options: bad).train(model, inputs: inputs, targets: targets) }
    }
}
