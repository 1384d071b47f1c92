// L-BFGS and the trainer's polish phase: the minimizer against known minima (a quadratic whose minimizer is solved
// for exactly, Rosenbrock's valley), and the polish against the trainer's own full-batch loss: it lowers it, reports
// a lower loss on the written network, keeps the anchor, repeats bit for bit, and changes nothing when off.
import Foundation
import NNFeynAlgebra
import NNFeynModel
import Testing
@testable import NNFeynTraining

@Suite struct PolishTests {
    @Test func lbfgsFindsAQuadraticsMinimizer() {
        // f(x) = 1/2 x^T A x - b^T x with A = D + u u^T (SPD, condition number about 1e3): minimizer A^-1 b.
        let n = 12
        let d = (0..<n).map { 1 + 1000 * Double($0) / Double(n - 1) }
        let u = (0..<n).map { 0.3 * sin(Double($0 + 1)) }
        let b = (0..<n).map { cos(Double($0)) }
        func apply(_ x: [Double]) -> [Double] {
            let ux = zip(u, x).reduce(0.0) { $0 + $1.0 * $1.1 }
            return (0..<n).map { d[$0] * x[$0] + u[$0] * ux }
        }
        var x = [Double](repeating: 0, count: n)
        var minimizer = LBFGS()
        minimizer.gradientTolerance = 1e-10
        let outcome = minimizer.minimize(&x, iterations: 500) { x, g in
            let ax = apply(x)
            for i in 0..<n { g[i] = ax[i] - b[i] }
            return 0.5 * zip(x, ax).reduce(0.0) { $0 + $1.0 * $1.1 } - zip(b, x).reduce(0.0) { $0 + $1.0 * $1.1 }
        }
        // The residual A x - b must vanish.
        let residual = zip(apply(x), b).map { abs($0 - $1) }.max()!
        #expect(residual < 1e-8, "residual \(residual) after \(outcome.iterations) steps")
        #expect(outcome.iterations < 100 && !outcome.stalled, "\(outcome)")
    }

    @Test func lbfgsWalksRosenbrocksValley() {
        var x = [-1.2, 1.0]
        let outcome = LBFGS(memory: 5).minimize(&x, iterations: 500) { x, g in
            let a = 1 - x[0], c = x[1] - x[0] * x[0]
            g[0] = -2 * a - 400 * x[0] * c
            g[1] = 200 * c
            return a * a + 100 * c * c
        }
        #expect(abs(x[0] - 1) < 1e-6 && abs(x[1] - 1) < 1e-6, "ended at \(x) after \(outcome.iterations) steps")
    }

    @Test func lbfgsNeverStepsIntoOverflow() {
        // -log(1 - x) - 3x is finite only on x < 1 and least at x = 2/3. The first step from 0 lands on x = 1
        // (unit length along -g): it must be halved back, never taken.
        var x = [0.0]
        var minimizer = LBFGS()
        minimizer.gradientTolerance = 1e-12
        let outcome = minimizer.minimize(&x, iterations: 100) { x, g in
            guard x[0] < 1 else { g[0] = .nan; return .infinity }
            g[0] = 1 / (1 - x[0]) - 3
            return -log(1 - x[0]) - 3 * x[0]
        }
        #expect(outcome.value.isFinite && abs(x[0] - 2.0 / 3) < 1e-9, "ended at \(x) after \(outcome.iterations) steps")
    }

    static func options(polish: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = 5
        o.batchSize = 32
        o.standardize = true
        o.polishSteps = polish
        return o
    }

    @Test(arguments: [false, true])
    func polishLowersTheFullTrainingLossItReports(anchored: Bool) throws {
        let (inputs, targets) = toyData(rows: 400, seed: 6)
        let network = try initialized([2, 10, 1], [.tanh, .linear], seed: 7)
        var options = Self.options(polish: 60)
        if anchored { options.anchor = [0.1, 0.2] }
        let weights = (0..<400).map { 0.5 + Double($0 % 7) }
        let run = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, weights: weights)
        let polish = try #require(run.log.polish)
        #expect(polish.steps > 0 && polish.steps <= 60)
        #expect(polish.trainingLoss < 0.5 * polish.trainingLossBefore,
                "\(polish.trainingLossBefore) -> \(polish.trainingLoss)")
        // Without the polish, the same epochs end where the polish started.
        let plain = try MLPTrainer(options: Self.options(polish: 0).with(anchor: options.anchor))
            .train(network, inputs: inputs, targets: targets, weights: weights)
        #expect(plain.log.polish == nil)
        // Recomputed independently in the targets' units over every row (training and validation), from the
        // written networks: the polished one fits better.
        func weightedMSE(_ n: Network<Double>) -> Double {
            let y = n.predict(inputs)
            let offset = options.anchor.map { n.predict($0)[0] } ?? 0
            var sum = 0.0, total = 0.0
            for i in 0..<400 { let r = y[i] - offset - targets[i]; sum += weights[i] * r * r; total += weights[i] }
            return sum / total
        }
        #expect(weightedMSE(run.network) < weightedMSE(plain.network))
        if let anchor = options.anchor { #expect(abs(run.network.predict(anchor)[0]) < 1e-13) }
        // Deterministic.
        let again = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets, weights: weights)
        #expect(again.network.flatParameters == run.network.flatParameters)
    }

    @Test func polishStepsAreValidated() {
        var options = TrainingOptions()
        options.polishSteps = -1
        #expect(throws: TrainingError.self) { try options.validate() }
        options.polishSteps = 10
        options.polishPenalty = -1
        #expect(throws: TrainingError.self) { try options.validate() }
    }

    @Test func anL2PenaltyShrinksThePolishedWeights() throws {
        let (inputs, targets) = toyData(rows: 400, seed: 6)
        let network = try initialized([2, 10, 1], [.tanh, .linear], seed: 7)
        func weightNorm(_ penalty: Double) throws -> (Double, [Double]) {
            var options = Self.options(polish: 80)
            options.polishPenalty = penalty
            let run = try MLPTrainer(options: options).train(network, inputs: inputs, targets: targets)
            return (run.network.weights.flatMap { $0 }.reduce(0.0) { $0 + $1 * $1 }, run.network.biases.flatMap { $0 })
        }
        let (free, _) = try weightNorm(0)
        let (penalized, _) = try weightNorm(1e-2)
        #expect(penalized < free, "sum of squared weights \(free) without, \(penalized) with the penalty")
    }
}

extension TrainingOptions {
    func with(anchor: [Double]?) -> TrainingOptions {
        var copy = self
        copy.anchor = anchor
        return copy
    }
}
