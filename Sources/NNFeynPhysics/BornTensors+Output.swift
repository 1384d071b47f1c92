// `nnfeyn born kernels --order K` output for Born tensors of any order: one entry per non-decreasing index list.
// Exact values are strings "p/q", doubles are JSON numbers in Swift's shortest round-tripping form. Deterministic.
import NNFeynAlgebra

extension BornTensors {
    /// The schema name of `json`.
    public static var schemaName: String { "nnfeyn.born.kernels/2" }

    /// `{"convention": "derivative", "edges": [...], "order": K, "orders": [{"order": k, "entries": [{"index": [i, ...],
    /// "value": v}, ...]}, ...], "schema": "nnfeyn.born.kernels/2", "steps": n}`: sorted keys, one entry per line,
    /// `index` non-decreasing and 0-based, `value` the derivative d^k a0 / dU_i ... dU_l at U = 0.
    public var json: String {
        func value(_ x: S) -> String { S.isExact ? "\"\(x)\"" : "\(x.doubleValue)" }
        var lines = ["{", "  \"convention\": \"derivative\","]
        lines.append("  \"edges\": [" + edges.map(value).joined(separator: ", ") + "],")
        lines.append("  \"order\": \(order),")
        lines.append("  \"orders\": [")
        for k in 1...order {
            lines.append("    {")
            lines.append("      \"entries\": [")
            let range = basis.range(ofDegree: k)
            for (offset, position) in range.enumerated() {
                let index = basis.indexLists[position].map(String.init).joined(separator: ", ")
                let comma = offset == range.count - 1 ? "" : ","
                lines.append("        {\"index\": [\(index)], \"value\": \(value(derivatives[k][offset]))}\(comma)")
            }
            lines.append("      ],")
            lines.append("      \"order\": \(k)")
            lines.append(k == order ? "    }" : "    },")
        }
        lines.append("  ],")
        lines.append("  \"schema\": \"\(Self.schemaName)\",")
        lines.append("  \"steps\": \(steps)")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One entry per line under an `order k` header, independent entries only, 1-based step indices (as the
    /// order-3 text form).
    public var text: String {
        var lines = ["# derivatives of a0 at U = 0 (not Taylor coefficients); steps are 1-based"]
        for k in 1...order {
            lines.append("order \(k)")
            for (offset, position) in basis.range(ofDegree: k).enumerated() {
                let index = basis.indexLists[position].map { String($0 + 1) }.joined(separator: " ")
                lines.append("  \(index)  \(S.isExact ? "\(derivatives[k][offset])" : "\(derivatives[k][offset].doubleValue)")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
