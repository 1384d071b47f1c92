// Exact finite-width correlators, no sampling.
//
// One hidden layer: f = b_1 + sum_i t_i with t_i = w1_i u(theta_i) i.i.d. over the N neurons and w1 ~ N(0, sw^2/N),
// so joint cumulants add over neurons and only even ones survive. With M the single-neuron moments
// (NeuronMoments.swift), exactly at every N:
//   G2 = sb^2 [a, b carry b_1] + sw^2 M2                       (the GP kernel: no 1/N correction)
//   k4 = (sw^4/N)   [3 M4 - (M2 M2 + M2 M2 + M2 M2)]            (3 pairings)
//   k6 = (sw^6/N^2) [15 M6 - 3 sum_15 M4 M2 + 2 sum_15 M2 M2 M2] (splits into a quartet and a pair; pairings)
//   G4 = sum_3 G2 G2 + k4,   G6 = sum_15 G2 G2 G2 + sum_15 k4 G2 + k6.
// So G4 - G4_GP is exactly proportional to 1/N and the connected six-point function exactly to 1/N^2.
//
// Deeper ReLU-nets with sb = 0 at inputs of one sign in d_in = 1 are positively homogeneous: f(x) = |x| g, and
// g^2 given the last hidden layer a is sw^2 |a|^2/N chi^2_1, while |a_{l+1}|^2 given a_l is sw^2 |a_l|^2/N times
// R = sum_i relu(xi_i)^2 (the first layer likewise). With E[relu^2k] = (2k-1)!!/2 for a standard normal,
// E[R^2]/E[R]^2 = 1 + 5/N and E[R^3]/E[R]^3 = 1 + 15/N + 44/N^2, hence exactly
//   G4 = G4_GP (1 + 5/N)^L,   G6 = G6_GP (1 + 15/N + 44/N^2)^L,   G2 = G2_GP,
// so N m4 -> 5 L: the 1/N coefficient grows linearly with depth. (At L = 1 both derivations agree; tests check.)
import Foundation

/// GP and exact finite-width correlators of one ensemble at a list of observables.
public struct FiniteWidthTheory: Sendable {
    public let ensemble: QFTEnsemble
    public let observables: [NeuronObservable]
    /// The infinite-width two-point function (the GP kernel) between observables.
    public let kernel: [[Double]]
    /// Depth-1 single-neuron moments (nil when not computable here).
    let neuron: NeuronTables?
    /// Deep ReLU, sb = 0, one-signed inputs in one dimension: the exact ratio formulas apply.
    var homogeneousReLU: Bool
    /// The exact finite-width two-point function (from the moments at depth 1; the kernel otherwise).
    let exactKernel: [[Double]]

    struct NeuronTables: Sendable {
        var m2: [[Double]]
        var m4: [Double]
        var m6: [Double]
        var index4: IndexTuples.Index
        var index6: IndexTuples.Index
    }

    /// The theory for observables; `highestOrder` (2, 4 or 6) limits which moments are computed.
    public init(ensemble: QFTEnsemble, observables: [NeuronObservable], highestOrder: Int = 6) {
        self.ensemble = ensemble
        self.observables = observables
        let p = observables.count
        var neuron: NeuronTables? = nil
        if let moments = NeuronMoments(ensemble: ensemble, observables: observables) {
            let pairs = IndexTuples.Index(count: p, length: 2)
            let m2List = moments.moments(length: 2)
            var m2 = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
            for a in 0..<p { for b in 0..<p { m2[a][b] = m2List[pairs.position(of: [a, b])] } }
            let index4 = IndexTuples.Index(count: p, length: highestOrder >= 4 ? 4 : 0)
            let index6 = IndexTuples.Index(count: p, length: highestOrder >= 6 ? 6 : 0)
            neuron = NeuronTables(m2: m2, m4: highestOrder >= 4 ? index4.tuples.map(moments.moment) : [],
                                  m6: highestOrder >= 6 ? index6.tuples.map(moments.moment) : [],
                                  index4: index4, index6: index6)
        }
        self.neuron = neuron
        let points: [[Double]]? = observables.allSatisfy { if case .output = $0 { true } else { false } }
            ? observables.map { if case .output(let x) = $0 { x } else { [] } } : nil
        homogeneousReLU = ensemble.activation == .relu && ensemble.sb == 0 && ensemble.dIn == 1 && points != nil
            && (points!.allSatisfy { $0[0] > 0 } || points!.allSatisfy { $0[0] < 0 })
        if let points {
            kernel = ensemble.kernelMatrix(points)
        } else if let neuron {
            let sb2 = ensemble.sb * ensemble.sb, sw2 = ensemble.sw * ensemble.sw
            kernel = (0..<p).map { a in (0..<p).map { b in
                (observables[a].carriesOutputBias && observables[b].carriesOutputBias ? sb2 : 0) + sw2 * neuron.m2[a][b]
            } }
        } else {
            kernel = [[Double]](repeating: [Double](repeating: .nan, count: p), count: p)
        }
        if let neuron, ensemble.depth == 1 {
            let sb2 = ensemble.sb * ensemble.sb, sw2 = ensemble.sw * ensemble.sw
            exactKernel = (0..<p).map { a in (0..<p).map { b in
                (observables[a].carriesOutputBias && observables[b].carriesOutputBias ? sb2 : 0) + sw2 * neuron.m2[a][b]
            } }
        } else {
            exactKernel = kernel
        }
    }

