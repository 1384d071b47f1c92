// An exact accumulator for sums of doubles (a sparse "superaccumulator"): the sum is held as a fixed-point integer
// in 32-bit digits, so addition is associative and commutative with no rounding at all. That is what lets shards of
// a run, summed in any order and on any machine, merge into bit-for-bit the same result as one process.
//
// Representation: value = sum_i digits[i] * 2^(32 (low + i)). While accumulating, digits are signed Int64 with
// room for 2^29 additions between carry propagations; `normalized()` makes the form canonical (sign-magnitude,
// digits in [0, 2^32), no zero digits at either end), which is what equality, hashing and the text form use.
// Only reading the value (`doubleValue`) rounds, deterministically, from the canonical form.

/// The exact sum of a multiset of finite doubles.
public struct ExactSum: Sendable, Hashable, CustomStringConvertible {
    /// Index of the lowest digit, in units of 32 bits.
    var low = 0
    /// Signed 32-bit digits with carry headroom, least significant first (canonical: in [0, 2^32)).
    var digits: [Int64] = []
    /// Negative (canonical form only; accumulating forms carry the sign in the digits).
    var negative = false
    /// Additions since the last carry propagation.
    var pending = 0
    /// Whether a non-finite value was added (the sum is then undefined).
    public private(set) var invalid = false

    public init() {}

    /// The exact sum of `values`.
    public init<S: Sequence>(_ values: S) where S.Element == Double {
        for v in values { add(v) }
    }

    static let digitBits = 32
    static let mask: Int64 = 0xFFFF_FFFF

    /// Adds one double exactly (non-finite values make the sum invalid).
    public mutating func add(_ x: Double) {
        guard x != 0 else { return }
        guard x.isFinite else { invalid = true; return }
        if negative { flipToSignedDigits() }
        // x = m 2^e with m < 2^53.
        let bits = x.bitPattern
        let exponentField = Int((bits >> 52) & 0x7FF)
        var m = bits & 0x000F_FFFF_FFFF_FFFF
        var e: Int
        if exponentField == 0 { e = -1074 } else { m |= 1 << 52; e = exponentField - 1075 }
        // Digit index k = floor(e / 32) and shift s in [0, 32).
        let k = e >= 0 ? e / 32 : -((-e + 31) / 32)
        let s = e - 32 * k
        ensureDigits(from: k, through: k + 2)
        let ml = Int64(m & 0xFFFF_FFFF), mh = Int64(m >> 32)
        let lowPart = ml << s, highPart = mh << s
        let i = k - low
        let sign: Int64 = x < 0 ? -1 : 1
        digits[i] += sign * (lowPart & Self.mask)
        digits[i + 1] += sign * ((lowPart >> 32) + (highPart & Self.mask))
        digits[i + 2] += sign * (highPart >> 32)
        pending += 1
        if pending >= 1 << 28 { propagateCarries() }
    }

    /// Adds another exact sum exactly.
    public mutating func add(_ other: ExactSum) {
        if other.invalid { invalid = true }
        guard !other.digits.isEmpty else { return }
        if negative { flipToSignedDigits() }
        var o = other
        if o.negative { o.flipToSignedDigits() }
        if pending + o.pending + 1 >= 1 << 28 { propagateCarries() }
        o.propagateCarries()
        ensureDigits(from: o.low, through: o.low + o.digits.count - 1)
        for (j, d) in o.digits.enumerated() { digits[o.low + j - low] += d }
        pending += o.pending + 1
        propagateCarries()
    }

    /// The canonical form: sign and magnitude, digits in [0, 2^32), trimmed.
    public func normalized() -> ExactSum {
        var copy = self
        copy.canonicalize()
        return copy
    }

