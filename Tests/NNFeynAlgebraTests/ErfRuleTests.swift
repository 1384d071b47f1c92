// erf: the Hermite derivative rule against two independent oracles (mpmath's numerical differentiation at 450
// digits, and the Maclaurin series at 0), and its exactness: rational only where the Hermite factor vanishes.
import Foundation
import Testing
@testable import NNFeynAlgebra

@Suite struct ErfRuleTests {
    @Test func theLanguageKnowsErf() {
        #expect(Activation.simpleNames["erf"] == .erf)
        #expect(Activation.allNames.contains("erf"))
        #expect(Activation.erf.name == "erf")
        #expect(Activation.erf.sourceForm == "erf")
        #expect(Activation.erf.hasVertex(ofDegree: 2) && Activation.erf.hasVertex(ofDegree: 7))
        #expect(Activation.erf.maximumVertexDegree == nil)
    }

    /// Orders 0...20 against mpmath at 450 digits, with the error measured against the local envelope
    /// max(|f_k|, sqrt(|f_(k-1) f_(k+1)|)) as for the other activations (a derivative near one of its zeros has no
    /// meaningful relative error).
    @Test func numericMatchesTheOracle() throws {
        var worst = 0.0
        for (z, reference) in erfOracleValues {
            let ours = try ActivationRules.numericDerivatives(.erf, at: z, upTo: 20)
            #expect(ours.count == 21)
            #expect(ActivationRules.numericValue(.erf, at: z) == ours[0])
            for k in 0...20 {
                var envelope = abs(reference[k])
                if k > 0, k < 20 { envelope = max(envelope, (abs(reference[k - 1]) * abs(reference[k + 1])).squareRoot()) }
                let error = abs(ours[k] - reference[k])
                if error > 0 { worst = max(worst, error / max(envelope, 1e-300)) }
                #expect(error <= 5e-14 * envelope + 1e-300, "erf^(\(k))(\(z)) = \(ours[k]), expected \(reference[k])")
            }
        }
        print("worst relative error of erf against the oracle: \(worst)")
    }

    /// erf(z) = (2/sqrt(pi)) sum_n (-1)^n z^(2n+1) / (n! (2n+1)), so erf^(2n+1)(0) = (2/sqrt(pi)) (-1)^n (2n)!/n! and
    /// the even derivatives vanish: an oracle that shares nothing with the Hermite recurrence.
    @Test func derivativesAtZeroAreTheMaclaurinCoefficients() throws {
        let numeric = try ActivationRules.numericDerivatives(.erf, at: 0, upTo: 21)
        for k in 0...21 {
            if k % 2 == 0 {
                #expect(numeric[k] == 0)
            } else {
                let n = (k - 1) / 2
                var ratio = 1.0 // (2n)!/n! = (n+1)(n+2)...(2n), exact in doubles here
                if n >= 1 { for j in (n + 1)...(2 * n) { ratio *= Double(j) } }
                let expected = (n % 2 == 0 ? 1.0 : -1.0) * 2 / Double.pi.squareRoot() * ratio
                #expect(abs(numeric[k] - expected) <= 4e-16 * abs(expected), "erf^(\(k))(0)")
            }
        }
    }

    @Test func exactOnlyWhereTheHermiteFactorVanishes() throws {
        // At 0: erf(0) = 0 and H_{k-1}(0) = 0 for even k; odd k carry 2/sqrt(pi).
        let atZero = try ActivationRules.exactDerivatives(.erf, at: 0, upTo: 9)
        #expect(atZero == [0, nil, 0, nil, 0, nil, 0, nil, 0, nil])
        // Away from 0 nothing is rational: H_1(z) = 2z, H_2 = 4z^2 - 2, ... have no nonzero rational root here.
        #expect(try ActivationRules.exactDerivatives(.erf, at: Rational(1, 3), upTo: 6) == Array(repeating: nil, count: 7))
        #expect(try ActivationRules.exactDerivatives(.erf, at: -2, upTo: 0) == [nil])
        #expect(try ActivationRules.exactDerivatives(.erf, at: 0, upTo: -1).isEmpty)
    }

    @Test func exactAndNumericAgreeWhereExact() throws {
        let exact = try ActivationRules.exactDerivatives(.erf, at: 0, upTo: 20)
        let numeric = try ActivationRules.numericDerivatives(.erf, at: 0, upTo: 20)
        for (e, v) in zip(exact, numeric) {
            guard let e else { continue }
            #expect(v == e.doubleValue)
        }
    }

    @Test func hermitePolynomialsFollowTheirRecurrence() {
        // H_0..H_4 at z = 1/2 exactly: 1, 1, -1, -5, 1 (H_3 = 8z^3 - 12z, H_4 = 16z^4 - 48z^2 + 12).
        let h: [Rational] = ActivationRules.physicistsHermitePolynomials(at: Rational(1, 2), upTo: 4)
        #expect(h == [1, 1, -1, -5, 1])
        let empty: [Double] = ActivationRules.physicistsHermitePolynomials(at: 1.0, upTo: -1)
        #expect(empty.isEmpty)
    }

    @Test func farTailsUnderflowToZeroWithoutNaN() throws {
        for z in [-40.0, 30, 1e3, -1e200] {
            let values = try ActivationRules.numericDerivatives(.erf, at: z, upTo: 30)
            #expect(values.allSatisfy { $0.isFinite })
            #expect(values.dropFirst().allSatisfy { $0 == 0 })
        }
    }
}
