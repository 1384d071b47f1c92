import NNFeynAlgebra
import NNFeynEval
import NNFeynLanguage

/// Small networks built directly (the parser lives in another target).
enum TestNetworks {
    /// A network from layer specs: weights as rows of rationals.
    static func network(input d: Int, point: [Rational]? = nil,
                        layers: [(activation: Activation, weight: [[Rational]], bias: [Rational])]) -> Network {
        var fanIn = d
        var built: [Layer] = []
        for (l, spec) in layers.enumerated() {
            built.append(Layer(name: "l\(l)", width: spec.weight.count, fanIn: fanIn, activation: spec.activation,
                               weight: spec.weight, bias: spec.bias))
            fanIn = spec.weight.count
        }
        return Network(name: "test", input: InputSpec(name: "x", dimension: d), layers: built,
                       point: point ?? [Rational](repeating: 0, count: d))
    }

    /// A random network with small rational weights (p/q, |p| <= 6, q in 1...4), seeded.
    static func random(input d: Int, widths: [Int], activations: [Activation], seed: UInt64,
                       point: [Rational]? = nil, zeroBias: Bool = false) -> Network {
        var generator = SplitMix64(seed: seed)
        func small() -> Rational {
            let p = Int(generator.next() % 13) - 6
            let q = Int(generator.next() % 4) + 1
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
        return network(input: d, point: x0, layers: layers)
    }

    /// A random network with double weights ~ N(0, 1/fanIn) stored as exact binary fractions.
    static func randomDouble(input d: Int, widths: [Int], activation: Activation, seed: UInt64, point: [Double]) -> Network {
        ExpansionBenchmark.randomNetwork(input: d, widths: widths, outputs: 1, activation: activation, seed: seed, point: point)
    }
}

/// max |a - b| over entries of one order, relative to the largest |b| of that order (floored at 1e-300).
func maxRelativeDifference(_ a: TaylorExpansion<Double>, _ b: TaylorExpansion<Double>) -> [Double] {
    (0...b.order).map { k in
        var scale = 1e-300, difference = 0.0
        for o in 0..<b.outputCount {
            for p in b.basis.range(ofDegree: k) {
                scale = max(scale, abs(b.coefficients[o][p]))
                difference = max(difference, abs(a.coefficients[o][p] - b.coefficients[o][p]))
            }
        }
        return difference / scale
    }
}
