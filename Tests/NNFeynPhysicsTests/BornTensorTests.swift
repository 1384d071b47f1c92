// Born tensors of any order: against the order-3 kernels, against the eps^(K+1) convergence of partial sums to the
// exact a0, and exactly against an independent route (transfer matrices as power series in eps, in rationals).
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import Testing
@testable import NNFeynPhysics

/// A power series in eps truncated after eps^order, with exact rational coefficients.
struct TruncatedSeries {
    var c: [Rational]

    init(_ c: [Rational]) { self.c = c }
    init(constant: Rational, order: Int) { c = [constant] + [Rational](repeating: .zero, count: order) }

    var order: Int { c.count - 1 }

    static func + (x: TruncatedSeries, y: TruncatedSeries) -> TruncatedSeries {
        TruncatedSeries(zip(x.c, y.c).map { $0 + $1 })
    }
    static func - (x: TruncatedSeries, y: TruncatedSeries) -> TruncatedSeries {
        TruncatedSeries(zip(x.c, y.c).map { $0 - $1 })
    }
    static func * (x: TruncatedSeries, y: TruncatedSeries) -> TruncatedSeries {
        var out = [Rational](repeating: .zero, count: x.c.count)
        for i in x.c.indices { for j in 0..<(x.c.count - i) { out[i + j] = out[i + j] + x.c[i] * y.c[j] } }
        return TruncatedSeries(out)
    }
    /// x / y by long division; y's constant term must be nonzero.
    static func / (x: TruncatedSeries, y: TruncatedSeries) -> TruncatedSeries {
        var q = [Rational](repeating: .zero, count: x.c.count)
        for k in q.indices {
            var r = x.c[k]
            for j in 1...max(k, 1) where j <= k { r = r - y.c[j] * q[k - j] }
            q[k] = r / y.c[0]
        }
        return TruncatedSeries(q)
    }
}

/// a0(eps U) as a power series in eps through eps^order, by carrying (u, u') across each step with the transfer
/// matrix of u'' = eps U_m u on width h: cosh(sqrt(l) h) = Σ x^j/(2j)!, sinh(sqrt(l) h)/sqrt(l) = h Σ x^j/(2j+1)!,
/// sqrt(l) sinh(sqrt(l) h) = Σ_{j>=1} U^j h^(2j-1) eps^j/(2j-1)!, with l = eps U_m and x = eps U_m h^2 (these are the
/// cos/cosh, sin/k and k sin of either sign, as entire series). Then a0 = R - u/u'.
func scatteringLengthSeries(edges: [Rational], values: [Rational], order K: Int) -> TruncatedSeries {
    var u = TruncatedSeries(constant: .zero, order: K), du = TruncatedSeries(constant: .one, order: K)
    var factorial = [Rational.one]
    for i in 1...(2 * K + 2) { factorial.append(factorial[i - 1] * Rational(i)) }
    for m in values.indices {
        let h = edges[m + 1] - edges[m], U = values[m]
        var C = [Rational](), S = [Rational](), D = [Rational]()
        for j in 0...K {
            let x = (U * h * h).power(j)
            C.append(x / factorial[2 * j])
            S.append(h * x / factorial[2 * j + 1])
            D.append(j == 0 ? .zero : U.power(j) * h.power(2 * j - 1) / factorial[2 * j - 1])
        }
        let (c, s, d) = (TruncatedSeries(C), TruncatedSeries(S), TruncatedSeries(D))
        (u, du) = (u * c + du * s, u * d + du * c)
    }
    return TruncatedSeries(constant: edges[edges.count - 1], order: K) - u / du
}

@Suite struct BornTensorTests {
    static let irregularEdges: [Double] = [0, 0.1, 0.5, 0.55, 1.3]

