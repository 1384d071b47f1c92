// Counting diagrams and labelled terms by generating functions, without enumeration.
//
// Labelled terms (exponential generating function): a labelled structure arriving at z_{l+1} is either one
// arriving at z_l, or a vertex on l whose k children are an unordered *set* of labelled structures from below,
// the legs being distributed among them. With G_0(x) = x (one leg):
//     G_l(x) = G_{l-1}(x) + sum_{k in K_l} G_{l-1}(x)^k / k!,
// and the number of labelled terms of order n is n! [x^n] G_L(x). (One hidden nonlinear layer: e^x - 1
// restricted to k >= 2 plus x, i.e. 1 per order; two: e^(e^x - 1) - 1, Bell numbers.)
//
// Diagrams (ordinary generating function): the children now form a *multiset* of exactly k unlabelled
// subtrees. The multiset construction with exactly k parts is the cycle index of S_k evaluated at U:
//     h_0 = 1,  k h_k(x) = sum_{j=1}^{k} U(x^j) h_{k-j}(x)          (Pólya; Euler transform by parts)
//     U_0(x) = x,  U_l(x) = U_{l-1}(x) + sum_{k in K_l} h_k[U_{l-1}](x),
// and the number of diagrams of order n is [x^n] U_L(x). (Two nonlinear layers: partitions p(n).)
// K_l is the set of allowed vertex degrees on layer l (Activation.hasVertex); a linear layer adds nothing.
// All coefficients are exact big rationals (integers in the end); series are truncated at the largest order.
import NNFeynAlgebra

/// The number of diagrams and of labelled terms of one order.
public struct DiagramCount: Sendable, Equatable {
    /// The derivative order n.
    public let order: Int
    /// Distinct diagrams (unlabelled trees).
    public let diagrams: Rational
    /// Labelled terms: the sum of the diagrams' multiplicities.
    public let labelledTerms: Rational

    /// A count row.
    public init(order: Int, diagrams: Rational, labelledTerms: Rational) {
        self.order = order
        self.diagrams = diagrams
        self.labelledTerms = labelledTerms
    }
}

/// Counts diagrams per order by generating functions (fast at order 20 and beyond; exact).
public struct DiagramCounter: Sendable {
    /// The network's vertex rules.
    public let rules: DiagramRules

    /// A counter for these rules.
    public init(rules: DiagramRules) { self.rules = rules }

    /// Counts for every order 0...maxOrder (order 0: the value, one diagram; empty for negative maxOrder).
    public func counts(upTo maxOrder: Int) -> [DiagramCount] {
        guard maxOrder >= 0 else { return [] }
        let unlabelled = unlabelledSeries(upTo: maxOrder)
        let labelled = labelledSeries(upTo: maxOrder)
        return (0...maxOrder).map { n in
            if n == 0 { return DiagramCount(order: 0, diagrams: .one, labelledTerms: .one) }
            return DiagramCount(order: n, diagrams: unlabelled[n], labelledTerms: labelled[n] * Combinatorics.factorial(n))
        }
    }

    /// The number of diagrams of order n alone.
    public func diagramCount(order n: Int) -> Rational {
        if n < 0 { return .zero }
        if n == 0 { return .one }
        return unlabelledSeries(upTo: n)[n]
    }

    /// The number of diagrams of every order 0...n in machine integers, nil where it exceeds Int64 (the same
    /// recurrence as `unlabelledSeries`; every intermediate value counts diagrams or multisets of them, so an
    /// overflow means "astronomically many"). Fast enough to guard listings at any order before enumerating.
    public func boundedCounts(upTo n: Int) -> [Int?] {
        guard n >= 0 else { return [] }
        let huge = Int.max
        func add(_ a: Int, _ b: Int) -> Int { a == huge || b == huge ? huge : (a.addingReportingOverflow(b).overflow ? huge : a + b) }
        func multiply(_ a: Int, _ b: Int) -> Int {
            if a == 0 || b == 0 { return 0 }
            if a == huge || b == huge { return huge }
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? huge : p
        }
        var u = [Int](repeating: 0, count: n + 1)
        if n >= 1 { u[1] = 1 }
        for l in stride(from: 1, through: rules.layerCount, by: 1) {
            let degrees = rules.vertexDegrees(atLayer: l, upTo: n)
            guard let maxK = degrees.last else { continue }
            var h: [[Int]] = [[Int](repeating: 0, count: n + 1)]
            h[0][0] = 1
            for k in 1...maxK {
                var hk = [Int](repeating: 0, count: n + 1)
                for j in 1...k {
                    let lower = h[k - j]
                    var d = 1
                    while j * d <= n {
                        if u[d] != 0 {
                            for e in 0...(n - j * d) where lower[e] != 0 {
                                hk[j * d + e] = add(hk[j * d + e], multiply(u[d], lower[e]))
                            }
                        }
                        d += 1
                    }
                }
                // k h_k is a multiple of k while exact; a saturated value stays saturated.
                h.append(hk.map { $0 == huge ? huge : $0 / k })
            }
            var next = u
            for k in degrees {
                for e in 0...n { next[e] = add(next[e], h[k][e]) }
            }
            u = next
        }
        u[0] = 1
        return u.map { $0 == huge ? nil : $0 }
    }

