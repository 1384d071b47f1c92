// Symmetric storage of derivative tensors: one slot per monomial x^alpha, i.e. per non-decreasing multi-index.
//
// Order: graded, then lexicographic in the non-decreasing index list. Degree 0: []; degree 1: [0], [1], ...;
// degree 2: [0,0], [0,1], ..., [0,d-1], [1,1], ... This is also the order in which outputs list entries.
// A d^n-entry tensor is never materialized: a symmetric tensor of order n has multichoose(d, n) slots.

/// The monomials of total degree <= maxDegree in `variables` variables, in graded lexicographic order.
public struct MonomialBasis: Sendable, Equatable {
    public let variables: Int
    public let maxDegree: Int
    /// The non-decreasing variable-index list of each monomial, e.g. [0, 0, 2] for x0^2 x2.
    public let indexLists: [[Int]]
    /// degreeOffsets[k] is the first position of degree k; degreeOffsets[maxDegree + 1] == count.
    public let degreeOffsets: [Int]
    /// multichooseTable[n][m] = number of non-decreasing lists of length m over n values = C(n + m - 1, m).
    let multichooseTable: [[Int]]

    /// The number of monomials of degree <= maxDegree, C(maxDegree + variables, variables), or nil on overflow.
    public static func count(variables: Int, maxDegree: Int) -> Int? {
        guard variables >= 0, maxDegree >= 0 else { return nil }
        var total = 0
        for k in 0...maxDegree {
            guard let c = multichoose(variables, k) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(c)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// C(n + m - 1, m) with overflow detection (see `Combinatorics.multichoose`).
    public static func multichoose(_ n: Int, _ m: Int) -> Int? { Combinatorics.multichoose(n, m) }

    /// Builds the basis; the caller must have checked the size with `count(variables:maxDegree:)`.
    public init(variables: Int, maxDegree: Int) {
        precondition(variables >= 0 && maxDegree >= 0)
        self.variables = variables
        self.maxDegree = maxDegree
        var table = [[Int]](repeating: [Int](repeating: 0, count: maxDegree + 1), count: variables + 1)
        for n in 0...variables {
            for m in 0...maxDegree { table[n][m] = MonomialBasis.multichoose(n, m) ?? Int.max }
        }
        multichooseTable = table
        var lists: [[Int]] = [[]]
        var offsets = [0]
        var previous: [[Int]] = [[]]
        if maxDegree >= 1 {
            for _ in 1...maxDegree {
                offsets.append(lists.count)
                var next: [[Int]] = []
                for list in previous {
                    let start = list.last ?? 0
                    for v in start..<max(start, variables) { next.append(list + [v]) }
                }
                lists.append(contentsOf: next)
                previous = next
            }
        }
        offsets.append(lists.count)
        indexLists = lists
        degreeOffsets = offsets
    }

    public var count: Int { indexLists.count }

    /// Positions of the monomials of degree k.
    public func range(ofDegree k: Int) -> Range<Int> { degreeOffsets[k]..<degreeOffsets[k + 1] }

    public func degree(of position: Int) -> Int { indexLists[position].count }

    /// The position of a non-decreasing index list, or nil if it is not one or exceeds the basis.
    public func position(of list: [Int]) -> Int? {
        let k = list.count
        guard k <= maxDegree else { return nil }
        var rank = degreeOffsets[k]
        var lower = 0
        for (p, v) in list.enumerated() {
            guard v >= lower, v < variables else { return nil }
            let remaining = k - p - 1
            // Skip all lists whose p-th entry is in lower..<v (their tails range over [entry, d)).
            for skipped in lower..<v { rank += multichooseTable[variables - skipped][remaining] }
            lower = v
        }
        return rank
    }

    /// The position of the product of two monomials, or nil when its degree exceeds maxDegree.
    public func productPosition(_ a: Int, _ b: Int) -> Int? {
        let la = indexLists[a], lb = indexLists[b]
        guard la.count + lb.count <= maxDegree else { return nil }
        var merged = [Int]()
        merged.reserveCapacity(la.count + lb.count)
        var i = 0, j = 0
        while i < la.count || j < lb.count {
            if j == lb.count || (i < la.count && la[i] <= lb[j]) { merged.append(la[i]); i += 1 } else { merged.append(lb[j]); j += 1 }
        }
        return position(of: merged)
    }

    /// alpha! = product of the factorials of the index multiplicities: derivative = coefficient * alpha!, in `S`
    /// (exact for `Rational`).
    public func multiplicityFactorial<S: Scalar>(at position: Int, as type: S.Type = S.self) -> S {
        Combinatorics.multiIndexFactorial(indexLists[position], as: S.self)
    }
}
