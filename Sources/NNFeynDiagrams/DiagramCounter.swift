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
            return DiagramCount(order: n, diagrams: unlabelled[n], labelledTerms: labelled[n] * DiagramMath.factorial(n))
        }
    }

    /// The number of diagrams of order n alone.
    public func diagramCount(order n: Int) -> Rational {
        if n < 0 { return .zero }
        if n == 0 { return .one }
        return unlabelledSeries(upTo: n)[n]
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
                let inverse = Rational.one / DiagramMath.factorial(k)
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
