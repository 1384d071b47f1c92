// Expansions in MPFR whose printed digits are right: `nnfeyn expand --precision BITS`.
//
// Rounding errors of the fused evaluator grow with cancellation between diagrams, which no a-priori guard covers
// for every network. So the expansion runs at least twice, at w_i = BITS + 2^i g guard bits (g = 48 + 2N). Each
// run's error scales like 2^-w, so where the last two runs agree to BITS + 8 bits and round to the same
// D = floor(BITS log10 2) decimal digits (coefficient and derivative alike), the last value has those digits
// right. Entries that disagree trigger another run, up to six. A value that is exactly 0 but comes out as rounding
// residue never agrees with itself; it shows instead by shrinking like 2^-w. With C = the largest |c_i| 2^(w_i)
// of the runs before, an entry with |c_j| <= C 2^(16 - w_j) in each of the last two runs is such a residue and is
// set to 0 (and counted); a true value v cannot pass, since C >= |v| 2^(w_0) and w_j - w_0 >= 2g > 16.
// Whatever still disagrees after the last run is printed anyway and counted as unconfirmed.
// Numbers are Taylor coefficients, as everywhere in NNFeynEval; derivatives follow at the edges, where alpha! is
// formed in BigFloat at the working precision in effect: read derivatives inside
// `BigFloat.withPrecision(workingBits)`, or alpha! beyond 2^128 (order 35 and up in one variable) is rounded.
import NNFeynAlgebra
import NNFeynModel

/// An expansion in binary floating point of a requested precision, with every printed digit confirmed.
public struct MultiprecisionExpansion: Sendable {
    /// The coefficients at `workingBits` (rounding residues of exact cancellations are exactly 0).
    public var expansion: TaylorExpansion<BigFloat>
    /// The requested precision in bits.
    public var requestedBits: Int
    /// floor(requestedBits log10 2): the significant decimal digits every value is confirmed to.
    public var digits: Int
    /// The precision of the last run, which the values come from.
    public var workingBits: Int
    /// Entries set to 0 because they shrink like the rounding error (exact cancellations).
    public var zeroed: Int
    /// Entries whose digits two runs did not confirm (printed anyway, counted here); 0 in every case we know of.
    public var unconfirmed: Int
    /// The size estimate the request was checked against.
    public var estimate: ExpansionEstimate
}

extension ExpansionEstimate {
    /// The cost of the first two runs of a multiprecision expansion to `bits` bits (see MultiprecisionExpansion.swift),
    /// in the units of `cost`.
    public func multiprecisionCost(bits: Int) -> Int {
        let guardBits = Expander.multiprecisionGuard(order: order)
        return Saturating.add(cost(in: .multiprecision(bits: Saturating.add(bits, guardBits))),
                              cost(in: .multiprecision(bits: Saturating.add(bits, 2 * guardBits))))
    }
}

extension Expander {
    /// The highest requested precision `expand --precision` accepts, in bits.
    public static let maximumPrecision = 1 << 20

    /// The guard bits g of the first run at order N: 48 + 2N.
    static func multiprecisionGuard(order: Int) -> Int { Saturating.add(48, Saturating.multiply(2, order)) }

