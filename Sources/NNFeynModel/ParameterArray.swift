// A model's numbers as they were given: weights from .npz files are doubles, literals in the language are exact
// rationals (0.1 is 1/10), integer arrays are integers. A `ParameterArray` keeps each value exactly and its nearest
// double beside it, so a numeric run reads doubles without ever building a rational, and an exact run reads the
// exact values without ever rounding. Storage stays proportional to the count: 8 bytes per value when every value
// is a double (the common case), 24 for small fractions, a GMP rational only for values that need one.
import NNFeynAlgebra

/// Exact values with their nearest doubles.
public struct ParameterArray: Sendable, Equatable {
    /// The nearest double to each value (round to nearest, ties to even).
    public let nearest: [Double]
    let exact: Exact

    enum Exact: Sendable, Equatable {
        /// Every value is exactly its nearest double.
        case nearest
        /// value[i] = numerators[i] / denominators[i], both within 64 bits.
        case fractions(numerators: [Int64], denominators: [UInt64])
        /// Values that need big integers.
        case rationals([Rational])
    }

    /// The values of finite doubles, exactly. Returns nil when one is NaN or infinite.
    public init?(doubles: [Double]) {
        guard doubles.allSatisfy(\.isFinite) else { return nil }
        nearest = doubles
        exact = .nearest
    }

    /// Exact rationals (their nearest doubles computed once).
    public init(rationals: [Rational]) {
        var builder = Builder(capacity: rationals.count)
        for value in rationals { builder.append(value) }
        self = builder.finish()
    }

    /// Exact integers (64-bit values beyond 2^53 keep their exact value; their double is the nearest one).
    public init(integers: [Int64]) {
        let doubles = integers.map { Double($0) }
        nearest = doubles
        if zip(integers, doubles).allSatisfy({ Int64(exactly: $1) == $0 }) {
            exact = .nearest
        } else {
            exact = .fractions(numerators: integers, denominators: [UInt64](repeating: 1, count: integers.count))
        }
    }

    /// Exact unsigned integers (values beyond 2^63 become rationals; every double is the nearest one).
    public init(unsignedIntegers integers: [UInt64]) {
        var builder = Builder(capacity: integers.count)
        for value in integers {
            if let signed = Int64(exactly: value) {
                builder.append(numerator: signed, denominator: 1)
            } else {
                builder.append(Rational(literal: String(value))!)
            }
        }
        self = builder.finish()
    }

    /// The values of a numeric array exactly (floats as the binary fractions they store, integers as integers);
    /// nil for texts and when a value is NaN or infinite.
    public init?(_ array: DenseArray) {
        switch array.storage {
        case .float64(let values): self.init(doubles: values)
        case .int64(let values): self.init(integers: values)
        case .uint64(let values): self.init(unsignedIntegers: values)
        case .text: return nil
        }
    }

    /// `count` zeros.
    public static func zeros(_ count: Int) -> ParameterArray {
        ParameterArray(nearest: [Double](repeating: 0, count: count), exact: .nearest)
    }

    init(nearest: [Double], exact: Exact) {
        self.nearest = nearest
        self.exact = exact
    }

    public var count: Int { nearest.count }

    /// Whether every value is exactly its nearest double.
    public var isExactlyDoubles: Bool { exact == .nearest }

    /// The exact value at `index`.
    public func exactValue(at index: Int) -> Rational {
        switch exact {
        case .nearest: Rational(nearest[index])
        case .fractions(let numerators, let denominators):
            Rational(fraction: numerators[index], denominators[index])
        case .rationals(let values): values[index]
        }
    }

    /// The exact values.
    public var exactValues: [Rational] { (0..<count).map(exactValue(at:)) }

    /// The values in `S`: the doubles themselves for `Double` (no conversion at all), the exact values converted
    /// once otherwise (exactly, for exact types).
    public func values<S: Scalar>(as type: S.Type = S.self) -> [S] {
        if let doubles = nearest as? [S] { return doubles }
        switch exact {
        case .nearest: return nearest.map { S($0) }
        case .fractions, .rationals: return (0..<count).map { S(exactValue(at: $0)) }
        }
    }

    /// The largest bit size of a value (numerator plus denominator): what exact arithmetic on it costs.
    public var maximumBitSize: Int {
        switch exact {
        case .nearest:
            // A double m 2^e is a 53-bit numerator over at most 2^1074.
            return nearest.reduce(0) { Swift.max($0, ParameterArray.bitSize(ofDouble: $1)) }
        case .fractions(let numerators, let denominators):
            return zip(numerators, denominators).reduce(0) {
                Swift.max($0, 64 - $1.0.magnitude.leadingZeroBitCount + 64 - $1.1.leadingZeroBitCount)
            }
        case .rationals(let values): return values.reduce(0) { Swift.max($0, $1.bitSize) }
        }
    }

    /// A finite double's exact value p/q in lowest terms when both fit in 64 bits (Rational.smallFraction of it,
    /// without GMP), else nil. q is a power of two.
    static func dyadicFraction(_ value: Double) -> (Int64, UInt64)? {
        guard value.isFinite else { return nil }
        if value == 0 { return (0, 1) }
        let bits = value.magnitude.bitPattern
        let biased = Int(bits >> 52), fraction = bits & ((1 << 52) - 1)
        // |value| = m * 2^e with m odd.
        var m = biased == 0 ? fraction : fraction | 1 << 52
        var e = biased == 0 ? -1074 : biased - 1075
        let zeros = m.trailingZeroBitCount
        m >>= UInt64(zeros)
        e += zeros
        let negative = value < 0
        if e >= 0 {
            guard e <= m.leadingZeroBitCount else { return nil }
            let magnitude = m << UInt64(e)
            if magnitude <= UInt64(Int64.max) { return (negative ? -Int64(magnitude) : Int64(magnitude), 1) }
            return negative && magnitude == 1 << 63 ? (Int64.min, 1) : nil
        }
        guard -e <= 63 else { return nil }
        // m < 2^53 here, so it fits either sign.
        return (negative ? -Int64(m) : Int64(m), 1 << UInt64(-e))
    }

