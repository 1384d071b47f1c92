// The network evaluated plainly in doubles at arbitrary inputs, by activation values alone: a forward pass that
// shares nothing with the Taylor engine, for tests and quick looks. (`nnfeyn check` differentiates its own exact or
// MPFR forward passes, ReferenceFunction.swift.)
import NNFeynAlgebra
import NNFeynModel

extension Network where S == Double {
    /// The outputs at x, by activation values alone; NaNs when x has the wrong dimension.
    public func outputs(at x: [Double]) -> [Double] {
        guard x.count == inputDimension else { return [Double](repeating: .nan, count: outputCount) }
        var a = x
        for (l, layer) in layers.enumerated() {
            let weight = weights[l], bias = biases[l]
            var next = [Double](repeating: 0, count: layer.width)
            for i in 0..<layer.width {
                var z = bias[i]
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn { z += weight[row + j] * a[j] }
                next[i] = ActivationRules.numericValue(layer.activation, at: z)
            }
            a = next
        }
        return a
    }
}
