// Activations in Double for training: values and first derivatives over contiguous buffers. The switch on the
// activation sits outside each loop so that every loop body is a tight, branch-free pass over memory.
//
// tanh and sigmoid, the common hidden activations, use our own expm1 (below) instead of libm's: it is plain
// arithmetic the compiler vectorizes, and it keeps libm's accuracy to within a few ulp.
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
            tanh(z, a, count: count)
            if let d { for i in 0..<count { d[i] = 1 - a[i] * a[i] } }
        case .sigmoid:
            sigmoid(z, a, count: count)
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
        case .erf:
            for i in 0..<count {
                let x = z[i]
                d?[i] = 1.1283791670955126 * Foundation.exp(-x * x)
                a[i] = Foundation.erf(x)
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

    typealias Vector = SIMD8<Double>

    /// Applies `body` eight lanes at a time (the tail is padded with zeros), so the arithmetic runs on SIMD registers.
    @inline(__always)
    static func vectorized(_ z: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, count: Int,
                           _ body: (Vector) -> Vector) {
        var i = 0
        while i + Vector.scalarCount <= count {
            let x = UnsafeRawPointer(z + i).loadUnaligned(as: Vector.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: body(x), as: Vector.self)
            i += Vector.scalarCount
        }
        if i < count {
            var x = Vector(repeating: 0)
            for k in 0..<count - i { x[k] = z[i + k] }
            let y = body(x)
            for k in 0..<count - i { a[i + k] = y[k] }
        }
    }

    /// a[i] = tanh(z[i]), vectorized; see `tanh(_:)` for the formula.
    static func tanh(_ z: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, count: Int) {
        vectorized(z, a, count: count) { x in
            let magnitude = x.replacing(with: -x, where: x .< 0)
            let (scale, em1r) = reducedExp(-2 * magnitude.replacing(with: 20, where: magnitude .> 20))
            let m = scale * em1r + (scale - 1)
            let t = -m / (2 + m)
            return t.replacing(with: -t, where: x .< 0)
        }
    }

    /// a[i] = sigmoid(z[i]), vectorized; see `sigmoid(_:)` for the formula.
    static func sigmoid(_ z: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, count: Int) {
        vectorized(z, a, count: count) { x in
            let magnitude = x.replacing(with: -x, where: x .< 0)
            let (scale, em1r) = reducedExp(-magnitude.replacing(with: 700, where: magnitude .> 700))
            let e = scale * (em1r + 1)
            let positive = 1 / (1 + e)
            return positive.replacing(with: e * positive, where: x .< 0)
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        // Evaluate through e^-|x| so that neither branch overflows.
        let (scale, em1r) = reducedExp(-Swift.min(abs(x), 700))
        let e = scale * (em1r + 1)
        let positive = 1 / (1 + e)
        return x >= 0 ? positive : e * positive
    }

    /// tanh(x) = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: no cancellation near 0, and tanh(20)
    /// already rounds to 1.
    @inline(__always)
    static func tanh(_ x: Double) -> Double {
        let (scale, em1r) = reducedExp(-2 * Swift.min(abs(x), 20))
        let m = scale * em1r + (scale - 1)
        let t = -m / (2 + m)
        return x < 0 ? -t : t
    }

    /// expm1(r) for |r| <= ln2 / 2 as r + r^2 (1/2! + r/3! + ... + r^11/13!), Horner from the highest term; one
    /// routine for both the scalar and the eight-lane path, so the two can never drift apart. Written out rather than
    /// looped over a table: the loop measured ~7% slower training.
    @inline(__always)
    static func expm1Series<T: HornerOperand>(_ r: T) -> T {
        var p = T(broadcast: 1.0 / 6227020800)
        p = p * r + 1.0 / 479001600
        p = p * r + 1.0 / 39916800
        p = p * r + 1.0 / 3628800
        p = p * r + 1.0 / 362880
        p = p * r + 1.0 / 40320
        p = p * r + 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        let rr: T = r * r
        return r + rr * p
    }

    /// `reducedExp(_:)` on eight lanes at once, the same operations in the same order.
    @inline(__always)
    static func reducedExp(_ y: Vector) -> (scale: Vector, em1r: Vector) {
        let shifter = Vector(repeating: 6755399441055744.0)
        let t = y * 1.4426950408889634 + shifter
        let n = t - shifter
        let r = (y - n * 0.6931471803691238) - n * 1.9082149292705877e-10
        let em1r = expm1Series(r)
        let bits = unsafeBitCast(t, to: SIMD8<UInt64>.self) &- shifter[0].bitPattern &+ 1023
        let scale = unsafeBitCast(bits &<< 52, to: Vector.self)
        return (scale, em1r)
    }

    /// e^y = 2^n (1 + expm1(r)) for y in [-708, 0], branch-free, returned as (2^n, expm1(r)) so that callers can
    /// form e^y or e^y - 1 without cancellation: y = n ln 2 + r with |r| <= ln2 / 2 (Cody–Waite), expm1(r) by its
    /// Taylor series to r^13 (truncation below 1e-17 relative), 2^n built from bits.
    @inline(__always)
    static func reducedExp(_ y: Double) -> (scale: Double, em1r: Double) {
        let shifter = 6755399441055744.0 // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits
        let t = y * 1.4426950408889634 + shifter
        let n = t - shifter
        let r = (y - n * 0.6931471803691238) - n * 1.9082149292705877e-10
        let em1r = expm1Series(r)
        // t's bit pattern is shifter's plus n (two's complement in the low bits); move n into the exponent field.
        let scale = Double(bitPattern: (t.bitPattern &- shifter.bitPattern &+ 1023) &<< 52)
        return (scale, em1r)
    }
}

/// What `expm1Series` needs of a number: a double and eight double lanes both qualify.
protocol HornerOperand {
    init(broadcast value: Double)
    static func * (lhs: Self, rhs: Self) -> Self
    static func + (lhs: Self, rhs: Self) -> Self
    static func + (lhs: Self, rhs: Double) -> Self
}

extension Double: HornerOperand {
    @inline(__always) init(broadcast value: Double) { self = value }
}

extension SIMD8: HornerOperand where Scalar == Double {
    @inline(__always) init(broadcast value: Double) { self.init(repeating: value) }
}