    /// a/g and b/g for g = gcd(a, b); b > 0.
    static func lowestTerms(_ a: UInt64, _ b: UInt64) -> (UInt64, UInt64) {
        if a == 0 { return (0, 1) }
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        return (a / x, b / x)
    }

    /// Bits of numerator plus denominator of a double's exact value.
    static func bitSize(ofDouble value: Double) -> Int {
        guard value != 0, value.isFinite else { return 2 }
        let significand = value.significandBitPattern | (value.isNormal ? 1 << 52 : 0)
        let trailing = significand.trailingZeroBitCount
        let numeratorBits = 64 - significand.leadingZeroBitCount - trailing
        // value = (significand >> trailing) * 2^(exponent - 52 + trailing)
        let exponent = Int(value.exponent) - 52 + trailing
        return exponent >= 0 ? numeratorBits + exponent + 1 : numeratorBits + 1 - exponent
    }

    /// Accumulates values one by one into the most compact storage that holds them all.
    public struct Builder {
        var nearest: [Double] = []
        var numerators: [Int64]? = nil
        var denominators: [UInt64]? = nil
        var rationals: [Rational]? = nil

        public init(capacity: Int) { nearest.reserveCapacity(capacity) }

        /// Appends an exact double.
        public mutating func append(_ value: Double) {
            precondition(value.isFinite)
            appendExact(nearest: value, fraction: nil, rational: nil)
        }

        /// Appends p/q (q > 0, in lowest terms or not), stored as `append(_: Rational)` would store it, but without
        /// building a GMP rational unless a part is beyond 2^53 (the nearest double then needs one).
        public mutating func append(numerator p: Int64, denominator q: UInt64) {
            precondition(q > 0)
            let (m, d) = ParameterArray.lowestTerms(p.magnitude, q)
            let negative = p < 0 && m != 0
            if d.nonzeroBitCount == 1, let magnitude = Double(exactly: m) {
                // A power-of-two denominator up to 2^63 and an exactly representable numerator: an exact double.
                return append(negative ? -(magnitude / Double(d)) : magnitude / Double(d))
            }
            let numerator = negative ? Int64(bitPattern: 0 &- m) : Int64(m)
            let nearest: Double
            if m < 1 << 53, d < 1 << 53 {
                // Both exact as doubles: one IEEE division rounds correctly (as Rational.fastDoubleValue does).
                nearest = negative ? -(Double(m) / Double(d)) : Double(m) / Double(d)
            } else {
                nearest = Rational(fraction: numerator, d).fastDoubleValue
            }
            appendExact(nearest: nearest, fraction: (numerator, d), rational: nil)
        }

        /// Appends any rational.
        public mutating func append(_ value: Rational) {
            let double = value.fastDoubleValue
            if double.isFinite, let back = Rational(exactly: double), back == value { return append(double) }
            if let (p, q) = value.smallFraction { return appendExact(nearest: double, fraction: (p, q), rational: nil) }
            appendExact(nearest: double, fraction: nil, rational: value)
        }

        mutating func appendExact(nearest double: Double, fraction: (Int64, UInt64)?, rational: Rational?) {
            let index = nearest.count
            nearest.append(double)
            if let rational {
                if rationals == nil { promoteToRationals(upTo: index) }
                rationals!.append(rational)
                return
            }
            if rationals != nil {
                rationals!.append(fraction.map { Rational(fraction: $0.0, $0.1) } ?? Rational(double))
                return
            }
            guard let fraction else {
                if numerators != nil {
                    // An exact double as a fraction: its dyadic form may not fit 64 bits, so fall back to rationals.
                    if let (p, q) = ParameterArray.dyadicFraction(double) {
                        numerators!.append(p); denominators!.append(q)
                    } else {
                        promoteToRationals(upTo: index)
                        rationals!.append(Rational(double))
                    }
                }
                return
            }
            if numerators == nil {
                // Earlier values were all exact doubles: give them fraction form.
                var ps: [Int64] = [], qs: [UInt64] = []
                ps.reserveCapacity(nearest.capacity); qs.reserveCapacity(nearest.capacity)
                for earlier in nearest[..<index] {
                    guard let (p, q) = ParameterArray.dyadicFraction(earlier) else {
                        promoteToRationals(upTo: index)
                        rationals!.append(Rational(fraction: fraction.0, fraction.1))
                        return
                    }
                    ps.append(p); qs.append(q)
                }
                numerators = ps
                denominators = qs
            }
            numerators!.append(fraction.0)
            denominators!.append(fraction.1)
        }

        /// Switches to rational storage for the first `count` values.
        mutating func promoteToRationals(upTo count: Int) {
            var values: [Rational] = []
            values.reserveCapacity(nearest.capacity)
            for i in 0..<count {
                if let numerators, let denominators {
                    values.append(Rational(fraction: numerators[i], denominators[i]))
                } else {
                    values.append(Rational(nearest[i]))
                }
            }
            rationals = values
            numerators = nil
            denominators = nil
        }

        public var count: Int { nearest.count }

        /// The array.
        public func finish() -> ParameterArray {
            if let rationals { return ParameterArray(nearest: nearest, exact: .rationals(rationals)) }
            if let numerators, let denominators {
                return ParameterArray(nearest: nearest, exact: .fractions(numerators: numerators, denominators: denominators))
            }
            return ParameterArray(nearest: nearest, exact: .nearest)
        }
    }
}