    @Test(arguments: [irregularEdges, StepPotential.equalEdges(steps: 16, range: 1)])
    func ordersOneToThreeAreTheBornKernels(edges: [Double]) throws {
        let kernels = BornKernels(edges: edges)
        let tensors = try BornTensors.expansion(edges: edges, order: 3)
        let exact = try BornTensors.expansion(edges: edges.map { Rational(exactly: $0)! }, order: 3)
        #expect(tensors.convention == .derivative && exact.convention == .derivative)
        #expect(tensors.outputCount == 1 && tensors.orders == 0...3 && tensors.derivatives(output: 0, order: 0) == [0])
        let reference = [kernels.first, kernels.second, kernels.third]
        for k in 1...3 {
            #expect(tensors.derivatives(output: 0, order: k).count == MonomialBasis.multichoose(edges.count - 1, k))
            // Dense, every index permutation: each packed value lands on all its permutations.
            let dense = tensors.dense(order: k), denseExact = exact.dense(order: k)
            let scale = reference[k - 1].map(abs).max()!
            for (x, y) in zip(dense, reference[k - 1]) {
                #expect(abs(x - y) <= 1e-13 * scale, "order \(k): \(x) vs \(y)")
            }
            for (x, y) in zip(denseExact, reference[k - 1]) {
                #expect(abs(x - y) <= 1e-13 * scale, "order \(k), exact: \(x) vs \(y)")
            }
        }
        let n = edges.count - 1
        #expect(abs(tensors.derivative(output: 0, indices: [n - 1, 0])! - kernels.second(0, n - 1))
                <= 1e-13 * abs(kernels.second(0, n - 1)))
    }

    /// Halving eps divides the error of the order-K partial sum by about 2^(K+1), K = 1...6.
    @Test func partialSumsConvergeLikeEpsToTheKPlusOne() throws {
        let edges = Self.irregularEdges
        let U: [Double] = [-1.4, 0.8, -2.0, -0.6]
        let tensors = try BornTensors.expansion(edges: edges, order: 6)
        func errors(_ eps: Double) -> [Double] {
            let scaled = U.map { eps * $0 }
            let exact = ScatteringLength.exact(StepPotential(edges: edges, values: scaled))
            var sum = 0.0
            return (1...6).map { sum += tensors.termValue(order: $0, at: scaled); return abs(exact - sum) }
        }
        let coarse = errors(0.2), fine = errors(0.1)
        for K in 1...6 {
            let slope = log2(coarse[K - 1] / fine[K - 1])
            #expect(abs(slope - Double(K + 1)) < 0.25, "order \(K): slope \(slope), expected \(K + 1)")
        }
    }

    /// The order-k coefficient of a0(eps U) from transfer-matrix power series equals (1/k!) Σ T U...U exactly.
    @Test(arguments: [
        ([Rational(0), Rational(1, 4), Rational(1, 2), Rational(3, 5), Rational(1)],
         [Rational(-3, 2), Rational(1, 3), Rational(-1), Rational(2, 7)]),
        ((0...6).map { Rational($0, 4) }, [Rational(-1), Rational(-1, 2), Rational(-2, 3), Rational(-5, 4),
                                          Rational(-1, 3), Rational(-3, 4)]),
    ])
    func exactTensorsMatchTransferMatrixSeries(edges: [Rational], values: [Rational]) throws {
        let K = 6
        let tensors = try BornTensors.expansion(edges: edges, order: K)
        let series = scatteringLengthSeries(edges: edges, values: values, order: K)
        #expect(series.c[0] == .zero)
        let terms = (1...K).map { tensors.termValue(order: $0, at: values) }
        for k in 1...K { #expect(terms[k - 1] == series.c[k], "order \(k): \(terms[k - 1]) vs \(series.c[k])") }
    }

    /// Orders 1-4 at the default 16 equal steps, exactly: contracted with random rational potentials they give the
    /// transfer-matrix coefficients.
    @Test func sixteenStepsOrderFourExactly() throws {
        let K = 4, n = 16
        let tensors = try BornTensors.expansion(steps: n, range: Rational(1), order: K)
        let edges = BornTensors.equalEdges(steps: n, range: Rational(1))
        var rng = Xoshiro256(seed: 13)
        for _ in 0..<3 {
            let values = (0..<n).map { _ in Rational(Int(rng.uniform(-9, 9).rounded()), 4) }
            let series = scatteringLengthSeries(edges: edges, values: values, order: K)
            for k in 1...K { #expect(tensors.termValue(order: k, at: values) == series.c[k], "order \(k)") }
        }
    }

    @Test func refusesTooLargeAndBadInput() {
        #expect(throws: BornTensorError.self) { try BornTensors.expansion(steps: 64, range: 1.0, order: 12) }
        #expect(throws: BornTensorError.invalidOrder(0)) { try BornTensors.expansion(steps: 4, range: 1.0, order: 0) }
        #expect(throws: BornTensorError.self) { try BornTensors.expansion(edges: [0, 0.5, 0.5, 1], order: 2) }
        #expect(throws: BornTensorError.self) { try BornTensors.expansion(edges: [0.5, 1], order: 2) }
        let slots = BornTensors.slots(steps: 16, order: 3)
        #expect(slots == 16 * 4 + 136 * 6 + 816 * 8)
        #expect(throws: BornTensorError.tooLarge(order: 3, steps: 16, slots: slots, limit: 100)) {
            try BornTensors.expansion(steps: 16, range: 1.0, order: 3, limit: 100)
        }
        // Errors print as coded diagnostics: too large is an expansion limit (E0302), the rest are usage errors.
        #expect(BornTensorError.tooLarge(order: 3, steps: 16, slots: slots, limit: 100).diagnostics.map(\.code) == [.tooLarge])
        #expect(BornTensorError.invalidOrder(0).diagnostics.map(\.code) == [.usage])
    }

    @Test func jsonHasOneEntryPerMonomialAndReadsBack() throws {
        let tensors = try BornTensors.expansion(steps: 3, range: 1.3, order: 5)
        let json = BornTensors.json(tensors, edges: StepPotential.equalEdges(steps: 3, range: 1.3))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root.keys.sorted() == ["convention", "edges", "order", "orders", "schema", "steps"])
        #expect(root["schema"] as? String == "nnfeyn.born.kernels/2")
        let orders = try #require(root["orders"] as? [[String: Any]])
        #expect(orders.map { $0["order"] as? Int } == [1, 2, 3, 4, 5])
        for (k, record) in zip(1...5, orders) {
            let entries = try #require(record["entries"] as? [[String: Any]])
            #expect(entries.count == MonomialBasis.multichoose(3, k))
            #expect(entries.map { $0["index"] as? [Int] } == tensors.basis.range(ofDegree: k).map { tensors.basis.indexLists[$0] })
        }
        // Every value reads back to the same double (Swift's parser: Foundation's JSON parser on Linux rounds).
        let values = json.split(separator: "\n").filter { $0.contains("\"value\"") }.map {
            Double(String($0.split(separator: ":").last!.dropLast(1).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "},"))))
        }
        #expect(values == (1...5).flatMap { tensors.derivatives(output: 0, order: $0) }.map { Optional($0) })
        let exactTensors = try BornTensors.expansion(steps: 3, range: Rational(13, 10), order: 2)
        let exact = BornTensors.json(exactTensors, edges: BornTensors.equalEdges(steps: 3, range: Rational(13, 10)))
        #expect(exact.contains("\"edges\": [\"0\", \"13/30\", \"13/15\", \"13/10\"]"))
    }

    /// The scalar any-order recursion (for many potentials) against the order-3 terms and the contracted tensors.
    @Test func scalarTermsOfAnyOrderMatchTheTensors() throws {
        let edges = Self.irregularEdges
        let tensors = try BornTensors.expansion(edges: edges, order: 5)
        var rng = Xoshiro256(seed: 21)
        for _ in 0..<5 {
            let U = (0..<4).map { _ in rng.uniform(-2, 1) }
            let scalar = U.withUnsafeBufferPointer { u in
                edges.withUnsafeBufferPointer { e in BornSeries.terms(values: u.baseAddress!, edges: e.baseAddress!, steps: 4, order: 5) }
            }
            let three = BornSeries.terms(StepPotential(edges: edges, values: U)).partialSums
            #expect(abs(scalar[0] - three[0]) <= 1e-14 * abs(three[0]))
            #expect(abs(scalar[0] + scalar[1] - three[1]) <= 1e-14 * abs(three[1]))
            #expect(abs(scalar[0] + scalar[1] + scalar[2] - three[2]) <= 1e-14 * abs(three[2]))
            for (k, x) in zip(1...5, scalar) {
                let y = tensors.termValue(order: k, at: U)
                #expect(abs(x - y) <= 1e-13 * abs(y), "order \(k): \(x) vs \(y)")
            }
        }
    }
}

