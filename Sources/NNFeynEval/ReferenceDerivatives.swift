// Derivatives of a `ReferenceFunction` by central differences and Richardson extrapolation, in MPFR or exactly:
// the reference of `nnfeyn check`. Read this if you change how the reference is computed or what its error bound
// means.
//
// A probe is a mixed partial derivative d^k f / dv_1^m_1 ... dv_r^m_r along directions v_i of one *family*: the
// coordinate axes (entries of the expansion) or one random direction u (a directional derivative D^k f[u, ..., u]).
// Its stencil at step h is the tensor product of m_i-th central differences,
//     S(h) = h^-k sum_j prod_i (-1)^(j_i) C(m_i, j_i) f(x0 + h sum_i (m_i/2 - j_i) v_i),
// whose error is a series in h^2: S(h) = D + a_1 h^2 + a_2 h^4 + ... Levels l = 0...L use h_l = h0 / 2^l and
// Richardson's tableau T[l][j] = (4^j T[l][j-1] - T[l-1][j-1]) / (4^j - 1) removes the h^2 ... h^2L terms.
// Every point is an integer multiple of one unit, h0 / 2^(L+1), along the family's directions, so probes share
// points (a point is evaluated once per family) and coordinates are exact dyadic offsets from the point.
//
// Exact (polynomial networks, relu in its local form): f is a polynomial of total degree D, so the series stops at
// h^(2J), J = floor((D - k) / 2), and J + 1 levels give the derivative exactly; orders above D are exactly 0.
//
// MPFR: L = 2 and a step and working precision chosen from the order, the target accuracy and an estimate of the
// radius of convergence R (from the expansion's coefficients), so that truncation, (h k / R)^6, sits below the
// target and rounding, which the differences amplify by 2^k / h^k, sits below it too. The error bound of a probe is
//     max(|T[2][2] - T[2][1]|, |T[2][2] - T[1][1]|) + rounding,
// where rounding = 2 sum_l 2^(24 - w) sum_j |weight_j| M(x_j) / h_l^k, M(x) = sum |W a| + |b| of the last layer
// (the size the output's rounding is relative to, with 2^24 for the amplification through the layers). In the
// asymptotic regime the truncation part overestimates the true error of T[2][2] by a factor of about (R / h)^2;
// whether the regime is reached is checked on the first column (|S_2 - S_1| must be under half of |S_1 - S_0|
// unless both are at the rounding level). A probe whose bound misses its target, or whose regime check fails,
// is recomputed with a step 2^8 times smaller and more precision, up to three times.
import Foundation
import NNFeynAlgebra

/// One derivative the reference computes: multiplicities along the directions of one family.
struct ReferenceProbe: Sendable, Hashable {
    /// 0 for the coordinate axes, i + 1 for the i-th random direction.
    var family: Int
    /// (direction index within the family, multiplicity), multiplicities >= 1, directions increasing.
    var multiplicities: [Multiplicity]
    var order: Int { multiplicities.reduce(0) { $0 + $1.count } }

    struct Multiplicity: Sendable, Hashable {
        var direction: Int
        var count: Int
    }

    /// The probe of an entry: its variable indices (non-decreasing) as multiplicities along the axes.
    init(entry indices: [Int]) {
        family = 0
        var result: [Multiplicity] = []
        for v in indices {
            if let last = result.last, last.direction == v { result[result.count - 1].count += 1 } else { result.append(Multiplicity(direction: v, count: 1)) }
        }
        multiplicities = result
    }

    /// The k-th derivative along random direction `index`.
    init(direction index: Int, order: Int) {
        family = index + 1
        multiplicities = order == 0 ? [] : [Multiplicity(direction: 0, count: order)]
    }
}

/// A reference derivative per output, with its error bound (0 for exact values).
struct ReferenceValue: Sendable {
    /// Exact values (polynomial networks).
    var exact: [Rational]?
    /// MPFR values (nil when exact).
    var approximate: [BigFloat]
    /// Error bounds per output; nil where the reference did not reach its target (see `reason`).
    var errors: [BigFloat]
    /// Why the reference is not trustworthy, for outputs whose bound missed its target.
    var reason: String?
}

