// Neural-network field theory (Halverson, Maiti, Stoner, arXiv:2008.08601): an ensemble of randomly initialised
// networks is a statistical field theory. This file says what the ensemble is; the rest of QFT/ computes with it.
//
// The architecture (one scalar output, d_in inputs, L hidden layers of width N):
//   z_1 = W_0 x + b_0,   W_0 ~ N(0, sw^2/d_in),  b_0 ~ N(0, sb^2)
//   z_l = W_{l-1} a_{l-1} + b_{l-1} (l = 2..L),   W ~ N(0, sw^2/N),  b ~ N(0, sb^2)
//   f   = W_L a_L + b_L,  W_L ~ N(0, sw^2/N),  b_L ~ N(0, sb^2),   a_l = act(z_l)
// Erf-net: act = erf. ReLU-net: act = relu, sb = 0 by default. Gauss-net (one hidden layer only):
// act_x(z) = exp(z) / sqrt(exp(2 Var z(x))) = exp(z - Var z(x)) with Var z(x) = sb^2 + sw^2 |x|^2 / d_in, a
// normalisation that depends on the input (the reference code divides sb^2 by d_in too, wrong for d_in > 1).

import NNFeynDiagnostics

/// The activation of an NN-QFT ensemble.
public enum QFTActivation: String, Sendable, CaseIterable, Codable {
    case erf
    case relu
    case gauss

    /// The name in reports and figures.
    public var displayName: String {
        switch self {
        case .erf: "Erf-net"
        case .relu: "ReLU-net"
        case .gauss: "Gauss-net"
        }
    }

    /// The published bias scale: 1, except the ReLU-net, whose bias is 0.
    public var defaultSb: Double { self == .relu ? 0 : 1 }

    /// The published input points for d_in = 1: Erf {-1, -0.6, -0.2, 0.2, 0.6, 1}, Gauss-net 0.01 times those,
    /// ReLU {0.2, 0.4, ..., 1.2}. For d_in > 1 the reference's sets: the corners of [-1, 1]^2 (ReLU [0.5, 1]^2,
    /// Gauss-net 0.01 times), and four points in 3 dimensions.
    public func defaultPoints(dIn: Int) -> [[Double]]? {
        switch dIn {
        case 1:
            let symmetric = [-1.0, -0.6, -0.2, 0.2, 0.6, 1.0]
            switch self {
            case .erf: return symmetric.map { [$0] }
            case .gauss: return symmetric.map { [0.01 * $0] }
            case .relu: return [0.2, 0.4, 0.6, 0.8, 1.0, 1.2].map { [$0] }
            }
        case 2:
            let values = self == .relu ? [0.5, 1.0] : [-1.0, 1.0]
            let scale = self == .gauss ? 0.01 : 1
            return values.flatMap { a in values.map { b in [scale * a, scale * b] } }
        case 3:
            if self == .relu { return [[0.2, 0.2, 0.2], [1, 1, 0.2], [0.2, 1, 1], [1, 0.2, 1]] }
            let scale = self == .gauss ? 0.01 : 1
            return [[-1, -1, -1], [1, 1, -1], [-1, 1, 1], [1, -1, 1]].map { $0.map { scale * $0 } }
        default:
            return nil
        }
    }

    /// The width the reference treats as "non-Gaussian" for couplings and the six-point prediction.
    public var interactingWidth: Int {
        switch self {
        case .relu: 20
        case .erf: 5
        case .gauss: 100
        }
    }
}

/// The published widths.
public let qftDefaultWidths = [2, 3, 4, 5, 10, 20, 50, 100, 500, 1000]

/// Why an ensemble, a request or a computation failed, with the diagnostic code the CLI reports it under:
/// E0108 (invalid arguments, the default), E0506 (accumulators that cannot be merged), E0403 (non-finite values).
public struct QFTError: Error, Sendable, Equatable, CustomStringConvertible, DiagnosticConvertible {
    public var message: String
    public var code: DiagnosticCode
    public init(_ message: String, code: DiagnosticCode = .usage) {
        self.message = message
        self.code = code
    }
    public var description: String { message }
    public var diagnostics: [Diagnostic] { [Diagnostic(code: code, message: message)] }
}

/// The distribution of networks: architecture and initialisation scales.
public struct QFTEnsemble: Sendable, Equatable, Codable {
    public var activation: QFTActivation
    public var dIn: Int
    public var sw: Double
    public var sb: Double
    /// Hidden layers (1 = the published single hidden layer).
    public var depth: Int

    public init(activation: QFTActivation, dIn: Int = 1, sw: Double = 1, sb: Double? = nil, depth: Int = 1) {
        self.activation = activation
        self.dIn = dIn
        self.sw = sw
        self.sb = sb ?? activation.defaultSb
        self.depth = depth
    }

    enum CodingKeys: String, CodingKey {
        case activation
        case dIn = "d_in"
        case sw, sb, depth
    }

    public func validate() throws(QFTError) {
        guard dIn >= 1, dIn <= 64 else { throw QFTError("--d-in must be between 1 and 64 (got \(dIn))") }
        guard sw.isFinite, sw > 0 else { throw QFTError("--sw must be a positive number (got \(sw))") }
        guard sb.isFinite, sb >= 0 else { throw QFTError("--sb must be a number >= 0 (got \(sb))") }
        guard depth >= 1, depth <= 8 else { throw QFTError("--depth must be between 1 and 8 hidden layers (got \(depth))") }
        if activation == .gauss, depth != 1 {
            throw QFTError("the Gauss-net has one hidden layer (its normalisation is defined by the input); use --depth 1")
        }
    }

    /// C(x, x') = sb^2 + sw^2 x.x'/d_in, the covariance of a first-layer pre-activation.
    public func inputCovariance(_ x: [Double], _ y: [Double]) -> Double {
        var dot = 0.0
        for i in 0..<min(x.count, y.count) { dot += x[i] * y[i] }
        return sb * sb + sw * sw * dot / Double(dIn)
    }
}