    /// Every Taylor coefficient of `model` up to `order` to `bits` bits of precision, confirmed by two runs (see the
    /// top of this file). Throws `.tooLarge` when `multiprecisionCost` exceeds the limit.
    public static func multiprecisionExpansion(_ model: Model, order: Int, bits: Int, limit: Int = defaultLimit,
                                               progress: ExpansionProgress? = nil) throws(EvaluationError) -> MultiprecisionExpansion {
        guard order >= 0 else { throw .negativeOrder(order) }
        precondition(bits >= 2 && bits <= maximumPrecision, "precision out of range")
        let estimate = try checkedEstimate(model, order: order, limit: limit)
        guard estimate.multiprecisionCost(bits: bits) <= limit else { throw .tooLarge(estimate: estimate, limit: limit) }
        let table = ProductTable.cached(variables: model.input.dimension, maxDegree: order)
        let digits = BigFloat.correctDigits(precision: bits)

        func run(_ w: Int) throws(EvaluationError) -> TaylorExpansion<BigFloat> {
            // TaskLocal.withValue rethrows untyped errors: carry the typed one out as a value.
            let result = BigFloat.withPrecision(w) { () -> Result<TaylorExpansion<BigFloat>, EvaluationError> in
                do throws(EvaluationError) {
                    let network = try converted(model, as: BigFloat.self)
                    let points = try PointDerivatives<BigFloat>(network: network, order: order)
                    return .success(try FusedEvaluator.expand(network, points: points, table: table, progress: progress))
                } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        }

        let guardBits = multiprecisionGuard(order: order)
        var runs: [TaylorExpansion<BigFloat>] = []
        var precisions: [Int] = []
        var disputed: [Int] = []
        var residues: [Int] = []
        while runs.count < 6 {
            let w = bits + guardBits << runs.count
            runs.append(try run(w))
            precisions.append(w)
            guard runs.count >= 2 else { continue }
            let last = runs.count - 1
            disputed = BigFloat.withPrecision(w) { disagreements(runs[last - 1], runs[last], bits: bits, digits: digits) }
            residues = disputed.filter { entry in
                last >= 2 && isResidue(entry, runs: runs[...last], precisions: precisions)
                    && isResidue(entry, runs: runs[..<last], precisions: precisions)
            }
            if disputed.count == residues.count { break }
        }
        let current = runs[runs.count - 1], workingBits = precisions[precisions.count - 1]
        var values = current.values
        for entry in residues { values[entry] = BigFloat(0, precision: workingBits) }
        return MultiprecisionExpansion(
            expansion: TaylorExpansion(basis: current.basis, lowestOrder: current.lowestOrder, outputCount: current.outputCount,
                                       convention: current.convention, values: values),
            requestedBits: bits, digits: digits, workingBits: workingBits,
            zeroed: residues.count, unconfirmed: disputed.count - residues.count, estimate: estimate)
    }

    /// Whether the stored value at `entry` in the last of `runs` is at most C 2^(16 - w) with C = max |c_i| 2^(w_i)
    /// over the runs before it (and some earlier value was nonzero): rounding residue of an exact 0 (see the top).
    static func isResidue(_ entry: Int, runs: ArraySlice<TaylorExpansion<BigFloat>>, precisions: [Int]) -> Bool {
        guard let last = runs.indices.last, last > runs.startIndex else { return false }
        var bound: BigFloat?
        for i in runs.startIndex..<last {
            let value = runs[i].values[entry].magnitude
            guard !value.isZero else { continue }
            let scaled = value.scaled(byPowerOfTwo: precisions[i])
            bound = bound.map { BigFloat.maximum($0, scaled) } ?? scaled
        }
        guard let bound else { return false }
        return runs[last].values[entry].magnitude <= bound.scaled(byPowerOfTwo: 16 - precisions[last])
    }

    /// The stored entries where two runs differ by more than 2^-(bits + 8) relative, or where their coefficients or
    /// derivatives round to different `digits`-digit decimals (call at the precision of `b`, see the top).
    static func disagreements(_ a: TaylorExpansion<BigFloat>, _ b: TaylorExpansion<BigFloat>,
                              bits: Int, digits: Int) -> [Int] {
        var result: [Int] = []
        for output in 0..<b.outputCount {
            for position in b.positions {
                let entry = output * b.monomialCount + position - b.firstPosition
                let x = a.values[entry], y = b.values[entry]
                if x == y { continue }
                let close = (x - y).magnitude <= y.magnitude.scaled(byPowerOfTwo: -(bits + 8))
                if !close || x.text(significantDigits: digits) != y.text(significantDigits: digits)
                    || a.derivative(output: output, position: position).text(significantDigits: digits)
                    != b.derivative(output: output, position: position).text(significantDigits: digits) {
                    result.append(entry)
                }
            }
        }
        return result
    }
}
