// The network as nothing but forward passes: the function `nnfeyn check` differentiates by its own means. It shares
// no code with the Taylor engine (no derivative rules, no Taylor arithmetic, no product table): only activation
// *values*, in MPFR (correctly rounded tanh, exp, erf, ...) or exactly in rationals where every activation is a
// polynomial.
//
// relu is replaced by its local linear form: at the point each relu neuron is either active (z > 0, identity) or
// not (z < 0, zero), and on the neighbourhood where no pre-activation changes sign the network *is* that form, so
// derivatives of all orders at the point agree and no stencil can cross a kink. The signs come from an exact
// forward pass while every earlier layer is polynomial, and from a 2048-bit one after the first transcendental
// layer; a pre-activation that is 0 (exactly, or to 1800 bits) is a kink: no derivative exists there.
import NNFeynAlgebra
import NNFeynModel

/// A network evaluated by plain forward passes, exactly or in MPFR, with relu in its local linear form.
struct ReferenceFunction: Sendable {
    /// The model's exact parameters and point.
    let network: Network<Rational>
    /// relu layers: whether each neuron is active (z > 0) at the point; nil for other activations.
    let active: [[Bool]?]
    /// The total degree of the network as a polynomial in x (the product of the layer degrees), nil if it is not
    /// one, saturating at Int.max.
    let polynomialDegree: Int?

    var inputDimension: Int { network.inputDimension }
    var outputCount: Int { network.outputCount }
    var point: [Rational] { network.point }
    var layers: [LayerShape] { network.layers }

    /// The network's weights, biases and poly coefficients at one precision.
    struct Converted: Sendable {
        let precision: Int
        let weights: [[BigFloat]]
        let biases: [[BigFloat]]
        /// poly coefficients per layer (empty for other activations).
        let polynomials: [[BigFloat]]
    }

    /// Prepares `model`; throws `.reluKink` for a relu neuron on its kink.
    init(_ model: Model) throws(EvaluationError) {
        network = try Expander.converted(model, as: Rational.self)
        var exact: [Rational]? = network.point
        var approximate = network.point.map { BigFloat($0, precision: 2048) }
        var active: [[Bool]?] = []
        var degree: Int? = 1
        for (l, layer) in network.layers.enumerated() {
            let weight = network.weights[l], bias = network.biases[l]
            var signs: [Bool]? = layer.activation == .relu ? [] : nil
            let layerDegree = ReferenceFunction.degree(of: layer.activation)
            var nextExact: [Rational]? = exact != nil && layerDegree != nil ? [] : nil
            var nextApproximate: [BigFloat] = []
            for i in 0..<layer.width {
                var z = bias[i]
                var y = BigFloat(bias[i], precision: 2048)
                for j in 0..<layer.fanIn {
                    if let e = exact { z.addProduct(weight[i * layer.fanIn + j], e[j]) }
                    y.addProduct(BigFloat(weight[i * layer.fanIn + j], precision: 2048), approximate[j])
                }
                if signs != nil {
                    let positive: Bool
                    if exact != nil {
                        guard !z.isZero else { throw .reluKink(layer: l, neuron: i) }
                        positive = z.sign > 0
                    } else {
                        guard let e = y.binaryExponent, e > -1800 else { throw .reluKink(layer: l, neuron: i) }
                        positive = y.sign > 0
                    }
                    signs?.append(positive)
                }
                nextExact?.append(ReferenceFunction.exactValue(layer.activation, at: z, active: signs?.last))
                nextApproximate.append(signs.map { $0.last == true ? y : BigFloat(0, precision: 2048) }
                                           ?? BigFloat.activationValue(layer.activation, at: y))
            }
            if let d = degree, let ld = layerDegree {
                let (product, overflow) = d.multipliedReportingOverflow(by: ld)
                degree = overflow ? .max : product
            } else {
                degree = nil
            }
            exact = nextExact
            approximate = nextApproximate
            active.append(signs)
        }
        self.active = active
        polynomialDegree = degree
    }

    /// The degree of an activation as a polynomial (relu in its local form counts 1), nil if it is none.
    static func degree(of activation: Activation) -> Int? {
        switch activation {
        case .linear, .relu: return 1
        case .square: return 2
        case .poly(let c): return max(c.lastIndex(where: { !$0.isZero }) ?? 0, 0)
        default: return nil
        }
    }

    /// sigma(z) exactly for polynomial activations and relu in its local form (never called for others).
    static func exactValue(_ activation: Activation, at z: Rational, active: Bool?) -> Rational {
        switch activation {
        case .linear: return z
        case .square: return z * z
        case .relu: return active == true ? z : .zero
        case .poly(let c):
            var result = Rational.zero
            for coefficient in c.reversed() { result = result * z + coefficient }
            return result
        default: return .zero
        }
    }

    /// The weights, biases and poly coefficients rounded to `precision` bits.
    func converted(precision: Int) -> Converted {
        Converted(precision: precision,
                  weights: network.weights.map { $0.map { BigFloat($0, precision: precision) } },
                  biases: network.biases.map { $0.map { BigFloat($0, precision: precision) } },
                  polynomials: layers.map { layer in
                      if case .poly(let c) = layer.activation { return c.map { BigFloat($0, precision: precision) } }
                      return []
                  })
    }

    /// The outputs at x (coordinates at any precision; arithmetic at the converted precision), and a magnitude
    /// per output, sum_j |W_oj a_j| + |b_o| of the last layer, that bounds the values the rounding is relative to.
    func evaluate(_ x: [BigFloat], _ c: Converted) -> (values: [BigFloat], magnitudes: [BigFloat]) {
        var a = x
        var magnitudes: [BigFloat] = []
        for (l, layer) in layers.enumerated() {
            var next: [BigFloat] = []
            next.reserveCapacity(layer.width)
            let last = l == layers.count - 1
            for i in 0..<layer.width {
                var z = c.biases[l][i]
                var size = c.biases[l][i].magnitude
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn {
                    z.addProduct(c.weights[l][row + j], a[j])
                    if last { size.addProduct(c.weights[l][row + j].magnitude, a[j].magnitude) }
                }
                if last { magnitudes.append(size) }
                switch layer.activation {
                case .relu:
                    next.append(active[l]?[i] == true ? z : BigFloat(0, precision: c.precision))
                case .poly:
                    var result = BigFloat(0, precision: c.precision)
                    for coefficient in c.polynomials[l].reversed() { result = result * z + coefficient }
                    next.append(result)
                default:
                    next.append(BigFloat.activationValue(layer.activation, at: z))
                }
            }
            a = next
        }
        if layers.isEmpty { magnitudes = a.map(\.magnitude) }
        return (a, magnitudes)
    }

    /// The outputs at x exactly; only for networks with a `polynomialDegree`.
    func evaluate(exact x: [Rational]) -> [Rational] {
        var a = x
        for (l, layer) in layers.enumerated() {
            let weight = network.weights[l], bias = network.biases[l]
            var next: [Rational] = []
            next.reserveCapacity(layer.width)
            for i in 0..<layer.width {
                var z = bias[i]
                let row = i * layer.fanIn
                for j in 0..<layer.fanIn { z.addProduct(weight[row + j], a[j]) }
                next.append(ReferenceFunction.exactValue(layer.activation, at: z, active: active[l]?[i]))
            }
            a = next
        }
        return a
    }
}
