// Derivatives sigma^(k)(z), k = 0...n, of every activation: exactly at rational points, numerically at doubles.
//
// These are plain derivatives, with no 1/k!: whoever builds Taylor coefficients divides by k! (the evaluators do).
// The rules come in a few families, as in JAX's jet.py and TaylorDiff.jl; only the exceptions are written by hand:
//   - polynomial: linear, square, poly. Exact everywhere (a Taylor shift of the coefficients).
//   - own value: sigma^(k) = P_k(sigma) with integer polynomials (tanh' = 1 - t^2, sigmoid' = s - s^2, exp' = exp);
//     see DerivativePolynomials.swift. Exact where sigma(z) is rational, which for rational z means z = 0.
//   - cycle: sin^(k)(z) = sin(z + k pi/2), cos likewise.
//   - composites: softplus^(k) = sigmoid^(k-1) for k >= 1; silu^(k) = z sigmoid^(k) + k sigmoid^(k-1);
//     gelu = z Phi(z) with Phi^(k) = phi^(k-1) and phi^(m) = (-1)^m He_m phi (probabilists' Hermite), which gives
//     gelu^(k) = (-1)^k phi(z) (He_{k-2}(z) - He_k(z)) for k >= 2.
//   - erf: erf' = (2/sqrt(pi)) e^(-z^2) and (d/dz)^m e^(-z^2) = (-1)^m H_m(z) e^(-z^2) with the physicists' Hermite
//     polynomials H_m (H_0 = 1, H_1 = 2z, H_{m+1} = 2z H_m - 2m H_{m-1}; H_m(z) = 2^(m/2) He_m(sqrt(2) z)), so
//     erf^(k)(z) = (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(z) e^(-z^2) for k >= 1.
//   - relu: piecewise linear; at z = 0 its derivative does not exist, which is an error, not a value.
//
// Exact results are nil where the value is irrational, or at least not known to be rational. For rational z != 0,
// exp(z), tanh(z) and sigmoid(z) are transcendental (Lindemann-Weierstrass) and each P_k (k >= 1) is non-constant,
// so every derivative is transcendental too; the same holds for sin, cos, softplus = log(1 + e^z) and silu
// (z P_k(s) + k P_{k-1}(s) is a non-constant polynomial in the transcendental s). gelu's derivatives of order >= 2
// are phi(z) times the integer polynomial He_{k-2} - He_k: exactly zero where that polynomial vanishes (every odd
// k at z = 0, but also e.g. k = 3 at z = +-2), otherwise nil; gelu(z) and gelu'(z) are nil for z != 0.
// erf(0) = 0; erf(z) for rational z != 0 is not known to be rational, so nil. For k >= 1, erf^(k)(z) is
// 2/sqrt(pi) e^(-z^2) (irrational: pi is transcendental, and e^(-z^2) is by Lindemann-Weierstrass for z != 0) times
// the integer polynomial value (-1)^(k-1) H_{k-1}(z): exactly 0 where that vanishes (every even k at z = 0), else nil.
import Foundation

/// Why an activation has no derivative at a point.
public enum ActivationRuleError: Error, Sendable, Equatable {
    /// relu at exactly z = 0: the first derivative does not exist.
    case kink
}

/// The derivative rules sigma^(k)(z) of every activation, exact and numeric.
public enum ActivationRules {
    // MARK: Exact

