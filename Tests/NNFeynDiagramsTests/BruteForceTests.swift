import Testing
import NNFeynAlgebra
@testable import NNFeynDiagrams

/// An independent slow oracle: every labelled tree built by distributing labelled legs over set partitions,
/// each written as a canonical string (children sorted as strings). Counting the strings gives the labelled
/// count; the distinct strings are the diagrams and each string's count is its multiplicity.
struct LabelledOracle {
    let activations: [Activation]

    func degrees(_ layer: Int, _ n: Int) -> Set<Int> {
        guard n >= 2 else { return [] }
        return Set((2...n).filter { k in
            switch activations[layer - 1] {
            case .linear, .relu: return false
            case .square: return k == 2
            case .poly(let c): return c.indices.contains { $0 >= k && !c[$0].isZero }
            default: return true
            }
        })
    }

    /// Canonical strings of every labelled structure on `legs` whose top is on a layer <= layer.
    func structures(_ layer: Int, _ legs: [Int]) -> [String] {
        if layer == 0 { return legs.count == 1 ? ["x"] : [] }
        var result = structures(layer - 1, legs)
        let allowed = degrees(layer, legs.count)
        if allowed.isEmpty { return result }
        for blocks in setPartitions(legs) where allowed.contains(blocks.count) {
            var partial: [[String]] = [[]]
            for block in blocks {
                let options = structures(layer - 1, block)
                partial = partial.flatMap { prefix in options.map { prefix + [$0] } }
            }
            for children in partial { result.append("V\(layer)(" + children.sorted().joined(separator: ",") + ")") }
        }
        return result
    }

    func setPartitions(_ items: [Int]) -> [[[Int]]] {
        guard let first = items.first else { return [[]] }
        var result: [[[Int]]] = []
        for partition in setPartitions(Array(items.dropFirst())) {
            result.append([[first]] + partition)
            for i in partition.indices {
                var p = partition
                p[i] = [first] + p[i]
                result.append(p)
            }
        }
        return result
    }

    /// The oracle's canonical string of an enumerated tree.
    static func string(_ node: DiagramNode) -> String {
        switch node {
        case .leg: return "x"
        case .vertex(let layer, let children):
            return "V\(layer)(" + children.map(string).sorted().joined(separator: ",") + ")"
        }
    }
}


@Suite struct BruteForceTests {
    static let palette: [Activation] = [
        .linear, .tanh, .square, .relu, .exp,
        .poly([1, 1, 1, 1].map { Rational($0) }), .poly([0, 1, 0, 0, 1].map { Rational($0) }),
    ]

    @Test(arguments: 0..<12)
    func enumerationMatchesLabelledOracle(seed: Int) {
        var rng = Xoshiro256(seed: UInt64(seed) &* 7919 &+ 1)
        let layers = Int.random(in: 1...4, using: &rng)
        let activations = (0..<layers).map { _ in Self.palette.randomElement(using: &rng)! }
        let rules = DiagramRules(activations: activations)
        let counts = DiagramCounter(rules: rules).counts(upTo: 7)
        let oracle = LabelledOracle(activations: activations)
        let enumerator = DiagramEnumerator(rules: rules)
        for n in 1...7 {
            let diagrams = enumerator.diagrams(order: n)
            #expect(Rational(diagrams.count) == counts[n].diagrams, "\(activations) order \(n)")
            #expect(diagrams.reduce(Rational.zero) { $0 + $1.multiplicity } == counts[n].labelledTerms)
            // The oracle lists every labelled tree: keep it to a few tens of thousands.
            guard counts[n].labelledTerms <= Rational(20_000) else { continue }
            var tally: [String: Int] = [:]
            for s in oracle.structures(layers, Array(0..<n)) { tally[s, default: 0] += 1 }
            #expect(Rational(tally.values.reduce(0, +)) == counts[n].labelledTerms, "\(activations) order \(n)")
            let enumerated = Dictionary(uniqueKeysWithValues: diagrams.map { (LabelledOracle.string($0.root!), $0.multiplicity) })
            #expect(enumerated.count == tally.count)
            for (shape, count) in tally { #expect(enumerated[shape] == Rational(count), "\(shape)") }
        }
    }
}
