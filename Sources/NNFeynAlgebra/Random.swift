// The one seeded generator of the package: xoshiro256** seeded through SplitMix64. Everything random (data sets,
// initial weights, shuffles, samples, test networks) draws from it, so a seed means the same thing everywhere and
// fixes the output on every platform (Swift's default generator is neither seedable nor portable).
import Foundation

/// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, deterministic for a seed.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    var s0, s1, s2, s3: UInt64

    /// A generator whose state is four SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// A generator for one of several independent streams of the same seed (stream 0 is `init(seed:)`).
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &+ stream &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A double uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A double uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// A standard normal deviate (Box-Muller on two uniforms, the first in (0, 1] so its logarithm is finite).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// An integer uniform in 0..<bound without modulo bias (Lemire's method).
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Shuffles `array` in place (Fisher-Yates).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, index(below: i + 1))
        }
    }

    /// `count` distinct elements of `items` chosen uniformly (all of them when there are no more), in their
    /// original order.
    public mutating func sample<T>(_ items: [T], count: Int) -> [T] {
        guard items.count > count else { return items }
        var positions = Array(items.indices)
        // A partial Fisher-Yates shuffle: the first `count` positions are a uniform sample.
        for i in 0..<max(count, 0) { positions.swapAt(i, i + index(below: positions.count - i)) }
        return positions.prefix(max(count, 0)).sorted().map { items[$0] }
    }
}
