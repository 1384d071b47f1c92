// Activations in Double for training: values and first derivatives over contiguous buffers. The switch on the
// activation sits outside each loop so that every loop body is a tight, branch-free pass over memory.
import Foundation
import NNFeynAlgebra

enum ActivationKernels {
    /// a[i] = sigma(z[i]) and, when `d` is given, d[i] = sigma'(z[i]), for i in 0..<count. `a` may alias `z`
    /// only when `d` is nil.
    static func apply(_ activation: Activation, z: UnsafePointer<Double>, a: UnsafeMutablePointer<Double>,
                      d: UnsafeMutablePointer<Double>?, count: Int) {
        switch activation {
        case .linear:
            if UnsafePointer(a) != z { a.update(from: z, count: count) }
            d?.update(repeating: 1, count: count)
        case .tanh:
            for i in 0..<count { a[i] = Foundation.tanh(z[i]) }
            if let d { for i in 0..<count { d[i] = 1 - a[i] * a[i] } }
        case .sigmoid:
            for i in 0..<count { a[i] = sigmoid(z[i]) }
            if let d { for i in 0..<count { d[i] = a[i] * (1 - a[i]) } }
        case .relu:
            if let d { for i in 0..<count { d[i] = z[i] > 0 ? 1 : 0 } }
            for i in 0..<count { a[i] = Swift.max(z[i], 0) }
        case .softplus:
            if let d { for i in 0..<count { d[i] = sigmoid(z[i]) } }
            // log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow for large |z|.
            for i in 0..<count { a[i] = Swift.max(z[i], 0) + Foundation.log1p(Foundation.exp(-abs(z[i]))) }
        case .silu:
            for i in 0..<count {
                let x = z[i], s = sigmoid(x)
                d?[i] = s * (1 + x * (1 - s))
                a[i] = x * s
            }
        case .gelu:
            for i in 0..<count {
                let x = z[i]
                let cdf = 0.5 * Foundation.erfc(-x * 0.7071067811865476)
                d?[i] = cdf + x * 0.3989422804014327 * Foundation.exp(-0.5 * x * x)
                a[i] = x * cdf
            }
        case .sin:
            if let d { for i in 0..<count { d[i] = Foundation.cos(z[i]) } }
            for i in 0..<count { a[i] = Foundation.sin(z[i]) }
        case .cos:
            if let d { for i in 0..<count { d[i] = -Foundation.sin(z[i]) } }
            for i in 0..<count { a[i] = Foundation.cos(z[i]) }
        case .exp:
            for i in 0..<count { a[i] = Foundation.exp(z[i]) }
            if let d { d.update(from: a, count: count) }
        case .square:
            if let d { for i in 0..<count { d[i] = 2 * z[i] } }
            for i in 0..<count { a[i] = z[i] * z[i] }
        case .poly(let coefficients):
            let c = coefficients.map(\.doubleValue)
            let degree = c.count - 1
            for i in 0..<count {
                let x = z[i]
                var value = degree >= 0 ? c[degree] : 0, slope = 0.0
                if degree >= 1 {
                    for k in stride(from: degree - 1, through: 0, by: -1) {
                        slope = slope * x + value
                        value = value * x + c[k]
                    }
                }
                d?[i] = slope
                a[i] = value
            }
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        // Evaluate through e^-|x| so that neither branch overflows.
        let e = Foundation.exp(-abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }
}
