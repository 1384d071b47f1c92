import Foundation
import Testing
import NNFeynAlgebra
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynEval

/// The batch evaluator against the generic one, point by point; reduced quantities against full expansions and
/// closed forms; directional series against the full expansion and the exact radius of one tanh layer.
@Suite struct BatchTests {
    static func points(_ count: Int, dimension d: Int, seed: UInt64) -> [[Double]] {
        var generator = Xoshiro256(seed: seed)
        return (0..<count).map { _ in (0..<d).map { _ in generator.normal() * 0.7 } }
    }

    /// Networks that exercise every branch: one hidden layer (closed form only), deep stacks (Horner and the top
    /// contraction), several outputs, a nonlinear last layer, polynomial activations whose top order is below N,
    /// a linear first layer (zero rows above degree 1 downstream) and relu.
    static let shapes: [(name: String, widths: [Int], activations: [Activation], outputs: Int)] = [
        ("one tanh layer", [6], [.tanh, .linear], 1),
        ("three tanh layers, two outputs", [5, 7, 4], [.tanh, .tanh, .tanh, .linear], 2),
        ("tanh output", [5], [.sigmoid, .tanh], 3),
        ("polynomials", [4, 3], [.poly([Rational(1, 3), 1, Rational(-1, 2), Rational(1, 5)]), .square, .linear], 2),
        ("linear first layer", [4, 5], [.linear, .tanh, .linear], 1),
        ("mixed", [5, 5, 5], [.silu, .gelu, .sin, .linear], 2),
        ("relu then tanh", [6, 4], [.relu, .tanh, .linear], 1),
    ]

    static func network(_ index: Int, input d: Int, seed: UInt64) throws -> Network<Double> {
        let shape = shapes[index]
        var generator = Xoshiro256(seed: seed)
        var fanIn = d
        var weights: [[Double]] = [], biases: [[Double]] = []
        let widths = shape.widths + [shape.outputs]
        for width in widths {
            weights.append((0..<(width * fanIn)).map { _ in generator.normal() / Double(fanIn).squareRoot() })
            biases.append((0..<width).map { _ in generator.normal() * 0.3 })
            fanIn = width
        }
        let architecture = try Architecture(name: "t", input: ModelInput(name: "x", dimension: d), widths: widths,
                                            activations: shape.activations)
        return try Network(architecture: architecture, weights: weights, biases: biases)
    }

