// Taylor coefficients sigma^(k)(z)/k! of a whole layer (or a batch of layers at many points) at once, for the
// numeric evaluators: the per-value rules in ActivationRules.swift allocate an array per call, which costs more
// than the arithmetic when a layer has hundreds of neurons. Same formulas, same accuracy: tanh and sigmoid through
// the double-double own-value polynomials, evaluated by a C kernel over a vector of neurons at once (the same
// polynomial operations, vectorised exponentials within 0.7 ulp), with the first two derivatives of tanh written out
// (1 - t^2 as u (2 - u) near saturation: as accurate, and a tenth of the work); every other activation value by
// value through `numericDerivatives`. ActivationBatchTests bounds the difference from the scalar rules.
import CNNFeynKernels
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
    /// t = tanh|z| near the origin and in u = 1 - tanh|z| beyond |z| = 0.55, exactly as `tanhDerivatives`, in
    /// double-double Horner vectorised over neurons (`nnf_tanh_coefficients`).
    static func tanhCoefficients(_ z: UnsafeBufferPointer<Double>, upTo n: Int, factorials: [Double],
                                 into out: UnsafeMutablePointer<Double>, stride: Int, halfArgument: Bool) {
        let near = DerivativePolynomials.shared.flatSplitPolynomials(.tanh, upTo: max(n, 2))
        let far = DerivativePolynomials.shared.flatSplitPolynomials(.tanhComplement, upTo: max(n, 2))
        nnf_tanh_coefficients(Int64(z.count), z.baseAddress, Int64(n), out, Int64(stride), halfArgument ? 1 : 0,
                              near.hi, near.lo, far.hi, far.lo, factorials)
    }
}
