// What one core of this machine can do: the dgemm rate that benchmarks compare the evaluator's GFLOP/s with.
// Benchmark code: it lives with the command line, not in a library.
import COpenBLAS
import Foundation
import NNFeynAlgebra

/// Measured floating-point throughput.
enum Throughput {
    /// GFLOP/s of OpenBLAS dgemm on square n x n matrices: the best of `repeats` timed products after one warm-up.
    /// Uses however many threads OpenBLAS is set to (OPENBLAS_NUM_THREADS=1 in benchmarks).
    static func dgemmPeak(size n: Int = 384, repeats: Int = 5) -> Double {
        var generator = Xoshiro256(seed: 1)
        let a = (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &generator) }
        let b = (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &generator) }
        var c = [Double](repeating: 0, count: n * n)
        var best = Double.infinity
        let clock = ContinuousClock()
        for round in 0...max(repeats, 1) {
            let start = clock.now
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1.0, a, Int32(n), b, Int32(n),
                        0.0, &c, Int32(n))
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if round > 0 { best = min(best, seconds) }
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}
