// The MPFR activation oracle: sigma^(k)(z), k = 0...n, for every activation, by the same rule families as the exact
// and double oracles (ActivationRules.swift), evaluated in MPFR:
//   - polynomial (linear, square, poly): a Taylor shift of the coefficients;
//   - own value: tanh^(k) = P_k(tanh z) with the exact integer polynomials of DerivativePolynomials, or Q_k(u) in
//     u = 1 - tanh|z| beyond |z| = 0.55, where tanh is close to 1 (odd symmetry for z < 0); sigmoid^(k)(z) =
//     tanh^(k)(z/2) / 2^(k+1) for k >= 1; exp^(k) = exp;
//   - cycle: sin, cos;
//   - composites: softplus^(k) = sigmoid^(k-1), silu^(k) = z sigmoid^(k) + k sigmoid^(k-1),
//     gelu^(k) = (-1)^k phi(z) (He_{k-2}(z) - He_k(z)) for k >= 2;
//   - erf: erf^(k)(z) = (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(z) e^(-z^2) for k >= 1 (physicists' Hermite);
//   - relu: 0 or 1 away from the kink, `.kink` at z = 0.
// Every rule is evaluated at a guard precision above z's (40 bits plus the bit length of the largest integer
// coefficient involved, or of the Hermite values), then rounded once to z's precision, so the cancellation inside
// the polynomials (coefficients reach 2^100 by order 30) never reaches the result.
import Foundation

extension BigFloat: ActivationScalar {
    /// sigma^(k)(z) for k = 0...n at z's precision; never nil. Throws `.kink` for relu at z = 0 when n >= 1.
    public static func activationDerivatives(_ activation: Activation, at z: BigFloat,
                                             upTo n: Int) throws(ActivationRuleError) -> [BigFloat?] {
        guard n >= 0 else { return [] }
        let p = z.precision
        if z.isNaN { return [BigFloat?](repeating: z, count: n + 1) }
        let values: [BigFloat]
        switch activation {
        case .linear:
            values = polynomialDerivatives([0, 1], at: z, upTo: n, precision: p)
        case .square:
            values = polynomialDerivatives([0, 0, 1], at: z, upTo: n, precision: p)
        case .poly(let coefficients):
            let guardBits = 40 + (coefficients.map(\.bitSize).max() ?? 0) + 2 * coefficients.count
            values = polynomialDerivatives(coefficients, at: z, upTo: n, precision: p + guardBits)
        case .relu:
            values = try ActivationRules.reluDerivatives(z, upTo: n)
        case .tanh:
            values = tanhDerivatives(z, upTo: n, precision: p + ownValueGuard(n))
        case .sigmoid:
            values = sigmoidDerivatives(z, upTo: n, precision: p + ownValueGuard(n))
        case .exp:
            values = [BigFloat](repeating: exp(z), count: n + 1)
        case .sin, .cos:
            let s = sin(z), c = cos(z)
            let cycle = [s, c, -s, -c]
            let shift = activation == .sin ? 0 : 1
            values = (0...n).map { cycle[($0 + shift) % 4] }
        case .softplus:
            let sigmoid = sigmoidDerivatives(z, upTo: max(n - 1, 0), precision: p + ownValueGuard(n))
            values = [softplus(z)] + sigmoid.prefix(n)
        case .silu:
            let q = p + ownValueGuard(n)
            let x = z.rounded(toPrecision: q)
            let sigmoid = sigmoidDerivatives(z, upTo: n, precision: q)
            var result = [x * sigmoid[0]]
            if n >= 1 {
                for k in 1...n { result.append(x * sigmoid[k] + BigFloat(k, precision: q) * sigmoid[k - 1]) }
            }
            values = result
        case .gelu:
            values = geluDerivatives(z, upTo: n, precision: p)
        case .erf:
            values = erfDerivatives(z, upTo: n, precision: p)
        }
        return values.map { Optional($0.rounded(toPrecision: p)) }
    }

    /// Guard bits for the own-value polynomials up to order n: their largest coefficient's bit length plus 40.
    static func ownValueGuard(_ n: Int) -> Int {
        let largest = DerivativePolynomials.shared.exactPolynomials(.tanhComplement, upTo: max(n, 1))
            .last?.map(\.bitSize).max() ?? 0
        return 40 + largest
    }

    /// p^(k)(z) for k = 0...n of p = sum c_j z^j by a Taylor shift at `precision` bits.
    static func polynomialDerivatives(_ coefficients: [Rational], at z: BigFloat, upTo n: Int, precision q: Int) -> [BigFloat] {
        ActivationRules.polynomialDerivatives(coefficients.map { BigFloat($0, precision: q) }, at: z.rounded(toPrecision: q), upTo: n)
    }

