// Elementary functions of BigFloat (MPFR, correctly rounded at the argument's precision) and the activation
// *values* sigma(z), the only thing a plain forward pass needs. Derivatives are in BigFloat+ActivationScalar.swift.
import CMPFR

extension BigFloat {
    typealias Unary = (UnsafeMutablePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, mpfr_rnd_t) -> Int32

    @inline(__always)
    func apply(_ function: Unary) -> BigFloat {
        let source = storage.value
        return BigFloat.make(precision: precision) { _ = function($0, source, MPFR_RNDN) }
    }

    /// e^x.
    public static func exp(_ x: BigFloat) -> BigFloat { x.apply(mpfr_exp) }
    /// e^x - 1, accurate near 0.
    public static func expm1(_ x: BigFloat) -> BigFloat { x.apply(mpfr_expm1) }
    /// The natural logarithm.
    public static func log(_ x: BigFloat) -> BigFloat { x.apply(mpfr_log) }
    /// log(1 + x), accurate near 0.
    public static func log1p(_ x: BigFloat) -> BigFloat { x.apply(mpfr_log1p) }
    /// tanh x.
    public static func tanh(_ x: BigFloat) -> BigFloat { x.apply(mpfr_tanh) }
    /// sin x.
    public static func sin(_ x: BigFloat) -> BigFloat { x.apply(mpfr_sin) }
    /// cos x.
    public static func cos(_ x: BigFloat) -> BigFloat { x.apply(mpfr_cos) }
    /// The error function.
    public static func erf(_ x: BigFloat) -> BigFloat { x.apply(mpfr_erf) }
    /// The complementary error function.
    public static func erfc(_ x: BigFloat) -> BigFloat { x.apply(mpfr_erfc) }
    /// The square root.
    public static func sqrt(_ x: BigFloat) -> BigFloat { x.apply(mpfr_sqrt) }

    /// pi at `precision` bits.
    public static func pi(precision: Int) -> BigFloat {
        make(precision: clampedPrecision(precision)) { _ = mpfr_const_pi($0, MPFR_RNDN) }
    }

    /// 1 / (1 + e^-x), without overflow on either side.
    public static func sigmoid(_ x: BigFloat) -> BigFloat {
        let one = BigFloat(1, precision: x.precision)
        return one / (one + exp(-x))
    }

    /// log(1 + e^x), without overflow.
    public static func softplus(_ x: BigFloat) -> BigFloat {
        x.sign > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// Phi(x) = erfc(-x / sqrt 2) / 2, the standard normal distribution function.
    public static func normalCDF(_ x: BigFloat) -> BigFloat {
        erfc(-x / sqrt(BigFloat(2, precision: x.precision))).scaled(byPowerOfTwo: -1)
    }

    /// phi(x) = e^(-x^2 / 2) / sqrt(2 pi).
    public static func normalDensity(_ x: BigFloat) -> BigFloat {
        let twoPi = pi(precision: x.precision).scaled(byPowerOfTwo: 1)
        return exp(-(x * x).scaled(byPowerOfTwo: -1)) / sqrt(twoPi)
    }

    /// sigma(z) at z's precision (relu(0) = 0): the forward pass needs nothing else.
    public static func activationValue(_ activation: Activation, at z: BigFloat) -> BigFloat {
        switch activation {
        case .linear: return z
        case .square: return z * z
        case .relu: return z.sign > 0 ? z : (z.isNaN ? z : BigFloat(0, precision: z.precision))
        case .tanh: return tanh(z)
        case .sigmoid: return sigmoid(z)
        case .exp: return exp(z)
        case .sin: return sin(z)
        case .cos: return cos(z)
        case .softplus: return softplus(z)
        case .silu: return z * sigmoid(z)
        case .gelu: return z * normalCDF(z)
        case .erf: return erf(z)
        case .poly(let c):
            var result = BigFloat(0, precision: z.precision)
            for coefficient in c.reversed() { result = result * z + BigFloat(coefficient, precision: z.precision) }
            return result
        }
    }
}
