// `nnfeyn born kernels --order K` output for Born tensors of any order: one entry per non-decreasing index list.
// Exact values are strings "p/q", doubles are JSON numbers in Swift's shortest round-tripping form. Deterministic.
import NNFeynAlgebra

extension BornTensors {
    /// The schema name of `json`.
    public static var schemaName: String { "nnfeyn.born.kernels/2" }

    /// `{"convention": "derivative", "edges": [...], "order": K, "orders": [{"order": k, "entries": [{"index": [i, ...],
    /// "value": v}, ...]}, ...], "schema": "nnfeyn.born.kernels/2", "steps": n}`: sorted keys, one entry per line,
    /// `index` non-decreasing and 0-based, `value` the derivative d^k a0 / dU_i ... dU_l at U = 0, for orders
    /// 1...K of `tensors` (as `expansion(edges:order:)` makes them for `edges`).
    public static func json<S: Scalar>(_ tensors: TaylorExpansion<S>, edges: [S]) -> String {
        let basis = tensors.basis, order = tensors.order
        precondition(edges.count == basis.variables + 1, "n steps have n + 1 edges")
        var lines = ["{", "  \"convention\": \"derivative\","]
        lines.append("  \"edges\": [" + edges.map(jsonValue).joined(separator: ", ") + "],")
        lines.append("  \"order\": \(order),")
        lines.append("  \"orders\": [")
        for k in 1...order {
            lines.append("    {")
            lines.append("      \"entries\": [")
            let range = basis.range(ofDegree: k)
            for (offset, position) in range.enumerated() {
                let index = basis.indexLists[position].map(String.init).joined(separator: ", ")
                let comma = offset == range.count - 1 ? "" : ","
                let value = jsonValue(tensors.derivative(output: 0, position: position))
                lines.append("        {\"index\": [\(index)], \"value\": \(value)}\(comma)")
            }
            lines.append("      ],")
            lines.append("      \"order\": \(k)")
            lines.append(k == order ? "    }" : "    },")
        }
        lines.append("  ],")
        lines.append("  \"schema\": \"\(schemaName)\",")
        lines.append("  \"steps\": \(basis.variables)")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One entry per line under an `order k` header, independent entries only, 1-based step indices (as the
    /// order-3 text form).
    public static func text<S: Scalar>(_ tensors: TaylorExpansion<S>) -> String {
        let basis = tensors.basis
        var lines = ["# derivatives of a0 at U = 0 (not Taylor coefficients); steps are 1-based"]
        for k in 1...tensors.order {
            lines.append("order \(k)")
            for position in basis.range(ofDegree: k) {
                let index = basis.indexLists[position].map { String($0 + 1) }.joined(separator: " ")
                lines.append("  \(index)  \(textValue(tensors.derivative(output: 0, position: position)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Exact values as the JSON string "p/q", doubles as numbers that read back to the same double.
    static func jsonValue<S: Scalar>(_ x: S) -> String {
        switch x.json {
        case .string(let text): "\"\(text)\""
        case .number(let value): "\(value)"
        }
    }

    /// Exact values as "p/q", doubles in Swift's shortest round-tripping form.
    static func textValue<S: Scalar>(_ x: S) -> String {
        switch x.json {
        case .string(let text): text
        case .number(let value): "\(value)"
        }
    }
}