    /// P(y) by Horner's rule with the exact coefficients rounded (exact when they fit) to y's precision.
    static func evaluate(_ polynomial: [Rational], at y: BigFloat) -> BigFloat {
        var result = BigFloat(0, precision: y.precision)
        for c in polynomial.reversed() { result = result * y + BigFloat(c, precision: y.precision) }
        return result
    }

    /// tanh^(k)(z), k = 0...n, at `precision` bits (see the top of the file).
    static func tanhDerivatives(_ z: BigFloat, upTo n: Int, precision q: Int) -> [BigFloat] {
        let x = z.rounded(toPrecision: q)
        var result = [tanh(x)]
        guard n >= 1 else { return result }
        let w = x.magnitude
        let polynomials: ArraySlice<[Rational]>
        let argument: BigFloat
        if w < BigFloat(Rational(11, 20), precision: q) {
            polynomials = DerivativePolynomials.shared.exactPolynomials(.tanh, upTo: n)
            argument = tanh(w)
        } else {
            polynomials = DerivativePolynomials.shared.exactPolynomials(.tanhComplement, upTo: n)
            let e = exp(-w.scaled(byPowerOfTwo: 1))
            argument = e.scaled(byPowerOfTwo: 1) / (BigFloat(1, precision: q) + e)
        }
        for k in 1...n {
            let value = evaluate(polynomials[polynomials.startIndex + k], at: argument)
            result.append(x.sign < 0 && k % 2 == 0 ? -value : value)
        }
        return result
    }

    /// sigmoid^(k)(z) = tanh^(k)(z / 2) / 2^(k+1) for k >= 1, at `precision` bits.
    static func sigmoidDerivatives(_ z: BigFloat, upTo n: Int, precision q: Int) -> [BigFloat] {
        let x = z.rounded(toPrecision: q)
        var result = [sigmoid(x)]
        guard n >= 1 else { return result }
        let tanh = tanhDerivatives(x.scaled(byPowerOfTwo: -1), upTo: n, precision: q)
        for k in 1...n { result.append(tanh[k].scaled(byPowerOfTwo: -(k + 1))) }
        return result
    }

    /// gelu^(k)(z): z Phi, Phi + z phi, then (-1)^k phi (He_{k-2} - He_k), with guard bits for the Hermite values.
    static func geluDerivatives(_ z: BigFloat, upTo n: Int, precision p: Int) -> [BigFloat] {
        let q = p + hermiteGuard(z, upTo: n, doubled: false)
        let x = z.rounded(toPrecision: q)
        let cdf = normalCDF(x), density = normalDensity(x)
        var result = [x * cdf]
        if n >= 1 { result.append(cdf + x * density) }
        guard n >= 2 else { return result }
        let hermite = ActivationRules.hermitePolynomials(at: x, upTo: n)
        for k in 2...n {
            let value = density * (hermite[k - 2] - hermite[k])
            result.append(k % 2 == 0 ? value : -value)
        }
        return result
    }

    /// Guard bits for Hermite values of degree up to n at |z| (physicists' with `doubled`, where H_m(z) =
    /// 2^(m/2) He_m(sqrt(2) z)): their terms reach about sqrt(m!) (1 + |z|)^m, which their sum can cancel.
    static func hermiteGuard(_ z: BigFloat, upTo n: Int, doubled: Bool) -> Int {
        let magnitude = Swift.abs(z.doubleValue) * (doubled ? 2.0.squareRoot() : 1)
        let logFactorial = (1...max(n, 1)).reduce(0.0) { $0 + Foundation.log2(Double($1)) }
        var bits = 0.5 * logFactorial + Double(n) * Foundation.log2(1 + magnitude)
        if doubled { bits += Double(n) / 2 }
        return 40 + min(Int(bits.rounded(.up)), 1 << 20)
    }

    /// erf^(k)(z): erf(z), then (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(z) e^(-z^2), with guard bits for the Hermite values.
    static func erfDerivatives(_ z: BigFloat, upTo n: Int, precision p: Int) -> [BigFloat] {
        let q = p + hermiteGuard(z, upTo: n, doubled: true)
        let x = z.rounded(toPrecision: q)
        var result = [erf(x)]
        guard n >= 1 else { return result }
        let scale = exp(-(x * x)) * BigFloat(2, precision: q) / sqrt(pi(precision: q))
        let hermite = ActivationRules.physicistsHermitePolynomials(at: x, upTo: n - 1)
        for k in 1...n {
            let value = scale * hermite[k - 1]
            result.append(k % 2 == 1 ? value : -value)
        }
        return result
    }
}
