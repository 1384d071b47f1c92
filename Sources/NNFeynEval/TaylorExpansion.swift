// The result of an expansion: Taylor coefficients per output and monomial. See Module.swift for the conventions.
import NNFeynAlgebra

/// Taylor coefficients c_alpha of every output in the displacement x - x0, for all |alpha| <= order.
public struct TaylorExpansion<S: Scalar>: Sendable {
    /// The monomials, in the order of `coefficients[output]`.
    public let basis: MonomialBasis
    /// coefficients[output][position]: the Taylor coefficient of the monomial at `position` (not a derivative).
    public let coefficients: [[S]]

    /// Wraps coefficients laid out over `basis`.
    public init(basis: MonomialBasis, coefficients: [[S]]) {
        self.basis = basis
        self.coefficients = coefficients
    }

    /// The highest order N.
    public var order: Int { basis.maxDegree }
    /// The number of outputs.
    public var outputCount: Int { coefficients.count }

    /// The Taylor coefficient of the monomial at `position` (a valid basis position) of `output`.
    public func coefficient(output: Int, position: Int) -> S { coefficients[output][position] }

    /// The derivative d^|alpha| y_output / dx^alpha = coefficient * alpha! at a valid basis position.
    public func derivative(output: Int, position: Int) -> S {
        coefficients[output][position] * basis.multiplicityFactorial(at: position, as: S.self)
    }

    /// The derivative with respect to the listed variables, in any order (e.g. [2, 0, 0] = d^3 y / dx0^2 dx2);
    /// nil for an unknown output, a variable out of range or an order above `order`.
    public func derivative(output: Int, indices: [Int]) -> S? {
        guard coefficients.indices.contains(output), let position = basis.position(of: indices.sorted()) else { return nil }
        return derivative(output: output, position: position)
    }

    /// Every derivative of one order of one output, in basis order (empty for an order outside 0...order).
    public func derivatives(output: Int, order k: Int) -> [S] {
        guard coefficients.indices.contains(output), k >= 0, k <= order else { return [] }
        return basis.range(ofDegree: k).map { derivative(output: output, position: $0) }
    }

    /// The same expansion with every coefficient transformed.
    public func map<T: Scalar>(_ transform: (S) -> T) -> TaylorExpansion<T> {
        TaylorExpansion<T>(basis: basis, coefficients: coefficients.map { $0.map(transform) })
    }

    /// The coefficients as the nearest doubles.
    public var doubleValues: TaylorExpansion<Double> { map(\.doubleValue) }
}

extension TaylorExpansion: Equatable where S: Equatable {}
