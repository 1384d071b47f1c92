// alpha! in any scalar type: the Int version traps past 20!, which a single variable reaches at degree 21.

extension MonomialBasis {
    /// alpha! = product of the factorials of the index multiplicities, computed in `S` (exact for `Rational`).
    public func multiplicityFactorial<S: Scalar>(at position: Int, as type: S.Type) -> S {
        var result = S.one
        var run = 0
        var previous = -1
        for v in indexLists[position] {
            run = (v == previous) ? run + 1 : 1
            previous = v
            if run > 1 { result = result * S(run) }
        }
        return result
    }
}
