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

    init(basis: MonomialBasis) {
        self.basis = basis
        let n = basis.maxDegree, d = basis.variables
        // timesVariable[p * d + v] = position of x^p * x_v (only for deg p < N): each pair's product is then a
        // chain of lookups instead of a merge and a rank computation.
        var timesVariable = [Int](repeating: -1, count: basis.count * d)
        for p in 0..<basis.count where basis.degree(of: p) < n {
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