    /// sigma^(k)(z) for k = 0...n exactly; nil entries are values that are not (known to be) rational.
    /// Throws `.kink` for relu at z = 0 when n >= 1. Returns [] for n < 0.
    public static func exactDerivatives(_ activation: Activation, at z: Rational,
                                        upTo n: Int) throws(ActivationRuleError) -> [Rational?] {
        guard n >= 0 else { return [] }
        switch activation {
        case .linear:
            return exactPolynomialDerivatives([0, 1], at: z, upTo: n)
        case .square:
            return exactPolynomialDerivatives([0, 0, 1], at: z, upTo: n)
        case .poly(let coefficients):
            return exactPolynomialDerivatives(coefficients, at: z, upTo: n)
        case .relu:
            return try reluDerivatives(z, upTo: n).map { Optional($0) }
        case .tanh, .sigmoid, .exp:
            guard z.isZero else { return [Rational?](repeating: nil, count: n + 1) }
            return ownValueAtZero(activation, upTo: n)
        case .sin, .cos:
            guard z.isZero else { return [Rational?](repeating: nil, count: n + 1) }
            let cycle: [Rational] = activation == .sin ? [0, 1, 0, -1] : [1, 0, -1, 0]
            return (0...n).map { cycle[$0 % 4] }
        case .softplus:
            guard z.isZero else { return [Rational?](repeating: nil, count: n + 1) }
            // softplus(0) = log 2; softplus^(k) = sigmoid^(k-1) for k >= 1.
            let sigmoid = ownValueAtZero(.sigmoid, upTo: max(n - 1, 0))
            return [nil] + (0..<n).map { sigmoid[$0] }
        case .silu:
            guard z.isZero else { return [Rational?](repeating: nil, count: n + 1) }
            // silu^(k)(0) = 0 * sigmoid^(k)(0) + k sigmoid^(k-1)(0).
            let sigmoid = ownValueAtZero(.sigmoid, upTo: max(n - 1, 0))
            return [Rational.zero] + (1..<n + 1).map { k in sigmoid[k - 1].map { Rational(k) * $0 } }
        case .gelu:
            return exactGelu(at: z, upTo: n)
        case .erf:
            return exactErf(at: z, upTo: n)
        }
    }

    /// P_k(sigma(0)) for the own-value family: tanh(0) = 0, sigmoid(0) = 1/2, exp(0) = 1.
    static func ownValueAtZero(_ activation: Activation, upTo n: Int) -> [Rational?] {
        let (recurrence, value): (DerivativeRecurrence, Rational) = switch activation {
        case .tanh: (.tanh, 0)
        case .sigmoid: (.sigmoid, Rational(1, 2))
        default: (.exp, 1)
        }
        return DerivativePolynomials.shared.exactPolynomials(recurrence, upTo: n).map {
            DerivativePolynomials.evaluate($0, at: value)
        }
    }

    static func exactGelu(at z: Rational, upTo n: Int) -> [Rational?] {
        var result = [Rational?](repeating: nil, count: n + 1)
        if z.isZero {
            // gelu(0) = 0 * Phi(0) = 0, gelu'(0) = Phi(0) + 0 * phi(0) = 1/2.
            result[0] = 0
            if n >= 1 { result[1] = Rational(1, 2) }
        }
        guard n >= 2 else { return result }
        let hermite = hermitePolynomials(at: z, upTo: n)
        for k in 2...n where hermite[k - 2] == hermite[k] {
            // phi(z) is never zero, so gelu^(k)(z) vanishes exactly when He_{k-2}(z) = He_k(z).
            result[k] = 0
        }
        return result
    }

    static func exactErf(at z: Rational, upTo n: Int) -> [Rational?] {
        var result = [Rational?](repeating: nil, count: n + 1)
        if z.isZero { result[0] = 0 }
        guard n >= 1 else { return result }
        let hermite = physicistsHermitePolynomials(at: z, upTo: n - 1)
        // 2/sqrt(pi) e^(-z^2) is irrational for every rational z, so erf^(k)(z) is rational exactly when H_{k-1}(z) = 0.
        for k in 1...n where hermite[k - 1].isZero { result[k] = 0 }
        return result
    }

    // MARK: Numeric

    /// sigma^(k)(z) for k = 0...n in double precision, any order, ~1e-14 relative where the value is not near a
    /// zero of the derivative. Throws `.kink` for relu at z = 0 when n >= 1. Returns [] for n < 0.
    public static func numericDerivatives(_ activation: Activation, at z: Double,
                                          upTo n: Int) throws(ActivationRuleError) -> [Double] {
        guard n >= 0 else { return [] }
        guard !z.isNaN else { return [Double](repeating: .nan, count: n + 1) }
        switch activation {
        case .linear:
            return polynomialDerivatives([0.0, 1.0], at: z, upTo: n)
        case .square:
            return polynomialDerivatives([0.0, 0.0, 1.0], at: z, upTo: n)
        case .poly(let coefficients):
            return polynomialDerivatives(coefficients.map(\.doubleValue), at: z, upTo: n)
        case .relu:
            return try reluDerivatives(z, upTo: n)
        case .tanh:
            return tanhDerivatives(z, upTo: n)
        case .sigmoid:
            return sigmoidDerivatives(z, upTo: n)
        case .exp:
            return [Double](repeating: Foundation.exp(z), count: n + 1)
        case .sin:
            return cycleDerivatives(z, shift: 0, upTo: n)
        case .cos:
            return cycleDerivatives(z, shift: 1, upTo: n)
        case .softplus:
            let sigmoid = sigmoidDerivatives(z, upTo: max(n - 1, 0))
            return [softplusValue(z)] + sigmoid.prefix(n)
        case .silu:
            let sigmoid = sigmoidDerivatives(z, upTo: n)
            var result = [z * sigmoid[0]]
            for k in stride(from: 1, through: n, by: 1) {
                result.append(z * sigmoid[k] + Double(k) * sigmoid[k - 1])
            }
            return result
        case .gelu:
            return geluDerivatives(z, upTo: n)
        case .erf:
            return erfDerivatives(z, upTo: n)
        }
    }

