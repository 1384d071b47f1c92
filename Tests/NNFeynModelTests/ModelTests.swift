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
