// Size and cost of a fused expansion, computed before any allocation, in saturating arithmetic: absurd requests
// (order 10^9, thousands of inputs) give Int.max instead of trapping, and are refused by the limit check.

import Foundation
import NNFeynAlgebra
import NNFeynModel

/// The size of an expansion and the work the fused evaluator will do. Counts saturate at Int.max.
public struct ExpansionEstimate: Sendable, Equatable {
    /// d, the input dimension.
    public var variables: Int
    /// N, the highest order.
    public var order: Int
    /// The number of outputs.
    public var outputs: Int
    /// M = C(N + d, d): Taylor coefficients per output.
    public var monomials: Int
    /// M * outputs: numbers in the result.
    public var entries: Int
    /// Pairs (a, b) of monomials with deg a + deg b <= N, deg b >= 1: the shared product table.
    public var productPairs: Int
    /// Multiply-adds of the numeric (batch) evaluator at one point: point pass, reverse sweep, first layer in closed
    /// form, GEMM and Horner rows of degree < N, top-degree contraction.
    public var multiplyAdds: Int
    /// Working memory of the numeric evaluator: rows of degree < N per layer, the result, product table, basis.
    public var memoryBytes: Int
    /// Multiply-adds of the generic evaluator (exact arithmetic): every monomial row through every layer.
    public var exactMultiplyAdds: Int
    /// The estimated bit size (numerator plus denominator) of the largest exact coefficient: exact arithmetic's
    /// operations cost more the larger their operands.
    public var exactBits: Int

    /// The figure compared with a limit in double arithmetic: the larger of multiply-adds and bytes.
    public var cost: Int { max(multiplyAdds, memoryBytes) }

    /// The relative cost of one exact multiply-add on small operands: a GMP rational product and sum allocate and
    /// reduce by a gcd, roughly 50-200 times a double's fused multiply-add.
    public static let exactOperationWeight = 64

    /// The cost of one exact multiply-add on operands of `bits` bits, in the units of `cost` (about a nanosecond):
    /// at least `exactOperationWeight`, then growing with the operands' size. Measured on this project's machine
    /// (release build, GMP 6.2): 0.5 us per multiply-add at an estimated 41 kbit, 8 us at 330 kbit, 90 us at
    /// 3.7 Mbit, 310 us at 16 Mbit, i.e. about a nanosecond per 32 estimated bits (GMP's FFT multiplication and
    /// subquadratic gcd keep it close to linear; `exactBits` over-estimates the typical operand by a similar factor).
    public static func exactOperationCost(bits: Int) -> Int {
        max(exactOperationWeight, bits / 32)
    }

    /// The cost of the same expansion in exact rational arithmetic, in the units of `cost`.
    public var exactCost: Int {
        // Most coefficients are smaller than the largest one: charge half its bytes, plus GMP's per-value overhead.
        let bytesPerValue = Saturating.add(exactBits / 16, 48)
        let exactMemory = Saturating.multiply(exactMemoryBytes / 8, bytesPerValue)
        return max(Saturating.multiply(exactMultiplyAdds, ExpansionEstimate.exactOperationCost(bits: exactBits)), exactMemory)
    }

    /// The cost in the given arithmetic, compared with the limit.
    public func cost(in arithmetic: Arithmetic) -> Int {
        switch arithmetic {
        case .double: cost
        case .exact: exactCost
        case .multiprecision(let bits):
            max(Saturating.multiply(exactMultiplyAdds, ExpansionEstimate.exactOperationCost(bits: bits) / 4),
                Saturating.multiply(exactMemoryBytes / 8, Saturating.add(bits / 8, 32)))
        }
    }

    /// A short human-readable summary.
    public var summary: String {
        // Int.max stands for "overflowed": say so instead of printing a fake number.
        func show(_ n: Int, approximate: Bool = false) -> String { n == .max ? "more than 9.2e18" : (approximate ? "~" : "") + "\(n)" }
        return "\(show(monomials)) coefficients per output, \(show(entries)) in all, "
            + "\(show(multiplyAdds, approximate: true)) multiply-adds and \(show(memoryBytes, approximate: true)) bytes"
    }

    /// Bytes of the generic evaluator's four buffers of M x widest values (as doubles), product table and basis.
    public var exactMemoryBytes: Int