/// The exact a0 of a step potential at a rational point, to within far less than 1e-40: the transfer matrices'
/// entire series (cosh, sinh/k, k sinh in U h^2) summed through `terms` terms in rationals, then a0 = R - u/u'.
/// Meant for |U| h^2 <= 0.1, where the first neglected term is below 0.1^terms / (2 terms)!.
func scatteringLengthExactly(edges: [Rational], values: [Rational], terms: Int = 12) -> Rational {
    var u = Rational.zero, du = Rational.one
    for m in values.indices {
        let h = edges[m + 1] - edges[m], x = values[m] * h * h
        // C = Σ x^j/(2j)!, S = h Σ x^j/(2j+1)!, D = U S, by Horner from the last term.
        var c = Rational.one, s = Rational.one
        for j in stride(from: terms, to: 0, by: -1) {
            c = Rational.one + x * c / Rational((2 * j - 1) * (2 * j))
            s = Rational.one + x * s / Rational((2 * j) * (2 * j + 1))
        }
        s = h * s
        (u, du) = (u * c + du * s, u * (values[m] * s) + du * c)
    }
    return edges[edges.count - 1] - u / du
}

@Suite struct BornTensorFiniteDifferenceTests {
    /// Every derivative d^K a0 / dU_i...dU_l at U = 0, K = 1...6, as a product of central differences of the exact a0
    /// (an m-fold index is the m-th central difference in that step value, points at U_i = (m/2 - j) h), all in
    /// rational arithmetic, so the only error is the stencil's own, an even series in h; three Richardson steps
    /// (h, h/2, h/4, h/8 with h = 1/10000) leave O(h^8). The tensors must agree to 1e-18 of the largest entry of
    /// their order, far below anything doubles could check.
    @Test func everyEntryOfOrdersOneToSixIsAFiniteDifferenceOfExactA0() throws {
        let edges = [Rational(0), Rational(1, 10), Rational(1, 2), Rational(11, 20), Rational(13, 10)]
        let n = edges.count - 1, K = 6
        let tensors = try BornTensors.expansion(edges: edges, order: K)
        var cache: [[Rational]: Rational] = [:]
        func a0(_ U: [Rational]) -> Rational {
            if let value = cache[U] { return value }
            let value = scatteringLengthExactly(edges: edges, values: U)
            cache[U] = value
            return value
        }
        func binomial(_ m: Int, _ j: Int) -> Int { j == 0 ? 1 : binomial(m, j - 1) * (m - j + 1) / j }
        /// The stencil estimate of the derivative with multiplicities `counts` (one per step) at step h.
        func difference(_ counts: [Int], _ h: Rational) -> Rational {
            var sum = Rational.zero
            func visit(_ step: Int, _ point: [Rational], _ weight: Int) {
                guard step < n else { sum += Rational(weight) * a0(point); return }
                let m = counts[step]
                guard m > 0 else { visit(step + 1, point, weight); return }
                for j in 0...m {
                    var next = point
                    next[step] = Rational(m - 2 * j, 2) * h
                    visit(step + 1, next, weight * binomial(m, j) * (j % 2 == 0 ? 1 : -1))
                }
            }
            visit(0, [Rational](repeating: .zero, count: n), 1)
            return sum / h.power(counts.reduce(0, +))
        }
        func richardson(_ counts: [Int]) -> Rational {
            var row = (0..<4).map { difference(counts, Rational(1, 10_000 << $0)) }
            for level in 1...3 {
                let factor = Rational(1 << (2 * level))
                row = (0..<(row.count - 1)).map { (factor * row[$0 + 1] - row[$0]) / (factor - Rational.one) }
            }
            return row[0]
        }
        for k in 1...K {
            let entries = tensors.basis.range(ofDegree: k).map { tensors.basis.indexLists[$0] }
            #expect(entries.count == MonomialBasis.multichoose(n, k))
            let scale = tensors.derivatives(output: 0, order: k).map(\.magnitude).max()!
            for indices in entries {
                var counts = [Int](repeating: 0, count: n)
                for i in indices { counts[i] += 1 }
                let exact = try #require(tensors.derivative(output: 0, indices: indices))
                let estimate = richardson(counts)
                #expect((estimate - exact).magnitude <= Rational(1, 1_000_000_000_000_000_000) * scale,
                        "order \(k) \(indices): \(estimate.doubleValue) vs \(exact.doubleValue)")
            }
        }
    }
}