    mutating func canonicalize() {
        if negative { flipToSignedDigits() }
        propagateCarries()
        // Now digits are in [0, 2^32) except the top one, which carries the sign.
        if let top = digits.last, top < 0 {
            for i in digits.indices { digits[i] = -digits[i] }
            propagateCarries()
            negative = true
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        var leading = 0
        while leading < digits.count, digits[leading] == 0 { leading += 1 }
        if leading > 0 {
            digits.removeFirst(leading)
            low += leading
        }
        if digits.isEmpty { low = 0; negative = false }
        pending = 0
    }

    /// Back from sign-magnitude to signed digits, for accumulation.
    mutating func flipToSignedDigits() {
        guard negative else { return }
        for i in digits.indices { digits[i] = -digits[i] }
        negative = false
    }

    /// Carries so that every digit but the top one is in [0, 2^32); the top one keeps the sign.
    mutating func propagateCarries() {
        guard !digits.isEmpty else { pending = 0; return }
        var carry: Int64 = 0
        for i in digits.indices {
            let v = digits[i] + carry
            carry = v >> 32 // arithmetic shift: floor division by 2^32
            digits[i] = v & Self.mask
        }
        while carry != 0 && carry != -1 {
            digits.append(carry & Self.mask)
            carry >>= 32
        }
        if carry == -1 {
            // The number is negative: fold the borrow into the top digit.
            digits[digits.count - 1] -= 1 << 32
        }
        pending = 0
    }

    mutating func ensureDigits(from first: Int, through last: Int) {
        if digits.isEmpty {
            low = first
            digits = [Int64](repeating: 0, count: last - first + 1)
            return
        }
        if first < low {
            digits.insert(contentsOf: [Int64](repeating: 0, count: low - first), at: 0)
            low = first
        }
        let high = low + digits.count - 1
        if last > high { digits.append(contentsOf: [Int64](repeating: 0, count: last - high)) }
    }

    /// Whether the sum is exactly zero.
    public var isZero: Bool { normalized().digits.isEmpty }

    /// The sum as a double, within about one unit in the last place, computed deterministically from the canonical
    /// form (its top three digits, the next one scaled, and a sticky bit for anything below), so equal sums give
    /// equal doubles on every machine.
    public var doubleValue: Double {
        if invalid { return .nan }
        let c = normalized()
        guard let topIndex = c.digits.indices.last else { return 0 }
        // Collect up to four digits (128 bits) from the top, and whether anything nonzero lies below them.
        var value = 0.0
        var taken = 0
        var index = topIndex
        while index >= 0, taken < 3 {
            value = value * 4294967296.0 + Double(c.digits[index])
            taken += 1
            index -= 1
        }
        var tail = 0.0
        if index >= 0 {
            tail = Double(c.digits[index]) / 4294967296.0
            if index > 0, c.digits[0..<index].contains(where: { $0 != 0 }) { tail += 0x1p-40 }
        }
        value += tail
        let exponent = 32 * (c.low + index + 1)
        let result = Self.scale(value, exponent)
        return c.negative ? -result : result
    }

    /// v * 2^e without intermediate overflow or premature underflow.
    static func scale(_ v: Double, _ e: Int) -> Double {
        var result = v, e = e
        while e > 600 { result *= 0x1p600; e -= 600 }
        while e < -600 { result *= 0x1p-600; e += 600 }
        return result * Double(sign: .plus, exponent: e, significand: 1)
    }

    // MARK: Text form

    /// "0", or "[-]0xHEXp<E>": the magnitude as a hexadecimal integer (most significant digit first) times 2^E, with
    /// E a multiple of 32, like C's hexadecimal floating-point notation.
    public var description: String {
        if invalid { return "nan" }
        let c = normalized()
        guard let top = c.digits.last else { return "0" }
        var hex = String(top, radix: 16)
        for d in c.digits.dropLast().reversed() {
            let h = String(d, radix: 16)
            hex += String(repeating: "0", count: 8 - h.count) + h
        }
        return (c.negative ? "-" : "") + "0x" + hex + "p\(32 * c.low)"
    }

    /// Parses the text form; nil when malformed.
    public init?(text: String) {
        if text == "0" { return }
        if text == "nan" { invalid = true; return }
        var body = Substring(text)
        if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
        guard body.hasPrefix("0x") else { return nil }
        body = body.dropFirst(2)
        let parts = body.split(separator: "p", omittingEmptySubsequences: false)
        guard parts.count == 2, let exponent = Int(parts[1]), exponent % 32 == 0, !parts[0].isEmpty,
              parts[0].allSatisfy(\.isHexDigit) else { return nil }
        // Hexadecimal digits in groups of eight from the right.
        var digits: [Int64] = []
        var end = parts[0].endIndex
        while end > parts[0].startIndex {
            let start = parts[0].index(end, offsetBy: -8, limitedBy: parts[0].startIndex) ?? parts[0].startIndex
            guard let d = Int64(parts[0][start..<end], radix: 16) else { return nil }
            digits.append(d)
            end = start
        }
        low = exponent / 32
        self.digits = digits
        canonicalize()
    }

    public static func == (lhs: ExactSum, rhs: ExactSum) -> Bool {
        let a = lhs.normalized(), b = rhs.normalized()
        return a.invalid == b.invalid && a.negative == b.negative && a.low == b.low && a.digits == b.digits
    }

    public func hash(into hasher: inout Hasher) {
        let c = normalized()
        hasher.combine(c.invalid)
        hasher.combine(c.negative)
        hasher.combine(c.low)
        hasher.combine(c.digits)
    }
}

extension ExactSum: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ExactSum(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an exact sum: '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