    /// sigma(z) alone in double precision (relu(0) = 0): the forward pass of finite differences.
    public static func numericValue(_ activation: Activation, at z: Double) -> Double {
        switch activation {
        case .linear: return z
        case .square: return z * z
        case .relu: return z > 0 ? z : (z.isNaN ? z : 0)
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return sigmoidValue(z)
        case .exp: return Foundation.exp(z)
        case .sin: return Foundation.sin(z)
        case .cos: return Foundation.cos(z)
        case .softplus: return softplusValue(z)
        case .silu: return z * sigmoidValue(z)
        case .gelu: return z * normalCDF(z)
        case .erf: return Foundation.erf(z)
        case .poly(let c):
            var result = 0.0
            for coefficient in c.reversed() { result = result * z + coefficient.doubleValue }
            return result
        }
    }

    // MARK: Families

    /// Derivatives of sum c_j z^j by a Taylor shift: after the shift, b[k] = p^(k)(z) / k!.
    static func polynomialDerivatives<S: Scalar>(_ coefficients: [S], at z: S, upTo n: Int) -> [S] {
        var b = coefficients.isEmpty ? [S.zero] : coefficients
        let degree = b.count - 1
        for i in 0..<max(degree, 0) {
            for j in stride(from: degree - 1, through: i, by: -1) { b[j] = b[j] + z * b[j + 1] }
        }
        var result = [S](repeating: .zero, count: n + 1)
        var factorial = S.one
        for k in 0...n where k <= degree {
            if k > 0 { factorial = factorial * S(k) }
            result[k] = b[k] * factorial
        }
        return result
    }

    static func exactPolynomialDerivatives(_ coefficients: [Rational], at z: Rational, upTo n: Int) -> [Rational?] {
        let values: [Rational] = polynomialDerivatives(coefficients, at: z, upTo: n)
        return values.map { Optional($0) }
    }

    static func reluDerivatives<S: Scalar & Comparable>(_ z: S, upTo n: Int) throws(ActivationRuleError) -> [S] {
        var result = [S](repeating: .zero, count: n + 1)
        if z > .zero {
            result[0] = z
            if n >= 1 { result[1] = .one }
        } else if z == .zero, n >= 1 {
            throw .kink
        }
        return result
    }

    /// tanh^(k)(z): P_k(t) near the origin, Q_k(1 - t) beyond |z| = 0.55 (t = 0.5), where 1 - t is computed
    /// without cancellation; odd symmetry tanh^(k)(-z) = (-1)^(k+1) tanh^(k)(z) handles z < 0.
    static func tanhDerivatives(_ z: Double, upTo n: Int) -> [Double] {
        var result = [Foundation.tanh(z)]
        guard n >= 1 else { return result }
        let w = Swift.abs(z)
        let polynomials: ArraySlice<[DoubleDouble]>
        let argument: Double
        if w < 0.55 {
            polynomials = DerivativePolynomials.shared.splitPolynomials(.tanh, upTo: n)
            argument = Foundation.tanh(w)
        } else {
            polynomials = DerivativePolynomials.shared.splitPolynomials(.tanhComplement, upTo: n)
            let e = Foundation.exp(-2 * w)
            argument = 2 * e / (1 + e)
        }
        for k in 1...n {
            let value = DerivativePolynomials.evaluate(polynomials[k], at: argument)
            result.append(z < 0 && k % 2 == 0 ? -value : value)
        }
        return result
    }

    /// sigmoid(z) without overflow or cancellation on either side.
    static func sigmoidValue(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
        let e = Foundation.exp(z)
        return e / (1 + e)
    }

