// The infinite-width limit: every ensemble here converges to a Gaussian process with kernel K(x, x'), the free
// propagator. Closed forms (C = sb^2 + sw^2 x.x'/d_in):
//   Erf-net    K = sb^2 + (2 sw^2/pi) arcsin(2C(x,x') / sqrt((1 + 2C(x,x))(1 + 2C(x',x'))))
//   ReLU-net   K = sb^2 + sw^2 sqrt(C(x,x) C(x',x'))/(2 pi) (sin t + (pi - t) cos t),  cos t = C(x,x')/sqrt(C(x,x)C(x',x'))
//   Gauss-net  K = sb^2 + sw^2 exp(-sw^2 |x - x'|^2 / (2 d_in))
// Deeper Erf and ReLU nets apply the same maps layer by layer to the pre-activation covariance Sigma (the arcsine and
// arc-cosine recursions): Sigma_1 = C, Sigma_{l+1} = sb^2 + sw^2 F(Sigma_l), K = Sigma_{L+1}.
import Foundation

extension QFTEnsemble {
    /// E[act(u) act(v)] for (u, v) centred Gaussian with variances suu, svv and covariance suv (Erf and ReLU).
    static func activationCovariance(_ activation: QFTActivation, _ suu: Double, _ svv: Double, _ suv: Double) -> Double {
        switch activation {
        case .erf:
            let argument = 2 * suv / ((1 + 2 * suu) * (1 + 2 * svv)).squareRoot()
            return 2 / Double.pi * Foundation.asin(Swift.max(-1, Swift.min(1, argument)))
        case .relu:
            let norm = (suu * svv).squareRoot()
            guard norm > 0 else { return 0 }
            let cosine = Swift.max(-1, Swift.min(1, suv / norm))
            let t = Foundation.acos(cosine)
            return norm / (2 * Double.pi) * ((1 - cosine * cosine).squareRoot() + (Double.pi - t) * cosine)
        case .gauss:
            // Only the one-layer closed form exists (see kernel(_:_:)); exp(u + v - suu - svv) has this mean.
            return Foundation.exp(suv - (suu + svv) / 2)
        }
    }

    /// The GP kernel K(x, y) of the output (all hidden layers applied), in closed form.
    public func kernel(_ x: [Double], _ y: [Double]) -> Double {
        var sxx = inputCovariance(x, x), syy = inputCovariance(y, y), sxy = inputCovariance(x, y)
        if activation == .gauss {
            var distance = 0.0
            for i in 0..<Swift.min(x.count, y.count) { distance += (x[i] - y[i]) * (x[i] - y[i]) }
            return sb * sb + sw * sw * Foundation.exp(-sw * sw * distance / (2 * Double(dIn)))
        }
        for _ in 0..<depth {
            let nxy = sb * sb + sw * sw * Self.activationCovariance(activation, sxx, syy, sxy)
            let nxx = sb * sb + sw * sw * Self.activationCovariance(activation, sxx, sxx, sxx)
            let nyy = sb * sb + sw * sw * Self.activationCovariance(activation, syy, syy, syy)
            (sxx, syy, sxy) = (nxx, nyy, nxy)
        }
        return sxy
    }

    /// K - sb^2: the kernel of the output without its own Gaussian bias, which is what interactions attach to
    /// (f = b_L + f~ with b_L independent and Gaussian, so every connected correlator of f is one of f~).
    public func reducedKernel(_ x: [Double], _ y: [Double]) -> Double { kernel(x, y) - sb * sb }

    /// K[a][b] over a list of points.
    public func kernelMatrix(_ points: [[Double]]) -> [[Double]] {
        points.map { x in points.map { y in kernel(x, y) } }
    }
}
