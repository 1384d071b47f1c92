// The number types nnfeyn computes with.
//
// `Scalar` is a field (swift-numerics' `AlgebraicField`: + - * /) with exact embeddings of the language's rational
// literals and of doubles, and it formats itself. It deliberately has no tanh or exp: activation *values* come from
// a separate oracle (`ActivationScalar`), so the exact path can refuse an irrational value instead of silently
// rounding it. Conformances: `Rational` (exact, GMP), `Double` and `BigFloat` (MPFR, any precision).
import RealModule

/// How a scalar type computes: what cost estimates and output headers need to know about it.
public enum Arithmetic: Sendable, Hashable, CustomStringConvertible {
    /// No rounding at all (GMP rationals): cost grows with the numbers' bit sizes.
    case exact
    /// IEEE double precision.
    case double
    /// Binary floating point with a chosen precision in bits (MPFR).
    case multiprecision(bits: Int)

    /// "exact", "numeric" or "precision N bits", as output headers say it.
    public var description: String {
        switch self {
        case .exact: "exact"
        case .double: "numeric"
        case .multiprecision(let bits): "precision \(bits) bits"
        }
    }
}

/// How a value appears in JSON: exact and multi-precision values as strings, doubles as numbers that read back to
/// the same double.
public enum ScalarJSON: Sendable, Equatable {
    case number(Double)
    case string(String)
}

/// A field element with exact embeddings of rational literals and doubles.
public protocol Scalar: AlgebraicField, Hashable, Sendable, CustomStringConvertible where Magnitude == Self {
    /// The value of an exact rational: exact for exact types, correctly rounded otherwise.
    init(_ value: Rational)
    /// The value of a finite double: exact wherever the type can hold it (every double is a dyadic rational).
    init(_ value: Double)
    init(_ value: Int)
    // Division restated from AlgebraicField, so generic code in other modules finds it without importing RealModule.
    static func / (lhs: Self, rhs: Self) -> Self
    static func /= (lhs: inout Self, rhs: Self)
    /// Whether the value is zero (cheaper than `== .zero` for some types).
    var isZero: Bool { get }
    /// The nearest double, for size measures and numeric comparison.
    var doubleValue: Double { get }
    /// `self += a * b`, in place where the type can do that without allocating.
    mutating func addProduct(_ a: Self, _ b: Self)
    /// False for values this type represents but no computation should continue with (NaN, infinities).
    var isFiniteValue: Bool { get }
    /// How this type computes.
    static var arithmetic: Arithmetic { get }
    /// The value for people: exact types print themselves in full ("p/q"), rounded types with `significantDigits`
    /// significant digits (at most what they hold).
    func text(significantDigits: Int) -> String
    /// The value for programs.
    var json: ScalarJSON { get }
}

extension Scalar {
    /// 1.
    public static var one: Self { Self(1) }
    public mutating func addProduct(_ a: Self, _ b: Self) { self += a * b }
}
