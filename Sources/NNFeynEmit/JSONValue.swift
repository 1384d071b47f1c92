// A tiny JSON value with deterministic serialization: object keys sorted by UTF-8 bytes, doubles in Swift's
// shortest round-trip form, non-finite doubles as null. Arrays of scalars print on one line so tensors stay
// readable. Shared by every emitter that writes JSON.

/// A JSON value.
public enum JSONValue: Sendable, Equatable {
    /// null.
    case null
    /// true or false.
    case bool(Bool)
    /// An exact integer.
    case integer(Int)
    /// An integer of any size, as its base-10 digits (optional leading minus); written unquoted, like `integer`.
    /// Counts and multiplicities outgrow Int64 (21! does), and JSON numbers have no size limit.
    case bigInteger(String)
    /// A double, printed so that it reads back to the same double (null if not finite).
    case number(Double)
    /// A string, escaped on output.
    case string(String)
    /// An array; arrays of scalars print on one line.
    case array([JSONValue])
    /// Keys are always written in sorted order.
    case object([String: JSONValue])

    /// The serialized text: pretty (two-space indent, one key per line) or compact; always ends without a newline.
    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        write(into: &out, indent: pretty ? "" : nil)
        return out
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// Keys in UTF-8 byte order: independent of locale and Unicode normalization.
    static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
        object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func write(into out: inout String, indent: String?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .bigInteger(let digits): out += digits
        case .number(let d): out += JSONValue.format(d)
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            guard let indent, !items.allSatisfy(\.isScalar) else {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += indent == nil ? "," : ", " }
                    item.write(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            let inner = indent + "  "
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.write(into: &out, indent: inner)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            let keys = JSONValue.sortedKeys(object)
            guard let indent else {
                out += "{"
                for (i, key) in keys.enumerated() {
                    if i > 0 { out += "," }
                    JSONValue.writeString(key, into: &out)
                    out += ":"
                    object[key]?.write(into: &out, indent: nil)
                }
                out += "}"
                return
            }
            let inner = indent + "  "
            out += "{\n"
            for (i, key) in keys.enumerated() {
                out += inner
                JSONValue.writeString(key, into: &out)
                out += ": "
                object[key]?.write(into: &out, indent: inner)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += indent + "}"
        }
    }

    /// Swift's shortest round-trip form is valid JSON for finite doubles ("0.1", "1e-05", "1.0").
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        return d.description
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    /// null.
    public init(nilLiteral: ()) { self = .null }
}
