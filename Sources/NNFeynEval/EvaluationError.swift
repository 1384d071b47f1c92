// Everything that can stop an expansion, as values. Each knows its diagnostic code; `EvaluationFailure` adds the
// model's source locations so the diagnostic can name the layer and point at it.
import NNFeynDiagnostics
import NNFeynModel

/// Why an expansion could not be computed.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Exact mode needs sigma^(order)(z) of this neuron, but it is irrational (or not known to be rational).
    case irrational(layer: Int, neuron: Int, order: Int)
    /// A relu neuron sits exactly on its kink (z = 0), where its derivative does not exist.
    case reluKink(layer: Int, neuron: Int)
    /// A double overflowed or became NaN at this neuron.
    case nonFinite(layer: Int, neuron: Int)
    /// The estimated cost exceeds the limit.
    case tooLarge(estimate: ExpansionEstimate, limit: Int)
    /// The requested order is negative.
    case negativeOrder(Int)
    /// Activation derivatives above `maximum` were requested (their cost grows like the order squared).
    case orderTooHigh(order: Int, maximum: Int)
    /// The model cannot be converted (shapes, missing parameters, the point's dimension).
    case model(ModelError)

    /// A lowercase sentence for a diagnostic.
    public var description: String {
        switch self {
        case .irrational(let layer, let neuron, let order):
            order == 0
                ? "exact evaluation needs the activation value of layer \(layer), neuron \(neuron), which is irrational"
                : "exact evaluation needs derivative \(order) of the activation of layer \(layer), neuron \(neuron), which is irrational"
        case .reluKink(let layer, let neuron):
            "relu of layer \(layer), neuron \(neuron) is exactly at its kink (z = 0): its derivative does not exist"
        case .nonFinite(let layer, let neuron):
            "numeric evaluation overflowed at layer \(layer), neuron \(neuron)"
        case .tooLarge(let estimate, let limit):
            "the expansion is too large: \(estimate.summary), limit \(limit)"
        case .negativeOrder(let order):
            "the order must be 0 or more, not \(order)"
        case .orderTooHigh(let order, let maximum):
            "order \(order) is beyond the highest supported order, \(maximum)"
        case .model(let error):
            error.description
        }
    }

    /// The diagnostic, naming layers by name and pointing at them when `architecture` came from a file.
    public func diagnostic(in architecture: Architecture? = nil) -> Diagnostic {
        func layerName(_ l: Int) -> String {
            architecture.flatMap { $0.layers.indices.contains(l) ? "'\($0.layers[l].name)'" : nil } ?? "\(l)"
        }
        func activationName(_ l: Int) -> String {
            architecture.flatMap { $0.layers.indices.contains(l) ? $0.layers[l].activation.name : nil } ?? "activation"
        }
        let file = architecture?.source
        let path = file?.path
        switch self {
        case .irrational(let layer, let neuron, let order):
            let what = order == 0 ? "the value \(activationName(layer))(z)" : "derivative \(order) of \(activationName(layer))"
            return Diagnostic(code: .irrational,
                              message: "exact arithmetic needs \(what) at neuron \(neuron) of layer \(layerName(layer)), which is irrational",
                              file: file, span: architecture?.activationSpan(layer),
                              help: "use --numeric, or leave out --exact to fall back to doubles automatically")
        case .reluKink(let layer, let neuron):
            return Diagnostic(code: .reluKink,
                              message: "relu of layer \(layerName(layer)) sits exactly on its kink at neuron \(neuron) (z = 0): its derivative does not exist there",
                              file: file, span: architecture?.activationSpan(layer),
                              help: "move the expansion point ('at') or change the bias so no pre-activation is exactly 0")
        case .nonFinite(let layer, let neuron):
            return Diagnostic(code: .nonFinite, message: "numeric evaluation overflowed at neuron \(neuron) of layer \(layerName(layer))",
                              file: file, span: architecture?.activationSpan(layer))
        case .tooLarge(let estimate, let limit):
            // Exact arithmetic is weighed by the size of its numbers, so the limit each mode needs differs: give both.
            return Diagnostic(code: .tooLarge, message: "the expansion is too large: \(estimate.summary)", path: path,
                              help: "lower --order, or raise --limit (now \(limit)) if you have the time and memory: this expansion "
                                  + "needs --limit \(estimate.cost) in doubles, \(estimate.exactCost) in exact arithmetic",
                              notes: ["exact arithmetic counts \(ExpansionEstimate.exactOperationWeight) units per multiply-add "
                                      + "on small numbers, more on large ones (about \(estimate.exactBits) bits here)"])
        case .negativeOrder(let order):
            return Diagnostic(code: .negativeOrder, message: "the order must be 0 or more, not \(order)")
        case .orderTooHigh(let order, let maximum):
            return Diagnostic(code: .tooLarge, message: "order \(order) is beyond the highest order nnfeyn expands (\(maximum))",
                              path: path)
        case .model(let error):
            var diagnostic = error.diagnostics[0]
            diagnostic.file = file
            if case .pointDimension = error { diagnostic.span = architecture?.locations?.point }
            return diagnostic
        }
    }
}

extension EvaluationError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [diagnostic()] }
}

/// An evaluation error with the architecture it happened in, so its diagnostic names and points at the layer.
public struct EvaluationFailure: Error, Sendable, DiagnosticConvertible, CustomStringConvertible {
    public let error: EvaluationError
    public let architecture: Architecture

    public init(_ error: EvaluationError, in architecture: Architecture) {
        self.error = error
        self.architecture = architecture
    }

    public var diagnostics: [Diagnostic] { [error.diagnostic(in: architecture)] }
    public var description: String { error.description }
}

extension Model {
    /// Runs an evaluation of this model; its error comes back located in the model's source.
    public func locating<T>(_ body: () throws(EvaluationError) -> T) throws(EvaluationFailure) -> T {
        do { return try body() } catch { throw EvaluationFailure(error, in: architecture) }
    }
}
