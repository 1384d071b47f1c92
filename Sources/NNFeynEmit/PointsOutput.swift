// Renderings of expansions at many points, Hessian functionals and directional series: text for people, JSON for
// programs (a leading point axis: one element per point, in the order of the points file) and named arrays, which
// the command line writes as .npz (emission never sees the archive code; expansions' arrays are ExpansionArrays').
// The single-point `expand` output (schema nnfeyn.expansion/1) is ExpansionOutput's and unchanged; these documents
// carry their own schemas: nnfeyn.expansions/1 (each element of "expansions" has the single-point document's "point"
// and "orders"), nnfeyn.reduced/1 and nnfeyn.series/1.
import NNFeynAlgebra
import NNFeynEval
import NNFeynModel

/// Outputs with a point axis.
public enum PointsOutput {
    static func header(_ model: Model, schema: String, mode: ExpansionModeLabel, points: [[Double]]) -> [String: JSONValue] {
        var document = ExpansionArrays.metadata(model, schema: schema, mode: mode)
        document["points"] = .array(points.map { .array($0.map { .number($0) }) })
        return document
    }

    /// nnfeyn.expansions/1: the single-point document's "point" and "orders" per point, under "expansions".
    public static func json<S: Scalar>(model: Model, expansions: [TaylorExpansion<S>], points: [[Double]], exactPoints: [[Rational]],
                                       mode: ExpansionModeLabel) -> String {
        var document = header(model, schema: "nnfeyn.expansions/1", mode: mode, points: points)
        document["order"] = .integer(expansions.first?.order ?? 0)
        document["expansions"] = .array(zip(expansions, exactPoints).map { expansion, point in
            ["point": .array(point.map { .string($0.description) }), "orders": .array(ExpansionOutput.jsonOrders(expansion))]
        })
        return JSONValue.object(document).serialized() + "\n"
    }

    /// The Taylor polynomial text of each point, one block per point.
    public static func text<S: Scalar>(model: Model, expansions: [TaylorExpansion<S>], exactPoints: [[Rational]],
                                       mode: ExpansionModeLabel, significantDigits digits: Int) -> String {
        zip(expansions, exactPoints).enumerated().map { p, pair in
            let moved = (try? model.at(pair.1)) ?? model
            return "# point \(p)\n" + ExpansionOutput.text(model: moved, expansion: pair.0, mode: mode, significantDigits: digits)
        }.joined(separator: "\n")
    }

    /// A point for text output: its coordinates up to eight of them, otherwise just its number.
    static func pointText(_ p: Int, _ point: [Double], digits: Int) -> String {
        guard point.count <= 8 else { return "point \(p)" }
        return "point \(p) [" + point.map { DiagramNumberFormat.text($0, significantDigits: digits) }.joined(separator: ", ") + "]"
    }

    /// The values of a reduced result as JSON scalars.
    static func jsonValues(_ values: ComputedValues) -> [JSONValue] {
        switch values {
        case .exact(let v): v.map { DiagramNumberFormat.json($0) }
        case .numeric(let v): v.map { DiagramNumberFormat.json($0) }
        }
    }

    static func textValues(_ values: ComputedValues, digits: Int) -> [String] {
        switch values {
        case .exact(let v): v.map { DiagramNumberFormat.text($0, significantDigits: digits) }
        case .numeric(let v): v.map { DiagramNumberFormat.text($0, significantDigits: digits) }
        }
    }

    /// nnfeyn.reduced/1: "values"[point][output] (a list of d for the diagonal) and "outputs_at_points"[point][output].
    public static func json(model: Model, reduced: ReducedResult, points: [[Double]], mode: ExpansionModeLabel) -> String {
        var document = header(model, schema: "nnfeyn.reduced/1", mode: mode, points: points)
        document["quantity"] = .string(reduced.reduction.name)
        let values = jsonValues(reduced.values), outputs = jsonValues(reduced.outputs)
        let o = reduced.outputCount, w = reduced.width
        document["values"] = .array((0..<reduced.pointCount).map { p in
            .array((0..<o).map { k in
                reduced.reduction == .diagonal ? .array(Array(values[((p * o + k) * w)..<((p * o + k + 1) * w)])) : values[p * o + k]
            })
        })
        document["outputs_at_points"] = .array((0..<reduced.pointCount).map { p in .array(Array(outputs[(p * o)..<((p + 1) * o)])) })
        return JSONValue.object(document).serialized() + "\n"
    }