    /// sigmoid(z) = (1 + tanh(z/2)) / 2, so sigmoid^(k)(z) = tanh^(k)(z/2) / 2^(k+1) for k >= 1: this reuses
    /// tanh's well-conditioned evaluation (the polynomials in s itself lose up to 9 digits at order 20 near s = 1/2).
    static func sigmoidDerivatives(_ z: Double, upTo n: Int) -> [Double] {
        var result = [sigmoidValue(z)]
        guard n >= 1 else { return result }
        let tanh = tanhDerivatives(z / 2, upTo: n)
        for k in 1...n { result.append(Double(sign: .plus, exponent: -(k + 1), significand: tanh[k])) }
        return result
    }

    /// log(1 + e^z) without overflow.
    static func softplusValue(_ z: Double) -> Double {
        z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z))
    }

    /// sin^(k)(z) = [sin, cos, -sin, -cos][(k + shift) % 4]; cos is shift 1.
    static func cycleDerivatives(_ z: Double, shift: Int, upTo n: Int) -> [Double] {
        let s = Foundation.sin(z), c = Foundation.cos(z)
        let cycle = [s, c, -s, -c]
        return (0...n).map { cycle[($0 + shift) % 4] }
    }

    static let inverseSqrtTwoPi = 0.3989422804014326779399460599343818684758586311649
    static let inverseSqrtTwo = 0.7071067811865475244008443621048490392848359376885

    /// Phi(z), the standard normal distribution function.
    static func normalCDF(_ z: Double) -> Double { 0.5 * Foundation.erfc(-z * inverseSqrtTwo) }

    /// phi(z) = e^(-z^2/2) / sqrt(2 pi), with z^2 split exactly so the exponent carries no rounding error.
    static func normalDensity(_ z: Double) -> Double {
        let square = z * z
        let squareError = (-square).addingProduct(z, z)
        return Foundation.exp(-square / 2) * (1 - squareError / 2) * inverseSqrtTwoPi
    }

    /// He_0(z) ... He_n(z) by the three-term recurrence He_{m+1} = z He_m - m He_{m-1}.
    static func hermitePolynomials<S: Scalar>(at z: S, upTo n: Int) -> [S] {
        var result = [S.one]
        if n >= 1 { result.append(z) }
        if n >= 2 {
            for m in 1..<n { result.append(z * result[m] - S(m) * result[m - 1]) }
        }
        return result
    }

    /// H_0(z) ... H_n(z), the physicists' Hermite polynomials, by H_{m+1} = 2z H_m - 2m H_{m-1}.
    static func physicistsHermitePolynomials<S: Scalar>(at z: S, upTo n: Int) -> [S] {
        guard n >= 0 else { return [] }
        let twoZ = z + z
        var result = [S.one]
        if n >= 1 { result.append(twoZ) }
        if n >= 2 {
            for m in 1..<n { result.append(twoZ * result[m] - S(2 * m) * result[m - 1]) }
        }
        return result
    }

    static let twoOverSqrtPi = 1.1283791670955125738961589031215451716881012586580

    /// erf^(k)(z) = (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(z) e^(-z^2) for k >= 1, with z^2 split exactly so that e^(-z^2)
    /// carries no rounding error from the square; it underflows to 0 beyond |z| ~ 27, where every derivative is
    /// below the smallest double anyway for the orders the evaluators use.
    static func erfDerivatives(_ z: Double, upTo n: Int) -> [Double] {
        var result = [Foundation.erf(z)]
        guard n >= 1 else { return result }
        let square = z * z
        let squareError = square.isFinite ? (-square).addingProduct(z, z) : 0
        let scale = twoOverSqrtPi * Foundation.exp(-square) * (1 - squareError)
        // Past the underflow the Hermite values may overflow (z = 1e200): 0 * inf must not become NaN.
        guard scale != 0 else { return result + [Double](repeating: 0, count: n) }
        let hermite = physicistsHermitePolynomials(at: z, upTo: n - 1)
        for k in 1...n {
            let value = scale * hermite[k - 1]
            result.append(k % 2 == 1 ? value : -value)
        }
        return result
    }

    static func geluDerivatives(_ z: Double, upTo n: Int) -> [Double] {
        let cdf = normalCDF(z)
        let density = normalDensity(z)
        var result = [z * cdf]
        if n >= 1 { result.append(cdf + z * density) }
        guard n >= 2 else { return result }
        let hermite = hermitePolynomials(at: z, upTo: n)
        for k in 2...n {
            let value = density * (hermite[k - 2] - hermite[k])
            result.append(k % 2 == 0 ? value : -value)
        }
        return result
    }
}