    /// Memberwise initializer (exact work and memory default to the numeric ones).
    public init(variables: Int, order: Int, outputs: Int, monomials: Int, entries: Int, productPairs: Int,
                multiplyAdds: Int, memoryBytes: Int, exactBits: Int = 64, exactMultiplyAdds: Int? = nil,
                exactMemoryBytes: Int? = nil) {
        self.variables = variables
        self.order = order
        self.outputs = outputs
        self.monomials = monomials
        self.entries = entries
        self.productPairs = productPairs
        self.multiplyAdds = multiplyAdds
        self.memoryBytes = memoryBytes
        self.exactBits = exactBits
        self.exactMultiplyAdds = exactMultiplyAdds ?? multiplyAdds
        self.exactMemoryBytes = exactMemoryBytes ?? memoryBytes
    }

    /// Estimates the expansion of a model to `order`, including the size of its exact numbers.
    public init(model: Model, order: Int) {
        self.init(architecture: model.architecture, order: order, parameterBits: model.maximumBitSize)
    }

    /// Estimates the expansion of an architecture to `order` (orders below 0 are treated as 0), for parameters of at
    /// most `parameterBits` bits each.
    public init(architecture: Architecture, order requested: Int, parameterBits: Int = 64) {
        let n = max(requested, 0)
        let d = max(architecture.input.dimension, 0)
        let m = Combinatorics.saturatingBinomial(Saturating.add(n, d), d)
        let dd = 2 * min(d, Int.max / 4)
        let pairs = Saturating.subtract(Combinatorics.saturatingBinomial(Saturating.add(n, dd), dd), m)
        var work = 0
        var widest = max(d, 1)
        // Bits per unit of degree of the exact coefficients: each layer adds a weight's bits, the growth of a sum
        // over its fan-in and its activation's Taylor coefficients (about 2 log2 N bits per order for tanh and the
        // other own-value rules); the order-N coefficient then has about N times that.
        var bitsPerDegree = parameterBits
        let logOrder = Int(Foundation.log2(Double(n) + 2).rounded(.up))
        for layer in architecture.layers {
            widest = max(widest, layer.width)
            let width = max(layer.width, 0), fanIn = max(layer.fanIn, 0)
            work = Saturating.add(work, Saturating.multiply(m, Saturating.multiply(width, fanIn)))
            let top = min(n, layer.activation.maximumVertexDegree ?? n)
            let perNeuron = Saturating.add(Saturating.multiply(m, top), ExpansionEstimate.hornerPairs(variables: d, order: n, top: top))
            work = Saturating.add(work, Saturating.multiply(width, perNeuron))
            let fanInBits = Int(Foundation.log2(Double(max(fanIn, 1))).rounded(.up))
            bitsPerDegree = Saturating.add(bitsPerDegree, Saturating.add(parameterBits, fanInBits + 2 * logOrder + 2))
        }
        let buffers = Saturating.multiply(Saturating.multiply(m, widest), 4 * 8)
        let table = Saturating.multiply(pairs, 12)
        let basis = Saturating.multiply(m, Saturating.add(Saturating.multiply(8, n), 48))
        let numeric = ExpansionEstimate.batchWork(architecture, variables: d, order: n)
        self.init(variables: d, order: n, outputs: architecture.outputCount, monomials: m,
                  entries: Saturating.multiply(m, architecture.outputCount), productPairs: pairs,
                  multiplyAdds: numeric.multiplyAdds,
                  memoryBytes: Saturating.add(numeric.bytes, Saturating.add(Saturating.add(table, Saturating.multiply(m, 20)), basis)),
                  exactBits: Saturating.add(Saturating.multiply(max(n, 1), bitsPerDegree), parameterBits),
                  exactMultiplyAdds: work, exactMemoryBytes: Saturating.add(buffers, Saturating.add(table, basis)))
    }

    /// Entries of the product table whose product has degree <= D: C(D + 2d, 2d) - C(D + d, d).
    static func pairsThrough(_ D: Int, variables d: Int) -> Int {
        guard D >= 0 else { return 0 }
        let dd = 2 * min(d, Int.max / 4)
        return Saturating.subtract(Combinatorics.saturatingBinomial(Saturating.add(D, dd), dd),
                                   Combinatorics.saturatingBinomial(Saturating.add(D, d), d))
    }

