// `nnfeyn born iterate`: a quick run end to end (files, report structure, the first-order kernel, determinism), the
// residual and proxy arithmetic on networks whose Taylor terms are known by hand, and the tensors read by the fused
// evaluator against an independent finite-difference oracle.
import Foundation
import NNFeynAlgebra
import NNFeynEval
import NNFeynLanguage
import NNFeynModel
import NNFeynPhysics
import NNFeynTestSupport
import NNFeynTraining
import Testing
@testable import NNFeynExperiments

/// Derivatives of orders 0...order of a one-output model at 0 by nested central differences of `predict`: the
/// slow oracle the fused evaluator is checked against (step h per order balances truncation and rounding).
func finiteDifferenceTensors(_ model: Network<Double>, order: Int) -> TaylorExpansion<Double> {
    let n = model.inputDimension
    let basis = MonomialBasis(variables: n, maxDegree: order)
    var derivatives: [[Double]] = [model.predict([Double](repeating: 0, count: n))]
    for k in stride(from: 1, through: order, by: 1) {
        let h = [1e-4, 1e-3, 1e-2][Swift.min(k - 1, 2)]
        var points: [Double] = [], signs: [Double] = []
        for position in basis.range(ofDegree: k) {
            for mask in 0..<(1 << k) {
                var x = [Double](repeating: 0, count: n)
                var sign = 1.0
                for (m, i) in basis.indexLists[position].enumerated() {
                    if mask & (1 << m) != 0 { x[i] += h } else { x[i] -= h; sign = -sign }
                }
                points += x
                signs.append(sign)
            }
        }
        let values = model.predict(points)
        let scale = Foundation.pow(2 * h, Double(k))
        derivatives.append((0..<basis.range(ofDegree: k).count).map { m in
            (0..<(1 << k)).reduce(0.0) { $0 + signs[m << k + $1] * values[m << k + $1] } / scale
        })
    }
    return TaylorExpansion(basis: basis, outputCount: 1, convention: .derivative, values: derivatives.flatMap { $0 })
}

/// f(U) = z + z^2 + z^3 with z = w . U: P_1 = z, P_2 = z^2, P_3 = z^3, known by hand.
func cubicModel(_ w: [Double]) throws -> Network<Double> {
    let architecture = try Architecture(name: "cubic", input: ModelInput(name: "U", dimension: w.count), layers: [
        LayerShape(name: "h", width: 1, fanIn: w.count, activation: .poly([Rational(0), Rational(1), Rational(1), Rational(1)])),
        LayerShape(name: "out", width: 1, fanIn: 1, activation: .linear),
    ])
    return try Network(architecture: architecture, weights: [w, [1]], biases: [[0], [0]])
}

/// A seeded network of the given widths (the last layer is the output).
func initialized(_ widths: [Int], _ activations: [Activation], seed: UInt64) throws -> Network<Double> {
    let architecture = try Architecture(name: "net", input: ModelInput(name: "x", dimension: widths[0]),
                                        widths: Array(widths.dropFirst()), activations: activations)
    return try Initializer.network(for: Model(architecture: architecture, parameters: architecture.layers.map { _ in nil }), seed: seed)
}

@Suite struct IterationTests {
    /// One quick run shared by the tests that only read it.
    static let quickRun = Result { () throws(IterationError) -> IterationRun in try IterativePerturbationTheory.run(.quick) }

