// The model's contracts: shapes are checked once, parameters keep their exact values beside their nearest doubles,
// and conversion to a scalar type happens once and never rounds twice.
import Foundation
import Testing
import NNFeynAlgebra
@testable import NNFeynModel
import NNFeynTestSupport

@Suite struct ParameterArrayTests {
    @Test func doublesAreStoredAsThemselves() throws {
        let array = try #require(ParameterArray(doubles: [0.5, -3, 1e-300]))
        #expect(array.isExactlyDoubles)
        #expect(array.values(as: Double.self) == [0.5, -3, 1e-300])
        #expect(array.exactValue(at: 0) == Rational(1, 2))
        #expect(ParameterArray(doubles: [1, .nan]) == nil)
        #expect(ParameterArray(doubles: [.infinity]) == nil)
    }

    @Test func fractionsKeepTheirExactValueAndRoundToNearest() {
        let array = ParameterArray(rationals: [Rational(1, 10), Rational(1, 2), Rational(-7, 3)])
        #expect(!array.isExactlyDoubles)
        #expect(array.exactValues == [Rational(1, 10), Rational(1, 2), Rational(-7, 3)])
        #expect(array.nearest == [0.1, 0.5, -7.0 / 3.0])
        #expect(array.values(as: Rational.self) == array.exactValues)
    }

    @Test func bigRationalsSurvive() {
        let huge = Rational(literal: "1e40")!, tiny = Rational(literal: "3e-50")!
        let array = ParameterArray(rationals: [Rational(1, 3), huge, tiny])
        #expect(array.exactValues == [Rational(1, 3), huge, tiny])
        #expect(array.nearest[1] == 1e40)
        #expect(array.nearest[2] == 3e-50)
    }

    @Test func integersBeyondDoublePrecisionStayExact() {
        let big: Int64 = (1 << 53) + 1
        let array = ParameterArray(integers: [3, big])
        #expect(array.exactValue(at: 1) == Rational(Int(big)))
        #expect(array.nearest[1] == 9007199254740992)
        #expect(ParameterArray(integers: [1, 2]).isExactlyDoubles)
    }

    /// The builder's 64-bit fractions need no GMP, yet store exactly what appending the rational would store, with
    /// the same nearest double (to the bit: -0 is never produced).
    @Test func fractionsWithoutGMPMatchRationals() {
        var cases: [(Int64, UInt64)] = [
            (0, 1), (0, 7), (1, 1), (-1, 1), (5, 10), (1, 3), (-7, 14), (3, 4), (-3, 8), (1, 10), (123, 1000),
            (Int64.max, 1), (Int64.min, 1), (Int64.min, 2), (Int64.min, 3), (Int64.max, UInt64.max), (1, 1 << 63),
            (3, 1 << 63), (-3, 1 << 62), ((1 << 53) + 1, 1), ((1 << 53) + 1, 3), (9_007_199_254_740_993, 1 << 60),
            (1, 10_000_000_000_000_000_000), (-1, 9_999_999_999_999_999_999), (1 << 53, 1 << 53 + 2),
        ]
        var rng = Xoshiro256(seed: 8)
        for _ in 0..<3000 {
            // Magnitudes from tiny to the full 64 bits, so every branch (exact double, small, beyond 2^53) is hit.
            let p = Int64(bitPattern: rng.next() >> UInt64(rng.index(below: 64)))
            let q = max(1, rng.next() >> UInt64(rng.index(below: 64)))
            cases.append((p, q))
            cases.append((p, UInt64(1) << UInt64(rng.index(below: 64))))
        }
        for (p, q) in cases {
            var fast = ParameterArray.Builder(capacity: 1), slow = ParameterArray.Builder(capacity: 1)
            fast.append(numerator: p, denominator: q)
            slow.append(Rational(fraction: p, q))
            let a = fast.finish(), b = slow.finish()
            #expect(a == b, "\(p)/\(q)")
            #expect(a.nearest[0].bitPattern == b.nearest[0].bitPattern, "\(p)/\(q)")
        }
        // In one array: doubles first, then fractions promote them, then a big rational promotes everything.
        var fast = ParameterArray.Builder(capacity: 0), slow = ParameterArray.Builder(capacity: 0)
        for (p, q) in cases.prefix(200) {
            fast.append(numerator: p, denominator: q)
            slow.append(Rational(fraction: p, q))
        }
        #expect(fast.finish() == slow.finish())
        fast.append(Rational(literal: "1e-40")!)
        slow.append(Rational(literal: "1e-40")!)
        #expect(fast.finish() == slow.finish())
        #expect(fast.finish().exactValues == slow.finish().exactValues)
    }