    @Test(arguments: Array(0..<7), [0, 1, 2, 3, 5])
    func batchMatchesTheGenericEvaluatorAtEveryPoint(shape: Int, order: Int) throws {
        let d = 3
        let network = try Self.network(shape, input: d, seed: UInt64(40 + shape))
        let points = Self.points(4, dimension: d, seed: UInt64(order))
        let plan = try ExpansionPlan(network, order: order)
        let batch = try plan.numeric(points: points.flatMap { $0 }, count: points.count)
        #expect(batch.pointCount == 4)
        for (p, point) in points.enumerated() {
            let reference = try Expander.expandGeneric(try network.at(point), order: order)
            for difference in maxRelativeDifference(batch.expansion(at: p), reference) { #expect(difference < 1e-12, "\(Self.shapes[shape].name)") }
            let single = try plan.numeric(at: point)
            for difference in maxRelativeDifference(single, batch.expansion(at: p)) { #expect(difference < 1e-13) }
        }
    }

    @Test func wideInputsAndHighOrdersMatchTheGenericEvaluator() throws {
        let network = try Self.network(1, input: 6, seed: 3)
        let reference = try Expander.expandGeneric(network, order: 6)
        let fast = try Expander.expand(network, order: 6)
        for difference in maxRelativeDifference(fast, reference) { #expect(difference < 1e-11) }
    }

    @Test func repeatedCallsReuseTheWorkspaceAndAgree() throws {
        let network = try Self.network(1, input: 4, seed: 8)
        let plan = try ExpansionPlan(network, order: 4)
        let first = try plan.numeric(at: [0.1, 0.2, 0.3, 0.4])
        _ = try plan.numeric(points: Self.points(9, dimension: 4, seed: 1).flatMap { $0 }, count: 9)
        let again = try plan.numeric(at: [0.1, 0.2, 0.3, 0.4])
        #expect(first.values.map(\.bitPattern) == again.values.map(\.bitPattern))
    }

    // MARK: Hessian functionals

    @Test(arguments: Array(0..<7))
    func reducedQuantitiesMatchTheFullExpansion(shape: Int) throws {
        let d = 4
        let network = try Self.network(shape, input: d, seed: UInt64(70 + shape))
        let points = Self.points(5, dimension: d, seed: 2)
        let operatorMatrix = (0..<(d * d)).map { Double(($0 * 7) % 5) - 2 }
        let plan = try ExpansionPlan(network, order: 2)
        for reduction in [HessianReduction.laplacian, .diagonal, .weighted(operatorMatrix)] {
            let batch = try plan.reduce(reduction, points: points.flatMap { $0 }, count: points.count)
            for (p, point) in points.enumerated() {
                let full = try Expander.expandGeneric(try network.at(point), order: 2)
                for o in 0..<network.outputCount {
                    let expected = reduction.reduce(full, output: o)
                    let scale = max(expected.map(abs).max() ?? 0, 1e-3)
                    for k in expected.indices {
                        let got = batch.values[(p * network.outputCount + o) * batch.width + k]
                        #expect(abs(got - expected[k]) <= 1e-12 * scale, "\(Self.shapes[shape].name) \(reduction.name)")
                    }
                    #expect(abs(batch.outputsAtPoints[p * network.outputCount + o] - full.coefficient(output: o, position: 0)) <= 1e-13)
                }
            }
        }
    }

    /// f = sum_j a_j sin(w_j . x + b_j): Laplacian = -sum_j a_j |w_j|^2 sin(w_j . x + b_j).
    @Test func laplacianOfASineLayerHasTheClosedForm() throws {
        let d = 3, width = 5
        var generator = Xoshiro256(seed: 12)
        let w = (0..<(width * d)).map { _ in generator.normal() }
        let b = (0..<width).map { _ in generator.normal() }
        let a = (0..<width).map { _ in generator.normal() }
        let architecture = try Architecture(name: "s", input: ModelInput(name: "x", dimension: d), widths: [width, 1],
                                            activations: [.sin, .linear])
        let network = try Network(architecture: architecture, weights: [w, a], biases: [b, [0]])
        let points = Self.points(6, dimension: d, seed: 5)
        let batch = try ExpansionPlan(network, order: 2).reduce(.laplacian, points: points.flatMap { $0 }, count: points.count)
        let diagonal = try ExpansionPlan(network, order: 2).reduce(.diagonal, points: points.flatMap { $0 }, count: points.count)
        for (p, x) in points.enumerated() {
            var expected = 0.0, expectedDiagonal = [Double](repeating: 0, count: d)
            for j in 0..<width {
                let row = Array(w[(j * d)..<((j + 1) * d)])
                let s = sin(zip(row, x).map(*).reduce(0, +) + b[j])
                expected -= a[j] * row.map { $0 * $0 }.reduce(0, +) * s
                for i in 0..<d { expectedDiagonal[i] -= a[j] * row[i] * row[i] * s }
            }
            #expect(abs(batch.values[p] - expected) <= 1e-13 * max(abs(expected), 1))
            for i in 0..<d { #expect(abs(diagonal.values[p * d + i] - expectedDiagonal[i]) <= 1e-13 * max(abs(expectedDiagonal[i]), 1)) }
        }
    }

    /// Polynomial activations keep everything rational: the exact functional equals the exact Hessian's, and the
    /// numeric one agrees with it.
    @Test func reducedQuantitiesAreExactForPolynomialActivations() throws {
        let model = TestNetworks.random(input: 3, widths: [3, 4, 2],
                                        activations: [.poly([0, 1, Rational(-1, 2), Rational(1, 5)]), .square, .linear], seed: 4)
        let points: [[Rational]] = [[Rational(1, 2), -1, Rational(1, 3)], [0, Rational(2, 5), -2]]
        let matrix: [Double] = [1, 0.5, 0, 0.5, 2, -1, 0, -1, 0.25]
        for reduction in [HessianReduction.laplacian, .diagonal, .weighted(matrix)] {
            let exact = try Expander.reduce(model, reduction, points: points, mode: .exact)
            #expect(exact.mode == .exact)
            guard case .exact(let values) = exact.values else { Issue.record("not exact"); continue }
            var expected: [Rational] = []
            for point in points {
                let full = try #require(try Expander.expand(try model.at(point), order: 2, mode: .exact).exact)
                for o in 0..<2 { expected += reduction.reduce(full, output: o) }
            }
            #expect(values == expected)
            let numeric = try Expander.reduce(model, reduction, points: points, mode: .numeric)
            for (x, y) in zip(numeric.values.doubles, expected) { #expect(abs(x - y.doubleValue) <= 1e-12 * max(abs(y.doubleValue), 1)) }
        }
    }

    // MARK: Directional series

    @Test func seriesAlongALineIsTheExpansionContractedWithTheDirection() throws {
        let network = try Self.network(1, input: 3, seed: 21)
        let point = [0.3, -0.1, 0.5], v = [0.7, -0.2, 0.4]
        let full = try Expander.expandGeneric(try network.at(point), order: 5)
        let line = try Expander.expand(try DirectionalSeries.line(try network.at(point), direction: v), order: 5)
        for o in 0..<network.outputCount {
            for k in 0...5 {
                let expected = full.termValues(order: k, output: o, rows: v)[0]
                #expect(abs(line.coefficient(output: o, position: k) - expected) <= 1e-12 * max(abs(expected), 1))
            }
        }
    }

    /// tanh(a + b t) has its nearest poles at |t| = sqrt(a^2 + pi^2/4) / |b|: the radius of one tanh layer is the
    /// smallest of these over the neurons.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func radiusOfOneTanhLayerIsExact(seed: UInt64) throws {
        let d = 3, width = 4
        var generator = Xoshiro256(seed: seed)
        let w = (0..<(width * d)).map { _ in generator.normal() }
        let c = (0..<width).map { _ in generator.normal() }
        let out = (0..<width).map { _ in generator.normal() }
        let x0 = (0..<d).map { _ in generator.normal() * 0.5 }, v = (0..<d).map { _ in generator.normal() }
        let architecture = try Architecture(name: "r", input: ModelInput(name: "x", dimension: d), widths: [width, 1],
                                            activations: [.tanh, .linear])
        let network = try Network(architecture: architecture, weights: [w, out], biases: [c, [0]], point: x0)
        var expected = Double.infinity
        for j in 0..<width {
            let a = (0..<d).map { w[j * d + $0] * x0[$0] }.reduce(0, +) + c[j]
            let b = (0..<d).map { w[j * d + $0] * v[$0] }.reduce(0, +)
            expected = min(expected, (a * a + Double.pi * Double.pi / 4).squareRoot() / abs(b))
        }
        let series = try Expander.series(Model(network), direction: v.map { Rational($0) }, order: 48,
                                         points: [x0.map { Rational($0) }], mode: .numeric)
        let radius = series.radii[0]
        let pade = try #require(radius.pade), ratio = try #require(radius.ratio)
        #expect(abs(pade - expected) <= 1e-4 * expected, "Pade \(pade) vs \(expected)")
        #expect(abs(ratio - expected) <= 0.05 * expected, "ratio \(ratio) vs \(expected)")
    }

    @Test func polynomialSeriesConvergeEverywhere() throws {
        let model = TestNetworks.random(input: 2, widths: [3, 1], activations: [.square, .linear], seed: 2)
        let series = try Expander.series(model, direction: [1, Rational(1, 2)], order: 12, points: [[0, 1]], mode: .exact)
        #expect(series.mode == .exact)
        #expect(series.radii[0] == RadiusEstimate(ratio: .infinity, pade: .infinity))
    }
}
