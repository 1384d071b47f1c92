// Exact rational numbers on GMP's mpq, always in canonical form (lowest terms, positive denominator).
//
// A `Rational` wraps immutable storage that owns one mpq_t (init in init, clear in deinit), so values are cheap
// to copy and honestly `Sendable`. `addProduct` mutates in place only when the storage is uniquely referenced.
import CGMP

/// An exact rational number backed by GMP.
public struct Rational: Sendable {
    final class Storage: @unchecked Sendable {
        let value: UnsafeMutablePointer<__mpq_struct>
        init() {
            value = .allocate(capacity: 1)
            __gmpq_init(value)
        }
        deinit {
            __gmpq_clear(value)
            value.deallocate()
        }
    }

    var storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// Builds a value by letting `body` write into a fresh mpq_t.
    @inline(__always)
    static func make(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational {
        let s = Storage()
        body(s.value)
        return Rational(storage: s)
    }

    public init(_ value: Int) {
        storage = Storage()
        __gmpq_set_si(storage.value, value, 1)
    }

    /// numerator / denominator; the denominator must be nonzero.
    public init(_ numerator: Int, _ denominator: Int) {
        precondition(denominator != 0, "zero denominator")
        storage = Storage()
        if denominator > 0 {
            __gmpq_set_si(storage.value, numerator, UInt(denominator))
        } else {
            // Negate through GMP: -Int.min would overflow.
            __gmpq_set_si(storage.value, numerator, UInt(denominator.magnitude))
            __gmpq_neg(storage.value, storage.value)
        }
        __gmpq_canonicalize(storage.value)
    }

    /// numerator / denominator for 64-bit parts; the denominator must be nonzero.
    public init(fraction numerator: Int64, _ denominator: UInt64) {
        precondition(denominator != 0, "zero denominator")
        storage = Storage()
        __gmpq_set_si(storage.value, Int(numerator), UInt(denominator))
        __gmpq_canonicalize(storage.value)
    }

    /// (numerator, denominator) when both fit in 64 bits, else nil.
    public var smallFraction: (Int64, UInt64)? {
        let q = storage.value
        guard __gmpz_fits_slong_p(&q.pointee._mp_num) != 0, __gmpz_sizeinbase(&q.pointee._mp_den, 2) <= 64 else { return nil }
        return (Int64(__gmpz_get_si(&q.pointee._mp_num)), UInt64(__gmpz_get_ui(&q.pointee._mp_den)))
    }

    /// The exact binary fraction a finite double stores; nil for NaN and infinities.
    public init?(exactly value: Double) {
        guard value.isFinite else { return nil }
        storage = Storage()
        __gmpq_set_d(storage.value, value)
    }

    /// Parses a base-10 integer or fraction "p", "-p", "p/q" (no decimals here: see `init?(literal:)`).
    public init?(fractionString text: String) {
        guard Rational.isFractionSyntax(text) else { return nil }
        let s = Storage()
        let status = text.withCString { __gmpq_set_str(s.value, $0, 10) }
        guard status == 0, __gmpz_sgn_den(s.value) != 0 else { return nil }
        __gmpq_canonicalize(s.value)
        storage = s
    }

    /// Parses a literal of the model language: integers, fractions `p/q`, decimals and scientific notation, with an
    /// optional leading minus. Returns nil for malformed text, a zero denominator or an exponent beyond ±100000.
    public init?(literal text: String) {
        if text.contains("/") {
            self.init(fractionString: text)
            return
        }
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" { negative = true; chars = chars.dropFirst() } else if chars.first == "+" { chars = chars.dropFirst() }
        var mantissa = Substring(chars)
        var exponent = 0
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = chars[..<e]
            var expText = chars[chars.index(after: e)...]
            var expNegative = false
            if expText.first == "-" { expNegative = true; expText = expText.dropFirst() } else if expText.first == "+" { expText = expText.dropFirst() }
            guard !expText.isEmpty, expText.count <= 6, expText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(expText), value <= 100_000 else { return nil }
            exponent = expNegative ? -value : value
        }
        var digits = ""
        var fractionDigits = 0
        var seenPoint = false
        for c in mantissa {
            if c == "." {
                if seenPoint { return nil }
                seenPoint = true
            } else if c.isASCII && c.isNumber {
                digits.append(c)
                if seenPoint { fractionDigits += 1 }
            } else {
                return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        let scale = exponent - fractionDigits
        var numerator = digits
        var denominator = "1"
        if scale >= 0 { numerator += String(repeating: "0", count: scale) } else { denominator += String(repeating: "0", count: -scale) }
        self.init(fractionString: (negative ? "-" : "") + numerator + "/" + denominator)
    }

    static func isFractionSyntax(_ text: String) -> Bool {
        var sawSlash = false
        var digitsInPart = 0
        for (i, c) in text.enumerated() {
            if c == "-" && i == 0 { continue }
            if c == "/" {
                if sawSlash || digitsInPart == 0 { return false }
                sawSlash = true
                digitsInPart = 0
                continue
            }
            guard c.isASCII && c.isNumber else { return false }
            digitsInPart += 1
        }
        return digitsInPart > 0
    }

    public static let zero = Rational(0)
    public static let one = Rational(1)

    /// -1, 0 or 1.
    public var sign: Int {
        let num = storage.value.pointee._mp_num._mp_size
        return num > 0 ? 1 : (num < 0 ? -1 : 0)
    }

    public var isInteger: Bool { __gmpz_cmp_ui_den(storage.value, 1) == 0 }

    /// The numerator in base 10.
    public var numeratorString: String { Rational.string(of: &storage.value.pointee._mp_num) }
    /// The (positive) denominator in base 10.
    public var denominatorString: String { Rational.string(of: &storage.value.pointee._mp_den) }

    static func string(of z: UnsafeMutablePointer<__mpz_struct>) -> String {
        let size = __gmpz_sizeinbase(z, 10) + 2
        var buffer = [CChar](repeating: 0, count: size)
        __gmpz_get_str(&buffer, 10, z)
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Number of bits in numerator plus denominator: a cost measure for exact arithmetic.
    public var bitSize: Int {
        Int(__gmpz_sizeinbase(&storage.value.pointee._mp_num, 2) + __gmpz_sizeinbase(&storage.value.pointee._mp_den, 2))
    }

    /// The nearest double (GMP truncates; we correct to nearest via a second rounding step on the remainder).
    public var doubleValue: Double {
        let truncated = __gmpq_get_d(storage.value)
        guard truncated.isFinite, truncated != 0 else { return truncated }
        // Compare the exact remainder with half an ulp to round to nearest.
        guard let back = Rational(exactly: truncated) else { return truncated }
        let remainder = (self - back)
        if remainder.isZero { return truncated }
        let up = truncated.nextUp, down = truncated.nextDown
        let candidate = remainder.sign > 0 ? up : down
        guard let c = Rational(exactly: candidate) else { return truncated }
        let distTruncated = remainder.magnitudeValue
        let distCandidate = (self - c).magnitudeValue
        return distCandidate < distTruncated ? candidate : truncated
    }

    var magnitudeValue: Rational { sign < 0 ? -self : self }

    /// The absolute value.
    public var magnitude: Rational { magnitudeValue }

    /// self^exponent for a non-negative exponent.
    public func power(_ exponent: Int) -> Rational {
        precondition(exponent >= 0)
        var result = Rational.one
        var base = self
        var e = exponent
        while e > 0 {
            if e & 1 == 1 { result = result * base }
            e >>= 1
            if e > 0 { base = base * base }
        }
        return result
    }
}

// mpz helpers for the denominator that GMP only exposes as macros.
@inline(__always) func __gmpz_sgn_den(_ q: UnsafeMutablePointer<__mpq_struct>) -> Int32 {
    let size = q.pointee._mp_den._mp_size
    return size > 0 ? 1 : (size < 0 ? -1 : 0)
}
@inline(__always) func __gmpz_cmp_ui_den(_ q: UnsafeMutablePointer<__mpq_struct>, _ value: UInt) -> Int32 {
    __gmpz_cmp_ui(&q.pointee._mp_den, value)
}
