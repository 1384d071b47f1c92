// Why a model or a converted network cannot be built from given parts. Models read from files are checked with
// located diagnostics by the language's lowering before they get here, so these errors mostly concern networks
// built in code (tests, trainers, importers).
import NNFeynDiagnostics

/// A model whose parts do not fit together.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A layer (0-based; nil for the whole model) has the wrong shape.
    case shape(layer: Int?, String)
    /// The point has the wrong number of coordinates.
    case pointDimension(got: Int, expected: Int)
    /// A parameter or a point coordinate is NaN or infinite.
    case nonFinite(layer: Int?, String)
    /// Layers without parameters, where a complete network is needed.
    case missingParameters(layers: [String])

    public var description: String {
        switch self {
        case .shape(let layer, let reason): layer.map { "layer \($0) is malformed: \(reason)" } ?? "the model is malformed: \(reason)"
        case .pointDimension(let got, let expected):
            "the point has \(got) coordinates, the input has dimension \(expected)"
        case .nonFinite(let layer, let what): layer.map { "layer \($0): \(what) is not a finite number" } ?? "\(what) is not a finite number"
        case .missingParameters(let layers): "layers without parameters: " + layers.map { "'\($0)'" }.joined(separator: ", ")
        }
    }
}

extension ModelError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        let code: DiagnosticCode = switch self {
        case .shape: .fanInMismatch
        case .pointDimension: .pointDimensionMismatch
        case .nonFinite: .memberValues
        case .missingParameters: .missingParameters
        }
        return [Diagnostic(code: code, message: description)]
    }
}
