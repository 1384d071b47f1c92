// Single-neuron moments: the building blocks of the exact finite-width theory of a one-hidden-layer ensemble.
//
// With one hidden layer, f = b_1 + sum_i w1_i u(theta_i) where the N neurons theta_i = (W_0 row i, b_0 i) are i.i.d.
// and u_a is what a neuron feeds into observable a (its activation at the point x_a, or a Taylor coefficient of it).
// Every correlator is then fixed by the moments M(a_1 ... a_n) = E[u_{a_1} ... u_{a_n}] over one neuron: integrals
// over the d_in + 1 Gaussian numbers (w, b) = (sw/sqrt(d_in) xi_1..d, sb xi_{d+1}), xi ~ N(0, I). Three ways:
//   - Gauss-net outputs, closed form for every tuple and d_in: u_a = exp(z_a - C_aa), so
//     M = exp(1/2 sum_{s,t} C(x_s, x_t) - sum_s C(x_s, x_s)) over the tuple's slots s, t.
//   - ReLU: every factor is positively homogeneous of degree 1 in xi (relu(A.xi), or step(A.xi) B.xi for a first
//     derivative), so E = E[rho^n] * (angular mean on the circle) when the factors see at most two directions of xi
//     (always for d_in = 1). rho^2 ~ chi^2_2 gives E[rho^n] = 2^(n/2) Gamma(1 + n/2); the angular mean is a sum over
//     the arcs between the zeros of the linear forms, where the integrand is a trigonometric polynomial, by
//     24-point Gauss-Legendre per arc: exact to rounding.
//   - Anything smooth (Erf): a tensor Gauss-Hermite grid over the directions of xi the observables depend on
//     (200 nodes in 1 dimension, 160 per axis in 2, 100 in 3, 40 in 4). erf grows like e^(y^2) off the real axis,
//     so these rules converge only like exp(-c sqrt(n)): measured against the closed-form kernel, M2 is good to
//     3e-14 in 2 dimensions (d_in = 1), 2e-9 in 3 (d_in = 2) and only 1e-4 in 4 (d_in = 3); reports carry the
//     measured error of M2 as the theory's accuracy.
// Unsupported combinations (ReLU factors seeing 3 or more directions, more than 4 smooth directions) give nil.
import Foundation

/// What one hidden neuron contributes to an observable, before the output weight.
public enum NeuronObservable: Sendable, Equatable {
    /// act(w . x + b) at an input point x.
    case output([Double])
    /// The Taylor coefficient of the monomial x^alpha of act(w . x + b) at the point x0:
    /// act^(|alpha|)(w . x0 + b) w^alpha / alpha!.
    case taylor(point: [Double], alpha: [Int])

    /// Whether the output bias b_1 enters this observable (outputs and the constant Taylor coefficient).
    var carriesOutputBias: Bool {
        switch self {
        case .output: true
        case .taylor(_, let alpha): alpha.allSatisfy { $0 == 0 }
        }
    }
}

/// Single-neuron moments E[u_{a_1} ... u_{a_n}] over every non-decreasing tuple of a fixed list of observables.
public struct NeuronMoments: Sendable {
    public let ensemble: QFTEnsemble
    public let observables: [NeuronObservable]
    let method: Method

    enum Method: Sendable {
        /// Gauss-net outputs: covariance of the first-layer pre-activations between observables.
        case gaussClosedForm(covariance: [[Double]])
        /// ReLU: for each observable, its factor on the unit circle of a 2-dimensional reduction of xi.
        case angular(factors: [AngularFactor])
        /// Smooth activations: u_a at every node of a grid (observable-major, flat), and the grid's weights.
        case grid(values: [Double], weights: [Double])
    }

    /// A positively homogeneous factor of degree 1 on R^2: relu(A.w), or step(A.w) (B.w), or identically 0.
    struct AngularFactor: Sendable {
        var a: (Double, Double)
        var b: (Double, Double)?
        var zero = false
        func value(_ c: Double, _ s: Double) -> Double {
            if zero { return 0 }
            let z = a.0 * c + a.1 * s
            guard z > 0 else { return 0 }
            guard let b else { return z }
            return b.0 * c + b.1 * s
        }
    }

