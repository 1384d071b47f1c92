// BigFloat as a field: + - * / round to the larger operand precision; comparisons and hashing by value, so equal
// numbers of different precisions are equal and hash alike. The members swift-numerics' AlgebraicField asks for
// (magnitude, reciprocal, /=, integer literals, init?(exactly:)) are here too.
import CGMP
import CMPFR

extension BigFloat: Scalar {
    /// 0 at the working precision.
    public static var zero: BigFloat { BigFloat(0) }
    /// 1 at the working precision.
    public static var one: BigFloat { BigFloat(1) }

    /// The rational rounded to nearest at the working precision.
    public init(_ value: Rational) { self.init(value, precision: BigFloat.workingPrecision) }
    /// The integer at the working precision (exact when it fits).
    public init(_ value: Int) { self.init(value, precision: BigFloat.workingPrecision) }

    public static func + (lhs: BigFloat, rhs: BigFloat) -> BigFloat {
        make(precision: max(lhs.precision, rhs.precision)) { _ = mpfr_add($0, lhs.storage.value, rhs.storage.value, MPFR_RNDN) }
    }
    public static func - (lhs: BigFloat, rhs: BigFloat) -> BigFloat {
        make(precision: max(lhs.precision, rhs.precision)) { _ = mpfr_sub($0, lhs.storage.value, rhs.storage.value, MPFR_RNDN) }
    }
    public static func * (lhs: BigFloat, rhs: BigFloat) -> BigFloat {
        make(precision: max(lhs.precision, rhs.precision)) { _ = mpfr_mul($0, lhs.storage.value, rhs.storage.value, MPFR_RNDN) }
    }
    /// Division; a zero divisor gives an infinity or NaN, which `isFiniteValue` reports.
    public static func / (lhs: BigFloat, rhs: BigFloat) -> BigFloat {
        make(precision: max(lhs.precision, rhs.precision)) { _ = mpfr_div($0, lhs.storage.value, rhs.storage.value, MPFR_RNDN) }
    }
    public static prefix func - (operand: BigFloat) -> BigFloat {
        make(precision: operand.precision) { _ = mpfr_neg($0, operand.storage.value, MPFR_RNDN) }
    }

    /// `.multiprecision` at the working precision.
    public static var arithmetic: Arithmetic { .multiprecision(bits: workingPrecision) }

    /// A decimal string of the digits this value's precision always resolves (see `correctDigits`).
    public var json: ScalarJSON { .string(text(significantDigits: BigFloat.correctDigits(precision: precision))) }

    /// `self += a * b` with one rounding (fused), in place when the storage is uniquely referenced and wide enough.
    public mutating func addProduct(_ a: BigFloat, _ b: BigFloat) {
        let bits = max(a.precision, b.precision)
        if isKnownUniquelyReferenced(&storage), precision >= bits {
            _ = mpfr_fma(storage.value, a.storage.value, b.storage.value, storage.value, MPFR_RNDN)
        } else {
            let target = max(bits, precision)
            let me = storage.value
            self = BigFloat.make(precision: target) { _ = mpfr_fma($0, a.storage.value, b.storage.value, me, MPFR_RNDN) }
        }
    }

    public static func += (lhs: inout BigFloat, rhs: BigFloat) { lhs = lhs + rhs }
    public static func -= (lhs: inout BigFloat, rhs: BigFloat) { lhs = lhs - rhs }
    public static func *= (lhs: inout BigFloat, rhs: BigFloat) { lhs = lhs * rhs }
    public static func /= (lhs: inout BigFloat, rhs: BigFloat) { lhs = lhs / rhs }

    /// 1 / self, or nil for zero and non-finite values.
    public var reciprocal: BigFloat? {
        guard isFiniteValue, !isZero else { return nil }
        return BigFloat(1, precision: precision) / self
    }

    /// The integer at the working precision, or nil when that precision cannot hold it exactly.
    public init?<T: BinaryInteger>(exactly source: T) {
        var exact = false
        let text = String(source)
        let value = BigFloat.make(precision: BigFloat.workingPrecision) { target in
            exact = text.withCString { mpfr_set_str(target, $0, 10, MPFR_RNDN) } == 0
        }
        guard exact, value.exactRational == Rational(fractionString: text) else { return nil }
        self = value
    }
}

extension BigFloat: Equatable, Hashable, Comparable {
    /// Equality of values (NaN is unequal to everything, -0 == 0).
    public static func == (lhs: BigFloat, rhs: BigFloat) -> Bool { mpfr_equal_p(lhs.storage.value, rhs.storage.value) != 0 }
    public static func < (lhs: BigFloat, rhs: BigFloat) -> Bool { mpfr_less_p(lhs.storage.value, rhs.storage.value) != 0 }

    /// Hashes the value, not the precision: the odd integer mantissa and the exponent of m * 2^e.
    public func hash(into hasher: inout Hasher) {
        guard mpfr_regular_p(storage.value) != 0 else {
            hasher.combine(isZero ? 0 : (isNaN ? 1 : 2 + sign))
            return
        }
        let mantissa = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init(mantissa)
        defer {
            __gmpz_clear(mantissa)
            mantissa.deallocate()
        }
        var exponent = Int(mpfr_get_z_2exp(mantissa, storage.value))
        let zeros = __gmpz_scan1(mantissa, 0)
        __gmpz_fdiv_q_2exp(mantissa, mantissa, zeros)
        exponent += Int(zeros)
        hasher.combine(exponent)
        hasher.combine(Rational.string(of: mantissa))
    }
}

extension BigFloat: ExpressibleByIntegerLiteral {
    /// The integer at the working precision.
    public init(integerLiteral value: Int) { self.init(value) }
}

extension BigFloat: CustomStringConvertible {
    /// Enough significant decimal digits to read back to the same value at this precision.
    public var description: String { text(significantDigits: BigFloat.roundTripDigits(precision: precision)) }

    /// The number of decimal digits that always round-trip a `bits`-bit value: 1 + ceil(bits log10 2).
    public static func roundTripDigits(precision bits: Int) -> Int {
        1 + Int((Double(bits) * 0.30102999566398120).rounded(.up))
    }

    /// The number of decimal digits a `bits`-bit value always resolves: floor(bits log10 2), at least 1.
    public static func correctDigits(precision bits: Int) -> Int {
        max(1, Int((Double(bits) * 0.30102999566398120).rounded(.down)))
    }
}
