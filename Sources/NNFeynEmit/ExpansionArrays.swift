// `expand --format npz`: the expansion as NumPy arrays (schema nnfeyn.expansion-npz/1).
//
// For every order k:
//   index_k        int64, count_k x k: the non-decreasing multi-indices, in the order of the JSON output
//   derivative_k   float64, outputs x count_k: d^k y_o / dx_i1 ... dx_ik
//   coefficient_k  float64, outputs x count_k: the Taylor coefficients (derivative / alpha!)
//   dense_k        float64, outputs x d x ... x d (k times), every index permutation filled (with `dense`)
//   exact_k        str, outputs x count_k: exact derivatives "p/q" (exact runs, with `exactStrings`)
// and `point` (float64, d) and `meta` (a JSON string: schema, network, mode, input, outputs, order, exact point).
// At many points (`expand --points`, schema nnfeyn.expansions-npz/1) the per-order arrays gain a leading point axis
// (derivative_k is points x outputs x count_k) and `points` (n x d) replaces `point`.
// Exact values are written as the doubles nearest to them.
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel

/// Expansions as named arrays for NumPy.
public enum ExpansionArrays {
    /// Refused beyond this many dense entries per order (8 bytes each): 2^27 entries are 1 GiB.
    public static let maximumDenseEntries = 1 << 27

    /// Why the arrays cannot be made.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The dense tensor of this order would hold this many entries (nil: more than Int64 holds).
        case denseTooLarge(order: Int, entries: Int?)

        public var description: String {
            switch self {
            case .denseTooLarge(let order, let entries):
                "the dense order-\(order) tensor would hold \(entries.map(String.init) ?? "more than 9.2e18") entries "
                    + "(\(entries.map { String($0 * 8) + " bytes" } ?? "too many bytes")), more than \(maximumDenseEntries)"
            }
        }
    }

    /// The arrays of one expansion, in the order they are documented.
    public static func arrays<S: Scalar>(model: Model, expansion: TaylorExpansion<S>, mode: ExpansionModeLabel,
                                         dense: Bool = false, exactStrings: Bool = false) throws(Failure) -> [(name: String, array: DenseArray)] {
        try arrays(model: model, expansions: [expansion], points: nil, mode: mode, dense: dense, exactStrings: exactStrings)
    }

    /// The arrays of expansions at many points (schema nnfeyn.expansions-npz/1): every per-order array gains a
    /// leading point axis and `points` (n x d) replaces `point`. With `points` nil, `expansions` holds the one
    /// expansion at the model's point and the arrays have no point axis.
    public static func arrays<S: Scalar>(model: Model, expansions: [TaylorExpansion<S>], points: [[Rational]]?, mode: ExpansionModeLabel,
                                         dense: Bool = false, exactStrings: Bool = false) throws(Failure) -> [(name: String, array: DenseArray)] {
        guard let first = expansions.first else { return [] }
        let d = first.basis.variables, outputs = first.outputCount
        let pointAxis = points == nil ? [] : [expansions.count]
        if dense {
            for k in first.orders {
                var entries: Int? = outputs.multipliedReportingOverflow(by: expansions.count).overflow ? nil : outputs * expansions.count
                for _ in 0..<k { entries = entries.flatMap { e in e.multipliedReportingOverflow(by: d).overflow ? nil : e * d } }
                guard let count = entries, count <= maximumDenseEntries else { throw .denseTooLarge(order: k, entries: entries) }
            }
        }
        var result: [(name: String, array: DenseArray)] = []
        for k in first.orders {
            let positions = Array(first.basis.range(ofDegree: k))
            let indices = positions.flatMap { first.basis.indexLists[$0].map(Int64.init) }
            result.append(("index_\(k)", DenseArray(shape: [positions.count, k], .int64(indices))))
            var derivatives: [Double] = [], coefficients: [Double] = [], exact: [String] = []
            for expansion in expansions {
                for o in 0..<outputs {
                    for p in positions {
                        let derivative = expansion.derivative(output: o, position: p)
                        derivatives.append(derivative.doubleValue)
                        coefficients.append(expansion.coefficient(output: o, position: p).doubleValue)
                        if exactStrings { exact.append(derivative.text(significantDigits: 17)) }
                    }
                }
            }
            let shape = pointAxis + [outputs, positions.count]
            result.append(("derivative_\(k)", DenseArray(shape: shape, .float64(derivatives))))
            result.append(("coefficient_\(k)", DenseArray(shape: shape, .float64(coefficients))))
            if dense {
                let values = expansions.flatMap { expansion in (0..<outputs).flatMap { expansion.dense(order: k, output: $0) } }
                result.append(("dense_\(k)", DenseArray(shape: pointAxis + [outputs] + [Int](repeating: d, count: k), .float64(values))))
            }
            if exactStrings && S.arithmetic == .exact {
                result.append(("exact_\(k)", DenseArray(shape: shape, .text(exact))))
            }
        }
        var meta = metadata(model, schema: points == nil ? "nnfeyn.expansion-npz/1" : "nnfeyn.expansions-npz/1", mode: mode)
        meta["order"] = .integer(first.order)
        if let points {
            result.append(("points", pointArray(points.map { $0.map(\.doubleValue) })))
            meta["points"] = .array(points.map { .array($0.map { .string($0.description) }) })
        } else {
            result.append(("point", DenseArray(shape: [d], .float64(model.point.map(\.doubleValue)))))
            meta["point"] = .array(model.point.map { .string($0.description) })
        }
        result.append(("meta", DenseArray(text: JSONValue.object(meta).serialized(pretty: false))))
        return result
    }

    /// The header every nnfeyn document and archive carries: schema, network, mode, input, outputs (and why not exact).
    static func metadata(_ model: Model, schema: String, mode: ExpansionModeLabel) -> [String: JSONValue] {
        var meta: [String: JSONValue] = [
            "schema": .string(schema),
            "network": .string(model.displayName),
            "mode": .string(mode.mode),
            "input": ["name": .string(model.input.name), "dimension": .integer(model.input.dimension)],
            "outputs": .integer(model.outputCount),
        ]
        if let reason = mode.fallbackReason { meta["fallback"] = .string(reason) }
        return meta
    }

    /// Points as an n x d float64 array.
    static func pointArray(_ points: [[Double]]) -> DenseArray {
        DenseArray(shape: [points.count, points.first?.count ?? 0], .float64(points.flatMap { $0 }))
    }
}

extension ExpansionArrays.Failure: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(code: .tooLarge, message: description, help: "leave out --dense: derivative_k holds the same numbers once per monomial")]
    }
}