    /// A double's exact value as a 64-bit fraction, computed from its bits, is what GMP finds.
    @Test func dyadicFractionsMatchGMP() {
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 3, 1e-300, 1e300, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, 0x1p63, -0x1p63, 0x1p62, 0x1p64, 0x1p-63, 0x1p-64, 0.1,
                                9_007_199_254_740_992, 0x1.fffffffffffffp62, -0x1.fffffffffffffp62]
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<5000 {
            let random = Double(bitPattern: rng.next())
            if random.isFinite { values.append(random) }
            values.append(Double(Int64(bitPattern: rng.next()) >> Int64(rng.index(below: 64))) * 0x1p-40)
        }
        for value in values {
            let expected = Rational(exactly: value)!.smallFraction
            let found = ParameterArray.dyadicFraction(value)
            #expect(found.map { [String($0.0), String($0.1)] } == expected.map { [String($0.0), String($0.1)] }, "\(value)")
        }
        #expect(ParameterArray.dyadicFraction(.nan) == nil)
    }

    @Test func bitSizeOfDoubles() {
        #expect(ParameterArray.bitSize(ofDouble: 1) == 2)
        #expect(ParameterArray.bitSize(ofDouble: 0.5) == 3)
        #expect(ParameterArray.bitSize(ofDouble: 3) == 3)
        #expect(ParameterArray.bitSize(ofDouble: 1e300) >= 997)
        #expect(ParameterArray.bitSize(ofDouble: 1e-300) >= 997)
    }
}

@Suite struct ModelTests {
    static let toy = TestNetworks.model(input: 2, point: [Rational(1, 3), 0], layers: [
        (.tanh, [[1, Rational(-1, 2)], [0, 2]], [0, Rational(1, 10)]),
        (.linear, [[2, -3]], [Rational(1, 4)]),
    ])

    @Test func architectureChecksShapes() {
        #expect(throws: ModelError.self) {
            try Architecture(name: nil, input: ModelInput(name: "x", dimension: 2),
                             layers: [LayerShape(name: "h", width: 2, fanIn: 3, activation: .tanh)])
        }
        #expect(throws: ModelError.self) {
            try Architecture(name: nil, input: ModelInput(name: "x", dimension: 2),
                             layers: [LayerShape(name: "x", width: 2, fanIn: 2, activation: .tanh)])
        }
    }

    @Test func networkChecksShapesAndFiniteness() throws {
        let architecture = Self.toy.architecture
        #expect(throws: ModelError.self) {
            try Network<Double>(architecture: architecture, weights: [[1, 2, 3], [1, 1]], biases: [[0, 0], [0]])
        }
        #expect(throws: ModelError.self) {
            try Network<Double>(architecture: architecture, weights: [[1, 2, 3, .nan], [1, 1]], biases: [[0, 0], [0]])
        }
        #expect(throws: ModelError.self) {
            try Network<Double>(architecture: architecture, weights: [[1, 2, 3, 4], [1, 1]], biases: [[0, 0], [0]], point: [1])
        }
    }

    @Test func conversionIsExactOrCorrectlyRounded() throws {
        let exact = try Self.toy.network(as: Rational.self)
        #expect(exact.biases[0][1] == Rational(1, 10))
        #expect(exact.point == [Rational(1, 3), 0])
        let numeric = try Self.toy.network(as: Double.self)
        #expect(numeric.biases[0][1] == 0.1)
        #expect(numeric.point[0] == 1.0 / 3.0)
        #expect(numeric.weights[0] == [1, -0.5, 0, 2])
    }

    @Test func movingThePointKeepsTheParameters() throws {
        let moved = try Self.toy.at([1, 2])
        #expect(try moved.network(as: Double.self).point == [1, 2])
        #expect(try moved.network(as: Double.self).weights == (try Self.toy.network(as: Double.self)).weights)
        #expect(throws: ModelError.self) { try Self.toy.at([1]) }
    }

    @Test func incompleteModelsRefuseConversion() throws {
        let architecture = Self.toy.architecture
        let model = try Model(architecture: architecture, parameters: [nil, Self.toy.parameters[1]])
        #expect(!model.isComplete)
        #expect(model.layersWithoutParameters == ["l0"])
        #expect(throws: ModelError.missingParameters(layers: ["l0"])) { try model.network(as: Double.self) }
    }

    @Test func aNetworkOfDoublesRoundTripsThroughAModel() throws {
        let network = try Self.toy.network(as: Double.self)
        let back = try Model(network).network(as: Double.self)
        #expect(back.weights == network.weights && back.biases == network.biases && back.point == network.point)
    }
}
