// Tensor arithmetic on expansions without dense arrays: the homogeneous term at a point, Frobenius norms of the
// symmetric derivative tensors, sums and differences, and a range of orders kept alone. Everything works on the packed
// storage (one value per monomial), so an order-k tensor in n variables costs C(n+k-1, k) numbers, never n^k.
//
// The Frobenius norm is the dense tensor's: a derivative at the monomial alpha fills k!/alpha! index permutations
// of the dense order-k tensor, so ||D^k y||_F^2 = sum over |alpha| = k of (k!/alpha!) (d^alpha y)^2.
import Foundation

extension TaylorExpansion {
    /// The homogeneous order-k term (1/k!) D^k y(x, ..., x) = sum over |alpha| = k of c_alpha x^alpha at one point
    /// (`basis.variables` values), in `S` (exact for exact types). 0 for an order that is not held.
    public func termValue(order k: Int, output: Int = 0, at x: [S]) -> S {
        precondition(x.count == basis.variables, "a point needs \(basis.variables) coordinates")
        guard orders.contains(k) else { return .zero }
        var total = S.zero
        for position in basis.range(ofDegree: k) {
            var product = coefficient(output: output, position: position)
            for i in basis.indexLists[position] { product = product * x[i] }
            total += product
        }
        return total
    }

    /// ||D^k y_output||_F, the Frobenius norm of the dense symmetric order-k derivative tensor (every index
    /// permutation counted), from the packed values; 0 for an order that is not held.
    public func frobeniusNorm(order k: Int, output: Int = 0) -> Double {
        guard orders.contains(k) else { return 0 }
        let kFactorial = (1...Swift.max(k, 1)).reduce(1.0) { $0 * Double($1) }
        var total = 0.0
        for position in basis.range(ofDegree: k) {
            let d = derivative(output: output, position: position).doubleValue
            let permutations = kFactorial / basis.multiplicityFactorial(at: position, as: Double.self)
            total += permutations * d * d
        }
        return total.squareRoot()
    }

    /// ||D^k y - D^k r||_F / ||D^k r||_F against a reference over the same monomials (the plain distance when the
    /// reference's tensor vanishes).
    public func relativeFrobeniusError(against reference: TaylorExpansion<S>, order k: Int, output: Int = 0) -> Double {
        let difference = (self - reference).frobeniusNorm(order: k, output: output)
        let norm = reference.frobeniusNorm(order: k, output: output)
        return norm > 0 ? difference / norm : difference
    }

    /// The same expansion with every order outside `kept` set to zero.
    public func keeping(orders kept: ClosedRange<Int>) -> TaylorExpansion<S> {
        var values = self.values
        for output in 0..<outputCount {
            for position in positions where !kept.contains(basis.degree(of: position)) {
                values[output * monomialCount + position - firstPosition] = .zero
            }
        }
        return TaylorExpansion(basis: basis, lowestOrder: lowestOrder, outputCount: outputCount, convention: convention,
                               values: values)
    }

    /// The zero expansion of the same shape and convention.
    public var zero: TaylorExpansion<S> {
        TaylorExpansion(basis: basis, lowestOrder: lowestOrder, outputCount: outputCount, convention: convention,
                        values: [S](repeating: .zero, count: values.count))
    }

    /// a + b term by term, in a's convention; both must hold the same monomials and outputs.
    public static func + (a: TaylorExpansion<S>, b: TaylorExpansion<S>) -> TaylorExpansion<S> {
        a.combining(b) { $0 + $1 }
    }

    /// a - b term by term, in a's convention; both must hold the same monomials and outputs.
    public static func - (a: TaylorExpansion<S>, b: TaylorExpansion<S>) -> TaylorExpansion<S> {
        a.combining(b) { $0 - $1 }
    }

    func combining(_ other: TaylorExpansion<S>, _ operation: (S, S) -> S) -> TaylorExpansion<S> {
        precondition(basis == other.basis && lowestOrder == other.lowestOrder && outputCount == other.outputCount,
                     "expansions over different monomials or outputs")
        let b = other.converted(to: convention)
        return TaylorExpansion(basis: basis, lowestOrder: lowestOrder, outputCount: outputCount, convention: convention,
                               values: zip(values, b.values).map(operation))
    }
}