/// Computes reference derivatives of a function for many probes at once.
struct ReferenceDerivatives {
    let function: ReferenceFunction
    /// The directions of each family: family 0 is the axes (nil: use unit vectors), then one vector each.
    let randomDirections: [[Rational]]
    let threads: Int

    /// The direction vectors of a family.
    func directions(of family: Int) -> [[Rational]] {
        if family == 0 {
            return (0..<function.inputDimension).map { v in (0..<function.inputDimension).map { $0 == v ? Rational.one : .zero } }
        }
        return [randomDirections[family - 1]]
    }

    // MARK: Stencils

    /// One term of a stencil: a point (offsets in units along the family's directions) and its weight.
    struct Term {
        var offsets: [Int]
        var weight: Int
    }

    /// The stencil of a probe at level l of `levels` (coarsest l = 0), offsets in units of h0 / 2^levels.
    static func stencil(_ probe: ReferenceProbe, directions count: Int, level l: Int, levels: Int) -> [Term] {
        let scale = 1 << (levels - 1 - l)
        var terms: [Term] = []
        var j = [Int](repeating: 0, count: probe.multiplicities.count)
        while true {
            var offsets = [Int](repeating: 0, count: count)
            var weight = 1
            for (slot, m) in probe.multiplicities.enumerated() {
                offsets[m.direction] = (m.count - 2 * j[slot]) * scale
                weight *= Combinatorics.saturatingBinomial(m.count, j[slot]) * (j[slot] % 2 == 0 ? 1 : -1)
            }
            terms.append(Term(offsets: offsets, weight: weight))
            var slot = 0
            while slot < j.count {
                j[slot] += 1
                if j[slot] <= probe.multiplicities[slot].count { break }
                j[slot] = 0
                slot += 1
            }
            if slot == j.count { break }
        }
        return terms
    }

    // MARK: Exact

    /// Exact derivatives of a polynomial network of total degree `degree`, per output.
    func exact(_ probes: [ReferenceProbe], degree: Int) -> [ReferenceProbe: ReferenceValue] {
        var result: [ReferenceProbe: ReferenceValue] = [:]
        let maxLevels = probes.map { $0.order <= degree ? (degree - $0.order) / 2 + 1 : 0 }.max() ?? 0
        guard maxLevels > 0 else {
            for p in probes { result[p] = zero() }
            return result
        }
        // unit = 1 / 2^maxLevels, so level l's step is 2^-l.
        let unit = Rational(1, 1 << maxLevels)
        var cache: [[Int]: [Rational]] = [:]
        func value(family: Int, offsets: [Int]) -> [Rational] {
            let key = [family] + offsets
            if let hit = cache[key] { return hit }
            let dirs = directions(of: family)
            var x = function.point
            for (i, o) in offsets.enumerated() where o != 0 {
                for v in 0..<x.count where !dirs[i][v].isZero { x[v] = x[v] + Rational(o) * unit * dirs[i][v] }
            }
            let y = function.evaluate(exact: x)
            cache[key] = y
            return y
        }
        for probe in probes {
            let k = probe.order
            guard k <= degree else { result[probe] = zero(); continue }
            let levels = (degree - k) / 2 + 1
            let count = directions(of: probe.family).count
            var tableau: [[[Rational]]] = []
            for l in 0..<levels {
                var sum = [Rational](repeating: .zero, count: function.outputCount)
                for term in ReferenceDerivatives.stencil(probe, directions: count, level: l, levels: maxLevels) {
                    let y = value(family: probe.family, offsets: term.offsets)
                    for o in sum.indices { sum[o].addProduct(Rational(term.weight), y[o]) }
                }
                // h_l = 2^-l, so dividing by h^k multiplies by 2^(l k).
                let scale = Rational(2).power(l * k)
                var row = [sum.map { $0 * scale }]
                for j in 1...max(l, 1) where j <= l {
                    let factor = Rational(4).power(j)
                    row.append((0..<function.outputCount).map { o in
                        (factor * row[j - 1][o] - tableau[l - 1][j - 1][o]) / (factor - 1)
                    })
                }
                tableau.append(row)
            }
            let values = tableau[levels - 1][levels - 1]
            result[probe] = ReferenceValue(exact: values, approximate: [], errors: values.map { _ in BigFloat(0, precision: 64) }, reason: nil)
        }
        return result
    }

