// The ensembles' random numbers: the package's one generator (Xoshiro256, whose normal deviates come from the
// ziggurat), with a helper that fills weight buffers.
import NNFeynAlgebra

typealias NormalSampler = Xoshiro256

extension Xoshiro256 {
    /// Fills `buffer[0..<count]` with deviates times `scale`.
    mutating func fill(_ buffer: UnsafeMutablePointer<Double>, count: Int, scale: Double) {
        for k in 0..<count { buffer[k] = scale * normal() }
    }
}
