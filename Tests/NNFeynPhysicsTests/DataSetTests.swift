// Generated data sets: deterministic for a seed, exact a0 per row, Born terms equal to the kernel contractions.
import Foundation
import NNFeynAlgebra
import Testing
import NNFeynTestSupport
@testable import NNFeynPhysics

@Suite struct BornDataSetTests {
    @Test(arguments: PotentialFamily.allCases)
    func deterministicForASeed(family: PotentialFamily) throws {
        let options = BornDataOptions(steps: 8, range: 1, depth: 1.5, count: 200, seed: 42, family: family)
        let first = try BornDataSet(options: options), second = try BornDataSet(options: options)
        #expect(first.potentials == second.potentials)
        #expect(first.a0 == second.a0 && first.a3 == second.a3 && first.lambda == second.lambda)
        var other = options
        other.seed = 43
        #expect(try BornDataSet(options: other).potentials != first.potentials)
    }

    @Test(arguments: PotentialFamily.allCases)
    func rowsAreCorrect(family: PotentialFamily) throws {
        let options = BornDataOptions(steps: 16, range: 1.2, depth: 1, count: 100, seed: 7, family: family)
        let data = try BornDataSet(options: options)
        let kernels = BornKernels(edges: data.edges)
        #expect(data.edges.count == 17 && data.edges.last == 1.2)
        for row in 0..<options.count {
            let U = Array(data.potentials[row * 16..<(row + 1) * 16])
            // Attractive and bounded by lambda <= depth.
            #expect(U.allSatisfy { $0 <= 0 && $0 >= -data.lambda[row] } && data.lambda[row] <= options.depth)
            #expect(data.a0[row] == ScatteringLength.exact(StepPotential(edges: data.edges, values: U)))
            let contracted = kernels.contract(U)
            #expect(nearlyEqual(data.a1[row], contracted.a1, 1e-13))
            #expect(nearlyEqual(data.a2[row], contracted.a2, 1e-12))
            #expect(nearlyEqual(data.a3[row], contracted.a3, 1e-11))
            // Attraction: every Born term is negative and each order brings the partial sum closer to a0.
            let s2 = data.a1[row] + data.a2[row], s3 = s2 + data.a3[row]
            #expect(data.a1[row] <= 0 && data.a2[row] <= 0 && data.a3[row] <= 0)
            #expect(abs(data.a0[row] - s3) <= abs(data.a0[row] - s2))
        }
    }

    @Test func arraysAreTheDocumentedOnes() throws {
        let data = try BornDataSet(options: BornDataOptions(steps: 4, count: 10, seed: 3))
        #expect(data.arrays.map(\.name) == ["U", "a0", "a1", "a2", "a3", "lambda", "edges"])
        #expect(data.arrays[0].shape == [10, 4])
        #expect(data.arrays[1].values == data.a0)
        #expect(data.arrays[6].shape == [5])
        for array in data.arrays { #expect(array.shape.reduce(1, *) == array.values.count) }
    }

    @Test(arguments: [
        BornDataOptions(steps: 0), BornDataOptions(count: 0), BornDataOptions(range: 0), BornDataOptions(range: .nan),
        BornDataOptions(depth: -1), BornDataOptions(depth: .infinity), BornDataOptions(steps: 5000),
    ])
    func invalidOptionsAreRejected(options: BornDataOptions) {
        #expect(throws: BornDataError.self) { try options.validate() }
    }

    @Test func deepPotentialsWarn() {
        #expect(BornDataOptions(depth: 1).boundStateWarning == nil)
        #expect(BornDataOptions(depth: 3).boundStateWarning != nil)
    }
}
