// The number types nnfeyn computes with.
//
// `Scalar` is a field (+ - * /) with an exact embedding of the language's rational literals. It deliberately has
// no tanh or exp: activation *values* come from a separate oracle (see ActivationRules), so the exact path can refuse
// an irrational value instead of silently rounding it. Two conformances: `Rational` (exact, GMP) and `Double`.

/// A field element with an exact embedding of rational literals.
public protocol Scalar: Sendable, Equatable, CustomStringConvertible {
    static var zero: Self { get }
    static var one: Self { get }
    /// The value of an exact rational: exact for `Rational`, the nearest double for `Double`.
    init(_ value: Rational)
    init(_ value: Int)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    /// Division; the divisor must be nonzero.
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self
    var isZero: Bool { get }
    /// The nearest double, for size measures and numeric comparison.
    var doubleValue: Double { get }
    /// `self += a * b`, in place where the type can do that without allocating.
    mutating func addProduct(_ a: Self, _ b: Self)
    /// True when this type computes exactly (no rounding).
    static var isExact: Bool { get }
}

extension Scalar {
    public mutating func addProduct(_ a: Self, _ b: Self) { self = self + a * b }
    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }
}
