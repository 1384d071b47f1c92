// The shared product table of the fused evaluator; read only if you change the truncation scheme.
//
// One entry per ordered pair (a, b) of monomials with deg a + deg b <= N and deg b >= 1 (the right factor is
// always the displacement delta, which has no constant term), giving the position of x^a * x^b. Entries are
// sorted by the degree of the product, then by its position, so "all products of degree <= D" is a prefix:
// the Horner step that only needs degrees <= D walks `0..<end(ofDegree: D)` and nothing else.
import Foundation
import NNFeynAlgebra

/// Products of monomial pairs over a basis, sorted by the product's degree; shared by every neuron.
struct ProductTable: Sendable {
    let basis: MonomialBasis
    /// Left factor (any degree), right factor (degree >= 1) and product positions, entry by entry.
    let left: [Int32]
    let right: [Int32]
    let target: [Int32]
    /// ends[D] = number of entries whose product has degree <= D.
    let ends: [Int]
    /// The entries with product position t are starts[t] ..< starts[t + 1] (entries are sorted by target, since
    /// positions are graded): the row-at-a-time Horner kernel reads them as compressed rows.
    let starts: [Int32]
    /// For positions of degree >= 1: the monomial without its last variable, and that variable (powers w^alpha are
    /// built one multiplication at a time from them).
    let parent: [Int32]
    let lastVariable: [Int32]
    /// k!/alpha! per position (k its degree), as a double: the multinomial coefficient of x^alpha in (w.x)^k.
    let multinomial: [Double]
    /// The pairs of product degree N with both factors of degree >= 1, by the degree j of the right factor: what
    /// the batch evaluator's top-degree contraction adds up.
    let topGroups: [TopGroup]

    /// Pairs (a, b) of degrees (N - j, j) with their product position and their index in the (N - j) x j block.
    struct TopGroup: Sendable {
        let j: Int
        let targets: [Int32]
        /// (a - first position of degree N - j) * M_j + (b - first position of degree j).
        let blockIndex: [Int32]
    }

    init(basis: MonomialBasis) {
        self.basis = basis
        let n = basis.maxDegree, d = basis.variables
        // timesVariable[p * d + v] = position of x^p * x_v (only for deg p < N): each pair's product is then a
        // chain of lookups instead of a merge and a rank computation.
        // Only positions of degree < N have products with a variable: allocating count x d would take gigabytes at
        // d = 784 (the Hessian of an MNIST-sized input).
        let lower = basis.degreeOffsets[n]
        var timesVariable = [Int](repeating: -1, count: lower * d)
        for p in 0..<lower {
            for v in 0..<d { timesVariable[p * d + v] = basis.productPosition(p, basis.position(of: [v]) ?? 0) ?? -1 }
        }
        var left: [Int32] = [], right: [Int32] = [], target: [Int32] = []
        var ends = [0]
        if n >= 1 {
            for degree in 1...n {
                var block: [(t: Int32, a: Int32, b: Int32)] = []
                for j in 1...degree {
                    for b in basis.range(ofDegree: j) {
                        let factors = basis.indexLists[b]
                        for a in basis.range(ofDegree: degree - j) {
                            var t = a
                            for v in factors { t = timesVariable[t * d + v] }
                            block.append((Int32(t), Int32(a), Int32(b)))
                        }
                    }
                }
                block.sort { ($0.t, $0.a) < ($1.t, $1.a) }
                for entry in block {
                    left.append(entry.a)
                    right.append(entry.b)
                    target.append(entry.t)
                }
                ends.append(left.count)
            }
        }
        self.left = left
        self.right = right
        self.target = target
        self.ends = ends
        var starts = [Int32](repeating: 0, count: basis.count + 1)
        for t in target { starts[Int(t) + 1] += 1 }
        for t in 0..<basis.count { starts[t + 1] += starts[t] }
        self.starts = starts
        var parent = [Int32](repeating: 0, count: basis.count), last = [Int32](repeating: 0, count: basis.count)
        var multinomial = [Double](repeating: 1, count: basis.count)
        var factorials: [Double] = [1]
        for k in stride(from: 1, through: max(n, 1), by: 1) { factorials.append(factorials[k - 1] * Double(k)) }
        for t in 1..<max(basis.count, 1) {
            let list = basis.indexLists[t]
            let v = list[list.count - 1]
            // The parent x^alpha / x_v has degree < N, so timesVariable knows it: find it among the positions of
            // one degree less (the entry whose product with x_v is t).
            var alpha = 1.0, run = 1
            for e in stride(from: 1, to: list.count, by: 1) {
                run = list[e] == list[e - 1] ? run + 1 : 1
                alpha *= Double(run)
            }
            multinomial[t] = factorials[list.count] / alpha
            last[t] = Int32(v)
        }
        for p in 0..<lower {
            for v in 0..<d where timesVariable[p * d + v] >= 0 {
                let t = timesVariable[p * d + v]
                // Each t of degree >= 1 is reached from exactly one parent through its largest variable.
                if v == basis.indexLists[t][basis.indexLists[t].count - 1] { parent[t] = Int32(p) }
            }
        }
        self.parent = parent
        lastVariable = last
        self.multinomial = multinomial
        var groups: [TopGroup] = []
        if n >= 2 {
            let offsets = basis.degreeOffsets
            var targets = [[Int32]](repeating: [], count: n), indices = [[Int32]](repeating: [], count: n)
            for e in ends[n - 1]..<ends[n] {
                let a = Int(left[e]), b = Int(right[e])
                let j = basis.degree(of: b)
                guard j < n else { continue }  // deg a = 0: the c_1 delta_N term, which the gradients carry instead
                let columns = offsets[j + 1] - offsets[j]
                targets[j].append(target[e])
                indices[j].append(Int32((a - offsets[n - j]) * columns + (b - offsets[j])))
            }
            for j in 1..<n { groups.append(TopGroup(j: j, targets: targets[j], blockIndex: indices[j])) }
        }
        topGroups = groups
    }

    /// The table for `variables` and `maxDegree`, reusing the last one built when it fits: repeated expansions of
    /// one network (benchmarks, checks, scans over points) would otherwise rebuild it every time.
    static func cached(variables: Int, maxDegree: Int) -> ProductTable {
        if let table = ProductTableCache.shared.lookup(variables: variables, maxDegree: maxDegree) { return table }
        let table = ProductTable(basis: MonomialBasis(variables: variables, maxDegree: maxDegree))
        ProductTableCache.shared.store(table)
        return table
    }

    /// Number of entries whose product has degree <= D.
    func end(ofDegree D: Int) -> Int { ends[min(max(D, 0), ends.count - 1)] }
}

/// The most recently built product table (only one, and only up to a few million entries, to bound memory).
final class ProductTableCache: @unchecked Sendable {
    static let shared = ProductTableCache()
    private let lock = NSLock()
    private var last: ProductTable?

    func lookup(variables: Int, maxDegree: Int) -> ProductTable? {
        lock.lock()
        defer { lock.unlock() }
        guard let last, last.basis.variables == variables, last.basis.maxDegree == maxDegree else { return nil }
        return last
    }

    func store(_ table: ProductTable) {
        guard table.left.count <= 4_000_000 else { return }
        lock.lock()
        defer { lock.unlock() }
        last = table
    }
}
