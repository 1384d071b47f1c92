// Zero-energy s-wave scattering lengths in units 2mu = hbar = 1, so the potential enters as U(r) = 2mu V(r)/hbar^2.
//
// The radial equation u'' = U(r) u with u(0) = 0 is solved outside the range by u ∝ (r - a0). Weak attraction
// (U < 0) gives a0 < 0; a hard core gives a0 > 0. Three independent routes live here: the exact transfer of
// (u, u') across constant steps, adaptive integration of the variable-phase equation, and the square-well closed form.
import Foundation
import NNFeynAlgebra

/// A piecewise-constant potential: `values[i]` on [edges[i], edges[i+1]), zero beyond the last edge.
public struct StepPotential: Sendable, Equatable {
    /// Step boundaries r_0 = 0 < r_1 < ... < r_n = R.
    public var edges: [Double]
    /// U_i on each step, in units where 2mu = hbar = 1.
    public var values: [Double]

    /// A potential with explicit edges; `edges.count` must be `values.count + 1` and start at 0.
    public init(edges: [Double], values: [Double]) {
        precondition(edges.count == values.count + 1, "a step potential needs one more edge than values")
        precondition(edges.first == 0, "edges start at r = 0")
        self.edges = edges
        self.values = values
    }

    /// n steps of equal width on [0, range]: r_i = i range / n.
    public init(range: Double, values: [Double]) {
        self.init(edges: StepPotential.equalEdges(steps: values.count, range: range), values: values)
    }

    /// The edges r_i = i range / n, i = 0...n.
    public static func equalEdges(steps: Int, range: Double) -> [Double] {
        (0...steps).map { range * Double($0) / Double(steps) }
    }

    /// The range R (last edge).
    public var range: Double { edges[edges.count - 1] }

    /// U(r): the value of the step containing r, zero outside [0, R).
    public func value(at r: Double) -> Double {
        guard r >= 0, r < range else { return 0 }
        // Binary search for the step: the edges are increasing.
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if edges[mid] <= r { lo = mid } else { hi = mid - 1 }
        }
        return values[lo]
    }
}

/// Scattering lengths of central potentials.
public enum ScatteringLength {
    /// Exact a0 of a step potential: (u, u') is carried analytically across each step, then a0 = R - u/u'.
    ///
    /// Exact up to rounding for any finite values; returns ±infinity when u' vanishes at R (a zero-energy bound state).
    public static func exact(_ potential: StepPotential) -> Double {
        potential.values.withUnsafeBufferPointer { values in
            potential.edges.withUnsafeBufferPointer { edges in
                exact(values: values.baseAddress!, edges: edges.baseAddress!, steps: values.count)
            }
        }
    }

    /// `exact(_:)` on raw buffers: no allocation, for data-set generation.
    public static func exact(values: UnsafePointer<Double>, edges: UnsafePointer<Double>, steps: Int) -> Double {
        var u = 0.0, du = 1.0
        for i in 0..<steps {
            let h = edges[i + 1] - edges[i]
            let U = values[i]
            if U < 0 {
                let k = (-U).squareRoot()
                let c = Foundation.cos(k * h), s = Foundation.sin(k * h)
                (u, du) = (u * c + du * s / k, -u * k * s + du * c)
            } else if U > 0 {
                let kappa = U.squareRoot()
                let x = kappa * h
                // Divide cosh and sinh by e^x: the common scale drops out of u/u', and nothing overflows.
                let e2 = Foundation.exp(-2 * x)
                let c = 0.5 * (1 + e2), s = 0.5 * (1 - e2)
                (u, du) = (u * c + du * s / kappa, u * kappa * s + du * c)
            } else {
                u += du * h
            }
            // Keep (u, u') of order one; only their ratio matters.
            let scale = Swift.max(abs(u), abs(du))
            if scale > 0 { u /= scale; du /= scale }
        }
        return edges[steps] - u / du
    }

