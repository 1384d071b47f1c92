// Correctly rounded decimal renderings of BigFloat and Rational values, laid out like C's %g: fixed notation for
// decimal exponents -5 < e < digits, scientific ("1.25e-07") otherwise, trailing zeros of the fraction dropped.
// Rounding is to nearest with ties to even, from the exact value (never from an intermediate double).
import CGMP
import CMPFR

/// The %g-style layout of a rounded decimal.
enum DecimalLayout {
    /// `digits` (1 or more ASCII digits, the first nonzero) read as d1.d2d3... x 10^exponent.
    static func format(negative: Bool, digits: String, exponent: Int) -> String {
        var significand = Array(digits)
        while significand.count > 1, significand.last == "0" { significand.removeLast() }
        let sign = negative ? "-" : ""
        let precision = digits.count
        if exponent < -4 || exponent >= precision {
            var text = sign + String(significand[0])
            if significand.count > 1 { text += "." + String(significand[1...]) }
            let magnitude = String(abs(exponent))
            return text + "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if exponent >= 0 {
            let integerCount = exponent + 1
            var integer = String(significand.prefix(integerCount))
            if integer.count < integerCount { integer += String(repeating: "0", count: integerCount - integer.count) }
            let fraction = significand.count > integerCount ? String(significand[integerCount...]) : ""
            return sign + integer + (fraction.isEmpty ? "" : "." + fraction)
        }
        return sign + "0." + String(repeating: "0", count: -exponent - 1) + String(significand)
    }
}

extension BigFloat {
    /// The value correctly rounded to `digits` significant decimal digits (at least 1), %g layout;
    /// "nan", "inf", "-inf" for the non-finite values and "0" for zero.
    public func text(significantDigits digits: Int) -> String {
        if isNaN { return "nan" }
        if !isFiniteValue { return sign > 0 ? "inf" : "-inf" }
        if isZero { return "0" }
        let n = max(digits, 1)
        var exponent: mpfr_exp_t = 0
        guard let raw = mpfr_get_str(nil, &exponent, 10, n, storage.value, MPFR_RNDN) else { return "nan" }
        defer { mpfr_free_str(raw) }
        var text = String(cString: raw)
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        // mpfr_get_str gives 0.d1d2... x 10^exponent.
        return DecimalLayout.format(negative: negative, digits: text, exponent: Int(exponent) - 1)
    }
}

extension Rational {
    /// The value correctly rounded (ties to even) to `digits` significant decimal digits (at least 1), %g layout.
    public func decimalText(significantDigits digits: Int) -> String {
        if isZero { return "0" }
        let n = max(digits, 1)
        let big = BigIntegers(count: 4)
        defer { big.clear() }
        let a = big[0], b = big[1], q = big[2], r = big[3]
        __gmpz_abs(a, &storage.value.pointee._mp_num)
        __gmpz_set(b, &storage.value.pointee._mp_den)
        // e = floor(log10(a / b)): start from the digit counts and correct by exact comparisons.
        var e = Int(__gmpz_sizeinbase(a, 10)) - Int(__gmpz_sizeinbase(b, 10))
        while Rational.compare(a, b, powerOfTen: e) < 0 { e -= 1 }
        while Rational.compare(a, b, powerOfTen: e + 1) >= 0 { e += 1 }
        // N = round(a / b * 10^(n - 1 - e)).
        let shift = n - 1 - e
        let ten = big.temporary()
        defer { big.release(ten) }
        if shift >= 0 {
            __gmpz_ui_pow_ui(ten, 10, UInt(shift))
            __gmpz_mul(a, a, ten)
        } else {
            __gmpz_ui_pow_ui(ten, 10, UInt(-shift))
            __gmpz_mul(b, b, ten)
        }
        __gmpz_tdiv_qr(q, r, a, b)
        __gmpz_mul_2exp(r, r, 1)
        let half = __gmpz_cmp(r, b)
        if half > 0 || (half == 0 && __gmpz_tstbit(q, 0) == 1) { __gmpz_add_ui(q, q, 1) }
        var text = Rational.string(of: q)
        if text.count > n {
            // Rounding carried into a new digit (9.99 -> 10.0).
            text.removeLast()
            e += 1
        }
        return DecimalLayout.format(negative: sign < 0, digits: text, exponent: e)
    }

    /// The sign of a - b * 10^power for non-negative a, positive b.
    static func compare(_ a: UnsafeMutablePointer<__mpz_struct>, _ b: UnsafeMutablePointer<__mpz_struct>, powerOfTen power: Int) -> Int32 {
        let scaledA = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        let scaledB = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init_set(scaledA, a)
        __gmpz_init_set(scaledB, b)
        defer {
            __gmpz_clear(scaledA)
            __gmpz_clear(scaledB)
            scaledA.deallocate()
            scaledB.deallocate()
        }
        let ten = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init(ten)
        defer {
            __gmpz_clear(ten)
            ten.deallocate()
        }
        __gmpz_ui_pow_ui(ten, 10, UInt(abs(power)))
        if power >= 0 { __gmpz_mul(scaledB, scaledB, ten) } else { __gmpz_mul(scaledA, scaledA, ten) }
        return __gmpz_cmp(scaledA, scaledB)
    }
}

/// A few scratch mpz integers, initialised together and cleared together.
final class BigIntegers {
    private var values: [UnsafeMutablePointer<__mpz_struct>] = []

    init(count: Int) {
        for _ in 0..<count { values.append(make()) }
    }

    subscript(index: Int) -> UnsafeMutablePointer<__mpz_struct> { values[index] }

    func temporary() -> UnsafeMutablePointer<__mpz_struct> { make() }

    func release(_ value: UnsafeMutablePointer<__mpz_struct>) {
        __gmpz_clear(value)
        value.deallocate()
    }

    private func make() -> UnsafeMutablePointer<__mpz_struct> {
        let value = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init(value)
        return value
    }

    func clear() {
        for value in values { release(value) }
        values = []
    }
}
