// How the diagram emitters print numbers: exact values as p/q, doubles at a fixed number of significant digits
// in text and LaTeX (stable in golden files) and in shortest round-trip form in JSON.
import Foundation
import NNFeynAlgebra

/// Number formatting shared by the diagram listings.
public enum DiagramNumberFormat {
    /// Text form: the scalar type's own (exact values as "p/q", doubles `%.<digits>g`).
    public static func text<S: Scalar>(_ value: S, significantDigits digits: Int) -> String {
        value.text(significantDigits: digits)
    }

    /// JSON form: the scalar type's own (exact values as the string "p/q", doubles as numbers that read back to
    /// the same double).
    public static func json<S: Scalar>(_ value: S) -> JSONValue {
        switch value.json {
        case .number(let double): .number(double)
        case .string(let text): .string(text)
        }
    }

    /// An exact integer (a count or multiplicity) as an unquoted JSON integer of any size.
    public static func jsonInteger(_ value: Rational) -> JSONValue {
        precondition(value.isInteger, "counts and multiplicities are integers")
        return .bigInteger(value.description)
    }

    /// LaTeX math from the text form: \tfrac{p}{q} for fractions, a \times 10^{e} form for exponents.
    public static func latex<S: Scalar>(_ value: S, significantDigits digits: Int) -> String {
        let plain = text(value, significantDigits: digits)
        if plain.contains("/") {
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
