// The MPFR expansion: against exact rationals where those exist, against doubles elsewhere, exact cancellations
// printed as 0, high orders whose alpha! passes 2^128, and the size limit.
import Testing
import NNFeynAlgebra
import NNFeynEval
import NNFeynModel
import NNFeynTestSupport

@Suite struct MultiprecisionTests {
    @Test(arguments: [64, 200, 1000])
    func agreesWithExactExpansionsToTheRequestedBits(bits: Int) throws {
        // Pre-activations vanish at the origin: every value is rational, so the exact expansion is the truth.
        let model = TestNetworks.random(input: 2, widths: [3, 3, 1], activations: [.tanh, .sigmoid, .linear], seed: 3,
                                        point: [0, 0], zeroBias: true)
        let exact = try #require(try Expander.expand(model, order: 6, mode: .exact).exact)
        let result = try Expander.multiprecisionExpansion(model, order: 6, bits: bits)
        #expect(result.digits == BigFloat.correctDigits(precision: bits))
        #expect(result.unconfirmed == 0)
        for p in exact.positions {
            let truth = exact.coefficient(output: 0, position: p)
            let value = result.expansion.coefficient(output: 0, position: p)
            let rational = try #require(value.exactRational)
            #expect((rational - truth).magnitude <= truth.magnitude * Rational(1, 2).power(bits), "position \(p)")
            if !truth.isZero {
                #expect(value.text(significantDigits: result.digits) == truth.decimalText(significantDigits: result.digits))
            }
        }
    }

    @Test func derivativesOfHighOrderKeepEveryDigit() throws {
        // d^k y / dx^k carries k!, whose odd part passes 128 bits from k = 45 on: it must be formed at the working
        // precision, not at the default 128 bits.
        let model = TestNetworks.model(input: 1, point: [0], layers: [
            (.tanh, [[Rational(3, 4)], [Rational(-1, 2)]], [0, 0]),
            (.linear, [[1, Rational(1, 3)]], [0]),
        ])
        let exact = try #require(try Expander.expand(model, order: 50, mode: .exact).exact)
        let result = try Expander.multiprecisionExpansion(model, order: 50, bits: 200)
        try BigFloat.withPrecision(result.workingBits) {
            for k in [45, 47, 49] {
                let p = try #require(exact.basis.position(of: [Int](repeating: 0, count: k)))
                let truth = exact.derivative(output: 0, position: p)
                #expect(result.expansion.derivative(output: 0, position: p).text(significantDigits: result.digits)
                        == truth.decimalText(significantDigits: result.digits), "order \(k)")
            }
        }
    }

    @Test func agreesWithDoublesAwayFromTheOrigin() throws {
        let model = TestNetworks.random(input: 3, widths: [4, 4, 2], activations: [.gelu, .softplus, .linear], seed: 8)
        let numeric = try Expander.expand(model, order: 5, mode: .numeric).numeric
        let result = try Expander.multiprecisionExpansion(model, order: 5, bits: 120)
        let differences = maxRelativeDifference(numeric, result.expansion.doubleValues)
        #expect(differences.allSatisfy { $0 < 1e-12 }, "\(differences)")
    }

    @Test func exactCancellationsPrintAsZero() throws {
        // softplus(z) - softplus(-z) = z, so y = [sp(x + 1/3) - sp(-x - 1/3)] - [sp(x + 1/7) - sp(-x - 1/7)] - 4/21
        // vanishes identically; the four softplus values round independently, so orders 0 and 1 come out tiny.
        let model = TestNetworks.model(input: 1, point: [Rational(1, 5)], layers: [
            (.softplus, [[1], [-1], [1], [-1]], [Rational(1, 3), Rational(-1, 3), Rational(1, 7), Rational(-1, 7)]),
            (.linear, [[1, -1, -1, 1]], [Rational(-4, 21)]),
        ])
        let result = try Expander.multiprecisionExpansion(model, order: 9, bits: 100)
        #expect(result.expansion.coefficients(output: 0, order: 0).allSatisfy { $0.isZero })
        #expect((1...9).allSatisfy { result.expansion.coefficients(output: 0, order: $0).allSatisfy { $0.isZero } })
        #expect(result.zeroed > 0 && result.unconfirmed == 0)
    }

    @Test func convertsTheModelOncePerPrecision() throws {
        let model = TestNetworks.model(input: 1, layers: [(.tanh, [[Rational(1, 3)]], [0])])
        let narrow = try model.network(as: BigFloat.self)
        let wide = try BigFloat.withPrecision(300) { try model.network(as: BigFloat.self) }
        #expect(narrow.weights[0][0].precision == BigFloat.workingPrecision)
        #expect(wide.weights[0][0].precision == 300 && wide.point[0].precision == 300)
        #expect(narrow.weights[0][0] != wide.weights[0][0])
    }

    @Test func refusesBeyondTheLimit() throws {
        let model = TestNetworks.random(input: 4, widths: [8, 1], activations: [.tanh, .linear], seed: 1)
        #expect(throws: EvaluationError.self) { try Expander.multiprecisionExpansion(model, order: 8, bits: 4000, limit: 1_000_000) }
    }
}
