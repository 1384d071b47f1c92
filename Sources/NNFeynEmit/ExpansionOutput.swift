// Text and JSON renderings of `nnfeyn expand`. Exact values print as p/q (with a correctly rounded decimal beside
// them on request); doubles at a fixed number of significant digits in text (stable in golden files) and in
// shortest round-trip form in JSON; multiprecision values as decimal strings of their confirmed digits.
import NNFeynAlgebra
import NNFeynDiagrams
import NNFeynEval
import NNFeynModel

/// What the header says about how the numbers were computed.
public struct ExpansionModeLabel: Sendable, Equatable {
    /// "exact" or "numeric".
    public var mode: String
    /// Why exact arithmetic was not used, when the user did not ask for numeric.
    public var fallbackReason: String?
    /// What the digits of a multiprecision result mean (nil otherwise).
    public var precision: PrecisionLabel?

    public init(mode: String, fallbackReason: String? = nil, precision: PrecisionLabel? = nil) {
        self.mode = mode
        self.fallbackReason = fallbackReason
        self.precision = precision
    }
}

/// The header facts of a multiprecision expansion (see `MultiprecisionExpansion`).
public struct PrecisionLabel: Sendable, Equatable {
    /// The requested precision in bits.
    public var bits: Int
    /// The confirmed significant decimal digits of every value.
    public var digits: Int
    /// The precision of the run the values come from.
    public var workingBits: Int
    /// Entries printed as 0 because they shrink with the rounding error (exact cancellations).
    public var zeroed: Int
    /// Entries whose digits could not be confirmed.
    public var unconfirmed: Int

    public init(bits: Int, digits: Int, workingBits: Int, zeroed: Int, unconfirmed: Int) {
        self.bits = bits
        self.digits = digits
        self.workingBits = workingBits
        self.zeroed = zeroed
        self.unconfirmed = unconfirmed
    }

    /// The label of a multiprecision expansion.
    public init(_ result: MultiprecisionExpansion) {
        self.init(bits: result.requestedBits, digits: result.digits, workingBits: result.workingBits,
                  zeroed: result.zeroed, unconfirmed: result.unconfirmed)
    }

    /// The header lines of the text output.
    var textLines: [String] {
        var lines = ["precision \(bits) bits: every value to \(digits) significant digits (working precision \(workingBits) bits, confirmed by a run at lower precision)"]
        if zeroed > 0 {
            lines.append("         \(zeroed) coefficient\(zeroed == 1 ? "" : "s") shrink with the rounding error as the precision grows (exact cancellation) and print as 0")
        }
        if unconfirmed > 0 { lines.append("         warning: \(unconfirmed) value\(unconfirmed == 1 ? "" : "s") could not be confirmed to \(digits) digits") }
        return lines
    }

    var json: JSONValue {
        ["bits": .integer(bits), "digits": .integer(digits), "working": .integer(workingBits),
         "zeroed": .integer(zeroed), "unconfirmed": .integer(unconfirmed)]
    }
}