    /// The largest |G2 from the single-neuron moments - closed-form kernel| relative to the kernel: the accuracy of
    /// the moments' quadrature (nil without both).
    public var momentAccuracy: Double? {
        guard neuron != nil, ensemble.depth == 1, observables.allSatisfy({ if case .output = $0 { true } else { false } }) else { return nil }
        var worst = 0.0
        for a in kernel.indices {
            for b in kernel.indices where kernel[a][b] != 0 {
                worst = max(worst, abs(exactKernel[a][b] - kernel[a][b]) / abs(kernel[a][b]))
            }
        }
        return worst
    }

    /// Whether exact finite-width values exist for this ensemble and these observables.
    public var isExact: Bool { neuron != nil || homogeneousReLU }

    /// The Gaussian-process (infinite-width) value of G_n at a tuple: the Wick sum of the kernel.
    public func gaussianProcess(_ tuple: [Int]) -> Double { IndexTuples.wickSum(tuple, kernel) }

    /// The connected four-point function k4 at width N, or nil.
    public func connectedFour(_ t: [Int], width: Int) -> Double? {
        let n = Double(width)
        if let neuron, ensemble.depth == 1 {
            let m2 = neuron.m2
            let m4 = neuron.m4[neuron.index4.position(of: t)]
            let sw4 = Foundation.pow(ensemble.sw, 4)
            return sw4 / n * (3 * m4 - m2[t[0]][t[1]] * m2[t[2]][t[3]] - m2[t[0]][t[2]] * m2[t[1]][t[3]]
                              - m2[t[0]][t[3]] * m2[t[1]][t[2]])
        }
        if homogeneousReLU {
            return gaussianProcess(t) * Foundation.expm1(Double(ensemble.depth) * Foundation.log1p(5 / n))
        }
        return nil
    }

    /// The connected six-point function k6 at width N, or nil.
    public func connectedSix(_ t: [Int], width: Int) -> Double? {
        let n = Double(width)
        if let neuron, ensemble.depth == 1 {
            let m2 = neuron.m2
            var fourTwo = 0.0
            for split in IndexTuples.pairQuartetSplits {
                let quartet = split.quartet.map { t[$0] }
                fourTwo += neuron.m4[neuron.index4.position(of: quartet)] * m2[t[split.pair.0]][t[split.pair.1]]
            }
            var twoTwoTwo = 0.0
            for pairing in IndexTuples.pairings(6) {
                var product = 1.0
                for (i, j) in pairing { product *= m2[t[i]][t[j]] }
                twoTwoTwo += product
            }
            let m6 = neuron.m6[neuron.index6.position(of: t)]
            return Foundation.pow(ensemble.sw, 6) / (n * n) * (15 * m6 - 3 * fourTwo + 2 * twoTwoTwo)
        }
        if homogeneousReLU, let g6 = exact(t, width: width) {
            // Invert the moment-cumulant relation: k6 = G6 - sum_15 k4 G2 - sum_15 G2 G2 G2.
            var fourTwo = 0.0
            for split in IndexTuples.pairQuartetSplits {
                fourTwo += connectedFour(split.quartet.map { t[$0] }, width: width)! * kernel[t[split.pair.0]][t[split.pair.1]]
            }
            return g6 - fourTwo - gaussianProcess(t)
        }
        return nil
    }

    /// lim N -> infinity of N times the mean over four-point tuples of k4 / G4_GP (the 1/N coefficient), or nil.
    /// Tuples whose GP value vanishes (below 1e-12 of the largest, as for m_n) are left out.
    public func coefficientFour(_ tuples: [[Int]]) -> Double? {
        let huge = 100_000_000
        let scale = tuples.map { abs(gaussianProcess($0)) }.max() ?? 0
        var total = 0.0, count = 0
        for t in tuples {
            let gp = gaussianProcess(t)
            guard abs(gp) > 1e-12 * scale, let k4 = connectedFour(t, width: huge) else { continue }
            total += Double(huge) * k4 / gp
            count += 1
        }
        return count > 0 && isExact ? total / Double(count) : nil
    }

    /// The exact G_n (n = 2, 4, 6) at width N, or nil when no exact theory applies.
    public func exact(_ t: [Int], width: Int) -> Double? {
        let n = Double(width)
        if homogeneousReLU {
            let depth = Double(ensemble.depth)
            switch t.count {
            case 2: return gaussianProcess(t)
            case 4: return gaussianProcess(t) * Foundation.exp(depth * Foundation.log1p(5 / n))
            case 6: return gaussianProcess(t) * Foundation.exp(depth * Foundation.log1p(15 / n + 44 / (n * n)))
            default: return nil
            }
        }
        guard neuron != nil, ensemble.depth == 1 else { return nil }
        let two = exactKernel
        switch t.count {
        case 2:
            // G2 is the GP kernel at every width: the closed form where there is one, else the moments' value.
            return kernel[t[0]][t[1]].isNaN ? two[t[0]][t[1]] : kernel[t[0]][t[1]]
        case 4:
            guard let k4 = connectedFour(t, width: width) else { return nil }
            return IndexTuples.wickSum(t, two) + k4
        case 6:
            guard let k6 = connectedSix(t, width: width) else { return nil }
            var fourTwo = 0.0
            for split in IndexTuples.pairQuartetSplits {
                guard let k4 = connectedFour(split.quartet.map { t[$0] }, width: width) else { return nil }
                fourTwo += k4 * two[t[split.pair.0]][t[split.pair.1]]
            }
            return IndexTuples.wickSum(t, two) + fourTwo + k6
        default:
            return nil
        }
    }
}
