// Evaluation errors name layers by index; users want the layer's name and a caret on the file. This maps them.
import NNFeynDiagrams
import NNFeynEval
import NNFeynLanguage

extension Diagnostic {
    /// A located diagnostic for an evaluation error of `network`.
    init(_ error: EvaluationError, in network: Network) {
        func layerName(_ l: Int) -> String { network.layers.indices.contains(l) ? "'\(network.layers[l].name)'" : "\(l)" }
        func activationSpan(_ l: Int) -> SourceSpan? {
            network.layers.indices.contains(l) ? (network.layers[l].activationSpan ?? network.layers[l].span) : nil
        }
        func activationName(_ l: Int) -> String { network.layers.indices.contains(l) ? network.layers[l].activation.name : "activation" }
        switch error {
        case .irrational(let layer, let neuron, let order):
            let what = order == 0 ? "the value \(activationName(layer))(z)" : "derivative \(order) of \(activationName(layer))"
            self.init(code: "E0401", message: "exact arithmetic needs \(what) at neuron \(neuron) of layer \(layerName(layer)), which is irrational",
                      file: network.source, span: activationSpan(layer),
                      help: "use --numeric, or leave out --exact to fall back to doubles automatically")
        case .reluKink(let layer, let neuron):
            self.init(code: "E0402", message: "relu of layer \(layerName(layer)) sits exactly on its kink at neuron \(neuron) (z = 0): its derivative does not exist there",
                      file: network.source, span: activationSpan(layer),
                      help: "move the expansion point ('at') or change the bias so no pre-activation is exactly 0")
        case .nonFinite(let layer, let neuron):
            self.init(code: "E0403", message: "numeric evaluation overflowed at neuron \(neuron) of layer \(layerName(layer))",
                      file: network.source, span: activationSpan(layer))
        case .tooLarge(let estimate, let limit):
            // Exact arithmetic is weighed more heavily (GMP), so the limit each mode needs differs: give both.
            self.init(code: "E0302", message: "the expansion is too large: \(estimate.summary)", path: network.source?.path,
                      help: "lower --order, or raise --limit (now \(limit)) if you have the time and memory: this expansion "
                          + "needs --limit \(estimate.cost) in doubles, \(estimate.exactCost) in exact arithmetic",
                      notes: ["exact arithmetic counts \(ExpansionEstimate.exactOperationWeight) units per multiply-add"])
        case .negativeOrder(let order):
            self.init(code: "E0301", message: "the order must be 0 or more, not \(order)")
        case .orderTooHigh(let order, let maximum):
            self.init(code: "E0302", message: "order \(order) is beyond the highest order nnfeyn expands (\(maximum))",
                      path: network.source?.path)
        case .shapeMismatch(let layer, let reason):
            self.init(code: layer < 0 ? "E0213" : "E0209", message: layer < 0 ? "the expansion point does not fit the network: \(reason)" : "layer \(layerName(layer)) is malformed: \(reason)",
                      file: network.source, span: layer < 0 ? network.pointSpan : network.layers[safe: layer]?.span)
        }
    }

    /// A diagnostic for a diagram-evaluation failure (limits, missing data).
    init(diagramError error: Error, in network: Network) {
        if let limit = error as? DiagramLimitExceeded {
            self.init(code: "E0303", message: limit.description, path: network.source?.path,
                      help: "lower --order or filter; 'nnfeyn diagrams --count' counts without enumerating")
        } else {
            self.init(code: "E0404", message: "\(error)", path: network.source?.path)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// Runs an evaluation step; its error becomes a located diagnostic.
func evaluating<T>(_ network: Network, _ body: () throws(EvaluationError) -> T) throws -> T {
    do { return try body() } catch { throw Diagnostic(error, in: network) }
}
