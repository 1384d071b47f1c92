// Enumeration of all diagrams of one order, in canonical order.
//
// T_l(s) = the subtrees with s legs whose top sits on a layer <= l (what can arrive at z_{l+1}):
// T_0 = {leg}; T_l(s) = T_{l-1}(s) + { vertex on l with a multiset of exactly k subtrees from T_{l-1},
// sizes summing to s : k allowed on l }. The diagrams of order n are T_L(n). Multisets are generated as
// non-decreasing index sequences into the canonically sorted pool, so every tree comes out canonical, once.
import NNFeynAlgebra

/// Raised when a listing would hold more diagrams than the caller allows.
public struct DiagramLimitExceeded: Error, Equatable, CustomStringConvertible {
    /// The order asked for.
    public let order: Int
    /// How many diagrams that order has (nil: more than 9.2e18).
    public let count: Int?
    /// The caller's limit.
    public let limit: Int

    public init(order: Int, count: Int?, limit: Int) {
        self.order = order
        self.count = count
        self.limit = limit
    }

    /// A lowercase, self-contained message.
    public var description: String {
        "order \(order) has \(count.map(String.init) ?? "more than 9.2e18") diagrams, more than the limit of \(limit)"
    }
}

/// Lists the diagrams of a network order by order.
public struct DiagramEnumerator: Sendable {
    /// The network's vertex rules.
    public let rules: DiagramRules

    /// An enumerator for these rules.
    public init(rules: DiagramRules) { self.rules = rules }

    /// All diagrams of order n in canonical order, with ids D<n>.1, D<n>.2, ...; empty for n < 0.
    public func diagrams(order n: Int) -> [Diagram] {
        if n < 0 { return [] }
        if n == 0 { return [Diagram.value] }
        let trees = subtrees(maxLegs: n)[rules.layerCount][n]
        let sorted = trees.map { Diagram(canonicalRoot: $0, index: 0) }.sorted()
        return sorted.enumerated().map { $0.element.withIndex($0.offset + 1) }
    }

    /// The diagrams of order n, or an error when there are more than `limit` (checked by counting first).
    public func diagrams(order n: Int, limit: Int) throws(DiagramLimitExceeded) -> [Diagram] {
        if n >= 0, let count = DiagramCounter(rules: rules).boundedCounts(upTo: n).last, count.map({ $0 > limit }) ?? true {
            throw DiagramLimitExceeded(order: n, count: count, limit: limit)
        }
        return diagrams(order: n)
    }

    /// table[l][s] = T_l(s), for l in 0...L and s in 0...maxLegs.
    func subtrees(maxLegs n: Int) -> [[[DiagramNode]]] {
        var table = [[[DiagramNode]]]()
        var level = [[DiagramNode]](repeating: [], count: n + 1)
        if n >= 1 { level[1] = [.leg] }
        table.append(level)
        if rules.layerCount == 0 { return table }
        for l in 1...rules.layerCount {
            let previous = table[l - 1]
            var current = previous
            let degrees = rules.vertexDegrees(atLayer: l, upTo: n)
            if !degrees.isEmpty {
                // The pool of possible children, sorted canonically, with their sizes.
                let pool = previous.joined().sorted()
                let sizes = pool.map(\.legCount)
                for s in 2...n {
                    for k in degrees where k <= s {
                        var chosen = [Int]()
                        appendMultisets(pool: pool, sizes: sizes, parts: k, legs: s, from: 0, chosen: &chosen) {
                            current[s].append(.vertex(layer: l, children: $0))
                        }
                    }
                }
            }
            table.append(current)
        }
        return table
    }

    /// Calls `emit` with every non-decreasing choice of `parts` pool entries (starting at `from`) of total size `legs`.
    private func appendMultisets(pool: [DiagramNode], sizes: [Int], parts: Int, legs: Int, from: Int,
                                 chosen: inout [Int], emit: ([DiagramNode]) -> Void) {
        if parts == 0 {
            if legs == 0 { emit(chosen.map { pool[$0] }) }
            return
        }
        // Each remaining part needs at least one leg.
        guard legs >= parts, from < pool.count else { return }
        for i in from..<pool.count where sizes[i] <= legs - (parts - 1) {
            chosen.append(i)
            appendMultisets(pool: pool, sizes: sizes, parts: parts - 1, legs: legs - sizes[i], from: i,
                            chosen: &chosen, emit: emit)
            chosen.removeLast()
        }
    }
}
