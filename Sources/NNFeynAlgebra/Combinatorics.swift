// The package's one place for factorials and binomials: exact ones (as big integers in `Rational`), saturating
// machine-integer ones for size estimates (Int.max stands for "does not fit", never a trap), and the multi-index
// factorial alpha! that converts between Taylor coefficients and derivatives.

/// Factorials, binomial coefficients and multi-index factorials.
public enum Combinatorics {
    /// n!, exactly.
    public static func factorial(_ n: Int) -> Rational {
        precondition(n >= 0)
        var result = Rational.one
        if n >= 2 { for k in 2...n { result = result * Rational(k) } }
        return result
    }

    /// C(n, k) as a double (for weights of difference stencils; exact while it fits 53 bits).
    public static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var result = 1.0
        if k > 0 { for i in 1...k { result = result * Double(n - k + i) / Double(i) } }
        return result
    }

    /// C(n, k), or Int.max when it (or n) does not fit; 0 outside 0 <= k <= n.
    public static func saturatingBinomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, n >= k else { return 0 }
        if n == .max { return k == 0 ? 1 : .max }
        let k = min(k, n - k)
        var result = 1
        var i = 1
        while i <= k {
            // result = C(n - k + i - 1, i - 1); multiply by (n - k + i) / i with the division made exact first.
            let g = gcd(result, i)
            let (r, o) = (result / g).multipliedReportingOverflow(by: (n - k + i) / (i / g))
            if o { return .max }
            result = r
            i += 1
        }
        return result
    }

    /// C(n + m - 1, m): the number of non-decreasing lists of length m over n values, or nil when it overflows.
    public static func multichoose(_ n: Int, _ m: Int) -> Int? {
        guard n >= 0, m >= 0 else { return nil }
        if m == 0 { return 1 }
        if n == 0 { return 0 }
        guard n <= Int.max - m else { return nil }
        let value = saturatingBinomial(n + m - 1, m)
        return value == .max ? nil : value
    }

    /// The greatest common divisor of two non-negative integers.
    public static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (Swift.abs(a), Swift.abs(b))
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// alpha! = product of the factorials of the multiplicities in a sorted index list, e.g. [0, 0, 2] -> 2!,
    /// computed in `S` (exact for `Rational`; the Int version would trap past 20!).
    public static func multiIndexFactorial<S: Scalar>(_ sortedIndices: [Int], as type: S.Type = S.self) -> S {
        var result = S.one
        var run = 0
        var previous = Int.min
        for v in sortedIndices {
            run = v == previous ? run + 1 : 1
            previous = v
            if run > 1 { result = result * S(run) }
        }
        return result
    }
}

/// Int arithmetic that sticks at Int.max instead of overflowing (arguments are non-negative).
public enum Saturating {
    public static func add(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o || a == .max || b == .max ? .max : r
    }

    public static func multiply(_ a: Int, _ b: Int) -> Int {
        if a == 0 || b == 0 { return 0 }
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o || a == .max || b == .max ? .max : r
    }

    /// a - b, where a saturated value stays saturated.
    public static func subtract(_ a: Int, _ b: Int) -> Int { a == .max ? .max : max(a - b, 0) }
}
