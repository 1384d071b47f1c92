// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4 and 7.5) with a
// backtracking Armijo line search. Used to polish a network after Adam: full-batch quasi-Newton steps reach fit
// errors that stochastic first-order steps plateau above, and a network's derivatives at a point outside its data
// depend on how exactly it fits the data.
import Foundation

/// Minimizes a smooth function of a parameter vector from its value and gradient.
public struct LBFGS: Sendable {
    /// Pairs (s, y) kept for the inverse-Hessian estimate.
    public var memory: Int = 50
    /// Armijo's sufficient-decrease constant.
    public var armijo: Double = 1e-4
    /// Step halvings before a line search gives up.
    public var maximumHalvings: Int = 40
    /// Stop once no gradient component exceeds this (0: use the whole step budget).
    public var gradientTolerance: Double = 0

    /// A minimizer with the given memory.
    public init(memory: Int = 50) { self.memory = memory }

    /// How a minimization ended.
    public struct Outcome: Sendable, Equatable {
        /// Value at the returned point.
        public var value: Double
        /// Accepted steps.
        public var iterations: Int
        /// Function-and-gradient evaluations, the initial one included.
        public var evaluations: Int
        /// Whether it stopped before the iteration budget because no step decreased the value (not when the
        /// gradient fell below the tolerance).
        public var stalled: Bool
    }

    /// Runs up to `iterations` steps from `x` (updated in place to the best point found). `evaluate(x, &g)` returns
    /// f(x) and writes its gradient into g (same count as x). `progress(step, value)` is called after every accepted
    /// step. Non-finite trial values count as no decrease, so a step into overflow is halved, never taken.
    public func minimize(_ x: inout [Double], iterations: Int,
                         evaluate: ([Double], inout [Double]) -> Double,
                         progress: ((Int, Double) -> Void)? = nil) -> Outcome {
        let n = x.count
        var g = [Double](repeating: 0, count: n)
        var value = evaluate(x, &g)
        var evaluations = 1
        guard value.isFinite, n > 0 else { return Outcome(value: value, iterations: 0, evaluations: 1, stalled: true) }
        var sHistory: [[Double]] = [], yHistory: [[Double]] = [], rhoHistory: [Double] = []
        var trial = x, trialGradient = g
        var accepted = 0, stalled = false
        var resetOnce = false
        while accepted < iterations {
            if gradientTolerance > 0, g.allSatisfy({ abs($0) <= gradientTolerance }) { break }
            // Two-loop recursion: direction d = -H g.
            var q = g
            var alphas = [Double](repeating: 0, count: sHistory.count)
            for i in stride(from: sHistory.count - 1, through: 0, by: -1) {
                let a = rhoHistory[i] * Self.dot(sHistory[i], q)
                alphas[i] = a
                Self.axpy(-a, yHistory[i], &q)
            }
            if let s = sHistory.last, let y = yHistory.last {
                let gamma = Self.dot(s, y) / Self.dot(y, y)
                for i in 0..<n { q[i] *= gamma }
            } else {
                // First step (or after a reset): a unit-length step along -g.
                let norm = Self.dot(g, g).squareRoot()
                let scale = norm > 0 ? 1 / norm : 1
                for i in 0..<n { q[i] *= scale }
            }
            for i in 0..<sHistory.count {
                let b = rhoHistory[i] * Self.dot(yHistory[i], q)
                Self.axpy(alphas[i] - b, sHistory[i], &q)
            }
            // q = H g; the direction is -q.
            var slope = -Self.dot(g, q)
            if !(slope < 0) {
                // Not a descent direction (a bad curvature pair): fall back to steepest descent.
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                let norm = Self.dot(g, g).squareRoot()
                guard norm > 0 else { break }
                q = g.map { $0 / norm }
                slope = -norm
            }
            var step = 1.0
            var found = false
            for _ in 0...maximumHalvings {
                for i in 0..<n { trial[i] = x[i] - step * q[i] }
                let trialValue = evaluate(trial, &trialGradient)
                evaluations += 1
                if trialValue.isFinite, trialValue <= value + armijo * step * slope {
                    // Curvature pair from this step; skipped when it would not keep H positive definite.
                    var s = [Double](repeating: 0, count: n), y = s
                    for i in 0..<n { s[i] = trial[i] - x[i]; y[i] = trialGradient[i] - g[i] }
                    let sy = Self.dot(s, y)
                    if sy > 1e-12 * Self.dot(y, y).squareRoot() * Self.dot(s, s).squareRoot() {
                        sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / sy)
                        if sHistory.count > memory {
                            sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst()
                        }
                    }
                    swap(&x, &trial)
                    swap(&g, &trialGradient)
                    value = trialValue
                    found = true
                    break
                }
                step *= 0.5
            }
            if found {
                accepted += 1
                resetOnce = false
                progress?(accepted, value)
            } else if !resetOnce && !sHistory.isEmpty {
                // The curvature estimate led nowhere: forget it and try steepest descent once.
                sHistory.removeAll(); yHistory.removeAll(); rhoHistory.removeAll()
                resetOnce = true
            } else {
                stalled = true
                break
            }
        }
        return Outcome(value: value, iterations: accepted, evaluations: evaluations, stalled: stalled)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += a * x[i] }
    }
}
