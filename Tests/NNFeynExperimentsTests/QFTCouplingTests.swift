// Couplings, derivative correlators and depth: kernel integrals against closed forms, the ReLU-net's exact running
// coupling, least squares, the six-point prediction's exact remainder, and nnfeyn's expansion of sampled networks
// against the one-hidden-layer closed form.
import Foundation
import Testing
import NNFeynAlgebra
@testable import NNFeynExperiments

@Suite struct QFTCouplingTests {
    /// ReLU-net, sb = 0: K~(x, a) = sw^4 x a / 2 for x > 0, so int_{-L}^{L} prod K~ = (sw^4/2)^4 prod a L^5 / 5.
    @Test func reluKernelIntegralsAreExact() {
        let points = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
        for cutoff in [7.0, 100, 1e5] {
            let integrals = KernelIntegrals(ensemble: QFTEnsemble(activation: .relu, sw: 1.1), points: points, cutoff: cutoff)
            for t in [[0, 1, 2, 3], [5, 5, 5, 5], [0, 0, 4, 5]] {
                let exact = Foundation.pow(Foundation.pow(1.1, 4) / 2, 4) * t.reduce(1) { $0 * points[$1] } * Foundation.pow(cutoff, 5) / 5
                #expect(abs(integrals.product(t) - exact) <= 1e-12 * exact, "\(t) at \(cutoff)")
            }
        }
    }

    /// Gauss-net, infinite cutoff: int sw^4 e^(-(x-a)^2/2) e^(-(x-b)^2/2) dx = sw^4 sqrt(pi) e^(-(a-b)^2/4).
    @Test func gaussKernelIntegralsAreExact() {
        let points = [-0.01, 0.006, 0.3]
        let integrals = KernelIntegrals(ensemble: QFTEnsemble(activation: .gauss, sw: 1.2), points: points, cutoff: .infinity)
        for (a, b) in [(0, 1), (1, 2), (2, 2)] {
            // K~ = sw^2 exp(-sw^2 (x - a)^2 / 2): the product integrates to sw^4 sqrt(pi/sw^2) e^(-sw^2 (a-b)^2/4).
            let s2 = 1.44, d = points[a] - points[b]
            let exact = s2 * s2 * (Double.pi / s2).squareRoot() * Foundation.exp(-s2 * d * d / 4)
            #expect(abs(integrals.product([a, b]) - exact) <= 1e-12 * exact)
        }
    }

    /// Erf-net: the composite rule against a much finer uniform one.
    @Test func erfKernelIntegralsConverge() {
        let ensemble = QFTEnsemble(activation: .erf)
        let points = [-1.0, -0.2, 0.6]
        let integrals = KernelIntegrals(ensemble: ensemble, points: points, cutoff: 20)
        let fine = QuadratureRule.composite(breaks: (0...800).map { -20 + 0.05 * Double($0) }, pointsPerPanel: 10)
        for t in [[0, 1, 2, 2], [0, 0, 1, 1]] {
            let reference = zip(fine.nodes, fine.weights).reduce(0) { total, nw in
                total + nw.1 * t.reduce(1) { $0 * ensemble.reducedKernel([nw.0], [points[$1]]) }
            }
            #expect(abs(integrals.product(t) - reference) <= 1e-11 * abs(reference))
        }
    }

    /// The running coupling of the ReLU-net: lambda = 25 / (2 N sw^8 Lambda^5) at every tuple (exact entries), and
    /// the sampled lambdas follow Lambda^-5 exactly too, because the numerator does not depend on the cutoff.
    @Test func reluRunningCouplingFollowsTheExactLaw() throws {
        var options = CouplingOptions.defaults(.relu, command: "rg", quick: true)
        options.cutoffs = [7, 100, 1e5]
        options.plan.threads = 2
        let report = QFTRun.report(try QuarticCouplings.sample(options, command: "rg"))
        let rg = try #require(report.rg)
        for entry in rg.entries {
            let cutoff = try #require(entry.cutoff)
            let exact = try #require(entry.lambda.exact)
            #expect(abs(exact - 12.5 / (20 * Foundation.pow(cutoff, 5))) <= 1e-12 * exact)
        }
        #expect(abs(try #require(rg.slope.exact) + 5) < 1e-12)
        #expect(abs(try #require(rg.slope.slope) + 5) < 1e-12)
        let scaled = try #require(rg.lambdaTimesCutoff5)
        #expect(abs(try #require(scaled.exact) - 0.625) < 1e-15)
        #expect(abs(try #require(scaled.value) - 0.625) < 5 * (try #require(scaled.stderr)))
    }

    /// With the exact coupling, GP + quartic misses the exact six-point function by the connected part alone:
    /// k6 / G6 = (44/N^2) / (1 + 15/N + 44/N^2) for the ReLU-net.
    @Test func sixPointPredictionLeavesTheConnectedPart() throws {
        var options = CouplingOptions.defaults(.relu, command: "sixpt", quick: true)
        options.cutoffs = [50]
        options.plan.models = 2000
        let six = try #require(QFTRun.report(try QuarticCouplings.sample(options, command: "sixpt")).sixpt)
        let n = 20.0
        let expected = (44 / (n * n)) / (1 + 15 / n + 44 / (n * n))
        #expect(abs(try #require(six.cutoffs[0].predictionErrorExact) - expected) < 1e-12)
        #expect(abs(try #require(six.cutoffs[0].gpErrorExact) - (15 / n + 44 / (n * n)) / (1 + 15 / n + 44 / (n * n))) < 1e-12)
        #expect(six.tuples.count == 462)
    }