    /// The moments' provider, or nil when no method here is exact enough for the combination (see the top).
    public init?(ensemble: QFTEnsemble, observables: [NeuronObservable]) {
        self.ensemble = ensemble
        self.observables = observables
        guard ensemble.depth == 1 else { return nil }
        let d = ensemble.dIn
        let scaleW = ensemble.sw / Double(d).squareRoot()
        // Each observable's linear forms on xi in R^(d+1): the pre-activation A (w.x + b = A.xi) and, for first
        // derivatives, the weight component B = scaleW e_i.
        func preActivation(_ x: [Double]) -> [Double] { x.map { scaleW * $0 } + [ensemble.sb] }
        switch ensemble.activation {
        case .gauss:
            var points: [[Double]] = []
            for observable in observables {
                guard case .output(let x) = observable else { return nil }
                points.append(x)
            }
            method = .gaussClosedForm(covariance: points.map { x in points.map { y in ensemble.inputCovariance(x, y) } })
        case .relu:
            var forms: [(a: [Double], b: [Double]?, zero: Bool)] = []
            for observable in observables {
                switch observable {
                case .output(let x):
                    forms.append((preActivation(x), nil, false))
                case .taylor(let x0, let alpha):
                    let order = alpha.reduce(0, +)
                    if order == 0 {
                        forms.append((preActivation(x0), nil, false))
                    } else if order == 1, let i = alpha.firstIndex(of: 1) {
                        var b = [Double](repeating: 0, count: d + 1)
                        b[i] = scaleW
                        forms.append((preActivation(x0), b, false))
                    } else {
                        forms.append(([Double](repeating: 0, count: d + 1), nil, true))
                    }
                }
            }
            let vectors = forms.flatMap { [$0.a] + ($0.b.map { [$0] } ?? []) }
            guard let basis = Self.orthonormalBasis(vectors, maximumRank: 2) else { return nil }
            func project(_ v: [Double]) -> (Double, Double) {
                let coordinates = basis.map { e in zip(e, v).reduce(0) { $0 + $1.0 * $1.1 } }
                return (coordinates.count > 0 ? coordinates[0] : 0, coordinates.count > 1 ? coordinates[1] : 0)
            }
            method = .angular(factors: forms.map { AngularFactor(a: project($0.a), b: $0.b.map(project), zero: $0.zero) })
        case .erf:
            // Directions of xi the observables see: the pre-activations for outputs, everything for Taylor coefficients.
            var vectors: [[Double]] = []
            for observable in observables {
                switch observable {
                case .output(let x): vectors.append(preActivation(x))
                case .taylor(let x0, _):
                    vectors.append(preActivation(x0))
                    for i in 0..<d {
                        var e = [Double](repeating: 0, count: d + 1)
                        e[i] = 1
                        vectors.append(e)
                    }
                }
            }
            guard let basis = Self.orthonormalBasis(vectors, maximumRank: 4) else { return nil }
            let rank = max(basis.count, 1)
            let rule = QuadratureRule.gaussHermite([1: 200, 2: 160, 3: 100, 4: 40][rank]!)
            let n = rule.nodes.count
            var nodeCount = 1
            for _ in 0..<rank { nodeCount *= n }
            var weights = [Double](repeating: 1, count: nodeCount)
            var values = [Double](repeating: 0, count: nodeCount * observables.count)
            var xi = [Double](repeating: 0, count: d + 1)
            for q in 0..<nodeCount {
                // xi = sum_k t_k e_k over the reduced basis.
                var rest = q
                for i in 0..<(d + 1) { xi[i] = 0 }
                for k in 0..<rank {
                    let j = rest % n
                    rest /= n
                    weights[q] *= rule.weights[j]
                    if k < basis.count { for i in 0..<(d + 1) { xi[i] += rule.nodes[j] * basis[k][i] } }
                }
                for (o, observable) in observables.enumerated() {
                    values[o * nodeCount + q] = Self.erfFeature(observable, xi: xi, scaleW: scaleW, sb: ensemble.sb)
                }
            }
            method = .grid(values: values, weights: weights)
        }
    }

    /// u for the Erf-net at a standard-normal vector xi (weights scaleW xi_1..d, bias sb xi_{d+1}).
    static func erfFeature(_ observable: NeuronObservable, xi: [Double], scaleW: Double, sb: Double) -> Double {
        let d = xi.count - 1
        switch observable {
        case .output(let x):
            var z = sb * xi[d]
            for i in 0..<d { z += scaleW * xi[i] * x[i] }
            return Foundation.erf(z)
        case .taylor(let x0, let alpha):
            var z = sb * xi[d]
            for i in 0..<d { z += scaleW * xi[i] * x0[i] }
            let order = alpha.reduce(0, +)
            let derivative = order == 0 ? Foundation.erf(z) : erfDerivative(order, at: z)
            var monomial = 1.0, factorial = 1.0
            for i in 0..<d where alpha[i] > 0 {
                for k in 1...alpha[i] {
                    monomial *= scaleW * xi[i]
                    factorial *= Double(k)
                }
            }
            return derivative * monomial / factorial
        }
    }

