// The exact theory of NN-QFT ensembles against independent references: closed-form kernels, mpmath's 2-D quadrature
// of Erf-net moments, the ReLU-net's N m4 = 5, the deep ReLU product formulas, and E[f'(0)^2] = 4/(pi sqrt 5).
import Foundation
import Testing
@testable import NNFeynExperiments

/// Erf-net single-neuron moments (sw = sb = 1, d_in = 1, points -1, -0.6, -0.2, 0.2, 0.6, 1) by mpmath 1.3's 2-D
/// tanh-sinh quadrature at 30 digits. The generator, verbatim:
///
///   import mpmath as mp
///   mp.mp.dps = 30
///   xs = [mp.mpf(s) for s in ["-1", "-0.6", "-0.2", "0.2", "0.6", "1"]]
///   def moment(t):
///       f = lambda u, v: mp.exp(-(u*u + v*v)/2) / (2*mp.pi) * mp.fprod(mp.erf(xs[a]*u + v) for a in t)
///       return mp.quad(f, [-mp.inf, 0, mp.inf], [-mp.inf, 0, mp.inf])
///   for t in [(0, 5), (2, 3), (0, 1, 2, 3), (0, 0, 5, 5), (2, 3, 3, 4), (1, 1, 1, 1), (0, 1, 2, 3, 4, 5),
///             (3, 3, 3, 3, 3, 3), (0, 0, 2, 2, 4, 5)]:
///       print(f"        ({list(t)}, {mp.nstr(moment(t), 20)}),")
let erfMomentOracle: [([Int], Double)] = [
    ([0, 5], -1.8486530504212134814e-33),
    ([2, 3], 0.42847927635839815049),
    ([0, 1, 2, 3], 0.28100843519172821203),
    ([0, 0, 5, 5], 0.34849478718062847781),
    ([2, 3, 3, 4], 0.29923955650937550439),
    ([1, 1, 1, 1], 0.40161053602053680604),
    ([0, 1, 2, 3, 4, 5], 0.16555980165248269718),
    ([3, 3, 3, 3, 3, 3], 0.28281594388275967142),
    ([0, 0, 2, 2, 4, 5], 0.1867933414855400883),
]

@Suite struct QFTTheoryTests {
    static func outputs(_ activation: QFTActivation, dIn: Int = 1) -> [NeuronObservable] {
        activation.defaultPoints(dIn: dIn)!.map { .output($0) }
    }

    @Test func erfMomentsMatchMpmath() throws {
        let moments = try #require(NeuronMoments(ensemble: QFTEnsemble(activation: .erf), observables: Self.outputs(.erf)))
        for (tuple, reference) in erfMomentOracle {
            let ours = moments.moment(tuple)
            #expect(abs(ours - reference) <= 1e-12 * max(abs(reference), 1e-3), "M\(tuple) = \(ours), mpmath \(reference)")
        }
    }

