// The exact scattering length against two independent routes, and the Born kernels against finite differences
// of the exact a0 and against the closed forms of the issue.
import Foundation
import NNFeynAlgebra
import Testing
import NNFeynTestSupport
@testable import NNFeynPhysics


/// Random step values in [lo, hi), deterministic for the seed.
func randomSteps(_ n: Int, _ lo: Double, _ hi: Double, seed: UInt64) -> [Double] {
    var rng = Xoshiro256(seed: seed)
    return (0..<n).map { _ in rng.uniform(lo, hi) }
}

@Suite struct ExactScatteringLength {
    @Test(arguments: [-0.5, -2.0, -2.4, -10.0, 0.5, 4.0, 100.0, 1e4])
    func squareWellMatchesClosedForm(depth U: Double) {
        for range in [0.5, 1.0, 1.7] where U * range * range > -Double.pi * Double.pi / 4 + 0.05 || U > 0 {
            let closed = ScatteringLength.squareWell(depth: U, range: range)
            // One step and the same well cut into 16 equal steps must agree with the closed form.
            #expect(nearlyEqual(ScatteringLength.exact(StepPotential(range: range, values: [U])), closed, 1e-12))
            #expect(nearlyEqual(ScatteringLength.exact(StepPotential(range: range, values: Array(repeating: U, count: 16))), closed, 1e-11))
            #expect(nearlyEqual(ScatteringLength.variablePhase(StepPotential(range: range, values: [U])), closed, 1e-8))
        }
    }

    @Test func signsFollowThePhysics() {
        #expect(ScatteringLength.exact(StepPotential(range: 1, values: [-0.3, -0.1])) < 0)   // weak attraction
        #expect(ScatteringLength.exact(StepPotential(range: 1, values: [1e6])) > 0.99)     // hard core: a0 -> R
        #expect(ScatteringLength.exact(StepPotential(range: 1, values: [0, 0, 0])) == 0)
    }

    @Test(arguments: [(UInt64(1), -2.0, 0.0), (2, -1.0, 1.0), (3, 0.0, 30.0), (4, -5.0, 5.0)])
    func randomStepsMatchVariablePhase(seed: UInt64, lo: Double, hi: Double) {
        for steps in [3, 16] {
            let potential = StepPotential(range: 1, values: randomSteps(steps, lo, hi, seed: seed))
            let exact = ScatteringLength.exact(potential)
            let integrated = ScatteringLength.variablePhase(potential)
            #expect(nearlyEqual(exact, integrated, 1e-8), "exact \(exact) vs variable phase \(integrated)")
        }
    }

    @Test func unequalEdges() {
        let potential = StepPotential(edges: [0, 0.1, 0.5, 0.55, 1.3], values: [3, -2, 40, -1])
        #expect(nearlyEqual(ScatteringLength.exact(potential), ScatteringLength.variablePhase(potential), 1e-8))
    }

    @Test func smoothPotentialThroughVariablePhaseConverges() {
        // A Gaussian well sampled on ever finer steps approaches the smooth potential's a0 (integrated directly).
        let U: (Double) -> Double = { -1.5 * Foundation.exp(-($0 - 0.4) * ($0 - 0.4) / 0.08) }
        let smooth = ScatteringLength.variablePhase(range: 1, potential: U)
        let n = 4096
        let potential = StepPotential(range: 1, values: (0..<n).map { U((Double($0) + 0.5) / Double(n)) })
        #expect(nearlyEqual(ScatteringLength.exact(potential), smooth, 1e-6))
    }
}