    /// Multiply-adds and working bytes of BatchEvaluator at one point (see its header for the steps).
    static func batchWork(_ architecture: Architecture, variables d: Int, order n: Int) -> (multiplyAdds: Int, bytes: Int) {
        let layers = architecture.layers, outputs = max(architecture.outputCount, 1)
        let m = Combinatorics.saturatingBinomial(Saturating.add(n, d), d)
        let rows = n >= 1 ? Combinatorics.saturatingBinomial(Saturating.add(n - 1, d), d) : 1
        let top = Saturating.subtract(m, rows)
        var work = 0, widest = max(d, outputs)
        for (l, layer) in layers.enumerated() {
            let w = max(layer.width, 0), fanIn = max(layer.fanIn, 0)
            widest = max(widest, w)
            let dense = Saturating.multiply(w, fanIn)
            work = Saturating.add(work, dense)  // point pass
            guard n >= 1 else { continue }
            let k = min(n, layer.activation.maximumVertexDegree ?? n)
            if l == 0 {
                work = Saturating.add(work, Saturating.multiply(rows, w))
                if k >= n { work = Saturating.add(work, Saturating.multiply(top, Saturating.multiply(w, outputs + 1))) }
                continue
            }
            work = Saturating.add(work, Saturating.multiply(outputs, dense))  // reverse sweep
            work = Saturating.add(work, Saturating.multiply(rows, dense))
            guard k >= 2 else { continue }
            // Horner steps k - 2 ... 1 through degree N - step, the last one through N - 1.
            // (steps through degrees N - k + 2 ... N - 1 telescope like hornerPairs, which also counts degree N.)
            let pairs = Saturating.add(pairsThrough(n - 1, variables: d),
                                       Saturating.subtract(ExpansionEstimate.hornerPairs(variables: d, order: n, top: k),
                                                           pairsThrough(n, variables: d)))
            let topPairs = Saturating.subtract(Saturating.subtract(pairsThrough(n, variables: d), pairsThrough(n - 1, variables: d)), top)
            work = Saturating.add(work, Saturating.multiply(w, Saturating.add(pairs, Saturating.multiply(outputs, topPairs))))
        }
        var bytes = Saturating.multiply(Saturating.multiply(rows, widest), 5 * 8)  // four buffers and the powers
        bytes = Saturating.add(bytes, Saturating.multiply(Saturating.multiply(m, outputs), 8))  // the result
        // One top-degree GEMM block (at most the square of the middle degree's count) and the first-layer chunk.
        let middle = d >= 1 ? Combinatorics.saturatingBinomial(Saturating.add(n / 2, d - 1), d - 1) : 0
        let firstWidth = max(layers.first?.width ?? 1, 1)
        let chunk = min(Saturating.multiply(top, Saturating.add(firstWidth, outputs)), 2 << 20)
        bytes = Saturating.add(bytes, Saturating.multiply(Saturating.add(Saturating.multiply(middle, middle), chunk), 8))
        return (work, bytes)
    }

    /// Pair products of the Horner steps k = top-2 ... 0, which are truncated at degree N - k:
    /// sum over D = N - top + 2 ... N of P(D), P(D) = C(D + 2d, 2d) - C(D + d, d). The partial sums telescope
    /// (hockey stick) to S(D) = C(D + 2d + 1, 2d + 1) - C(D + d + 1, d + 1).
    static func hornerPairs(variables d: Int, order n: Int, top: Int) -> Int {
        guard top >= 2 else { return 0 }
        let dd = 2 * min(d, Int.max / 4)
        func partial(_ D: Int) -> Int {
            guard D >= 0 else { return 0 }
            return Saturating.subtract(Combinatorics.saturatingBinomial(Saturating.add(D, dd + 1), dd + 1),
                                       Combinatorics.saturatingBinomial(Saturating.add(D, d + 1), d + 1))
        }
        return Saturating.subtract(partial(n), partial(n - top + 1))
    }

    /// Whether the cost in `arithmetic` is within `limit`.
    public func fits(limit: Int, arithmetic: Arithmetic = .double) -> Bool { cost(in: arithmetic) <= limit }
}