    func zero() -> ReferenceValue {
        ReferenceValue(exact: [Rational](repeating: .zero, count: function.outputCount), approximate: [],
                       errors: [BigFloat](repeating: BigFloat(0, precision: 64), count: function.outputCount), reason: nil)
    }

    // MARK: MPFR

    /// Step and precision of one MPFR pass.
    struct Parameters: Sendable, Equatable {
        /// h0 = 2^-stepExponent.
        var stepExponent: Int
        /// Working precision in bits.
        var precision: Int
    }

    static let levels = 3

    /// MPFR derivatives of every probe; `targets[probe]` is the absolute error each output should reach.
    /// Probes missing their target are retried with smaller steps; after three retries they carry a reason.
    func approximate(_ probes: [ReferenceProbe], targets: [ReferenceProbe: BigFloat],
                     parameters initial: Parameters) -> (values: [ReferenceProbe: ReferenceValue], finalParameters: Parameters) {
        var result: [ReferenceProbe: ReferenceValue] = [:]
        var pending = probes
        var parameters = initial
        for attempt in 0..<4 {
            let computed = approximatePass(pending, parameters: parameters)
            var failed: [ReferenceProbe] = []
            for probe in pending {
                guard var value = computed[probe] else { continue }
                let target = targets[probe] ?? BigFloat(0, precision: 64)
                let missed = value.errors.contains { !($0 <= target) }
                if missed && attempt < 3 {
                    failed.append(probe)
                } else {
                    if missed {
                        let worst = value.errors.reduce(BigFloat(0, precision: 64)) { BigFloat.maximum($0, $1) }
                        value.reason = worst.isFiniteValue
                            ? "the differences reached only \(worst.text(significantDigits: 2)) (step 2^-\(parameters.stepExponent), \(parameters.precision) bits)"
                            : "the differences did not converge down to step 2^-\(parameters.stepExponent) at \(parameters.precision) bits (a singularity close to the point?)"
                    }
                    result[probe] = value
                }
            }
            if failed.isEmpty { break }
            pending = failed
            let highest = failed.map(\.order).max() ?? 1
            parameters = Parameters(stepExponent: parameters.stepExponent + 8, precision: parameters.precision + 9 * highest + 16)
        }
        return (result, parameters)
    }