    @Test func quickRunWritesLoadableNetworksAndLearnsTheFirstOrderKernel() throws {
        let run = try Self.quickRun.get()
        let directory = try temporaryDirectory("nnfeyn-iterate")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(run.models.map(\.stem) == ["iteration1", "iteration2", "iteration3"])
        for (stem, model) in run.models {
            try ModelWriter.write(model, to: directory.appendingPathComponent(stem + ".nn").path)
        }
        let report = run.report
        #expect(report.iterations.map(\.iteration) == [1, 2, 3])
        #expect(report.iterations.map { $0.tensors.map(\.role) } == [["learned", "higher", "higher"],
                                                                      ["leftover", "learned", "higher"],
                                                                      ["leftover", "leftover", "learned"]])
        #expect(report.proxy.map(\.order) == [1, 2, 3])
        #expect(report.proxy.allSatisfy { $0.bins.count == IterationOptions.quick.depthBins })
        #expect(report.proxy.allSatisfy { $0.bins.reduce(0) { $0 + $1.count } == IterationOptions.quick.testCount })
        // A loose bound for 6000 attractive potentials and 80 epochs (seeds 1-3 give 1.5-2.9%).
        #expect(report.learnedErrors[0] < 0.05, "first-order kernel relative error \(report.learnedErrors[0])")
        // The first-order proxy is close to the first Born approximation, whose error against a0 is known.
        #expect(report.proxy[0].relativeRMSVsBorn < 0.1)

        // The written file is the network the tensors were read from: loading and expanding it gives them back.
        let network = try ModelLoader.load(path: directory.appendingPathComponent("iteration2.nn").path)
        let expansion = try Expander.expand(network, order: 3, mode: .numeric).numeric
        for k in 1...3 {
            let reread = expansion.derivatives(output: 0, order: k)
            let original = run.outcomes[1].tensors.derivatives(output: 0, order: k)
            let scale = original.map(abs).max() ?? 1
            #expect(zip(reread, original).allSatisfy { abs($0 - $1) <= 1e-12 * scale })
        }
    }

    @Test func sameSeedSameReport() throws {
        let first = try Self.quickRun.get().report.jsonData()
        // The second run also checkpoints: after iterations 1 and 2 (not the last) it hands over what is finished.
        nonisolated(unsafe) var partials: [IterationRun] = []
        let secondRun = try IterativePerturbationTheory.run(.quick, checkpoint: { partials.append($0) })
        let second = try secondRun.report.jsonData()
        #expect(first == second)
        #expect(partials.map(\.outcomes.count) == [1, 2])
        for partial in partials {
            let k = partial.outcomes.count
            // A partial report is the final one cut after iteration k, its proxy evaluated up to order k.
            #expect(partial.report.iterations == Array(secondRun.report.iterations.prefix(k)))
            #expect(partial.report.proxy.map(\.order) == Array(1...k))
            // Refinement changes the estimate of earlier orders later on; without it the proxies are the final ones.
            if secondRun.options.refinement == .none { #expect(partial.report.proxy == Array(secondRun.report.proxy.prefix(k))) }
            #expect(partial.report.options == secondRun.report.options)
            #expect(partial.models.map(\.stem) == (1...k).map { "iteration\($0)" })
        }
        // A different seed changes the numbers (one short iteration is enough to see it).
        var short = IterationOptions.quick
        short.iterations = 1
        short.epochs = 3
        let base = try IterativePerturbationTheory.run(short).report
        short.seed = 2
        #expect(try IterativePerturbationTheory.run(short).report.learnedErrors != base.learnedErrors)
    }

    @Test func reportJSONKeys() throws {
        let data = try Self.quickRun.get().report.jsonData()
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root.keys.sorted() == ["born_kernel_norms", "estimate_errors", "iterations", "learned_errors", "options",
                                       "proxy", "schema"])
        #expect(root["schema"] as? String == "nnfeyn.born.iterate/1")
        let options = try #require(root["options"] as? [String: Any])
        #expect(options.keys.sorted() == ["activation", "anchored", "batch", "depth", "depth_bins", "depth_sampling",
                                          "ensemble", "epochs", "hidden", "input_gain", "iterations", "lm_rows",
                                          "lr", "polish", "polish_l2", "polish_lm", "polish_lm_from", "range", "refinement", "sampling", "schedule", "seed", "standardize_inputs", "steps", "test_count",
                                          "threads", "train_count", "validation", "weight_decay", "weight_exponent",
                                          "weight_floor"])
        let iteration = try #require((root["iterations"] as? [[String: Any]])?.first)
        #expect(iteration.keys.sorted() == ["estimate_errors", "iteration", "network", "target", "tensors", "test_relative_rms",
                                            "training"])
        // Iteration 1 takes no Levenberg-Marquardt steps (`levenbergMarquardtFrom` is 2), the later ones do.
        #expect((iteration["training"] as? [String: Any])?.keys.sorted()
                == ["best_epoch", "epochs", "polish_steps", "polished_training_loss", "polished_validation_loss",
                    "target_scale", "training_loss", "validation_loss"])
        let last = try #require((root["iterations"] as? [[String: Any]])?.last)
        #expect((last["training"] as? [String: Any])?.keys.sorted()
                == ["best_epoch", "epochs", "lm_steps", "lm_training_loss", "lm_validation_loss", "polish_steps",
                    "polished_training_loss", "polished_validation_loss", "target_scale", "training_loss", "validation_loss"])
        #expect((iteration["tensors"] as? [[String: Any]])?.first?.keys.sorted()
                == ["order", "relative_error", "relative_error_vs_born", "relative_norm", "role"])
        let proxy = try #require((root["proxy"] as? [[String: Any]])?.first)
        #expect(proxy.keys.sorted() == ["bins", "born_relative_rms_vs_a0", "order", "ratio_to_born", "relative_rms_vs_a0",
                                        "relative_rms_vs_born"])
        #expect((proxy["bins"] as? [[String: Any]])?.first?.keys.sorted()
                == ["born_relative_rms_vs_a0", "count", "lambda_max", "lambda_min", "relative_rms_vs_a0", "relative_rms_vs_born"])
        // Keys come out sorted in the text too, so the file diffs cleanly.
        let text = String(decoding: data, as: UTF8.self)
        let order = ["born_kernel_norms", "estimate_errors", "iterations", "learned_errors", "options", "proxy", "schema"].map {
            text.range(of: "\"\($0)\"")!.lowerBound
        }
        #expect(order == order.sorted())
    }

    @Test func everyNetworkIsPolishedBelowItsAdamLoss() throws {
        let run = try Self.quickRun.get()
        #expect(IterationOptions.quick.polishSteps > 0)
        for iteration in run.report.iterations {
            let t = iteration.training
            let polished = try #require(t.polishedTrainingLoss)
            #expect((t.polishSteps ?? 0) > 0)
            // The polish starts from the Adam parameters, so the full training loss can only fall; the Adam loss
            // reported is the last epoch's mean over its mini-batches, a noisier number of the same size.
            #expect(polished < t.trainingLoss, "iteration \(iteration.iteration): \(t.trainingLoss) -> \(polished)")
            // Levenberg-Marquardt, from iteration 2 on, starts where L-BFGS stopped and accepts only decreases of
            // the same loss (plus a penalty that adds 1e-10/2 sum w^2, far below the losses here).
            if iteration.iteration < IterationOptions.quick.levenbergMarquardtFrom {
                #expect(t.lmSteps == nil && t.finalTrainingLoss == polished)
                continue
            }
            let lm = try #require(t.lmTrainingLoss)
            #expect((1...IterationOptions.quick.levenbergMarquardtSteps).contains(t.lmSteps ?? 0))
            #expect(lm < polished, "iteration \(iteration.iteration): \(polished) -> \(lm)")
            #expect(t.finalTrainingLoss == lm && t.finalValidationLoss == t.lmValidationLoss)
        }
    }

    @Test func residualRemovesTheKnownTaylorTerms() throws {
        let w = [0.3, -0.7, 1.1]
        let tensors = try Expander.expand(try cubicModel(w), order: 3)
        // Derivatives of z^k are k! w_i w_j ...: check the dense tensors entry by entry.
        let second = tensors.dense(order: 2), third = tensors.dense(order: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(abs(second[i * 3 + j] - 2 * w[i] * w[j]) < 1e-14)
                for k in 0..<3 { #expect(abs(third[(i * 3 + j) * 3 + k] - 6 * w[i] * w[j] * w[k]) < 1e-14) }
            }
        }
        var rng = Xoshiro256(seed: 5)
        let rows = (0..<20 * 3).map { _ in rng.uniform(-1, 1) }
        let a0 = (0..<20).map { _ in rng.uniform(-1, 1) }
        let residual = IterativePerturbationTheory.subtracting(
            tensors, order: 2, from: IterativePerturbationTheory.subtracting(tensors, order: 1, from: a0, rows: rows), rows: rows)
        for row in 0..<20 {
            let z = (0..<3).reduce(0.0) { $0 + w[$1] * rows[row * 3 + $1] }
            #expect(abs(residual[row] - (a0[row] - z - z * z)) < 1e-14)
        }
    }

    @Test func proxyOfTheExactKernelsIsTheAnalyticBornSeries() throws {
        var options = BornDataOptions(steps: 6, count: 200, seed: 3)
        options.depth = 2
        let data = try BornDataSet(options: options)
        let kernels = BornKernels(edges: data.edges)
        let evaluation = ProxyEvaluation(estimate: kernels.tensors, orders: 3, data: data)
        for K in 0..<3 {
            #expect(IterationReport.relativeRMS(evaluation.proxy[K], evaluation.born[K]) < 1e-12)
        }
        // The analytic Born errors shrink order by order for these shallow wells.
        let errors = evaluation.born.map { IterationReport.relativeRMS($0, evaluation.a0) }
        #expect(errors[0] > errors[1] && errors[1] > errors[2])
    }

    @Test func fusedTensorsAgreeWithFiniteDifferences() throws {
        let start = try initialized([4, 6, 5, 1], [.tanh, .tanh, .linear], seed: 11)
        // A nonzero first-layer bias makes every order nonzero.
        let model = try start.with(weights: start.weights, biases: [[0.2, -0.1, 0.3, 0.05, -0.25, 0.15]] + start.biases.dropFirst())
        let fused = try Expander.expand(model, order: 3)
        let oracle = finiteDifferenceTensors(model, order: 3)
        for k in 1...3 {
            let error = TensorNorm.relativeFrobenius(fused.dense(order: k), oracle.dense(order: k))
            #expect(error < [1e-6, 1e-5, 1e-3][k - 1], "order \(k): relative difference \(error)")
        }
    }

    @Test func foldingInputScalingKeepsTheFunction() throws {
        let model = try initialized([3, 4, 1], [.tanh, .linear], seed: 4)
        let scale = [0.5, 2.0, 0.25], shift = [-0.1, 0.3, 0.0]
        let folded = try model.composingInputs(scale: scale, shift: shift)
        let x = [0.2, -0.4, 0.9]
        let standardized = (0..<3).map { (x[$0] - shift[$0]) / scale[$0] }
        #expect(abs(folded.predict(x)[0] - model.predict(standardized)[0]) < 1e-14)
    }

    @Test func foldingAMatrixKeepsTheFunction() throws {
        let model = try initialized([3, 4, 1], [.tanh, .linear], seed: 4)
        let matrix = [0.5, 0, 0, -0.2, 2.0, 0, 0.1, 0.3, 0.25], shift = [-0.1, 0.3, 0.0]
        let folded = try model.composingInputs(matrix: matrix, shift: shift)
        let x = [0.2, -0.4, 0.9]
        let mapped = (0..<3).map { i in (0..<3).reduce(0.0) { $0 + matrix[i * 3 + $1] * (x[$1] - shift[$1]) } }
        #expect(abs(folded.predict(x)[0] - model.predict(mapped)[0]) < 1e-14)
    }

    @Test func whitenedInputsHaveUnitCovariance() throws {
        let data = try BornDataSet(options: BornDataOptions(steps: 5, count: 4000, seed: 3))
        let whitening = InputWhitening(rows: data.potentials, dimension: 5, gain: 1)
        let x = whitening.apply(data.potentials)
        let count = Double(data.a0.count)
        for i in 0..<5 {
            for j in 0..<5 {
                let covariance = stride(from: 0, to: x.count, by: 5).reduce(0.0) { $0 + x[$1 + i] * x[$1 + j] } / count
                #expect(abs(covariance - (i == j ? 1 : 0)) < 1e-10, "(\(i), \(j)): \(covariance)")
            }
        }
        // The anchor U = 0 in whitened units is the map applied to the origin.
        let origin = InputWhitening.apply(whitening.matrix, mean: whitening.mean, to: [0, 0, 0, 0, 0])
        #expect(origin == Array(whitening.apply([0, 0, 0, 0, 0])))
    }

    /// The Levenberg-Marquardt options apply from iteration 2 on, but a bad one is refused before iteration 1 trains.
    @Test func levenbergMarquardtOptionsAreCheckedBeforeAnyTraining() {
        var options = IterationOptions()
        options.levenbergMarquardtSteps = -1
        #expect(throws: IterationError.self) { try options.validate() }
        options = IterationOptions()
        options.hidden = [128, 128] // 18 817 parameters: too many for the Gauss-Newton matrices
        #expect(throws: IterationError.self) { try options.validate() }
        options.levenbergMarquardtSteps = 0
        #expect(throws: Never.self) { try options.validate() }
        options.levenbergMarquardtSteps = 50
        options.levenbergMarquardtFrom = 4 // beyond the 3 iterations: never used
        #expect(throws: Never.self) { try options.validate() }
    }

    /// Log-uniform depths: every lambda in [floor depth, depth], log lambda uniform, and weights that undo the
    /// sampling density (times lambda), so the expected weighted loss is the one of uniform depths.
    @Test func logUniformDepthsCarryImportanceWeights() throws {
        var options = IterationOptions.quick
        options.depthSampling = try #require(DepthSampling("log"))
        options.depth = 0.5
        #expect(options.depthSampling.description == "log")
        let data = try options.trainingSet()
        let low = options.weightFloor * options.depth
        #expect(data.lambda.allSatisfy { $0 >= low * (1 - 1e-12) && $0 <= options.depth })
        let meanLog = data.lambda.reduce(0.0) { $0 + Foundation.log($1) } / Double(data.lambda.count)
        #expect(abs(meanLog - (Foundation.log(low) + Foundation.log(options.depth)) / 2) < 0.05)
        // The wells still have depth lambda: U_i = -lambda u_i with u_i in [0, 1], and a0 is recomputed for them.
        let n = options.steps
        for row in 0..<20 {
            let U = data.potentials[row * n..<(row + 1) * n]
            #expect(U.allSatisfy { $0 <= 0 && $0 >= -data.lambda[row] })
            let exact = ScatteringLength.exact(StepPotential(edges: data.edges, values: Array(U)))
            #expect(abs(exact - data.a0[row]) <= 1e-12 * abs(exact))
        }
        let weights = try #require(options.weights(lambda: data.lambda, iteration: 2))
        for (w, lambda) in zip(weights, data.lambda) {
            #expect(abs(w - Foundation.pow(Swift.max(lambda, low), -2 * options.weightExponent) * lambda) <= 1e-12 * w)
        }
    }

    /// Five iterations: tensors of orders 1-5 from every network, compared with the any-order Born tensors, and the
    /// analytic Born partial sums of orders 4 and 5 closer to a0 than order 3.
    @Test func fiveIterationsReadAndCompareOrdersOneToFive() throws {
        var options = IterationOptions.quick
        options.iterations = 5
        options.epochs = 4
        let run = try IterativePerturbationTheory.run(options)
        #expect(run.report.learnedErrors.count == 5)
        #expect(run.report.iterations.map { $0.tensors.map(\.order) } == [[Int]](repeating: [1, 2, 3, 4, 5], count: 5))
        #expect(run.report.bornKernelNorms.count == 5)
        #expect(run.report.proxy.map(\.order) == [1, 2, 3, 4, 5])
        let born = run.report.proxy.map(\.bornRelativeRMSVsA0)
        #expect(born[3] < born[2] && born[4] < born[3], "analytic Born errors \(born)")
        // The packed norms are those of the dense tensors (orders 1-3 against the order-3 kernels).
        let order3 = BornKernels(steps: options.steps, range: options.range)
        let kernels = [order3.first, order3.second, order3.third]
        for k in 1...3 {
            let dense = TensorNorm.frobenius(kernels[k - 1])
            #expect(abs(run.report.bornKernelNorms[k - 1] - dense) <= 1e-12 * dense)
        }
    }

    /// Without refinement the learned series is each iteration's own order; the report says so.
    @Test func withoutRefinementTheEstimateIsEachIterationsOwnOrder() throws {
        var options = IterationOptions.quick
        options.refinement = .none
        options.epochs = 4
        let run = try IterativePerturbationTheory.run(options)
        #expect(run.report.estimateErrors == run.report.learnedErrors)
        #expect(run.report.iterations.map(\.estimateErrors.count) == [1, 2, 3])
        #expect(run.report.iterations.map(\.target) == ["a0", "a0 - P1", "a0 - P1 - P2"])
        for j in 1...3 {
            let own = run.outcomes[j - 1].tensors.keeping(orders: j...j)
            #expect(run.estimate.keeping(orders: j...j).values == own.values)
        }
    }

    /// The run's order-2 proxy is `series`' orders 1 and 2 evaluated on the test potentials.
    static func expectOrderTwoProxy(of run: IterationRun, is series: TaylorExpansion<Double>) throws {
        let test = try BornDataSet(options: run.options.testData)
        let proxy = zip(series.termValues(order: 1, rows: test.potentials), series.termValues(order: 2, rows: test.potentials)).map { $0 + $1 }
        #expect(zip(run.test.proxy[1], proxy).allSatisfy { abs($0 - $1) <= 1e-14 * Swift.max(1, abs($1)) })
    }

    /// The default refinement trains exactly as the published method (same residuals, bit-identical networks) and
    /// only reads more: after iteration k the learned order j < k is P_j plus f_k's order-j tensor, whose error
    /// against K_j is the leftover error the report measures against K_j - P_j.
    @Test func correctionAddsTheLastNetworksLowerOrders() throws {
        var options = IterationOptions.quick
        options.epochs = 4
        #expect(options.refinement == .correct)
        let run = try IterativePerturbationTheory.run(options)
        options.refinement = .none
        let published = try IterativePerturbationTheory.run(options)
        #expect(run.outcomes.map(\.network.flatParameters) == published.outcomes.map(\.network.flatParameters))
        #expect(run.report.iterations.map(\.target) == ["a0", "a0 - P1", "a0 - P1 - P2"])
        #expect(run.report.learnedErrors == published.report.learnedErrors)
        let t = run.outcomes.map(\.tensors)
        let expected = t[0].keeping(orders: 1...1) + t[1].keeping(orders: 2...2) + t[2].keeping(orders: 1...3)
        for (x, y) in zip(run.estimate.values, expected.values) { #expect(abs(x - y) <= 1e-15 * Swift.max(1, abs(y))) }
        for (k, iteration) in run.report.iterations.enumerated() where k > 0 {
            for j in 1...k {
                // P_j + T_j[f_{k+1}] against K_j is T_j[f_{k+1}] against K_j - P_j: the leftover's relative error.
                let leftover = iteration.tensors[j - 1].relativeError
                #expect(abs(iteration.estimateErrors[j - 1] - leftover) <= 1e-9 * leftover, "iteration \(k + 1), order \(j)")
            }
            #expect(iteration.estimateErrors[k] == run.report.learnedErrors[k])
        }
        // The proxy sums the corrected series.
        try Self.expectOrderTwoProxy(of: run, is: expected)
        let latex = IterationLaTeX(run: run)
        #expect(latex.document.contains("so the last network corrects every earlier order"))
        let figures = Dictionary(uniqueKeysWithValues: latex.figures.map { ($0.name, $0.body) })
        #expect(figures["fig-second-order"]?.contains("learned (iterations 2 and 3)") == true)
    }

    /// With residual refinement iteration k subtracts its network's orders 1...k, and the estimate of order j sums every
    /// iteration's order-j tensor from iteration j on; residuals and proxies follow.
    @Test func refinementSumsEveryIterationsTensors() throws {
        var options = IterationOptions.quick
        options.refinement = .residual
        options.epochs = 4
        let run = try IterativePerturbationTheory.run(options)
        let report = run.report
        #expect(report.options.refinement == "residual")
        #expect(report.iterations.map(\.target) == ["a0", "a0 - T1[f1]", "a0 - T1[f1] - T2[f2]"])
        let t = run.outcomes.map(\.tensors)
        let orderOne = t[0].keeping(orders: 1...1) + t[1].keeping(orders: 1...1) + t[2].keeping(orders: 1...1)
        let orderTwo = t[1].keeping(orders: 2...2) + t[2].keeping(orders: 2...2)
        let orderThree = t[2].keeping(orders: 3...3)
        let sum = orderOne + orderTwo + orderThree
        for (x, y) in zip(run.estimate.values, sum.values) { #expect(abs(x - y) <= 1e-15 * Swift.max(1, abs(y))) }
        for (j, expected) in [orderOne, orderTwo, orderThree].enumerated() {
            let error = expected.relativeFrobeniusError(against: run.exact, order: j + 1)
            #expect(abs(report.estimateErrors[j] - error) <= 1e-12 * error)
        }
        // After iteration 2 the estimate of order 1 already holds two tensors.
        let afterTwo = (t[0].keeping(orders: 1...1) + t[1].keeping(orders: 1...1)).relativeFrobeniusError(against: run.exact, order: 1)
        #expect(abs(report.iterations[1].estimateErrors[0] - afterTwo) <= 1e-12 * afterTwo)
        // The learned errors are still each iteration's own order-k tensor against K_k.
        for k in 1...3 {
            let own = t[k - 1].relativeFrobeniusError(against: run.exact, order: k)
            #expect(abs(report.learnedErrors[k - 1] - own) <= 1e-12 * own)
        }
        // Iteration 3's leftover at order 1 is measured against what iterations 1 and 2 left of K_1.
        let leftover = (t[2] - (run.exact - (t[0].keeping(orders: 1...1) + t[1].keeping(orders: 1...2))))
            .frobeniusNorm(order: 1) / report.bornKernelNorms[0]
        #expect(abs(report.iterations[2].tensors[0].relativeError - leftover) <= 1e-12 * leftover)
        // The order-2 proxy is the estimate's orders 1 and 2 on the test potentials.
        try Self.expectOrderTwoProxy(of: run, is: sum)
        let latex = IterationLaTeX(run: run)
        #expect(latex.document.contains("refine every order learned so far"))
        // The figures show the learned series: order k summed over iterations k...3, with its error.
        let figures = Dictionary(uniqueKeysWithValues: latex.figures.map { ($0.name, $0.body) })
        #expect(figures["fig-second-order"]?.contains("learned (iterations 2--3)") == true)
        #expect(figures["fig-first-order"]?.contains("learned (iterations 1--3)") == true)
        let entries = try #require(figures["fig-entries"])
        #expect(entries.contains("order 1 (iterations 1--3)") && entries.contains("order 3 (iteration 3)"))
        #expect(entries.contains("relative error \(IterationLaTeX.latexNumber(report.estimateErrors[1]))"))
    }

    @Test func invalidOptionsAreErrorsNotTraps() {
        var options = IterationOptions.quick
        options.iterations = 6
        #expect(throws: IterationError.self) { try options.validate() }
        options = .quick
        options.hidden = []
        #expect(throws: IterationError.self) { try IterativePerturbationTheory.run(options) }
        options = .quick
        options.activation = .relu
        #expect(throws: IterationError.invalid("--activation 'relu' has no curvature: its higher derivatives at 0 vanish")) {
            try options.validate()
        }
        options = .quick
        options.epochs = 0
        #expect(throws: IterationError.self) { try options.validate() }
    }

    @Test func latexReportHasEveryFigureAndBalancedEnvironments() throws {
        let latex = IterationLaTeX(run: try Self.quickRun.get())
        #expect(latex.figures.map(\.name) == ["fig-first-order", "fig-second-order", "fig-proxy", "fig-entries"])
        for source in [latex.document] + latex.figures.map({ IterationLaTeX.standalone($0.body) }) {
            for environment in ["document", "tikzpicture", "axis", "groupplot", "tabular"] {
                let begins = source.components(separatedBy: "\\begin{\(environment)}").count
                let ends = source.components(separatedBy: "\\end{\(environment)}").count
                #expect(begins == ends, "unbalanced \(environment)")
            }
            #expect(!source.contains("nan"), "a number did not format")
        }
        #expect(latex.document.contains("matrix plot*"))
    }

    @Test func bornKernelsAsTensorsMatchTheDenseArrays() {
        let kernels = BornKernels(steps: 4, range: 1)
        // The dense arrays sum their permutations in different orders, so they are symmetric up to rounding only.
        for (tensor, dense) in [(kernels.tensors.dense(order: 1), kernels.first), (kernels.tensors.dense(order: 2), kernels.second),
                                (kernels.tensors.dense(order: 3), kernels.third)] {
            #expect(TensorNorm.relativeFrobenius(tensor, dense) < 1e-15)
        }
        #expect(kernels.tensors.derivatives(output: 0, order: 0) == [0])
    }

    @Test func learnsTheScatteringLength() throws {
        // The trainer's end-to-end use: a small tanh net fitted to Born data beats predicting the mean by far.
        let data = try BornDataSet(options: BornDataOptions(steps: 8, count: 2000, seed: 4))
        var options = TrainingOptions()
        options.epochs = 15
        options.batchSize = 32
        options.learningRate = 3e-3
        options.standardize = true
        let run = try MLPTrainer(options: options).train(try initialized([8, 16, 1], [.tanh, .linear], seed: 1),
                                                         inputs: data.potentials, targets: data.a0)
        let predictions = run.network.predict(data.potentials)
        let mean = data.a0.reduce(0, +) / Double(data.a0.count)
        let variance = data.a0.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(data.a0.count)
        let mse = zip(predictions, data.a0).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(data.a0.count)
        #expect(mse < variance / 100, "mse \(mse), variance \(variance)")
    }
}
