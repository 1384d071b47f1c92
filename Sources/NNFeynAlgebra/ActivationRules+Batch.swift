// Taylor coefficients sigma^(k)(z)/k! of a whole layer (or a batch of layers at many points) at once, for the
// numeric evaluators: the per-value rules in ActivationRules.swift allocate an array per call, which costs more
// than the arithmetic when a layer has hundreds of neurons. Same formulas, same accuracy: tanh and sigmoid through
// the double-double own-value polynomials (fetched once per call instead of once per neuron), with the first two
// derivatives of tanh written out (1 - t^2 as u (2 - u) near saturation: as accurate, and a tenth of the work);
// every other activation value by value through `numericDerivatives`.
import Foundation

extension ActivationRules {
    /// out[k * stride + i] = sigma^(k)(z[i]) / k! for k = 0...n and i < z.count, in double precision (the values of
    /// `numericDerivatives` divided by k!, to a few ulps). Returns the first index whose derivative does not exist (relu
    /// exactly at its kink with n >= 1), nil otherwise.
    public static func numericTaylorCoefficients(_ activation: Activation, at z: UnsafeBufferPointer<Double>, upTo n: Int,
                                                 into out: UnsafeMutablePointer<Double>, stride: Int) -> Int? {
        guard n >= 0 else { return nil }
        var factorials = [Double](repeating: 1, count: n + 1)
        for k in Swift.stride(from: 1, through: n, by: 1) { factorials[k] = factorials[k - 1] * Double(k) }
        switch activation {
        case .tanh:
            tanhCoefficients(z, upTo: n, factorials: factorials, into: out, stride: stride, halfArgument: false)
        case .sigmoid:
            tanhCoefficients(z, upTo: n, factorials: factorials, into: out, stride: stride, halfArgument: true)
        case .linear:
            for i in 0..<z.count {
                out[i] = z[i]
                if n >= 1 { out[stride + i] = 1 }
                for k in Swift.stride(from: 2, through: n, by: 1) { out[k * stride + i] = 0 }
            }
        default:
            for i in 0..<z.count {
                let values: [Double]
                do { values = try numericDerivatives(activation, at: z[i], upTo: n) } catch { return i }
                for k in 0...n { out[k * stride + i] = k == 0 ? values[0] : values[k] / factorials[k] }
            }
        }
        return nil
    }

    /// tanh (or, with `halfArgument`, sigmoid(z) = (1 + tanh(z/2)) / 2) coefficients: the own-value polynomials in
    /// t = tanh|z| near the origin and in u = 1 - tanh|z| beyond |z| = 0.55, exactly as `tanhDerivatives`.
    static func tanhCoefficients(_ z: UnsafeBufferPointer<Double>, upTo n: Int, factorials: [Double],
                                 into out: UnsafeMutablePointer<Double>, stride: Int, halfArgument: Bool) {
        let near = n >= 3 ? Array(DerivativePolynomials.shared.splitPolynomials(.tanh, upTo: n)) : []
        let far = n >= 3 ? Array(DerivativePolynomials.shared.splitPolynomials(.tanhComplement, upTo: n)) : []
        for i in 0..<z.count {
            let x = halfArgument ? z[i] / 2 : z[i]
            let w = Swift.abs(x)
            // One exponential per neuron gives tanh|x| and u = 1 - tanh|x|, each without cancellation: expm1 near the
            // origin, exp beyond 0.55 (where 1 + expm1 would lose the small e).
            let t: Double, u: Double
            if w < 0.55 {
                let em = Foundation.expm1(-2 * w)
                t = -em / (2 + em)
                u = 1 - t
            } else {
                let e = Foundation.exp(-2 * w)
                u = 2 * e / (1 + e)
                t = 1 - u
            }
            // sigmoid(z) = (1 + tanh(z/2)) / 2: u/2 on the negative side (no cancellation), 1 - u/2 on the positive.
            out[i] = halfArgument ? (x < 0 ? u / 2 : 1 - u / 2) : (x < 0 ? -t : t)
            guard n >= 1 else { continue }
            // 1 - t^2 = u (2 - u), without cancellation where t is close to 1.
            let q = w < 0.55 ? 1 - t * t : u * (2 - u)
            if n <= 2 && !halfArgument {
                // The Laplacian's case, written out: c_1 = 1 - t^2, c_2 = tanh''/2 = -t (1 - t^2) (odd in x).
                out[stride + i] = q
                if n == 2 { out[2 * stride + i] = x < 0 ? t * q : -t * q }
                continue
            }
            for k in 1...n {
                var value: Double
                if k == 1 {
                    value = q
                } else if k == 2 {
                    value = -2 * t * q
                } else {
                    value = w < 0.55 ? DerivativePolynomials.evaluate(near[k], at: t) : DerivativePolynomials.evaluate(far[k], at: u)
                }
                if x < 0 && k % 2 == 0 { value = -value }
                if halfArgument { value = Double(sign: .plus, exponent: -(k + 1), significand: value) }
                out[k * stride + i] = value / factorials[k]
            }
        }
    }
}