    /// G2 at every width is the GP kernel: the closed forms against the moments' M2 (quadrature, angular, closed form).
    @Test(arguments: QFTActivation.allCases)
    func twoPointFunctionIsTheKernel(activation: QFTActivation) throws {
        for dIn in activation == .relu ? [1, 2] : [1, 2, 3] {
            for sb in activation == .relu ? [0.0, 0.7] : [1.0] {
                if activation == .relu, dIn == 2, sb > 0 { continue } // three directions: no exact ReLU moments
                let ensemble = QFTEnsemble(activation: activation, dIn: dIn, sw: 1.3, sb: sb)
                let observables = Self.outputs(activation, dIn: dIn)
                let theory = FiniteWidthTheory(ensemble: ensemble, observables: observables, highestOrder: 2)
                #expect(theory.isExact)
                // Erf moments come from Gauss-Hermite grids in d_in + 1 dimensions, whose accuracy falls with the
                // dimension (see NeuronMoments.swift); every other path is closed form or exact to rounding.
                let tolerance = activation != .erf ? 1e-11 : [1: 1e-11, 2: 1e-8, 3: 2e-4][dIn]!
                for a in observables.indices {
                    for b in observables.indices {
                        let exact = try #require(theory.exact([a, b], width: 7))
                        #expect(abs(exact - theory.kernel[a][b]) <= tolerance * max(abs(theory.kernel[a][b]), 1e-3),
                                "\(activation) d_in \(dIn) sb \(sb) [\(a), \(b)]: \(exact) vs \(theory.kernel[a][b])")
                    }
                }
            }
        }
    }

    /// ReLU-net, sb = 0, positive inputs: G4 - G4_GP = (5/N) G4_GP at every tuple, so N m4 = 5 exactly.
    @Test func reluNetHasNm4EqualToFive() throws {
        let theory = FiniteWidthTheory(ensemble: QFTEnsemble(activation: .relu), observables: Self.outputs(.relu))
        for width in [2, 3, 20, 1000] {
            for tuple in IndexTuples.nonDecreasing(count: 6, length: 4) {
                let gp = theory.gaussianProcess(tuple)
                let exact = try #require(theory.exact(tuple, width: width))
                #expect(abs(Double(width) * (exact - gp) / gp - 5) < 1e-12)
            }
        }
        let report = try QFTRun.theory(QFTRunOptions.defaults(.relu))
        for w in report.widths {
            #expect(abs(try #require(w.m4?.exact) * Double(w.width) - 5) < 1e-12)
        }
        #expect(abs(try #require(report.slopes["m4"]?.exact) + 1) < 1e-12)
        #expect(abs(try #require(report.coefficient4?.exact) - 5) < 1e-6)
    }

    /// The depth-1 moment formulas and the deep ReLU product formulas (taken at L = 1) are independent derivations.
    @Test func deepReLUFormulasAgreeWithTheMomentsAtDepthOne() throws {
        let theory = FiniteWidthTheory(ensemble: QFTEnsemble(activation: .relu, sw: 1.2), observables: Self.outputs(.relu))
        #expect(theory.neuron != nil && theory.homogeneousReLU)
        for width in [2, 5, 50] {
            for tuple in IndexTuples.nonDecreasing(count: 6, length: 4) + IndexTuples.nonDecreasing(count: 6, length: 6) {
                let formula = try #require(theory.exact(tuple, width: width))
                let moments = try #require(theory.exactByMoments(tuple, width: width))
                #expect(abs(formula - moments) <= 1e-12 * abs(formula), "\(tuple) at N = \(width)")
                if tuple.count == 6 {
                    // k6 / G6_GP = 44 / N^2 (at one point: k6 = 660 K^3 / N^2).
                    let k6 = try #require(theory.connectedSixByMoments(tuple, width: width))
                    #expect(abs(k6 / theory.gaussianProcess(tuple) - 44 / Double(width * width)) < 1e-12)
                    #expect(abs(k6 - theory.connectedSix(tuple, width: width)!) <= 1e-12 * abs(k6))
                }
            }
        }
    }

    /// The connected six-point function is exactly proportional to 1/N^2, the connected four-point one to 1/N.
    @Test(arguments: [QFTActivation.erf, .gauss])
    func connectedFunctionsScaleExactly(activation: QFTActivation) throws {
        let theory = FiniteWidthTheory(ensemble: QFTEnsemble(activation: activation), observables: Self.outputs(activation))
        for tuple in [[0, 1, 2, 3, 4, 5], [0, 0, 1, 1, 2, 2], [3, 3, 3, 3, 4, 5]] {
            let at3 = try #require(theory.connectedSix(tuple, width: 3)), at30 = try #require(theory.connectedSix(tuple, width: 30))
            #expect(abs(at3 * 9 - at30 * 900) <= 1e-12 * abs(at3 * 9))
            let q = Array(tuple.prefix(4))
            let four3 = try #require(theory.connectedFour(q, width: 3)), four30 = try #require(theory.connectedFour(q, width: 30))
            #expect(abs(four3 * 3 - four30 * 30) <= 1e-12 * abs(four3 * 3))
        }
    }

    /// Gauss-net moments in closed form against a direct Gauss-Hermite integral of exp(z - Var z), d_in = 2.
    @Test func gaussNetClosedFormMatchesQuadrature() throws {
        let ensemble = QFTEnsemble(activation: .gauss, dIn: 2, sw: 1.1, sb: 0.8)
        let points = [[0.3, -0.2], [0.1, 0.5], [-0.4, 0.0]]
        let moments = try #require(NeuronMoments(ensemble: ensemble, observables: points.map { .output($0) }))
        let rule = QuadratureRule.gaussHermite(40)
        let scale = 1.1 / 2.0.squareRoot()
        for tuple in [[0, 1], [0, 1, 2, 2], [0, 0, 1, 1, 2, 2]] {
            var total = 0.0
            for (a, wa) in zip(rule.nodes, rule.weights) {
                for (b, wb) in zip(rule.nodes, rule.weights) {
                    for (c, wc) in zip(rule.nodes, rule.weights) {
                        var product = wa * wb * wc
                        for s in tuple {
                            let x = points[s]
                            let z = scale * (a * x[0] + b * x[1]) + 0.8 * c
                            product *= Foundation.exp(z - ensemble.inputCovariance(x, x))
                        }
                        total += product
                    }
                }
            }
            #expect(abs(moments.moment(tuple) - total) < 1e-12 * total)
        }
    }

    /// The reference code normalises the Gauss-net by exp((4 sb^2 + 4 sw^2 |x|^2)/(2 d_in)) with sb = sw = 1, i.e.
    /// it divides sb^2 by d_in too; ours uses Var z = sb^2 + sw^2 |x|^2 / d_in, which makes G2 the stated kernel.
    @Test func gaussNetKernelIsTheStatedOneForEveryInputDimension() {
        for dIn in [1, 2, 3] {
            let ensemble = QFTEnsemble(activation: .gauss, dIn: dIn)
            let x = [Double](repeating: 0.5, count: dIn), y = [Double](repeating: -0.25, count: dIn)
            let distance = Double(dIn) * 0.75 * 0.75
            #expect(abs(ensemble.kernel(x, y) - (1 + Foundation.exp(-distance / (2 * Double(dIn))))) < 1e-15)
        }
    }

    @Test func deepKernelsFollowTheRecursions() {
        // ReLU, sb = 0, positive x: each layer halves and scales by sw^2, so K = sw^2 (sw^2/2)^L x x' ... with the
        // input covariance sw^2 x x' / d_in: K_L = sw^2 x x' (sw^2 / 2)^L.
        for depth in 1...4 {
            let e = QFTEnsemble(activation: .relu, sw: 1.4, depth: depth)
            #expect(abs(e.kernel([0.5], [1.2]) - 1.4 * 1.4 * 0.6 * Foundation.pow(1.4 * 1.4 / 2, Double(depth))) < 1e-14)
        }
        // Erf, depth 2: apply the arcsine map twice by hand.
        let e = QFTEnsemble(activation: .erf, depth: 2)
        func map(_ suu: Double, _ svv: Double, _ suv: Double) -> Double {
            1 + 2 / Double.pi * Foundation.asin(2 * suv / ((1 + 2 * suu) * (1 + 2 * svv)).squareRoot())
        }
        let (cxx, cyy, cxy) = (1 + 0.09, 1 + 0.64, 1 - 0.24)
        let manual = map(map(cxx, cxx, cxx), map(cyy, cyy, cyy), map(cxx, cyy, cxy))
        #expect(abs(e.kernel([0.3], [-0.8]) - manual) < 1e-15)
    }

    /// Erf-net at x = 0 with sw = sb = 1: E[f'(0)^2] = sw^2 (sw^2/d_in) (4/pi) E[e^(-2 b^2)] = 4/(pi sqrt 5), at
    /// every width, and the Taylor-coefficient two-point function is the GP one.
    @Test func erfNetDerivativeTwoPointFunction() throws {
        let monomials = [[0], [1], [2], [3]]
        let theory = FiniteWidthTheory(ensemble: QFTEnsemble(activation: .erf),
                                       observables: monomials.map { .taylor(point: [0], alpha: $0) }, highestOrder: 4)
        let reference = 4 / (Double.pi * 5.0.squareRoot())
        #expect(abs(theory.kernel[1][1] - reference) < 1e-13)
        for width in [1, 2, 10, 1000] { #expect(abs(try #require(theory.exact([1, 1], width: width)) - reference) < 1e-13) }
        // Odd total degree vanishes by symmetry (w -> -w); c0 carries the output bias: E c0^2 = sb^2 + sw^2 E erf(b)^2.
        #expect(abs(theory.kernel[0][1]) < 1e-15 && abs(theory.kernel[1][2]) < 1e-15)
        #expect(abs(theory.kernel[0][0] - (1 + 2 / Double.pi * Foundation.asin(2.0 / 3))) < 1e-13)
        // The connected four-point function of c1 is O(1/N): (sw^4/N)(3 M4 - 3 M2^2) with
        // M4 = E[w^4] E[erf'(b)^4] = 3 (16/pi^2) E[e^(-4 b^2)] = 3 (16/pi^2) / 3.
        let m2 = reference, m4 = 16 / (Double.pi * Double.pi)
        let k4 = try #require(theory.connectedFour([1, 1, 1, 1], width: 10))
        #expect(abs(k4 - (3 * m4 - 3 * m2 * m2) / 10) < 1e-12)
    }
}

extension FiniteWidthTheory {
    /// The depth-1 moment formulas alone, even where the deep ReLU formulas would apply (for cross-checks).
    func exactByMoments(_ t: [Int], width: Int) -> Double? {
        var copy = self
        copy.homogeneousReLU = false
        return copy.exact(t, width: width)
    }

    func connectedSixByMoments(_ t: [Int], width: Int) -> Double? {
        var copy = self
        copy.homogeneousReLU = false
        return copy.connectedSix(t, width: width)
    }
}
