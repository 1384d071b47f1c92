// How the diagram emitters print numbers: exact values as p/q, doubles at a fixed number of significant digits
// in text and LaTeX (stable in golden files) and in shortest round-trip form in JSON.
import Foundation
import NNFeynAlgebra

/// Number formatting shared by the diagram listings.
public enum DiagramNumberFormat {
    /// Text form: "p/q" for exact scalars, `%.<digits>g` for doubles.
    public static func text<S: Scalar>(_ value: S, significantDigits digits: Int) -> String {
        if S.isExact { return value.description }
        return text(double: value.doubleValue, significantDigits: digits)
    }

    /// A double with `digits` significant digits (1...17), "-0" printed as "0".
    public static func text(double value: Double, significantDigits digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        return String(format: "%.\(min(max(digits, 1), 17))g", value)
    }

    /// JSON form: exact values as the string "p/q", doubles as numbers that read back to the same double.
    public static func json<S: Scalar>(_ value: S) -> JSONValue {
        S.isExact ? .string(value.description) : .number(value.doubleValue)
    }

    /// An exact integer (a count or multiplicity) as an unquoted JSON integer of any size.
    public static func jsonInteger(_ value: Rational) -> JSONValue {
        precondition(value.isInteger, "counts and multiplicities are integers")
        return .bigInteger(value.description)
    }

    /// LaTeX math: \tfrac{p}{q} for fractions, a \times 10^{e} form for doubles.
    public static func latex<S: Scalar>(_ value: S, significantDigits digits: Int) -> String {
        let plain = text(value, significantDigits: digits)
        if S.isExact {
            let negative = plain.hasPrefix("-")
            let body = negative ? String(plain.dropFirst()) : plain
            let parts = body.split(separator: "/")
            let core = parts.count == 2 ? "\\tfrac{\(parts[0])}{\(parts[1])}" : body
            return (negative ? "-" : "") + core
        }
        if let e = plain.firstIndex(where: { $0 == "e" }) {
            let mantissa = plain[..<e]
            let exponent = Int(plain[plain.index(after: e)...]) ?? 0
            return "\(mantissa)\\times 10^{\(exponent)}"
        }
        return plain
    }
}
