// The trainer: backprop against finite differences for every activation, loss going down, determinism, and
// the folding of target standardization into the written model.
import Foundation
import NNFeynAlgebra
import NNFeynModel
import NNFeynTestSupport
import Testing
@testable import NNFeynTraining

/// A model without parameters, as the loader returns for a model file that has none.
func unparameterised(_ widths: [Int], _ activations: [Activation], name: String = "net") -> Model {
    let layers = (1..<widths.count).map { l in
        LayerShape(name: "l\(l)", width: widths[l], fanIn: widths[l - 1], activation: activations[l - 1])
    }
    let architecture = try! Architecture(name: name, input: ModelInput(name: "x", dimension: widths[0]), layers: layers)
    return try! Model(architecture: architecture, parameters: layers.map { _ in nil })
}

/// Its network with seeded initial parameters.
func initialized(_ widths: [Int], _ activations: [Activation], seed: UInt64) throws -> Network<Double> {
    try Initializer.network(for: unparameterised(widths, activations), seed: seed)
}

/// Rows of a smooth two-input function, deterministic.
func toyData(rows: Int, seed: UInt64) -> (inputs: [Double], targets: [Double]) {
    var rng = Xoshiro256(seed: seed)
    var inputs: [Double] = [], targets: [Double] = []
    for _ in 0..<rows {
        let x = rng.uniform(-1, 1), y = rng.uniform(-1, 1)
        inputs += [x, y]
        targets.append(Foundation.sin(2 * x) + 0.5 * y * y + 3)
    }
    return (inputs, targets)
}

@Suite struct TrainerTests {
    static let activations: [Activation] = [.tanh, .sigmoid, .relu, .softplus, .silu, .linear, .sin, .cos, .exp,
                                            .square, .gelu, .poly([Rational(1, 2), Rational(-1), Rational(1, 3)])]

    @Test(arguments: activations)
    func backpropagationMatchesFiniteDifferences(activation: Activation) throws {
        // The activation sits in the hidden layer and at the output, so both delta paths are exercised.
        let model = try initialized([3, 5, 4, 2], [activation, .tanh, activation], seed: 9)
        var rng = Xoshiro256(seed: 10)
        let inputs = (0..<7 * 3).map { _ in rng.uniform(-1, 1) }
        let targets = (0..<7 * 2).map { _ in rng.uniform(-1, 1) }
        let (_, gradient) = model.lossAndGradient(inputs: inputs, targets: targets)
        let parameters = model.flatParameters
        let h = 1e-6
        var worst = 0.0
        for p in parameters.indices {
            var shifted = parameters
            shifted[p] += h
            let plus = try model.with(flatParameters: shifted)
            shifted[p] -= 2 * h
            let minus = try model.with(flatParameters: shifted)
            let numeric = (plus.lossAndGradient(inputs: inputs, targets: targets).loss
                           - minus.lossAndGradient(inputs: inputs, targets: targets).loss) / (2 * h)
            worst = Swift.max(worst, abs(numeric - gradient[p]) / Swift.max(1e-3, abs(numeric)))
        }
        #expect(worst < 1e-5, "worst relative gradient error \(worst) for \(activation.name)")
    }

