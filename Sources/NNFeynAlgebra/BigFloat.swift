// Binary floating point of any precision on MPFR: the third arithmetic beside exact GMP rationals and doubles.
//
// A `BigFloat` wraps immutable storage that owns one mpfr_t (init in init, clear in deinit), as `Rational` owns an
// mpq_t: values are cheap to copy and honestly `Sendable`. Every value carries its own precision in bits, and
// every operation rounds to nearest (ties to even), correctly, as MPFR guarantees. Where a precision comes from:
//   - conversions (`init` from Rational, Int, Double; `zero`, `one`) use `BigFloat.workingPrecision`, a task-local
//     value (128 bits unless set), scoped with `BigFloat.withPrecision(bits) { ... }` around a computation, so
//     the generic evaluators, which only know `S(rational)`, build their numbers at the requested precision;
//   - arithmetic rounds to the larger precision of its operands, so a computation started at one precision stays
//     there without consulting the task-local value again;
//   - `init(_:precision:)` and `rounded(toPrecision:)` take an explicit precision, for code that runs on threads
//     task-locals do not reach (Dispatch) or that mixes precisions on purpose.
// MPFR's exponent range is about 2^(+-2^30): derivatives of order 1000 neither overflow nor underflow.
import CGMP
import CMPFR

/// A binary floating-point number with a precision of its own (MPFR), correctly rounded to nearest.
public struct BigFloat: Sendable {
    final class Storage: @unchecked Sendable {
        let value: UnsafeMutablePointer<__mpfr_struct>
        init(precision: Int) {
            value = .allocate(capacity: 1)
            mpfr_init2(value, mpfr_prec_t(precision))
        }
        deinit {
            mpfr_clear(value)
            value.deallocate()
        }
    }

    var storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// The precisions a value may have, in bits.
    public static let precisionRange = 2...(1 << 24)

    /// The precision conversions use in the current task (bits); see the top of this file.
    @TaskLocal public static var workingPrecision: Int = 128

    /// Runs `body` with `workingPrecision` set to `bits` (clamped to `precisionRange`).
    public static func withPrecision<R>(_ bits: Int, _ body: () throws -> R) rethrows -> R {
        try $workingPrecision.withValue(clampedPrecision(bits), operation: body)
    }

    static func clampedPrecision(_ bits: Int) -> Int { min(max(bits, precisionRange.lowerBound), precisionRange.upperBound) }

    /// Builds a value of `precision` bits by letting `body` write into a fresh mpfr_t.
    @inline(__always)
    static func make(precision: Int, _ body: (UnsafeMutablePointer<__mpfr_struct>) -> Void) -> BigFloat {
        let s = Storage(precision: precision)
        body(s.value)
        return BigFloat(storage: s)
    }

    /// The precision of this value in bits.
    public var precision: Int { Int(mpfr_get_prec(storage.value)) }

    // MARK: Conversions

    /// The rational rounded to nearest at `precision` bits.
    public init(_ value: Rational, precision: Int) {
        self = BigFloat.make(precision: BigFloat.clampedPrecision(precision)) { _ = mpfr_set_q($0, value.storage.value, MPFR_RNDN) }
    }

    /// The integer at `precision` bits (exact when it fits).
    public init(_ value: Int, precision: Int) {
        self = BigFloat.make(precision: BigFloat.clampedPrecision(precision)) { _ = mpfr_set_si($0, value, MPFR_RNDN) }
    }

    /// The double at `precision` bits: exact from 53 bits on; NaN and infinities carry over.
    public init(_ value: Double, precision: Int) {
        self = BigFloat.make(precision: BigFloat.clampedPrecision(precision)) { _ = mpfr_set_d($0, value, MPFR_RNDN) }
    }

    /// The double at the working precision: exact whenever that is at least 53 bits.
    public init(_ value: Double) { self.init(value, precision: BigFloat.workingPrecision) }

    /// Parses a decimal number ("-1.25e-3", "nan", "inf") rounded to nearest at `precision` bits; nil for other text.
    public init?(_ text: String, precision: Int) {
        var ok = false
        let value = BigFloat.make(precision: BigFloat.clampedPrecision(precision)) { target in
            text.withCString { pointer in
                var end: UnsafeMutablePointer<CChar>?
                _ = mpfr_strtofr(target, pointer, &end, 10, MPFR_RNDN)
                ok = !text.isEmpty && end.map { $0.pointee == 0 && $0 != UnsafeMutablePointer(mutating: pointer) } == true
            }
        }
        guard ok else { return nil }
        self = value
    }

    /// This value rounded to nearest at another precision.
    public func rounded(toPrecision bits: Int) -> BigFloat {
        let source = storage.value
        return BigFloat.make(precision: BigFloat.clampedPrecision(bits)) { _ = mpfr_set($0, source, MPFR_RNDN) }
    }

    /// The nearest double (overflow gives an infinity).
    public var doubleValue: Double { mpfr_get_d(storage.value, MPFR_RNDN) }

    /// The exact rational value of a finite number; nil for NaN and infinities.
    public var exactRational: Rational? {
        guard isFiniteValue else { return nil }
        let source = storage.value
        return Rational.make { mpfr_get_q($0, source) }
    }

    // MARK: Classification

    /// True for 0 (either sign).
    public var isZero: Bool { mpfr_zero_p(storage.value) != 0 }
    /// True for NaN.
    public var isNaN: Bool { mpfr_nan_p(storage.value) != 0 }
    /// True for numbers (neither NaN nor an infinity).
    public var isFiniteValue: Bool { mpfr_number_p(storage.value) != 0 }
    /// -1, 0 or 1 (0 for zero and NaN).
    public var sign: Int { Int(mpfr_sgn(storage.value).signum()) }

    /// e with 2^(e-1) <= |self| < 2^e for finite nonzero values; nil for 0, NaN and infinities.
    public var binaryExponent: Int? {
        guard mpfr_regular_p(storage.value) != 0 else { return nil }
        return Int(mpfr_get_exp(storage.value))
    }

    // MARK: Arithmetic helpers

    /// The absolute value.
    public var magnitude: BigFloat {
        let source = storage.value
        return BigFloat.make(precision: precision) { _ = mpfr_abs($0, source, MPFR_RNDN) }
    }

    /// self * 2^exponent, exact (no rounding) within the exponent range.
    public func scaled(byPowerOfTwo exponent: Int) -> BigFloat {
        let source = storage.value
        return BigFloat.make(precision: precision) { _ = mpfr_mul_2si($0, source, exponent, MPFR_RNDN) }
    }

    /// The larger of two values (NaN if either is NaN).
    public static func maximum(_ a: BigFloat, _ b: BigFloat) -> BigFloat {
        if a.isNaN || b.isNaN { return a.isNaN ? a : b }
        return a < b ? b : a
    }
}