/// Renders expansions for people (text) and programs (JSON, schema nnfeyn.expansion/1).
public enum ExpansionOutput {
    /// The header and the Taylor polynomial of each output, grouped by order. Multiprecision values print with
    /// `mode.precision`'s digits instead of `digits`; `decimalDigits` adds a correctly rounded decimal beside every
    /// exact non-integer value: "1/3 (0.333)".
    public static func text<S: Scalar>(model: Model, expansion: TaylorExpansion<S>, mode: ExpansionModeLabel,
                                       significantDigits: Int = 12,
                                       breakdown: [DiagramOrderBreakdown<S>]? = nil, decimalDigits: Int? = nil) -> String {
        let digits = mode.precision?.digits ?? significantDigits
        let atOrigin = model.point.allSatisfy(\.isZero)
        var lines: [String] = []
        lines.append("network  \(model.displayName)")
        lines.append("input    \(model.input.name) (dimension \(model.input.dimension))")
        lines.append("mode     \(mode.mode)" + (mode.fallbackReason.map { " (exact impossible: \($0))" } ?? ""))
        if let precision = mode.precision { lines.append(contentsOf: precision.textLines) }
        if let decimalDigits, S.arithmetic == .exact {
            lines.append("decimals \(decimalDigits) significant digits, correctly rounded, beside each fraction")
        }
        lines.append("point    \(model.input.name) = [" + model.point.map(\.description).joined(separator: ", ") + "]")
        lines.append("order    \(expansion.order)")
        let variable = atOrigin ? model.input.name : "d" + model.input.name
        if !atOrigin {
            lines.append("         (polynomials in \(variable) = \(model.input.name) - point)")
        }
        let outputName = model.layers.last?.name ?? "y"
        for o in 0..<expansion.outputCount {
            lines.append("")
            let name = expansion.outputCount == 1 ? outputName : "\(outputName)[\(o)]"
            lines.append("\(name) =")
            for k in 0...expansion.order {
                let terms = expansion.basis.range(ofDegree: k).compactMap { p -> (S, String)? in
                    let c = expansion.coefficient(output: o, position: p)
                    return c.isZero ? nil : (c, monomial(expansion.basis.indexLists[p], variable: variable))
                }
                lines.append("  order \(k):  " + polynomial(terms, digits: digits, decimalDigits: decimalDigits))
                if let breakdown, k < breakdown.count {
                    for c in breakdown[k].contributions where !c.vanishes {
                        // Each diagram's share of this order, as Taylor coefficients of its monomials.
                        let shares = expansion.basis.range(ofDegree: k).compactMap { p -> (S, String)? in
                            let derivative = c.tensor.stored(output: o, position: p) * S(c.multiplicity)
                            let value = derivative / expansion.basis.multiplicityFactorial(at: p, as: S.self)
                            return value.isZero ? nil : (value, monomial(expansion.basis.indexLists[p], variable: variable))
                        }
                        lines.append("      \(c.diagram.id) \(c.diagram.shape):  " + polynomial(shares, digits: digits))
                    }
                    let vanishing = breakdown[k].contributions.filter(\.vanishes).map(\.diagram.id)
                    if !vanishing.isEmpty { lines.append("      vanishing at the point: " + vanishing.joined(separator: ", ")) }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How the entries of a JSON document write their numbers.
    struct EntryFormat {
        /// Significant digits of every value (multiprecision expansions); nil: the type's own JSON form.
        var digits: Int?
        /// Adds "decimal": {"coefficient", "derivative"} with this many digits to entries of exact expansions.
        var decimalDigits: Int?

        func number<S: Scalar>(_ value: S) -> JSONValue {
            if let digits { return .string(value.text(significantDigits: digits)) }
            return ExpansionOutput.number(value)
        }

        /// One entry of "orders": output, index, derivative, coefficient (and decimals).
        func entry<S: Scalar>(_ expansion: TaylorExpansion<S>, output o: Int, position p: Int) -> JSONValue {
            let derivative = expansion.derivative(output: o, position: p), coefficient = expansion.coefficient(output: o, position: p)
            var entry: [String: JSONValue] = [
                "output": .integer(o),
                "index": .array(expansion.basis.indexLists[p].map { .integer($0) }),
                "derivative": number(derivative),
                "coefficient": number(coefficient),
            ]
            if let decimalDigits, let d = derivative as? Rational, let c = coefficient as? Rational {
                entry["decimal"] = ["coefficient": .string(c.decimalText(significantDigits: decimalDigits)),
                                    "derivative": .string(d.decimalText(significantDigits: decimalDigits))]
            }
            return .object(entry)
        }
    }

    /// The "orders" array of an expansion: every multi-index of every order once per output.
    static func jsonOrders<S: Scalar>(_ expansion: TaylorExpansion<S>, breakdown: [DiagramOrderBreakdown<S>]? = nil,
                                      format: EntryFormat = EntryFormat()) -> [JSONValue] {
        var orders: [JSONValue] = []
        for k in 0...expansion.order {
            var entries: [JSONValue] = []
            for o in 0..<expansion.outputCount {
                for p in expansion.basis.range(ofDegree: k) { entries.append(format.entry(expansion, output: o, position: p)) }
            }
            var order: [String: JSONValue] = ["order": .integer(k), "entries": .array(entries)]
            if let breakdown, k < breakdown.count {
                order["diagrams"] = .array(breakdown[k].contributions.map { c in
                    var items: [JSONValue] = []
                    for o in 0..<c.tensor.outputCount {
                        for p in c.tensor.positions {
                            let value = c.tensor.stored(output: o, position: p)
                            items.append(["output": .integer(o), "index": .array(c.tensor.basis.indexLists[p].map { .integer($0) }),
                                          "derivative": format.number(value)])
                        }
                    }
                    return ["id": .string(c.diagram.id), "shape": .string(c.diagram.shape),
                            "multiplicity": DiagramNumberFormat.jsonInteger(c.multiplicity), "vanishes": .bool(c.vanishes),
                            "contribution": .array(items)]
                })
            }
            orders.append(.object(order))
        }
        return orders
    }

    /// The JSON document: sorted keys, every multi-index of every order once per output. Multiprecision values are
    /// decimal strings of `mode.precision`'s digits; `decimalDigits` adds `"decimal": {"coefficient", "derivative"}`
    /// (correctly rounded decimal strings) to every entry of an exact expansion.
    public static func json<S: Scalar>(model: Model, expansion: TaylorExpansion<S>, mode: ExpansionModeLabel,
                                       breakdown: [DiagramOrderBreakdown<S>]? = nil, decimalDigits: Int? = nil) -> String {
        let format = EntryFormat(digits: mode.precision?.digits, decimalDigits: decimalDigits)
        // Without diagrams the entries are written one at a time into the text (byte for byte what the tree would
        // give): a tree of millions of entries (the Hessian of a 784-input network) took five times the output's size.
        let orders = breakdown == nil ? [] : jsonOrders(expansion, breakdown: breakdown, format: format)
        var document: [String: JSONValue] = [
            "schema": "nnfeyn.expansion/1",
            "network": .string(model.displayName),
            "mode": .string(mode.mode),
            "input": ["name": .string(model.input.name), "dimension": .integer(model.input.dimension)],
            "outputs": .integer(expansion.outputCount),
            "order": .integer(expansion.order),
            "point": .array(model.point.map { .string($0.description) }),
            "orders": .array(orders),
        ]
        if let reason = mode.fallbackReason { document["fallback"] = .string(reason) }
        if let precision = mode.precision { document["precision"] = precision.json }
        guard breakdown == nil else { return JSONValue.object(document).serialized() + "\n" }
        document["orders"] = .string("\u{0}orders")  // a placeholder that no other value can contain
        let text = JSONValue.object(document).serialized() + "\n"
        guard let placeholder = text.range(of: "\"\\u0000orders\"") else { return text }
        var out = String(text[..<placeholder.lowerBound])
        writeOrders(expansion, format: format, into: &out)
        out += text[placeholder.upperBound...]
        return out
    }

    /// The "orders" array at the top level of the document, as JSONValue's pretty printer lays it out.
    static func writeOrders<S: Scalar>(_ expansion: TaylorExpansion<S>, format: EntryFormat, into out: inout String) {
        out += "[\n"
        for k in 0...expansion.order {
            out += "    {\n      \"entries\": [\n"
            let positions = expansion.basis.range(ofDegree: k)
            for o in 0..<expansion.outputCount {
                for p in positions {
                    out += "        "
                    format.entry(expansion, output: o, position: p).write(into: &out, indent: "        ")
                    out += o == expansion.outputCount - 1 && p == positions.upperBound - 1 ? "\n" : ",\n"
                }
            }
            out += "      ],\n      \"order\": \(k)\n    }" + (k == expansion.order ? "\n" : ",\n")
        }
        out += "  ]"
    }

    static func number<S: Scalar>(_ value: S) -> JSONValue { DiagramNumberFormat.json(value) }

    /// "x0^2 x1" for the index list [0, 0, 1].
    static func monomial(_ indices: [Int], variable: String) -> String {
        var parts: [String] = []
        var i = 0
        while i < indices.count {
            var j = i
            while j < indices.count && indices[j] == indices[i] { j += 1 }
            let power = j - i
            parts.append("\(variable)\(indices[i])" + (power > 1 ? "^\(power)" : ""))
            i = j
        }
        return parts.joined(separator: " ")
    }

    /// "3/2 x0 - x1 + 1/4 x0 x1", or "0" when there are no terms; with `decimalDigits`, "1/4 (0.25) x0 x1".
    static func polynomial<S: Scalar>(_ terms: [(S, String)], digits: Int, decimalDigits: Int? = nil) -> String {
        guard !terms.isEmpty else { return "0" }
        var out = ""
        for (n, (value, mono)) in terms.enumerated() {
            var text = DiagramNumberFormat.text(value, significantDigits: digits)
            let negative = text.hasPrefix("-")
            if negative { text.removeFirst() }
            if !mono.isEmpty && text == "1" { text = "" }
            if let decimalDigits, let exact = value as? Rational {
                let decimal = exact.magnitude.decimalText(significantDigits: decimalDigits)
                if decimal != exact.magnitude.description { text += " (" + decimal + ")" }
            }
            let body = [text, mono].filter { !$0.isEmpty }.joined(separator: " ")
            if n == 0 { out += (negative ? "-" : "") + body } else { out += (negative ? " - " : " + ") + body }
        }
        return out
    }
}
