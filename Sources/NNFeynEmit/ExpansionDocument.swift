// Reading back what `ExpansionOutput.json` writes (schema nnfeyn.expansion/1), so `check --expansion` can judge an
// expansion computed earlier, elsewhere, or deliberately altered. Exact values are "p/q" strings, doubles are JSON
// numbers, multiprecision values are decimal strings (with the document's "precision" object).
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynEval
import NNFeynModel

/// An expansion document of schema nnfeyn.expansion/1.
public enum ExpansionDocument {
    /// The expansion in `data` (read from `path`), checked against `model` and truncated to `order`. Throws E0231
    /// naming what does not fit.
    public static func read(_ data: Data, path: String, model: Model, order: Int) throws(Diagnostic) -> CheckedExpansion {
        func bad(_ message: String) -> Diagnostic {
            Diagnostic(code: .unusableExpansion, message: "cannot use '\(Diagnostic.quoted(path))' as an expansion: \(message)", path: path)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              object["schema"] as? String == "nnfeyn.expansion/1" else {
            throw bad("it is not a JSON document of schema nnfeyn.expansion/1 (nnfeyn expand --format json)")
        }
        let dimension = (object["input"] as? [String: Any])?["dimension"] as? Int
        guard dimension == model.input.dimension, object["outputs"] as? Int == model.outputCount else {
            throw bad("its input dimension or output count differs from the model's")
        }
        guard let highest = object["order"] as? Int, highest >= order else { throw bad("it stops below order \(order)") }
        let point = (object["point"] as? [String])?.compactMap { Rational(fractionString: $0) }
        guard point == model.point else { throw bad("it is an expansion around another point") }
        let bits = (object["precision"] as? [String: Any])?["bits"] as? Int
        let basis = MonomialBasis(variables: model.input.dimension, maxDegree: order)
        var raw = [Any?](repeating: nil, count: basis.count * model.outputCount)
        for item in (object["orders"] as? [[String: Any]]) ?? [] {
            for entry in (item["entries"] as? [[String: Any]]) ?? [] {
                guard let o = entry["output"] as? Int, let index = entry["index"] as? [Int],
                      (0..<model.outputCount).contains(o), let p = basis.position(of: index) else { continue }
                raw[o * basis.count + p] = entry["coefficient"]
            }
        }
        guard raw.allSatisfy({ $0 != nil }) else { throw bad("entries are missing") }
        func expansion<S: Scalar>(_ parse: (Any?) -> S?) -> TaylorExpansion<S>? {
            let values = raw.compactMap(parse)
            guard values.count == raw.count else { return nil }
            return TaylorExpansion(basis: basis, outputCount: model.outputCount, convention: .coefficient, values: values)
        }
        if bits == nil, let exact = expansion({ ($0 as? String).flatMap(Rational.init(fractionString:)) }) { return .exact(exact) }
        // JSONSerialization gives NSNumber for numbers (and for true/false, which never stand for a coefficient here).
        if let numeric = expansion({ value -> Double? in value is String ? nil : (value as? NSNumber)?.doubleValue }) {
            return .numeric(numeric)
        }
        if let bits, (2...Expander.maximumPrecision).contains(bits) {
            // Decimal strings of about bits log10 2 digits: read them at a precision that keeps every digit.
            let precision = 4 * bits + 64
            if let values = expansion({ ($0 as? String).flatMap { BigFloat($0, precision: precision) } }) {
                return .multiprecision(values, bits: bits)
            }
        }
        throw bad("its coefficients are neither all exact fractions, all numbers, nor decimal strings with a precision")
    }
}