    /// The square well (U = -k^2 on [0, R]) or barrier (U = kappa^2): a0 = R - tan(kR)/k or R - tanh(kappa R)/kappa.
    public static func squareWell(depth U: Double, range R: Double) -> Double {
        if U < 0 {
            let k = (-U).squareRoot()
            return R - Foundation.tan(k * R) / k
        } else if U > 0 {
            let kappa = U.squareRoot()
            return R - Foundation.tanh(kappa * R) / kappa
        }
        return 0
    }

    /// a0 from the variable-phase equation a'(r) = U(r) (r - a(r))^2, a(0) = 0, integrated by adaptive
    /// Dormand–Prince RK45 to relative tolerance `tolerance`.
    ///
    /// `breakpoints` (increasing, ending at the range) are where U may jump: the integrator restarts there so that a
    /// discontinuity never sits inside a step. Accurate while a(r) stays finite (no bound state at zero energy).
    public static func variablePhase(range R: Double, breakpoints: [Double] = [], tolerance: Double = 1e-11,
                                     potential U: (Double) -> Double) -> Double {
        var points = breakpoints.filter { $0 > 0 && $0 < R }
        points.append(R)
        var r = 0.0, a = 0.0
        for end in points {
            a = integrateRK45(from: r, to: end, initial: a, tolerance: tolerance) { x, a in
                // Sample U just inside the piece, so a jump at the piece's ends is never seen.
                let xs = Swift.min(Swift.max(x, r + 1e-14 * (end - r)), end - 1e-14 * (end - r))
                let d = x - a
                return U(xs) * d * d
            }
            r = end
        }
        return a
    }

    /// a0 of a step potential by the variable-phase equation, restarting at every edge.
    public static func variablePhase(_ potential: StepPotential, tolerance: Double = 1e-11) -> Double {
        variablePhase(range: potential.range, breakpoints: Array(potential.edges.dropFirst()), tolerance: tolerance) {
            potential.value(at: $0)
        }
    }

    /// One scalar ODE y' = f(x, y) from x0 to x1 with the Dormand–Prince 5(4) pair and step-size control.
    static func integrateRK45(from x0: Double, to x1: Double, initial y0: Double, tolerance: Double,
                              _ f: (Double, Double) -> Double) -> Double {
        var x = x0, y = y0
        var h = (x1 - x0) / 16
        var k1 = f(x, y)
        while x < x1 {
            if x + h > x1 { h = x1 - x }
            let k2 = f(x + h / 5, y + h * (k1 / 5))
            let k3 = f(x + 3 * h / 10, y + h * (3 * k1 / 40 + 9 * k2 / 40))
            let k4 = f(x + 4 * h / 5, y + h * (44 * k1 / 45 - 56 * k2 / 15 + 32 * k3 / 9))
            let k5 = f(x + 8 * h / 9, y + h * (19372 * k1 / 6561 - 25360 * k2 / 2187 + 64448 * k3 / 6561 - 212 * k4 / 729))
            let k6 = f(x + h, y + h * (9017 * k1 / 3168 - 355 * k2 / 33 + 46732 * k3 / 5247 + 49 * k4 / 176 - 5103 * k5 / 18656))
            let y5 = y + h * (35 * k1 / 384 + 500 * k3 / 1113 + 125 * k4 / 192 - 2187 * k5 / 6784 + 11 * k6 / 84)
            let k7 = f(x + h, y5)
            let y4 = y + h * (5179 * k1 / 57600 + 7571 * k3 / 16695 + 393 * k4 / 640 - 92097 * k5 / 339200
                              + 187 * k6 / 2100 + k7 / 40)
            let error = abs(y5 - y4)
            let scale = tolerance * Swift.max(1, abs(y), abs(y5))
            if error <= scale || h < 1e-14 * Swift.max(1, abs(x1)) {
                x += h
                y = y5
                k1 = k7 // first-same-as-last
            }
            let factor = error == 0 ? 5 : Swift.min(5, Swift.max(0.2, 0.9 * Foundation.pow(scale / error, 0.2)))
            h *= factor
        }
        return y
    }
}
