// Small networks built directly in code, seeded: the evaluators' tests must not depend on the parser.
import NNFeynAlgebra
import NNFeynModel

/// Networks for tests.
public enum TestNetworks {
    /// A model from layer specs: weights as rows of rationals; layers are named l0, l1, ...
    public static func model(input d: Int, point: [Rational]? = nil,
                             layers: [(activation: Activation, weight: [[Rational]], bias: [Rational])]) -> Model {
        var fanIn = d
        var shapes: [LayerShape] = []
        var parameters: [LayerParameters?] = []
        for (l, spec) in layers.enumerated() {
            shapes.append(LayerShape(name: "l\(l)", width: spec.weight.count, fanIn: fanIn, activation: spec.activation))
            parameters.append(LayerParameters(weight: ParameterArray(rationals: spec.weight.flatMap { $0 }),
                                              bias: ParameterArray(rationals: spec.bias)))
            fanIn = spec.weight.count
        }
        do {
            let architecture = try Architecture(name: "test", input: ModelInput(name: "x", dimension: d), layers: shapes)
            return try Model(architecture: architecture, parameters: parameters, point: point)
        } catch {
            preconditionFailure("test network: \(error)")
        }
    }

    /// A random model with small rational weights (p/(2q), |p| <= 6, q in 1...4), seeded.
    public static func random(input d: Int, widths: [Int], activations: [Activation], seed: UInt64,
                              point: [Rational]? = nil, zeroBias: Bool = false) -> Model {
        var generator = Xoshiro256(seed: seed)
        func small() -> Rational {
            let p = generator.index(below: 13) - 6
            let q = generator.index(below: 4) + 1
            return Rational(p, q * 2)
        }
        var fanIn = d
        var layers: [(activation: Activation, weight: [[Rational]], bias: [Rational])] = []
        for (width, activation) in zip(widths, activations) {
            let weight = (0..<width).map { _ in (0..<fanIn).map { _ in small() } }
            let bias = (0..<width).map { _ in zeroBias ? Rational.zero : small() }
            layers.append((activation, weight, bias))
            fanIn = width
        }
        let x0 = point ?? (0..<d).map { _ in small() }
        return model(input: d, point: x0, layers: layers)
    }

    /// A random model with double weights ~ N(0, 1/fanIn) and biases ~ N(0, 0.1^2) (as peers.py makes them),
    /// hidden layers `activation`, a linear output of `outputs` neurons.
    public static func randomDouble(input d: Int, widths: [Int], activation: Activation, seed: UInt64,
                                    point: [Double], outputs: Int = 1) -> Model {
        var generator = Xoshiro256(seed: seed)
        var fanIn = d
        var weights: [[Double]] = [], biases: [[Double]] = []
        let all = widths + [outputs]
        for width in all {
            let scale = 1 / Double(fanIn).squareRoot()
            weights.append((0..<width * fanIn).map { _ in generator.normal() * scale })
            biases.append((0..<width).map { _ in generator.normal() * 0.1 })
            fanIn = width
        }
        do {
            let architecture = try Architecture(name: "random", input: ModelInput(name: "x", dimension: d), widths: all,
                                                activations: widths.map { _ in activation } + [.linear])
            return Model(try Network(architecture: architecture, weights: weights, biases: biases, point: point))
        } catch {
            preconditionFailure("test network: \(error)")
        }
    }
}

/// max |a - b| over entries of one order, relative to the largest |b| of that order (floored at 1e-300).
public func maxRelativeDifference(_ a: TaylorExpansion<Double>, _ b: TaylorExpansion<Double>) -> [Double] {
    (0...b.order).map { k in
        var scale = 1e-300, difference = 0.0
        for o in 0..<b.outputCount {
            for p in b.basis.range(ofDegree: k) {
                scale = max(scale, abs(b.coefficient(output: o, position: p)))
                difference = max(difference, abs(a.coefficient(output: o, position: p) - b.coefficient(output: o, position: p)))
            }
        }
        return difference / scale
    }
}

extension TaylorExpansion {
    /// Every Taylor coefficient of one output, in basis order.
    public func coefficientRow(_ output: Int) -> [S] { positions.map { coefficient(output: output, position: $0) } }
}

/// Relative-or-absolute closeness: |x - y| <= tolerance * max(1, |x|, |y|).
public func nearlyEqual(_ x: Double, _ y: Double, _ tolerance: Double) -> Bool {
    abs(x - y) <= tolerance * Swift.max(1, abs(x), abs(y))
}
