// Text and JSON renderings of `nnfeyn expand`. Exact values print as p/q; doubles at a fixed number of significant
// digits in text (stable in golden files) and in shortest round-trip form in JSON.
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

    public init(mode: String, fallbackReason: String? = nil) {
        self.mode = mode
        self.fallbackReason = fallbackReason
    }
}

/// Renders expansions for people (text) and programs (JSON, schema nnfeyn.expansion/1).
public enum ExpansionOutput {
    /// The header and the Taylor polynomial of each output, grouped by order.
    public static func text<S: Scalar>(model: Model, expansion: TaylorExpansion<S>, mode: ExpansionModeLabel,
                                       significantDigits digits: Int = 12,
                                       breakdown: [DiagramOrderBreakdown<S>]? = nil) -> String {
        let atOrigin = model.point.allSatisfy(\.isZero)
        var lines: [String] = []
        lines.append("network  \(model.displayName)")
        lines.append("input    \(model.input.name) (dimension \(model.input.dimension))")
        lines.append("mode     \(mode.mode)" + (mode.fallbackReason.map { " (exact impossible: \($0))" } ?? ""))
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
                lines.append("  order \(k):  " + polynomial(terms, digits: digits))
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

    /// The "orders" array of an expansion: every multi-index of every order once per output.
    static func jsonOrders<S: Scalar>(_ expansion: TaylorExpansion<S>, breakdown: [DiagramOrderBreakdown<S>]? = nil) -> [JSONValue] {
        var orders: [JSONValue] = []
        for k in 0...expansion.order {
            var entries: [JSONValue] = []
            for o in 0..<expansion.outputCount {
                for p in expansion.basis.range(ofDegree: k) {
                    entries.append([
                        "output": .integer(o),
                        "index": .array(expansion.basis.indexLists[p].map { .integer($0) }),
                        "derivative": number(expansion.derivative(output: o, position: p)),
                        "coefficient": number(expansion.coefficient(output: o, position: p)),
                    ])
                }
            }
            var order: [String: JSONValue] = ["order": .integer(k), "entries": .array(entries)]
            if let breakdown, k < breakdown.count {
                order["diagrams"] = .array(breakdown[k].contributions.map { c in
                    var items: [JSONValue] = []
                    for o in 0..<c.tensor.outputCount {
                        for p in c.tensor.positions {
                            let value = c.tensor.stored(output: o, position: p)
                            items.append(["output": .integer(o), "index": .array(c.tensor.basis.indexLists[p].map { .integer($0) }),
                                          "derivative": number(value)])
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

    /// The JSON document: sorted keys, every multi-index of every order once per output.
    public static func json<S: Scalar>(model: Model, expansion: TaylorExpansion<S>, mode: ExpansionModeLabel,
                                       breakdown: [DiagramOrderBreakdown<S>]? = nil) -> String {
        // Without diagrams the entries are written one at a time into the text (byte for byte what the tree would
        // give): a tree of millions of entries (the Hessian of a 784-input network) took five times the output's size.
        let orders = breakdown == nil ? [] : jsonOrders(expansion, breakdown: breakdown)
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
        guard breakdown == nil else { return JSONValue.object(document).serialized() + "\n" }
        document["orders"] = .string("\u{0}orders")  // a placeholder that no other value can contain
        let text = JSONValue.object(document).serialized() + "\n"
        guard let placeholder = text.range(of: "\"\\u0000orders\"") else { return text }
        var out = String(text[..<placeholder.lowerBound])
        writeOrders(expansion, into: &out)
        out += text[placeholder.upperBound...]
        return out
    }

    /// The "orders" array at the top level of the document, as JSONValue's pretty printer lays it out.
    static func writeOrders<S: Scalar>(_ expansion: TaylorExpansion<S>, into out: inout String) {
        out += "[\n"
        for k in 0...expansion.order {
            out += "    {\n      \"entries\": [\n"
            let positions = expansion.basis.range(ofDegree: k)
            for o in 0..<expansion.outputCount {
                for p in positions {
                    let entry: JSONValue = [
                        "output": .integer(o),
                        "index": .array(expansion.basis.indexLists[p].map { .integer($0) }),
                        "derivative": number(expansion.derivative(output: o, position: p)),
                        "coefficient": number(expansion.coefficient(output: o, position: p)),
                    ]
                    out += "        "
                    entry.write(into: &out, indent: "        ")
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

    /// "3/2 x0 - x1 + 1/4 x0 x1", or "0" when there are no terms.
    static func polynomial<S: Scalar>(_ terms: [(S, String)], digits: Int) -> String {
        guard !terms.isEmpty else { return "0" }
        var out = ""
        for (n, (value, mono)) in terms.enumerated() {
            var text = DiagramNumberFormat.text(value, significantDigits: digits)
            let negative = text.hasPrefix("-")
            if negative { text.removeFirst() }
            if !mono.isEmpty && text == "1" { text = "" }
            let body = [text, mono].filter { !$0.isEmpty }.joined(separator: " ")
            if n == 0 { out += (negative ? "-" : "") + body } else { out += (negative ? " - " : " + ") + body }
        }
        return out
    }
}