@Suite struct BornKernelChecks {
    /// The closed forms of the issue: g_i = (r_i^3 - r_{i-1}^3)/3, H = -2K.
    static func closedForms(_ edges: [Double]) -> (g: [Double], K: [[Double]]) {
        let n = edges.count - 1
        let g = (1...n).map { (pow(edges[$0], 3) - pow(edges[$0 - 1], 3)) / 3 }
        let h = (1...n).map { (pow(edges[$0], 2) - pow(edges[$0 - 1], 2)) / 2 }
        var K = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                if i < j { K[i][j] = g[i] * h[j] } else if j < i { K[i][j] = g[j] * h[i] } else {
                    let (a, b) = (edges[i], edges[i + 1])
                    K[i][i] = 2.0 / 3 * ((pow(b, 5) - pow(a, 5)) / 5 - pow(a, 3) * (b * b - a * a) / 2)
                }
            }
        }
        return (g, K)
    }

    @Test(arguments: [[0, 0.25, 0.5, 0.75, 1], StepPotential.equalEdges(steps: 16, range: 1),
                      StepPotential.equalEdges(steps: 7, range: 2.5), [0, 0.1, 0.5, 0.55, 1.3]])
    func closedFormsOfFirstAndSecondOrder(edges: [Double]) {
        let kernels = BornKernels(edges: edges)
        let (g, K) = Self.closedForms(edges)
        let n = edges.count - 1
        for i in 0..<n {
            #expect(nearlyEqual(kernels.first[i], g[i], 1e-13))
            for j in 0..<n { #expect(nearlyEqual(kernels.second(i, j), -2 * K[i][j], 1e-12)) }
        }
    }

    @Test func singleStepMatchesTheSquareWellSeries() {
        // tan x = x + x^3/3 + 2x^5/15 + 17x^7/315 gives a0 = U R^3/3 - 2U^2 R^5/15 + 17 U^3 R^7/315 + ...
        let R = 1.3
        let kernels = BornKernels(edges: [0, R])
        #expect(nearlyEqual(kernels.first[0], pow(R, 3) / 3, 1e-14))
        #expect(nearlyEqual(kernels.second[0], 2 * -2 * pow(R, 5) / 15, 1e-13))
        #expect(nearlyEqual(kernels.third[0], 6 * 17 * pow(R, 7) / 315, 1e-13))
    }

    @Test func thirdOrderIsSymmetric() {
        let kernels = BornKernels(edges: [0, 0.1, 0.5, 0.55, 1.3])
        let n = kernels.steps
        for i in 0..<n { for j in 0..<n { for k in 0..<n {
            let t = kernels.third(i, j, k)
            for p in [kernels.third(i, k, j), kernels.third(j, i, k), kernels.third(j, k, i),
                      kernels.third(k, i, j), kernels.third(k, j, i)] {
                #expect(nearlyEqual(t, p, 1e-13))
            }
        } } }
    }

    @Test(arguments: [[0, 0.25, 0.5, 0.75, 1], [0, 0.1, 0.5, 0.55, 1.3]])
    func kernelsMatchFiniteDifferencesOfExactA0(edges: [Double]) {
        let kernels = BornKernels(edges: edges)
        let n = edges.count - 1
        func a0(_ shifts: [(Int, Double)]) -> Double {
            var U = [Double](repeating: 0, count: n)
            for (i, h) in shifts { U[i] += h }
            return ScatteringLength.exact(StepPotential(edges: edges, values: U))
        }
        // Central differences, Richardson-extrapolated from h and h/2 (error O(h^4)); entries are compared on the
        // scale of the largest entry of each kernel, since many entries are tiny.
        func second(_ i: Int, _ j: Int, _ h: Double) -> Double {
            (a0([(i, h), (j, h)]) - a0([(i, h), (j, -h)]) - a0([(i, -h), (j, h)]) + a0([(i, -h), (j, -h)])) / (4 * h * h)
        }
        func third(_ i: Int, _ j: Int, _ k: Int, _ h: Double) -> Double {
            var sum = 0.0
            for si in [-1.0, 1.0] { for sj in [-1.0, 1.0] { for sk in [-1.0, 1.0] {
                sum += si * sj * sk * a0([(i, si * h), (j, sj * h), (k, sk * h)])
            } } }
            return sum / (8 * h * h * h)
        }
        func richardson(_ f: (Double) -> Double, _ h: Double) -> Double { (4 * f(h / 2) - f(h)) / 3 }
        let scale1 = kernels.first.map(abs).max()!, scale2 = kernels.second.map(abs).max()!
        let scale3 = kernels.third.map(abs).max()!
        for i in 0..<n {
            let d1 = richardson({ (a0([(i, $0)]) - a0([(i, -$0)])) / (2 * $0) }, 1e-3)
            #expect(abs(d1 - kernels.first[i]) <= 1e-9 * scale1)
            for j in 0..<n {
                let d2 = richardson({ second(i, j, $0) }, 1e-2)
                #expect(abs(d2 - kernels.second(i, j)) <= 1e-7 * scale2, "second \(i) \(j)")
                for k in 0..<n {
                    let d3 = richardson({ third(i, j, k, $0) }, 4e-2)
                    #expect(abs(d3 - kernels.third(i, j, k)) <= 1e-5 * scale3,
                            "third \(i) \(j) \(k): \(d3) vs \(kernels.third(i, j, k))")
                }
            }
        }
    }

    @Test(arguments: [UInt64(5), 6, 7])
    func kernelContractionsEqualTheRunningIntegrals(seed: UInt64) {
        let edges = StepPotential.equalEdges(steps: 16, range: 1.2)
        let kernels = BornKernels(edges: edges)
        let U = randomSteps(16, -3, 2, seed: seed)
        let direct = BornSeries.terms(StepPotential(edges: edges, values: U))
        let contracted = kernels.contract(U)
        #expect(nearlyEqual(direct.a1, contracted.a1, 1e-13))
        #expect(nearlyEqual(direct.a2, contracted.a2, 1e-12))
        #expect(nearlyEqual(direct.a3, contracted.a3, 1e-11))
    }

    @Test(arguments: [(UInt64(11), -1.0, 0.0), (12, -1.0, 1.0), (13, 0.0, 2.0)])
    func partialSumsShrinkLikeEpsToTheOrderPlusOne(seed: UInt64, lo: Double, hi: Double) {
        let edges = StepPotential.equalEdges(steps: 16, range: 1)
        let shape = randomSteps(16, lo, hi, seed: seed)
        func errors(_ eps: Double) -> [Double] {
            let potential = StepPotential(edges: edges, values: shape.map { eps * $0 })
            let exact = ScatteringLength.exact(potential)
            return BornSeries.terms(potential).partialSums.map { abs(exact - $0) }
        }
        // Halving eps must divide the error after k orders by about 2^(k+1).
        let coarse = errors(0.2), fine = errors(0.1)
        for k in 1...3 {
            let ratio = coarse[k - 1] / fine[k - 1]
            let expected = pow(2.0, Double(k + 1))
            #expect(ratio > 0.8 * expected && ratio < 1.25 * expected, "order \(k): ratio \(ratio), expected \(expected)")
        }
    }
}

@Suite struct KernelOutput {
    @Test func jsonReadsBackExactly() throws {
        let kernels = BornKernels(steps: 5, range: 1.3)
        let json = kernels.json
        #expect(json == BornKernels(steps: 5, range: 1.3).json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == ["first", "second", "third"])
        #expect((object["third"] as? [[[Double]]])?.count == 5)
        // Every number reads back to the same double (Swift's parser; Foundation's JSON parser on Linux rounds).
        let numbers = json.split(whereSeparator: { "[]{},: \n\"".contains($0) }).compactMap { Double(String($0)) }
        #expect(numbers == kernels.first + kernels.second + kernels.third)
        #expect(json.firstRange(of: "\"first\"")!.lowerBound < json.firstRange(of: "\"second\"")!.lowerBound)
    }

    @Test func textListsIndependentEntries() {
        let lines = BornKernels(steps: 3, range: 1).text.split(separator: "\n")
        // 1 comment + 3 headers + 3 first + 6 second + 10 third entries.
        #expect(lines.count == 1 + 3 + 3 + 6 + 10)
    }
}
