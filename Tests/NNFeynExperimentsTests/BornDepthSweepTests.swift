// The depth sweep's pieces: residuals after k orders on a network whose Taylor terms are known by hand, the
// any-order Born terms against the data set's own, scaled copies of one draw at every depth, option checks, and the
// report and LaTeX of a tiny sweep (the quick sweep itself runs through the binary in NNFeynCLITests).
import Foundation
import NNFeynAlgebra
import NNFeynEval
import NNFeynModel
import NNFeynPhysics
import NNFeynTestSupport
import Testing
@testable import NNFeynExperiments

@Suite struct BornDepthSweepTests {
    @Test func residualsAfterKOrdersOfAKnownNetwork() throws {
        // f = z + z^2 + z^3 with z = w . U: the residual after k orders is the rest of the cubic, exactly.
        let w = [0.3, -0.7, 1.1]
        let network = try cubicModel(w)
        let tensors = try Expander.expand(network, order: 4)
        var rng = Xoshiro256(seed: 7)
        let rows = (0..<10 * 3).map { _ in rng.uniform(-1, 1) }
        let a0 = (0..<10).map { _ in rng.uniform(-1, 1) }
        let terms = (0..<10).map { _ in (0..<4).map { _ in rng.uniform(-1, 1) } }
        let r = BornResidualComparison(predictions: network.predict(rows), tensors: tensors, a0: a0, bornTerms: terms,
                                   potentials: rows, orders: 4)
        #expect(r.network.count == 5 && r.exact.count == 5)
        for row in 0..<10 {
            let z = (0..<3).reduce(0.0) { $0 + w[$1] * rows[row * 3 + $1] }
            let left = [z + z * z + z * z * z, z * z + z * z * z, z * z * z, 0, 0]
            for k in 0...4 {
                #expect(abs(r.network[k][row] - left[k]) < 1e-14, "order \(k)")
                let exact = a0[row] - terms[row].prefix(k).reduce(0, +)
                #expect(abs(r.exact[k][row] - exact) < 1e-15)
            }
        }
    }

    @Test func anyOrderBornTermsAreTheDataSetsOwn() throws {
        let data = try BornDataSet(options: BornDataOptions(steps: 5, depth: 1.5, count: 50, seed: 3))
        let terms = BornDepthSweep.bornTerms(data, order: 5)
        for row in 0..<50 {
            #expect(terms[row].count == 5)
            #expect(abs(terms[row][0] - data.a1[row]) <= 1e-14 * abs(data.a1[row]))
            #expect(abs(terms[row][1] - data.a2[row]) <= 1e-13 * abs(data.a2[row]))
            #expect(abs(terms[row][2] - data.a3[row]) <= 1e-12 * abs(data.a3[row]))
        }
    }

    @Test func everyDepthScalesTheSameDraw() throws {
        var options = BornDepthSweepOptions.quick
        options.training.trainCount = 100
        let unit = try options.training(depth: 1).trainingSet()
        for depth in [0.01, 0.3, 2.0] {
            let scaled = try options.training(depth: depth).trainingSet()
            for (x, y) in zip(scaled.potentials, unit.potentials) { #expect(abs(x - depth * y) <= 1e-15 * abs(depth * y)) }
            for (x, y) in zip(scaled.lambda, unit.lambda) { #expect(abs(x - depth * y) <= 1e-15 * abs(depth * y)) }
        }
    }

    @Test func invalidOptionsAreErrorsNotTraps() {
        for depths in [[], [0.1, 0.1], [0.3, 0.1], [0, 1], [1, .infinity]] as [[Double]] {
            var options = BornDepthSweepOptions.quick
            options.depths = depths
            #expect(throws: IterationError.self, "\(depths)") { try options.validate() }
        }
        var options = BornDepthSweepOptions.quick
        options.orders = 7
        #expect(throws: IterationError.invalid("--orders must be between 1 and 6 (got 7)")) { try options.validate() }
        options = .quick
        options.training.epochs = 0
        #expect(throws: IterationError.self) { try BornDepthSweep.run(options) }
    }

    @Test func aTinySweepReportsEveryDepthAndOrder() throws {
        var options = BornDepthSweepOptions.quick
        options.depths = [0.1, 1]
        options.orders = 3
        options.training.steps = 3
        options.training.trainCount = 300
        options.training.testCount = 100
        options.training.epochs = 3
        let run = try BornDepthSweep.run(options)
        let report = run.report
        #expect(report.depths.map(\.depth) == [0.1, 1])
        #expect(report.depths.map(\.network) == ["depth-0.1.nn", "depth-1.0.nn"])
        #expect(run.models.map(\.stem) == ["depth-0.1", "depth-1.0"])
        #expect(report.depths.allSatisfy { $0.tensors.map(\.order) == [1, 2, 3] && $0.residuals.map(\.order) == [0, 1, 2, 3] })
        // The Born kernel norms are the dense ones; the residual at order 0 is the fit itself.
        let kernels = BornKernels(steps: 3, range: 1)
        for (k, dense) in [kernels.first, kernels.second, kernels.third].enumerated() {
            let norm = TensorNorm.frobenius(dense)
            #expect(abs(report.bornKernelNorms[k] - norm) <= 1e-13 * norm)
        }
        for d in report.depths {
            #expect(d.residuals[0].relativeDifference == d.testRelativeRMS && d.residuals[0].relativeToA0 == 1)
            // Each Born order removes most of what is left for these shallow wells.
            #expect(zip(d.residuals, d.residuals.dropFirst()).allSatisfy { $1.exactRMS < $0.exactRMS })
        }
        #expect(try report.jsonData() == (try BornDepthSweep.run(options).report.jsonData()))
        let latex = BornDepthSweepLaTeX(report: report)
        for source in [latex.document, IterationLaTeX.standalone(latex.figure)] {
            for environment in ["document", "tikzpicture", "groupplot", "tabular", "figure", "table"] {
                let begins = source.components(separatedBy: "\\begin{\(environment)}").count
                let ends = source.components(separatedBy: "\\end{\(environment)}").count
                #expect(begins == ends, "unbalanced \(environment)")
            }
            #expect(!source.contains("nan"), "a number did not format")
        }
        #expect(run.latexSources.map(\.name) == ["report.tex", "fig-depth-sweep.tex"])
    }
}