    /// The first order up to n with more than `limit` diagrams, with its count when it fits 64 bits. Counting to n
    /// costs about n^3; the truncation doubles from 16, so networks whose counts explode (two or more layers with
    /// unbounded vertex degrees) are refused after counting to a few dozen, whatever n is.
    public func firstOrder(above limit: Int, upTo n: Int) -> (order: Int, count: Int?)? {
        guard n >= 0 else { return nil }
        // With at most one layer that carries vertices, every order has at most one diagram.
        let layersWithVertices = (1...max(rules.layerCount, 1)).filter { !rules.vertexDegrees(atLayer: $0, upTo: max(n, 2)).isEmpty }
        if rules.layerCount == 0 || layersWithVertices.count <= 1 { return limit >= 1 ? nil : (1, 1) }
        var m = min(n, 16)
        while true {
            for (order, count) in boundedCounts(upTo: m).enumerated() where count.map({ $0 > limit }) ?? true {
                return (order, count)
            }
            if m == n { return nil }
            m = min(n, 2 * m)
        }
    }

    /// Coefficients of U_L up to x^N.
    func unlabelledSeries(upTo n: Int) -> [Rational] {
        var u = [Rational](repeating: .zero, count: n + 1)
        if n >= 1 { u[1] = .one }
        for l in stride(from: 1, through: rules.layerCount, by: 1) {
            let degrees = rules.vertexDegrees(atLayer: l, upTo: n)
            guard let maxK = degrees.last else { continue }
            // h[k] = multisets of exactly k parts, by the recurrence k h_k = sum_j U(x^j) h_{k-j}.
            var h: [[Rational]] = [[Rational](repeating: .zero, count: n + 1)]
            h[0][0] = .one
            for k in 1...maxK {
                var hk = [Rational](repeating: .zero, count: n + 1)
                for j in 1...k {
                    let lower = h[k - j]
                    // U(x^j): coefficient u[d] sits at degree j*d.
                    var d = 1
                    while j * d <= n {
                        if !u[d].isZero {
                            for e in 0...(n - j * d) where !lower[e].isZero {
                                hk[j * d + e].addProduct(u[d], lower[e])
                            }
                        }
                        d += 1
                    }
                }
                let inverse = Rational(1, k)
                h.append(hk.map { $0 * inverse })
            }
            var next = u
            for k in degrees {
                for e in 0...n { next[e] = next[e] + h[k][e] }
            }
            u = next
        }
        return u
    }

    /// Coefficients of G_L (an exponential generating function) up to x^N.
    func labelledSeries(upTo n: Int) -> [Rational] {
        var g = [Rational](repeating: .zero, count: n + 1)
        if n >= 1 { g[1] = .one }
        for l in stride(from: 1, through: rules.layerCount, by: 1) {
            let degrees = rules.vertexDegrees(atLayer: l, upTo: n)
            guard let maxK = degrees.last else { continue }
            var next = g
            var power = g // G^1
            for k in 2...maxK {
                power = DiagramCounter.multiply(power, g, upTo: n)
                guard degrees.contains(k) else { continue }
                let inverse = Rational.one / Combinatorics.factorial(k)
                for e in 0...n where !power[e].isZero { next[e] = next[e] + power[e] * inverse }
            }
            g = next
        }
        return g
    }

    /// The product of two truncated series.
    static func multiply(_ a: [Rational], _ b: [Rational], upTo n: Int) -> [Rational] {
        var c = [Rational](repeating: .zero, count: n + 1)
        for i in 0...n where !a[i].isZero {
            for j in 0...(n - i) where !b[j].isZero { c[i + j].addProduct(a[i], b[j]) }
        }
        return c
    }
}