    @Test func leastSquaresHandlesRankDeficiency() {
        let rows = [[1.0, 2, 0.5], [2, 1, 1], [0, 1, 3], [1, 1, 1]]
        let y = rows.map { 2 * $0[0] - 1 * $0[1] + 0.25 * $0[2] }
        let full = LeastSquares.solve(rows, y)
        #expect(full.rank == 3)
        for (c, e) in zip(full.coefficients, [2, -1, 0.25]) { #expect(abs(c - e) < 1e-12) }
        // Proportional columns: rank 1, and the minimum-norm solution in unit-column coordinates gives each template
        // the same share of the fit, whatever its units: x1 * 1 = x2 * 2 = 5/2.
        let degenerate = [[1.0, 2], [2, 4], [3, 6]]
        let solution = LeastSquares.solve(degenerate, [5, 10, 15])
        #expect(solution.rank == 1)
        #expect(abs(solution.coefficients[0] - 2.5) < 1e-12 && abs(solution.coefficients[1] - 1.25) < 1e-12)
    }

    @Test func fitOfTheReLUNetIsExactlyLocal() throws {
        var options = CouplingOptions.defaults(.relu, command: "fit", quick: true)
        options.plan.models = 2000
        let fit = try #require(QFTRun.report(try QuarticCouplings.sample(options, command: "fit")).fit)
        let local = try #require(fit.models.first)
        #expect(local.rank == 1 && fit.models.allSatisfy { $0.rank == 1 })
        // The exact G4 - G4_GP is a local quartic term: 0% error on training and test points.
        #expect(try #require(local.exactMapeTrain) < 1e-9 && (try #require(local.exactMapeTest)) < 1e-9)
        let lambda0: Double = try #require(local.coefficients[0].exact)
        let expected: Double = 12.5 / (20 * 1e10)
        #expect(abs(lambda0 - expected) < 1e-12 * expected)
    }
}

@Suite struct QFTDerivativeTests {
    /// The pipeline's Taylor coefficients against the closed form of a one-hidden-layer Erf-net at x0, with the
    /// parameters redrawn in the documented order from the same stream and erf^(k) from the moments' own Hermite rule.
    @Test func sampledCoefficientsAreTheNetworksTaylorCoefficients() throws {
        let ensemble = QFTEnsemble(activation: .erf, sw: 1.3, sb: 0.7)
        let order = 4, width = 5, models = 3, x0 = 0.35
        let evaluator = TaylorEvaluator(ensemble: ensemble, point: [x0], order: order, count: order + 1)
        let worker = evaluator.makeWorker(width: width)
        var rng = NormalSampler(seed: 99)
        var output = [Double](repeating: 0, count: models * (order + 1))
        try output.withUnsafeMutableBufferPointer { try worker.evaluate(count: models, rng: &rng, output: $0.baseAddress!) }
        var replay = NormalSampler(seed: 99)
        for m in 0..<models {
            let w0 = (0..<width).map { _ in 1.3 * replay.normal() }
            let b0 = (0..<width).map { _ in 0.7 * replay.normal() }
            let w1 = (0..<width).map { _ in 1.3 / Double(width).squareRoot() * replay.normal() }
            let b1 = 0.7 * replay.normal()
            var factorial = 1.0
            for k in 0...order {
                if k > 0 { factorial *= Double(k) }
                var c = k == 0 ? b1 : 0
                for i in 0..<width {
                    let z = w0[i] * x0 + b0[i]
                    let derivative = k == 0 ? Foundation.erf(z) : NeuronMoments.erfDerivative(k, at: z)
                    c += w1[i] * derivative * Foundation.pow(w0[i], Double(k)) / factorial
                }
                #expect(abs(output[m * (order + 1) + k] - c) <= 1e-13 * max(abs(c), 1), "model \(m), order \(k)")
            }
        }
    }

    @Test func derivativeCorrelatorsAgreeWithTheirTheoryAndMergeExactly() throws {
        var options = DerivativeOptions.defaults(.erf, order: 2, quick: true)
        options.widths = [1, 4]
        options.plan.models = 20000
        options.plan.threads = 2
        let single = try DerivativeCorrelators.sample(options)
        let report = QFTRun.report(single)
        for w in report.widths {
            for (order, z) in try #require(w.maxZ) { #expect(z < 5, "N = \(w.width), order \(order): \(z)") }
        }
        let derivs = try #require(report.derivs)
        let c1 = try #require(derivs.diagonal.first { $0.width == 4 && $0.monomial == [1] })
        #expect(abs(try #require(c1.exact) - 4 / (Double.pi * 5.0.squareRoot())) < 1e-13)
        // Two shards merge into the single run.
        var first = options, second = options
        first.plan.shardCount = 2
        second.plan.shardCount = 2
        second.plan.shardIndex = 1
        let merged = try QFTRun.merge([try DerivativeCorrelators.sample(second), try DerivativeCorrelators.sample(first)])
        #expect(merged.widths == single.widths)
    }

    @Test func reluAtItsKinkIsReported() {
        var options = DerivativeOptions.defaults(.relu, order: 1, quick: true)
        options.point = [0]
        options.plan.models = 100
        #expect(throws: QFTError.self) { try DerivativeCorrelators.sample(options) }
    }
}
