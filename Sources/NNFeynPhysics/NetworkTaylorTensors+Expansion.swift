// Where the derivative tensors of a trained network come from. Temporary: nested central differences of
// `predict`, until nnfeyn's fused Taylor evaluator (NNFeynEval.Expander) is merged and replaces this body.
import Foundation
import NNFeynAlgebra
import NNFeynLanguage

extension NetworkTaylorTensors {
    /// The derivatives of orders 0...order of `model`'s single output at U = 0.
    public static func expand(_ model: TrainedMLP, order: Int) throws(IterationError) -> NetworkTaylorTensors {
        guard model.outputDimension == 1 else {
            throw .invalid("the network has \(model.outputDimension) outputs; the Born series needs one")
        }
        let n = model.inputDimension
        let basis = MonomialBasis(variables: n, maxDegree: order)
        var derivatives: [[Double]] = [model.predict([Double](repeating: 0, count: n))]
        for k in stride(from: 1, through: order, by: 1) {
            let h = [1e-4, 1e-3, 1e-2, 2e-2][Swift.min(k - 1, 3)]
            var points: [Double] = [], signs: [Double] = []
            for position in basis.range(ofDegree: k) {
                let list = basis.indexLists[position]
                for mask in 0..<(1 << k) {
                    var x = [Double](repeating: 0, count: n)
                    var sign = 1.0
                    for (m, i) in list.enumerated() {
                        if mask & (1 << m) != 0 { x[i] += h } else { x[i] -= h; sign = -sign }
                    }
                    points += x
                    signs.append(sign)
                }
            }
            let values = model.predict(points)
            let scale = Foundation.pow(2 * h, Double(k))
            derivatives.append((0..<basis.range(ofDegree: k).count).map { m in
                var total = 0.0
                for p in 0..<(1 << k) { total += signs[m << k + p] * values[m << k + p] }
                return total / scale
            })
        }
        return NetworkTaylorTensors(basis: basis, derivatives: derivatives)
    }
}
