import Testing
@testable import NNFeynAlgebra

@Suite struct MonomialBasisTests {
    @Test(arguments: [(1, 0), (1, 5), (2, 3), (3, 4), (6, 8), (16, 3)])
    func positionsInvertIndexLists(variables: Int, maxDegree: Int) {
        let basis = MonomialBasis(variables: variables, maxDegree: maxDegree)
        #expect(basis.count == MonomialBasis.count(variables: variables, maxDegree: maxDegree))
        for (i, list) in basis.indexLists.enumerated() {
            #expect(basis.position(of: list) == i)
            #expect(list == list.sorted())
        }
        // Graded lexicographic order.
        for i in 1..<basis.count {
            let a = basis.indexLists[i - 1], b = basis.indexLists[i]
            #expect(a.count < b.count || (a.count == b.count && a.lexicographicallyPrecedes(b)))
        }
    }

    @Test func productsAndFactorials() {
        let basis = MonomialBasis(variables: 3, maxDegree: 4)
        let x0 = basis.position(of: [0])!, x2 = basis.position(of: [2])!
        let x0x0x2 = basis.position(of: [0, 0, 2])!
        #expect(basis.productPosition(basis.productPosition(x0, x0)!, x2) == x0x0x2)
        #expect(basis.multiplicityFactorial(at: x0x0x2, as: Rational.self) == 2)
        #expect(basis.multiplicityFactorial(at: basis.position(of: [1, 1, 1, 1])!, as: Rational.self) == 24)
        #expect(basis.productPosition(basis.position(of: [0, 1, 2])!, basis.position(of: [0, 1])!) == nil)
        #expect(basis.position(of: [1, 0]) == nil)
        #expect(basis.position(of: [3]) == nil)
    }

    @Test func countsOverflowToNil() {
        #expect(MonomialBasis.count(variables: 6, maxDegree: 8) == 3003)
        #expect(MonomialBasis.count(variables: 1000, maxDegree: 100) == nil)
    }
}