    @Test func lossDecreasesAndSeedsRepeat() throws {
        let (inputs, targets) = toyData(rows: 512, seed: 1)
        let model = try initialized([2, 16, 16, 1], [.tanh, .tanh, .linear], seed: 3)
        var options = TrainingOptions()
        options.epochs = 30
        options.batchSize = 32
        options.learningRate = 1e-2
        options.seed = 5
        options.standardize = true
        let run = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        let curve = run.log.epochs
        #expect(curve.count == 30 && run.log.validationRows == 51 && run.log.trainingRows == 461)
        #expect(curve.last!.trainingLoss < curve.first!.trainingLoss / 10)
        #expect(curve.last!.validationLoss! < 0.05)
        let again = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        #expect(again.network.flatParameters == run.network.flatParameters)
        options.seed = 6
        #expect(try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets).network.flatParameters
                != run.network.flatParameters)
    }

    @Test(arguments: [Activation.linear, .tanh])
    func standardizationFoldsIntoTheModel(output: Activation) throws {
        let (inputs, targets) = toyData(rows: 256, seed: 2)
        let model = try initialized([2, 8, 1], [.tanh, output], seed: 4)
        // Folding alone: the rescaled model predicts scale * f + shift.
        let folded = try model.rescalingOutputs(scale: [2.5], shift: [-0.75])
        #expect(folded.layers.count == (output == .linear ? 2 : 3))
        for (y, z) in zip(model.predict(inputs), folded.predict(inputs)) { #expect(nearlyEqual(2.5 * y - 0.75, z, 1e-14)) }
        // After standardized training, predictions are in the targets' units: the folded loss equals the
        // standardized validation loss times the variance.
        var options = TrainingOptions()
        options.epochs = 5
        options.batchSize = 16
        options.learningRate = 1e-2
        options.standardize = true
        options.validationFraction = 0
        let run = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        let predictions = run.network.predict(inputs)
        let mse = zip(predictions, targets).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(targets.count)
        let unfolded = try Network(architecture: model.architecture, weights: Array(run.network.weights.prefix(2)),
                                   biases: Array(run.network.biases.prefix(2)))
        let standardized = zip(unfolded.predict(inputs), targets).map { y, t -> Double in
            let r = y - (t - run.log.targetMean[0]) / run.log.targetScale[0]
            return r * r
        }.reduce(0, +) / Double(targets.count)
        if output == .tanh { #expect(nearlyEqual(mse, standardized * pow(run.log.targetScale[0], 2), 1e-10)) }
        #expect(mse < 0.2)
    }

    @Test func initializationKeepsGivenLayersAndIsSeeded() throws {
        let model = unparameterised([3, 4, 2], [.silu, .linear])
        let a = try Initializer.network(for: model, seed: 8), b = try Initializer.network(for: model, seed: 8)
        #expect(a.flatParameters == b.flatParameters)
        #expect(a.weights[0].count == 12 && a.biases[0] == [0, 0, 0, 0])
        #expect(try Initializer.network(for: model, seed: 9).flatParameters != a.flatParameters)
        // A layer that has parameters keeps them exactly; only the missing one is drawn.
        let given = LayerParameters(weight: ParameterArray(doubles: [1, 2, 3, 4, 5, 6, 7, 8])!, bias: ParameterArray(doubles: [0.5, 0.25])!)
        let partial = try Model(architecture: model.architecture, parameters: [nil, given])
        let network = try Initializer.network(for: partial, seed: 8)
        #expect(network.weights[1] == [1, 2, 3, 4, 5, 6, 7, 8] && network.biases[1] == [0.5, 0.25])
        #expect(network.weights[0] == a.weights[0])
    }

    @Test func schedules() {
        var options = TrainingOptions()
        options.epochs = 10
        options.learningRate = 1
        options.schedule = .cosine
        #expect(options.learningRate(epoch: 1) == 1 && nearlyEqual(options.learningRate(epoch: 6), 0.5, 1e-15))
        options.schedule = .step
        options.stepSize = 4
        #expect(options.learningRate(epoch: 4) == 1 && nearlyEqual(options.learningRate(epoch: 5), 0.1, 1e-15))
    }

    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        let (inputs, targets) = toyData(rows: 200, seed: 3)
        let model = try initialized([2, 8, 1], [.tanh, .linear], seed: 4)
        var options = TrainingOptions()
        options.epochs = 400
        options.batchSize = 8
        options.learningRate = 0.05   // large enough that validation loss stalls and wanders
        options.patience = 3
        let run = try MLPTrainer(options: options).train(model, inputs: inputs, targets: targets)
        #expect(run.log.stoppedEarly && run.log.epochs.count == run.log.bestEpoch + 3)
        let best = run.log.epochs[run.log.bestEpoch - 1].validationLoss!
        #expect(run.log.epochs.allSatisfy { $0.validationLoss! >= best })
    }

    @Test func badInputsAreRejected() throws {
        let model = try initialized([2, 3, 1], [.tanh, .linear], seed: 1)
        #expect(throws: TrainingError.self) { try MLPTrainer(options: TrainingOptions()).train(model, inputs: [1, 2, 3], targets: [1]) }
        #expect(throws: TrainingError.self) { try MLPTrainer(options: TrainingOptions()).train(model, inputs: [1, 2], targets: [1, 2]) }
        var options = TrainingOptions()
        options.validationFraction = 1
        #expect(throws: TrainingError.self) { try MLPTrainer(options: options).train(model, inputs: [1, 2], targets: [1]) }
        // Unusable data are named as such: no rows, or a number that is not finite.
        #expect(throws: TrainingError.unusableData("there are no rows to train on")) {
            try MLPTrainer(options: TrainingOptions()).train(model, inputs: [], targets: [])
        }
        #expect(throws: TrainingError.unusableData("target row 1 holds nan, not a finite number")) {
            try MLPTrainer(options: TrainingOptions()).train(model, inputs: [1, 2, 3, 4], targets: [1, .nan])
        }
    }
}

@Suite struct FastActivationTests {
    @Test func tanhAndSigmoidMatchLibm() {
        var rng = Xoshiro256(seed: 1)
        var worstTanh = 0.0, worstSigmoid = 0.0
        for k in 0..<200_000 {
            // Log-uniform magnitudes from 1e-12 to 50, both signs, plus exact zero.
            let x = k == 0 ? 0 : (rng.uniform() < 0.5 ? -1 : 1) * Foundation.pow(10, rng.uniform(-12, 1.7))
            let t = ActivationKernels.tanh(x), reference = Foundation.tanh(x)
            worstTanh = Swift.max(worstTanh, abs(t - reference) / Swift.max(abs(reference), .leastNormalMagnitude))
            let s = ActivationKernels.sigmoid(x), sReference = 1 / (1 + Foundation.exp(-x))
            worstSigmoid = Swift.max(worstSigmoid, abs(s - sReference) / sReference)
        }
        // The buffer kernels (four lanes at a time, padded tail) agree with the scalar formulas.
        let z = (0..<1003).map { _ in rng.uniform(-30, 30) }
        var a = [Double](repeating: 0, count: z.count), b = a
        ActivationKernels.tanh(z, &a, count: z.count)
        ActivationKernels.sigmoid(z, &b, count: z.count)
        #expect(a == z.map(ActivationKernels.tanh) && b == z.map(ActivationKernels.sigmoid))
        #expect(worstTanh < 5e-16, "tanh relative error \(worstTanh)")
        #expect(worstSigmoid < 5e-16, "sigmoid relative error \(worstSigmoid)")
        #expect(ActivationKernels.tanh(1000) == 1 && ActivationKernels.tanh(-1000) == -1)
        #expect(ActivationKernels.sigmoid(-800) >= 0 && ActivationKernels.sigmoid(800) == 1)
    }
}
