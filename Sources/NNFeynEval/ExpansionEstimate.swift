// Size and cost of a fused expansion, computed before any allocation, in saturating arithmetic: absurd requests
// (order 10^9, thousands of inputs) give Int.max instead of trapping, and are refused by the limit check.

import NNFeynAlgebra
import NNFeynLanguage

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
    /// Multiply-adds of the linear steps (M * width * fanIn per layer) and of the Horner steps.
    public var multiplyAdds: Int
    /// Working memory of the numeric evaluator: layer buffers, product table, basis.
    public var memoryBytes: Int

    /// The figure compared with a limit: the larger of multiply-adds and bytes.
    public var cost: Int { max(multiplyAdds, memoryBytes) }

    /// The relative cost of one exact multiply-add: a GMP rational product and sum allocate and reduce by a gcd,
    /// roughly 50-200 times a double's fused multiply-add, more as numerators grow.
    public static let exactOperationWeight = 64

    /// The cost of the same expansion in exact rational arithmetic, in the units of `cost`.
    public var exactCost: Int { max(Saturating.multiply(multiplyAdds, ExpansionEstimate.exactOperationWeight), Saturating.multiply(memoryBytes, 4)) }

    /// A short human-readable summary.
    public var summary: String {
        // Int.max stands for "overflowed": say so instead of printing a fake number.
        func show(_ n: Int, approximate: Bool = false) -> String { n == .max ? "more than 9.2e18" : (approximate ? "~" : "") + "\(n)" }
        return "\(show(monomials)) coefficients per output, \(show(entries)) in all, "
            + "\(show(multiplyAdds, approximate: true)) multiply-adds and \(show(memoryBytes, approximate: true)) bytes"
    }

    /// Memberwise initializer.
    public init(variables: Int, order: Int, outputs: Int, monomials: Int, entries: Int, productPairs: Int,
                multiplyAdds: Int, memoryBytes: Int) {
        self.variables = variables
        self.order = order
        self.outputs = outputs
        self.monomials = monomials
        self.entries = entries
        self.productPairs = productPairs
        self.multiplyAdds = multiplyAdds
        self.memoryBytes = memoryBytes
    }

    /// Estimates the expansion of `network` to `order` (orders below 0 are treated as 0).
    public init(network: Network, order requested: Int) {
        let n = max(requested, 0)
        let d = max(network.input.dimension, 0)
        let m = Saturating.binomial(Saturating.add(n, d), d)
        let pairs = Saturating.subtract(Saturating.binomial(Saturating.add(n, 2 * min(d, Int.max / 4)), 2 * min(d, Int.max / 4)), m)
        var work = 0
        var widest = max(d, 1)
        for layer in network.layers {
            widest = max(widest, layer.width)
            let width = max(layer.width, 0), fanIn = max(layer.fanIn, 0)
            work = Saturating.add(work, Saturating.multiply(m, Saturating.multiply(width, fanIn)))
            let top = min(n, layer.activation.maximumVertexDegree ?? n)
            let perNeuron = Saturating.add(Saturating.multiply(m, top), ExpansionEstimate.hornerPairs(variables: d, order: n, top: top))
            work = Saturating.add(work, Saturating.multiply(width, perNeuron))
        }
        let buffers = Saturating.multiply(Saturating.multiply(m, widest), 4 * 8)
        let table = Saturating.multiply(pairs, 12)
        let basis = Saturating.multiply(m, Saturating.add(Saturating.multiply(8, Saturating.add(n, d)), 40))
        self.init(variables: d, order: n, outputs: network.outputCount, monomials: m,
                  entries: Saturating.multiply(m, network.outputCount), productPairs: pairs, multiplyAdds: work,
                  memoryBytes: Saturating.add(buffers, Saturating.add(table, basis)))
    }

    /// Pair products of the Horner steps k = top-2 ... 0, which are truncated at degree N - k:
    /// sum over D = N - top + 2 ... N of P(D), P(D) = C(D + 2d, 2d) - C(D + d, d). The partial sums telescope
    /// (hockey stick) to S(D) = C(D + 2d + 1, 2d + 1) - C(D + d + 1, d + 1).
    static func hornerPairs(variables d: Int, order n: Int, top: Int) -> Int {
        guard top >= 2 else { return 0 }
        let dd = 2 * min(d, Int.max / 4)
        func partial(_ D: Int) -> Int {
            guard D >= 0 else { return 0 }
            return Saturating.subtract(Saturating.binomial(Saturating.add(D, dd + 1), dd + 1),
                                       Saturating.binomial(Saturating.add(D, d + 1), d + 1))
        }
        return Saturating.subtract(partial(n), partial(n - top + 1))
    }

    /// Whether the cost (or the exact cost) is within `limit`.
    public func fits(limit: Int, exact: Bool = false) -> Bool { (exact ? exactCost : cost) <= limit }
}

/// Int arithmetic that sticks at Int.max instead of overflowing (arguments are non-negative).
enum Saturating {
    static func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o || a == .max || b == .max ? .max : r
    }

    static func multiply(_ a: Int, _ b: Int) -> Int {
        if a == 0 || b == 0 { return 0 }
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o || a == .max || b == .max ? .max : r
    }

    /// a - b, where a saturated value stays saturated.
    static func subtract(_ a: Int, _ b: Int) -> Int { a == .max ? .max : max(a - b, 0) }

    /// C(n, k), or Int.max when it (or n) does not fit.
    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, n >= k else { return 0 }
        if n == .max { return k == 0 ? 1 : .max }
        let k = min(k, n - k)
        var result = 1
        var i = 1
        while i <= k {
            // result = C(n - k + i - 1, i - 1); multiply by (n - k + i) / i with the division made exact first.
            let g = gcd(result, i)
            let (r, o) = (result / g).multipliedReportingOverflow(by: (n - k + i) / (i / g))
            if o { return .max }
            result = r
            i += 1
        }
        return result
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
