// Where the derivative tensors of a trained network come from: nnfeyn's own fused Taylor expansion
// (NNFeynEval.Expander, numeric mode, OpenBLAS), run on the exact IR of the model as written to disk.
import NNFeynAlgebra
import NNFeynEval
import NNFeynLanguage

extension NetworkTaylorTensors {
    /// The derivatives of orders 0...order of `model`'s single output at its expansion point (U = 0 here).
    public static func expand(_ model: TrainedMLP, order: Int) throws(IterationError) -> NetworkTaylorTensors {
        guard model.outputDimension == 1 else {
            throw .invalid("the network has \(model.outputDimension) outputs; the Born series needs one")
        }
        let expansion: TaylorExpansion<Double>
        do { expansion = try Expander.expand(model.network(), order: order, mode: .numeric).numeric } catch {
            throw .invalid(error.description)
        }
        return NetworkTaylorTensors(basis: expansion.basis,
                                    derivatives: (0...order).map { expansion.derivatives(output: 0, order: $0) })
    }
}
