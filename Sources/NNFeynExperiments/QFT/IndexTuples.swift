// Index tuples and their combinatorics: the non-decreasing tuples (a1 <= ... <= an) over the observables at which
// correlators are measured, the perfect matchings of n slots (Wick pairings: 1, 3, 15 for n = 2, 4, 6), and the
// 15 ways to split six slots into a pair and a quartet. Everything is over *slots* of a tuple, so repeated indices
// are handled by looking up the tuple's entries.

/// The combinatorics of correlator tuples.
public enum IndexTuples {
    /// Every non-decreasing tuple of `length` indices in 0..<count, in lexicographic order.
    public static func nonDecreasing(count: Int, length: Int) -> [[Int]] {
        guard length > 0 else { return [[]] }
        guard count > 0 else { return [] }
        var result: [[Int]] = []
        var tuple = [Int](repeating: 0, count: length)
        while true {
            result.append(tuple)
            var position = length - 1
            while position >= 0, tuple[position] == count - 1 { position -= 1 }
            if position < 0 { return result }
            tuple[position] += 1
            for later in (position + 1)..<length { tuple[later] = tuple[position] }
        }
    }

    /// The perfect matchings of slots 0..<n (n even), each as n/2 pairs (i, j) with i < j.
    public static func pairings(_ n: Int) -> [[(Int, Int)]] {
        func match(_ slots: [Int]) -> [[(Int, Int)]] {
            guard let first = slots.first else { return [[]] }
            var result: [[(Int, Int)]] = []
            for k in 1..<slots.count {
                var rest = slots
                rest.remove(at: k)
                rest.removeFirst()
                for tail in match(rest) { result.append([(first, slots[k])] + tail) }
            }
            return result
        }
        guard n >= 0, n % 2 == 0 else { return [] }
        return match(Array(0..<n))
    }

    /// The 15 splits of six slots into a pair and a quartet: (pair, quartet), slots in increasing order.
    public static let pairQuartetSplits: [(pair: (Int, Int), quartet: [Int])] = {
        var result: [(pair: (Int, Int), quartet: [Int])] = []
        for i in 0..<6 {
            for j in (i + 1)..<6 {
                result.append(((i, j), (0..<6).filter { $0 != i && $0 != j }))
            }
        }
        return result
    }()

    /// The Wick sum: over perfect matchings of the tuple's slots, the product of the two-point function.
    public static func wickSum(_ tuple: [Int], _ twoPoint: [[Double]]) -> Double {
        var total = 0.0
        for pairing in pairings(tuple.count) {
            var product = 1.0
            for (i, j) in pairing { product *= twoPoint[tuple[i]][tuple[j]] }
            total += product
        }
        return total
    }

    /// The position of a non-decreasing tuple among `nonDecreasing(count:length:)`, by a dictionary built once.
    public final class Index: Sendable {
        let positions: [[Int]: Int]
        public let tuples: [[Int]]
        public init(count: Int, length: Int) {
            tuples = IndexTuples.nonDecreasing(count: count, length: length)
            var positions: [[Int]: Int] = [:]
            for (k, t) in tuples.enumerated() { positions[t] = k }
            self.positions = positions
        }
        /// The position of the sorted version of `tuple`.
        public func position(of tuple: [Int]) -> Int { positions[tuple.sorted()]! }
    }
}
