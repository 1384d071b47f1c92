// Per-sample loss weights, the anchored model y(x) - y(x0) and decoupled weight decay in the trainer: gradients
// against finite differences of the loss the workspace reports, unit weights bit-identical to no weights, an anchored
// model that vanishes at its anchor once written; and ensembles averaged into one network.
import Foundation
import NNFeynAlgebra
import NNFeynModel
import NNFeynTestSupport
import Testing
@testable import NNFeynTraining

@Suite struct WeightedTrainingTests {
    /// The workspace's loss and gradient for one batch (the anchor, if any, in the row after the batch).
    static func lossAndGradient(_ workspace: MLPWorkspace, batch: Int, anchored: Bool) -> (Double, [Double]) {
        workspace.forward(batch: anchored ? batch + 1 : batch, derivatives: true)
        let loss = workspace.backward(batch: batch, anchored: anchored)
        return (loss, Array(UnsafeBufferPointer(start: workspace.gradients, count: workspace.parameterCount)))
    }

    @Test(arguments: [false, true])
    func weightedAndAnchoredGradientsMatchFiniteDifferences(anchored: Bool) throws {
        let network = try initialized([3, 5, 4, 2], [.tanh, .sigmoid, .linear], seed: 4)
        let batch = 6
        let workspace = MLPWorkspace(network: network, capacity: batch + 1)
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

    /// Five short epochs on standardized targets: enough to move every parameter.
    static var shortRun: TrainingOptions {
        var options = TrainingOptions()
        options.epochs = 5
        options.batchSize = 32
        options.standardize = true
        return options
    }

    @Test func unitWeightsAreBitIdenticalToNoWeights() throws {
        let (inputs, targets) = toyData(rows: 300, seed: 2)
        let network = try initialized([2, 8, 1], [.tanh, .linear], seed: 3)
        let options = Self.shortRun
        let plain = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets)
        let ones = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets,
                                                          weights: [Double](repeating: 2.5, count: 300))
        #expect(plain.network.flatParameters == ones.network.flatParameters)
        #expect(throws: TrainingError.self) {
            try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, weights: [1, 2])
        }
        #expect(throws: TrainingError.self) {
            try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets,
                                                   weights: [Double](repeating: 0, count: 300))
        }
    }

    @Test func anchoredModelVanishesAtTheAnchor() throws {
        let (inputs, targets) = toyData(rows: 300, seed: 2)
        let network = try initialized([2, 8, 1], [.tanh, .linear], seed: 3)
        var options = Self.shortRun
        options.anchor = [0.25, -0.5]
        let run = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets)
        #expect(abs(run.network.predict([0.25, -0.5])[0]) < 1e-14)
        #expect(run.log.targetMean == [0])
        var bad = options
        bad.anchor = [0]
        #expect(throws: TrainingError.self) { try MLPTrainer(options: bad).train(network, inputs: inputs, targets: targets) }
        // The anchor's value is folded into a linear output layer's bias; a nonlinear output cannot take it.
        let squashed = try initialized([2, 8, 1], [.tanh, .tanh], seed: 3)
        #expect(throws: TrainingError.self) { try MLPTrainer(options: options).train(squashed, inputs: inputs, targets: targets) }
    }

    @Test func weightDecayShrinksWeightsNotBiases() throws {
        let network = try initialized([3, 4, 1], [.tanh, .linear], seed: 5)
        let workspace = MLPWorkspace(network: network, capacity: 1)
        let before = Array(UnsafeBufferPointer(start: workspace.parameters, count: workspace.parameterCount))
        workspace.decayWeights(rate: 0.25)
        let after = try workspace.network(like: network)
        for (w, w0) in zip(after.weights.flatMap { $0 }, network.weights.flatMap { $0 }) { #expect(w == w0 - 0.25 * w0) }
        #expect(after.biases == network.biases)
        #expect(before == network.flatParameters)
        var options = TrainingOptions()
        options.weightDecay = -1
        #expect(throws: TrainingError.self) { try options.validate() }
    }

    @Test func anEnsembleIsTheMeanOfItsMembers() throws {
        let members = try (1...3).map { (seed: UInt64) throws -> Network<Double> in
            let start = try initialized([3, 5, 4, 2], [.tanh, .sigmoid, .linear], seed: seed)
            // Nonzero biases everywhere, so the block structure is exercised.
            return try start.with(weights: start.weights, biases: start.biases.map { $0.map { _ in Double(seed) * 0.1 - 0.15 } })
        }
        let mean = try Network.averaging(members)
        #expect(mean.layers.map(\.width) == [15, 12, 2])
        var rng = Xoshiro256(seed: 9)
        let x = (0..<4 * 3).map { _ in rng.uniform(-1, 1) }
        let predictions = members.map { $0.predict(x) }
        for (i, y) in mean.predict(x).enumerated() {
            let expected: Double = predictions.reduce(0.0) { $0 + $1[i] } / 3
            #expect(abs(y - expected) <= 1e-14, "output \(i): \(y) vs \(expected)")
        }
        #expect(try Network.averaging([members[0]]).flatParameters == members[0].flatParameters)
        let squashed = try initialized([3, 2, 1], [.tanh, .tanh], seed: 1)
        #expect(throws: ModelError.self) { try Network.averaging([squashed, squashed]) }
    }
}