    /// erf^(k)(z) = (2/sqrt(pi)) (-1)^(k-1) H_{k-1}(z) e^(-z^2), k >= 1 (the same rule as the model language's).
    static func erfDerivative(_ k: Int, at z: Double) -> Double {
        var previous = 0.0, current = 1.0
        for m in 0..<(k - 1) {
            let next = 2 * z * current - 2 * Double(m) * previous
            previous = current
            current = next
        }
        let value = 2 / Double.pi.squareRoot() * Foundation.exp(-z * z) * current
        return k % 2 == 1 ? value : -value
    }

    /// An orthonormal basis (Gram-Schmidt, twice for stability) of the span of `vectors`, or nil beyond `maximumRank`.
    static func orthonormalBasis(_ vectors: [[Double]], maximumRank: Int) -> [[Double]]? {
        var basis: [[Double]] = []
        let scale = vectors.map { $0.reduce(0) { $0 + $1 * $1 } }.max() ?? 0
        for v in vectors {
            var r = v
            for _ in 0..<2 {
                for e in basis {
                    let dot = zip(e, r).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in r.indices { r[i] -= dot * e[i] }
                }
            }
            let norm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-12 * max(scale.squareRoot(), 1e-300) {
                basis.append(r.map { $0 / norm })
                if basis.count > maximumRank { return nil }
            }
        }
        return basis
    }

    /// E[u_{t_1} ... u_{t_n}] for one tuple of observable indices.
    public func moment(_ tuple: [Int]) -> Double {
        switch method {
        case .gaussClosedForm(let c):
            var exponent = 0.0
            for s in tuple {
                exponent -= c[s][s]
                for t in tuple { exponent += 0.5 * c[s][t] }
            }
            return Foundation.exp(exponent)
        case .grid(let values, let weights):
            let nodes = weights.count
            return values.withUnsafeBufferPointer { v in
                weights.withUnsafeBufferPointer { w in
                    var product = [Double](w)
                    return product.withUnsafeMutableBufferPointer { p in
                        for s in tuple {
                            let row = v.baseAddress! + s * nodes
                            for q in 0..<nodes { p[q] *= row[q] }
                        }
                        var total = 0.0
                        for q in 0..<nodes { total += p[q] }
                        return total
                    }
                }
            }
        case .angular(let factors):
            return Self.angularMoment(tuple.map { factors[$0] })
        }
    }

    /// The moments of every non-decreasing tuple of `length`, in `IndexTuples.nonDecreasing` order.
    public func moments(length: Int) -> [Double] {
        IndexTuples.nonDecreasing(count: observables.count, length: length).map(moment)
    }

    static let arcRule = QuadratureRule.gaussLegendre(24)

    /// E[prod_s F_s(xi)], xi ~ N(0, I_2), for factors homogeneous of degree 1: E[rho^n] times the mean over the circle.
    static func angularMoment(_ factors: [AngularFactor]) -> Double {
        if factors.contains(where: \.zero) { return 0 }
        let n = factors.count
        // The arcs between consecutive zeros of the linear forms, where every factor is smooth.
        var breaks: [Double] = [0, 2 * Double.pi]
        for f in factors {
            for v in [f.a] + (f.b.map { [$0] } ?? []) where v.0 != 0 || v.1 != 0 {
                let zero = Foundation.atan2(v.1, v.0) + Double.pi / 2
                for angle in [zero, zero + Double.pi] {
                    var t = angle.truncatingRemainder(dividingBy: 2 * Double.pi)
                    if t < 0 { t += 2 * Double.pi }
                    breaks.append(t)
                }
            }
        }
        breaks.sort()
        var mean = 0.0
        for k in 0..<(breaks.count - 1) where breaks[k + 1] > breaks[k] {
            let arc = arcRule.mapped(to: breaks[k], breaks[k + 1])
            for (theta, weight) in zip(arc.nodes, arc.weights) {
                let c = Foundation.cos(theta), s = Foundation.sin(theta)
                var product = weight
                for f in factors { product *= f.value(c, s) }
                mean += product
            }
        }
        mean /= 2 * Double.pi
        // E[rho^n] for rho^2 ~ chi^2_2.
        return Foundation.pow(2, Double(n) / 2) * Foundation.tgamma(1 + Double(n) / 2) * mean
    }
}