    /// One line per point and output.
    public static func text(model: Model, reduced: ReducedResult, points: [[Double]], mode: ExpansionModeLabel, significantDigits digits: Int) -> String {
        var lines = ["network  \(model.displayName)", "mode     \(mode.mode)" + (mode.fallbackReason.map { " (exact impossible: \($0))" } ?? ""),
                     "quantity \(reduced.reduction.name)", ""]
        let values = textValues(reduced.values, digits: digits), outputs = textValues(reduced.outputs, digits: digits)
        let o = reduced.outputCount, w = reduced.width
        for p in 0..<reduced.pointCount {
            for k in 0..<o {
                let entry = Array(values[((p * o + k) * w)..<((p * o + k + 1) * w)]).joined(separator: " ")
                lines.append("\(pointText(p, points[p], digits: digits)) output \(k): \(reduced.reduction.name) "
                             + "\(w > 1 ? "[" + entry + "]" : entry), value \(outputs[p * o + k])")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For .npz (schema nnfeyn.reduced-npz/1): "points" (n x d), the reduction (n x outputs, or n x outputs x d for
    /// the diagonal) named as in JSON, "values" (n x outputs) and "meta".
    public static func arrays(model: Model, reduced: ReducedResult, points: [[Double]], mode: ExpansionModeLabel) -> [(name: String, array: DenseArray)] {
        let shape = reduced.reduction == .diagonal ? [reduced.pointCount, reduced.outputCount, reduced.width] : [reduced.pointCount, reduced.outputCount]
        var meta = ExpansionArrays.metadata(model, schema: "nnfeyn.reduced-npz/1", mode: mode)
        meta["reduction"] = .string(reduced.reduction.name)
        return [("points", ExpansionArrays.pointArray(points)),
                (reduced.reduction.name, DenseArray(shape: shape, .float64(reduced.values.doubles))),
                ("values", DenseArray(shape: [reduced.pointCount, reduced.outputCount], .float64(reduced.outputs.doubles))),
                ("meta", DenseArray(text: JSONValue.object(meta).serialized(pretty: false)))]
    }

    static func radius(_ r: Double?) -> JSONValue {
        guard let r else { return .null }
        return r.isFinite ? .number(r) : .string("inf")
    }

    /// nnfeyn.series/1: "coefficients"[point][output][k] of f(x + t v) and "radius"[point][output] {ratio, pade}.
    public static func json(model: Model, series: SeriesResult, direction: [Double], points: [[Double]], mode: ExpansionModeLabel) -> String {
        var document = header(model, schema: "nnfeyn.series/1", mode: mode, points: points)
        document["direction"] = .array(direction.map { .number($0) })
        document["order"] = .integer(series.order)
        let values = jsonValues(series.coefficients), o = series.outputCount, n = series.order + 1
        document["coefficients"] = .array((0..<series.pointCount).map { p in
            .array((0..<o).map { k in .array(Array(values[((p * o + k) * n)..<((p * o + k + 1) * n)])) })
        })
        document["radius"] = .array((0..<series.pointCount).map { p in
            .array((0..<o).map { k in
                let r = series.radii[p * o + k]
                return ["ratio": radius(r.ratio), "pade": radius(r.pade)]
            })
        })
        return JSONValue.object(document).serialized() + "\n"
    }

    public static func text(model: Model, series: SeriesResult, direction: [Double], points: [[Double]], mode: ExpansionModeLabel,
                            significantDigits digits: Int) -> String {
        var lines = ["network  \(model.displayName)", "mode     \(mode.mode)" + (mode.fallbackReason.map { " (exact impossible: \($0))" } ?? ""),
                     "series   f(x + t v), v = [" + direction.map { DiagramNumberFormat.text($0, significantDigits: digits) }.joined(separator: ", ")
                        + "], order \(series.order)"]
        let values = textValues(series.coefficients, digits: digits), o = series.outputCount, n = series.order + 1
        func show(_ r: Double?) -> String { r.map { $0.isFinite ? DiagramNumberFormat.text($0, significantDigits: 6) : "inf" } ?? "unknown" }
        for p in 0..<series.pointCount {
            for k in 0..<o {
                let r = series.radii[p * o + k]
                lines.append("")
                lines.append("\(pointText(p, points[p], digits: digits)) output \(k): radius ~ \(show(r.pade)) (Pade), \(show(r.ratio)) (ratio)")
                for c in 0..<n { lines.append("  t^\(c): \(values[(p * o + k) * n + c])") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For .npz (schema nnfeyn.series-npz/1): "points", "coefficients" (n x outputs x (order + 1)), "radius_ratio"
    /// and "radius_pade" (n x outputs; NaN where unknown), "direction" and "meta".
    public static func arrays(model: Model, series: SeriesResult, direction: [Double], points: [[Double]],
                              mode: ExpansionModeLabel) -> [(name: String, array: DenseArray)] {
        let shape = [series.pointCount, series.outputCount]
        var meta = ExpansionArrays.metadata(model, schema: "nnfeyn.series-npz/1", mode: mode)
        meta["order"] = .integer(series.order)
        return [("points", ExpansionArrays.pointArray(points)),
                ("direction", DenseArray(shape: [direction.count], .float64(direction))),
                ("coefficients", DenseArray(shape: shape + [series.order + 1], .float64(series.coefficients.doubles))),
                ("radius_ratio", DenseArray(shape: shape, .float64(series.radii.map { $0.ratio ?? .nan }))),
                ("radius_pade", DenseArray(shape: shape, .float64(series.radii.map { $0.pade ?? .nan }))),
                ("meta", DenseArray(text: JSONValue.object(meta).serialized(pretty: false)))]
    }
}
