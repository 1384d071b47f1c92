// The one seeded generator of the package: xoshiro256** seeded through SplitMix64. Everything random (data sets,
// initial weights, shuffles, samples, test networks, the ensembles of random networks) draws from it, so a seed means
// the same thing everywhere and fixes the output on every platform (Swift's default generator is neither seedable nor
// portable). Normal deviates come from the 256-layer ziggurat (Marsaglia and Tsang, 2000): one 64-bit draw gives the
// layer (low 8 bits) and a signed 53-bit uniform (high bits); 99% of draws are accepted by one comparison, the rest
// by the wedge test or the tail. About 3 ns per deviate, against about 25 for Box-Muller with libm.
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

    /// A generator for the stream named by several components (e.g. a width, a chunk and a block of a run): each
    /// component is folded in through SplitMix64's output function, so nearby components give unrelated streams.
    public init(seed: UInt64, streams components: [UInt64]) {
        var h = seed
        for c in components {
            var z = (h ^ (c &* 0xD1B5_4A32_D192_ED03)) &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            h = z ^ (z >> 31)
        }
        self.init(seed: h)
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

    /// A standard normal deviate (the ziggurat).
    @inline(__always)
    public mutating func normal() -> Double {
        let tables = ZigguratTables.shared
        while true {
            let bits = next()
            let i = Int(bits & 0xFF)
            // A signed uniform in (-1, 1) from the 53 high bits.
            let u = Double(Int64(bitPattern: bits) >> 11) * 0x1p-52
            let candidate = u * tables.x[i]
            if Swift.abs(candidate) < tables.x[i + 1] { return candidate }
            if i == 0 { return normalTail(negative: u < 0) }
            if tables.f[i + 1] + (tables.f[i] - tables.f[i + 1]) * uniform() < Foundation.exp(-0.5 * candidate * candidate) {
                return candidate
            }
        }
    }

    /// A deviate beyond the ziggurat's last layer r (Marsaglia's tail method).
    mutating func normalTail(negative: Bool) -> Double {
        let r = ZigguratTables.r
        while true {
            let a = -Foundation.log(1 - uniform()) / r
            let b = -Foundation.log(1 - uniform())
            if 2 * b >= a * a { return negative ? -(r + a) : r + a }
        }
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

/// The ziggurat's layers, built once per process. x_0 = v / f(r) (the base strip, as a rectangle of area v),
/// x_1 = r, x_{i+1} = f^{-1}(v / x_i + f(x_i)), x_256 = 0, with f(x) = exp(-x^2/2), r the tail start and
/// v = r f(r) + sqrt(pi/2) erfc(r / sqrt 2) the common area of every layer.
struct ZigguratTables: Sendable {
    static let shared = ZigguratTables()
    static let r = 3.6541528853610088
    /// x_0 ... x_256 (decreasing) and f(x_i).
    let x: [Double]
    let f: [Double]
    let area: Double

    init() {
        let r = Self.r
        func density(_ t: Double) -> Double { Foundation.exp(-0.5 * t * t) }
        let v = r * density(r) + (Double.pi / 2).squareRoot() * Foundation.erfc(r / 2.0.squareRoot())
        var x = [Double](repeating: 0, count: 257)
        x[0] = v / density(r)
        x[1] = r
        for i in 1..<255 {
            x[i + 1] = (-2 * Foundation.log(v / x[i] + density(x[i]))).squareRoot()
        }
        x[256] = 0
        self.x = x
        self.f = x.map(density)
        area = v
    }
}