    /// One MPFR evaluation of every probe's tableau at fixed parameters.
    func approximatePass(_ probes: [ReferenceProbe], parameters: Parameters) -> [ReferenceProbe: ReferenceValue] {
        let w = parameters.precision
        let levels = ReferenceDerivatives.levels
        let unitExponent = parameters.stepExponent + levels // unit = h0 / 2^levels
        // Every point of every stencil, once per family.
        var keys: [[Int]: Int] = [:]
        var points: [(family: Int, offsets: [Int])] = []
        var stencils: [ReferenceProbe: [[(point: Int, weight: Int)]]] = [:]
        for probe in probes {
            let count = directions(of: probe.family).count
            var perLevel: [[(Int, Int)]] = []
            for l in 0..<(probe.order == 0 ? 1 : levels) {
                perLevel.append(ReferenceDerivatives.stencil(probe, directions: count, level: l, levels: levels).map { term in
                    let key = [probe.family] + term.offsets
                    if let index = keys[key] { return (index, term.weight) }
                    keys[key] = points.count
                    points.append((probe.family, term.offsets))
                    return (points.count - 1, term.weight)
                })
            }
            stencils[probe] = perLevel
        }
        let evaluated = evaluate(points, unitExponent: unitExponent, precision: w)
        let outputs = function.outputCount
        let roundingFactor = BigFloat(1, precision: 64).scaled(byPowerOfTwo: 24 - w)
        var result: [ReferenceProbe: ReferenceValue] = [:]
        for probe in probes {
            guard let perLevel = stencils[probe] else { continue }
            let k = probe.order
            if k == 0 {
                let (values, magnitudes) = evaluated[perLevel[0][0].point]
                result[probe] = ReferenceValue(exact: nil, approximate: values,
                                               errors: magnitudes.map { ($0 * roundingFactor).rounded(toPrecision: 64) }, reason: nil)
                continue
            }
            var first: [[BigFloat]] = []
            var rounding = [BigFloat](repeating: BigFloat(0, precision: 64), count: outputs)
            for (l, terms) in perLevel.enumerated() {
                var sum = [BigFloat](repeating: BigFloat(0, precision: w), count: outputs)
                var size = [BigFloat](repeating: BigFloat(0, precision: 64), count: outputs)
                for (point, weight) in terms {
                    let (values, magnitudes) = evaluated[point]
                    let c = BigFloat(weight, precision: w)
                    for o in 0..<outputs {
                        sum[o].addProduct(c, values[o])
                        size[o].addProduct(c.magnitude.rounded(toPrecision: 64), magnitudes[o].rounded(toPrecision: 64))
                    }
                }
                // Divide by h_l^k = 2^(-(stepExponent + l) k): an exact scaling.
                let shift = (parameters.stepExponent + l) * k
                first.append(sum.map { $0.scaled(byPowerOfTwo: shift) })
                for o in 0..<outputs { rounding[o] = rounding[o] + (size[o] * roundingFactor).scaled(byPowerOfTwo: shift + 1) }
            }
            var tableau: [[[BigFloat]]] = []
            for l in 0..<levels {
                var row = [first[l]]
                if l >= 1 {
                    for j in 1...l {
                        let factor = BigFloat(1 << (2 * j), precision: w), denominator = BigFloat((1 << (2 * j)) - 1, precision: w)
                        row.append((0..<outputs).map { o in (factor * row[j - 1][o] - tableau[l - 1][j - 1][o]) / denominator })
                    }
                }
                tableau.append(row)
            }
            let top = levels - 1
            var errors: [BigFloat] = []
            for o in 0..<outputs {
                let best = tableau[top][top][o]
                let truncation = BigFloat.maximum((best - tableau[top][top - 1][o]).magnitude, (best - tableau[top - 1][top - 1][o]).magnitude)
                let d1 = (first[1][o] - first[0][o]).magnitude, d2 = (first[2][o] - first[1][o]).magnitude
                let noise = rounding[o].scaled(byPowerOfTwo: 4)
                let inRegime = !(d2 > d1.scaled(byPowerOfTwo: -1) && d2 > noise)
                errors.append(inRegime ? (truncation + rounding[o]).rounded(toPrecision: 64) : BigFloat(Double.infinity, precision: 64))
            }
            result[probe] = ReferenceValue(exact: nil, approximate: tableau[top][top], errors: errors, reason: nil)
        }
        return result
    }

    /// Forward passes at x0 + unit * sum_i offsets_i v_i (unit = 2^-unitExponent), on `threads` threads.
    func evaluate(_ points: [(family: Int, offsets: [Int])], unitExponent: Int, precision w: Int) -> [([BigFloat], [BigFloat])] {
        let converted = function.converted(precision: w)
        let familyDirections = (0...randomDirections.count).map { directions(of: $0) }
        // x0 + offset is formed exactly (offsets are dyadic, x0 is rounded once), then rounded to w bits like every
        // other operation of the pass: its noise is part of the rounding bound.
        let coordinateBits = w + unitExponent + 64
        let center = function.point.map { BigFloat($0, precision: w) }
        let box = ResultBox(count: points.count)
        let workers = max(1, min(threads, points.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < points.count {
                let (family, offsets) = points[index]
                var x = center.map { $0.rounded(toPrecision: coordinateBits) }
                let dirs = familyDirections[family]
                for (i, o) in offsets.enumerated() where o != 0 {
                    for v in 0..<x.count where !dirs[i][v].isZero {
                        // o * v_i[v] is a dyadic rational: exact at this precision.
                        let step = BigFloat(Rational(o) * dirs[i][v], precision: coordinateBits).scaled(byPowerOfTwo: -unitExponent)
                        x[v] = x[v] + step
                    }
                }
                x = x.map { $0.rounded(toPrecision: w) }
                box.store(index, function.evaluate(x, converted))
                index += workers
            }
        }
        return box.values()
    }
}

/// Results written by several threads, each to its own slots.
final class ResultBox: @unchecked Sendable {
    private var storage: [([BigFloat], [BigFloat])?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ value: ([BigFloat], [BigFloat])) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    func values() -> [([BigFloat], [BigFloat])] { storage.map { $0 ?? ([], []) } }
}
