// A fast nearest-double conversion for the rationals that dominate in practice: weights read from .npz files are
// dyadic (a 53-bit numerator over a power of two) and literals are small fractions. Both convert with one
// correctly rounded operation; anything else falls back to `doubleValue`.
import CGMP

extension Rational {
    /// The nearest double, as `doubleValue`, but without allocating for small fractions and dyadic rationals.
    public var fastDoubleValue: Double {
        let q = storage.value
        let numSize = Int(q.pointee._mp_num._mp_size), denSize = Int(q.pointee._mp_den._mp_size)
        if numSize == 0 { return 0 }
        guard Swift.abs(numSize) == 1, let numLimbs = q.pointee._mp_num._mp_d, let denLimbs = q.pointee._mp_den._mp_d else {
            return doubleValue
        }
        let n = UInt64(numLimbs[0])
        guard n < 1 << 53 else { return doubleValue }
        let magnitude: Double
        if denSize == 1, denLimbs[0] < 1 << 53 {
            // Both exact as doubles: one IEEE division rounds correctly.
            magnitude = Double(n) / Double(UInt64(denLimbs[0]))
        } else if denSize == 1, UInt64(denLimbs[0]).nonzeroBitCount == 1 {
            // 2^-e with e <= 63 is a normal double, so the product is exact.
            let e = UInt64(denLimbs[0]).trailingZeroBitCount
            magnitude = Double(n) * Double(bitPattern: UInt64(1023 - e) << 52)
        } else {
            // A power-of-two denominator 2^e: n * 2^-e, exact (or one correct rounding into the subnormals).
            let bits = Int(__gmpz_sizeinbase(&q.pointee._mp_den, 2))
            guard Int(__gmpz_scan1(&q.pointee._mp_den, 0)) == bits - 1 else { return doubleValue }
            magnitude = Double(sign: .plus, exponent: -(bits - 1), significand: Double(n))
        }
        return numSize < 0 ? -magnitude : magnitude
    }
}
