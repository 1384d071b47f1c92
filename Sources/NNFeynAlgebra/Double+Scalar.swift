import Foundation
import RealModule

extension Double: Scalar {
    public init(_ value: Rational) { self = value.fastDoubleValue }
    public var isZero: Bool { self == 0 }
    public var doubleValue: Double { self }
    @inline(__always)
    public mutating func addProduct(_ a: Double, _ b: Double) { self += a * b }
    public var isFiniteValue: Bool { isFinite }
    public static var arithmetic: Arithmetic { .double }

    /// `%.<digits>g` (1 to 17 digits), "-0" printed as "0", non-finite values as nan, inf, -inf.
    public func text(significantDigits digits: Int) -> String {
        guard isFinite else { return isNaN ? "nan" : (self > 0 ? "inf" : "-inf") }
        if self == 0 { return "0" }
        return String(format: "%.\(Swift.min(Swift.max(digits, 1), 17))g", self)
    }

    public var json: ScalarJSON { .number(self) }
}
