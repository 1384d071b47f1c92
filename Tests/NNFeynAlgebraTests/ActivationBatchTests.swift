import Foundation
import Testing
@testable import NNFeynAlgebra

/// The layer-at-once coefficients (`numericTaylorCoefficients`: a C kernel with vectorised exponentials and
/// double-double Horner over neurons) against the scalar rules and the mpmath oracle. Errors are measured against
/// the local envelope max(|f_k|, sqrt(|f_(k-1) f_(k+1)|)), as in ActivationRulesTests: near a zero of a derivative a
/// relative error means nothing. Plain double Horner of the same polynomials would be off by 16 envelope-ulps at
/// order 6 and 46 at order 8, and fail the dense-grid bound of 6.
struct ActivationBatchTests {
    static let ulp = Double.ulpOfOne

    /// sigma^(k)(z) for k = 0...n at every z, through the batch path, as derivatives (coefficient * k!).
    static func batch(_ activation: Activation, _ z: [Double], upTo n: Int) -> [[Double]] {
        var out = [Double](repeating: .nan, count: (n + 1) * z.count)
        z.withUnsafeBufferPointer { zp in
            out.withUnsafeMutableBufferPointer { op in
                _ = ActivationRules.numericTaylorCoefficients(activation, at: zp, upTo: n, into: op.baseAddress!, stride: z.count)
            }
        }
        var factorial = 1.0
        var rows: [[Double]] = []
        for k in 0...n {
            if k > 0 { factorial *= Double(k) }
            rows.append((0..<z.count).map { out[k * z.count + $0] * factorial })
        }
        return (0..<z.count).map { i in (0...n).map { rows[$0][i] } }
    }

    static func envelope(_ f: [Double], _ k: Int) -> Double {
        var e = abs(f[k])
        if k > 0, k + 1 < f.count { e = max(e, (abs(f[k - 1]) * abs(f[k + 1])).squareRoot()) }
        return e
    }

    /// A dense grid over [-40, 40], both sides of the near/far switch (|x| = 0.55) and of the libm fallback
    /// (2|x| = 700), tiny arguments, saturation and infinities.
    static let grid: [Double] = {
        var z = stride(from: -40.0, through: 40.0, by: 1.0 / 256).map { $0 }
        for c in [0.55, 1.1, 350.0, 700.0] { for s in -8...8 { let v = c + Double(s) * c.ulp; z += [v, -v] } }
        for e in stride(from: -300, through: -1, by: 7) { z += [0x1p0 * pow(2, Double(e)), -pow(2, Double(e)) * 1.37] }
        return z + [0, 349.9, 351, 699.5, 800, -1000, .infinity, -.infinity]
    }()

    @Test(arguments: ["tanh", "sigmoid"])
    func batchAgreesWithTheScalarRulesOnADenseGrid(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        // Orders up to 8, where plain double Horner would already lose more than the bound. Beyond, the two paths'
        // arguments (tanh|x| from expm1 here, from libm's tanh there) differ by an ulp or two, which the steeper
        // polynomials amplify; the oracle test below bounds both against mpmath to order 20.
        let n = 8
        let fast = Self.batch(activation, Self.grid, upTo: n)
        var worst = [Double](repeating: 0, count: n + 1)
        for (i, z) in Self.grid.enumerated() {
            // One order more than compared, so that the envelope of order n has its upper neighbour too.
            let reference = try ActivationRules.numericDerivatives(activation, at: z, upTo: n + 1)
            if z == 0 { #expect(fast[i][0].sign == .plus, "\(name)(0) = \(fast[i][0])") }
            for k in 0...n {
                #expect(fast[i][k].isFinite == reference[k].isFinite, "\(name)^(\(k))(\(z))")
                let error = abs(fast[i][k] - reference[k])
                guard error > 0 else { continue }
                let envelope = Self.envelope(reference, k)
                worst[k] = max(worst[k], error / (envelope * Self.ulp))
                // Measured: at most 3.7 ulps to order 7 and 5.5 at order 8 (tanh and sigmoid).
                let bound = 6 * Self.ulp * envelope
                #expect(error <= bound, "\(name)^(\(k))(\(z)): batch \(fast[i][k]), scalar \(reference[k])")
            }
        }
        print("batch vs scalar \(name), worst error in ulps of the envelope by order: \(worst.map { ($0 * 100).rounded() / 100 })")
    }

    @Test(arguments: ["tanh", "sigmoid"])
    func batchMatchesTheOracle(name: String) throws {
        let activation = try #require(Activation.simpleNames[name])
        let cases = activationOracleValues.filter { $0.0 == name }
        let fast = Self.batch(activation, cases.map(\.1), upTo: 20)
        for (i, (_, z, reference)) in cases.enumerated() {
            for k in 0...20 {
                let envelope = Self.envelope(reference, k)
                #expect(abs(fast[i][k] - reference[k]) <= 5e-14 * envelope + 1e-300, "\(name)^(\(k))(\(z))")
            }
        }
    }
}
