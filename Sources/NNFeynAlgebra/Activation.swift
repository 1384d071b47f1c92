// The activation functions of the model language. Derivative rules live in ActivationRules.swift.

/// An activation function sigma applied elementwise to a layer's pre-activation z.
public enum Activation: Sendable, Equatable, Hashable {
    case linear
    case tanh
    case sigmoid
    case softplus
    case silu
    /// The exact erf form: z * Phi(z).
    case gelu
    /// The error function erf(z) = (2/sqrt(pi)) integral_0^z e^(-t^2) dt.
    case erf
    case sin
    case cos
    case exp
    case square
    case relu
    /// c0 + c1 z + c2 z^2 + ...
    case poly([Rational])

    /// Names of the activations without arguments, as written in the language.
    public static let simpleNames: [String: Activation] = [
        "linear": .linear, "tanh": .tanh, "sigmoid": .sigmoid, "softplus": .softplus, "silu": .silu,
        "gelu": .gelu, "erf": .erf, "sin": .sin, "cos": .cos, "exp": .exp, "square": .square, "relu": .relu,
    ]
    /// Every activation name the language knows, including `poly`.
    public static let allNames: [String] = simpleNames.keys.sorted() + ["poly"]

    /// The name as written in the language (without poly's coefficients).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .softplus: "softplus"
        case .silu: "silu"
        case .gelu: "gelu"
        case .erf: "erf"
        case .sin: "sin"
        case .cos: "cos"
        case .exp: "exp"
        case .square: "square"
        case .relu: "relu"
        case .poly: "poly"
        }
    }

    /// The source form, with poly's coefficients.
    public var sourceForm: String {
        if case .poly(let c) = self { return "poly(" + c.map(\.description).joined(separator: ", ") + ")" }
        return name
    }

    /// Whether the k-th derivative (k >= 2) is nonzero *as a function*: only such layers carry k-vertices.
    public func hasVertex(ofDegree k: Int) -> Bool {
        precondition(k >= 2)
        switch self {
        case .linear, .relu: return false
        case .square: return k == 2
        case .poly(let c):
            // d^k/dz^k of sum c_j z^j is nonzero iff some c_j with j >= k is nonzero.
            return c.indices.contains { $0 >= k && !c[$0].isZero }
        case .tanh, .sigmoid, .softplus, .silu, .gelu, .erf, .sin, .cos, .exp: return true
        }
    }

    /// The largest k with a nonzero k-th derivative, or nil when unbounded.
    public var maximumVertexDegree: Int? {
        switch self {
        case .linear, .relu: return 1
        case .square: return 2
        case .poly(let c): return c.lastIndex(where: { !$0.isZero }) ?? 0
        default: return nil
        }
    }
}
