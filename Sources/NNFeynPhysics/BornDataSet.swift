// Data sets of random attractive potentials with their exact scattering lengths and first three Born terms, for
// training networks that learn a0(U). Deterministic for a seed: one xoshiro256** stream, drawn in a fixed order.
import Foundation
import NNFeynAlgebra
import NNFeynDiagnostics

/// Which random potentials a data set holds.
public enum PotentialFamily: String, Sendable, CaseIterable {
    /// U_i = -lambda u_i with u_i ~ Uniform(0, 1) independently, lambda ~ Uniform(0, depth) per potential.
    case steps
    /// A Gaussian well -lambda exp(-(r - c)^2 / (2 w^2)) sampled at the step midpoints, c ~ Uniform(0, R),
    /// w ~ Uniform(R/20, R/2), lambda ~ Uniform(0, depth).
    case gaussian
}

/// The parameters of a generated data set.
public struct BornDataOptions: Sendable, Equatable {
    /// Number of equal steps n.
    public var steps: Int
    /// The range R: steps cover [0, R].
    public var range: Double
    /// The largest lambda (overall depth scale).
    public var depth: Double
    /// Number of potentials.
    public var count: Int
    /// The generator's seed.
    public var seed: UInt64
    /// Which potentials to draw.
    public var family: PotentialFamily

    /// Options with the defaults of `nnfeyn born data`.
    public init(steps: Int = 16, range: Double = 1, depth: Double = 1, count: Int = 50_000, seed: UInt64 = 1,
                family: PotentialFamily = .steps) {
        self.steps = steps
        self.range = range
        self.depth = depth
        self.count = count
        self.seed = seed
        self.family = family
    }

    /// Checks the options; the error says which one is wrong and why.
    public func validate() throws(BornDataError) {
        guard steps >= 1, steps <= 4096 else { throw .invalid("--steps must be between 1 and 4096 (got \(steps))") }
        guard count >= 1, count <= 100_000_000 else {
            throw .invalid("--count must be between 1 and 100000000 (got \(count))")
        }
        guard count * steps <= 1 << 31 else {
            throw .invalid("--count times --steps must be at most 2^31 (got \(count) x \(steps))")
        }
        guard range.isFinite, range > 0 else { throw .invalid("--range must be a positive number (got \(range))") }
        guard depth.isFinite, depth >= 0 else { throw .invalid("--depth must be a finite number >= 0 (got \(depth))") }
    }

    /// A warning when the deepest allowed potential binds a state at zero energy (depth R^2 >= pi^2/4 for the
    /// square well, the deepest member of both families), where a0 has a pole and the Born series diverges.
    public var boundStateWarning: String? {
        let threshold = Double.pi * Double.pi / 4
        guard depth * range * range >= threshold else { return nil }
        return "depth * range^2 = \(depth * range * range) reaches pi^2/4 = \(threshold): the deepest potentials bind "
            + "a zero-energy state, so a0 can be huge and the Born series diverges there"
    }
}

/// An invalid data-set request.
public enum BornDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An option is out of range (the message names it).
    case invalid(String)
    /// The message, lowercase and standalone.
    public var description: String {
        switch self { case .invalid(let message): message }
    }
}

/// Random potentials with their exact a0 and Born terms a1, a2, a3.
public struct BornDataSet: Sendable {
    /// The options it was generated with.
    public var options: BornDataOptions
    /// The step edges r_0 ... r_n.
    public var edges: [Double]
    /// The potentials, count x steps row-major.
    public var potentials: [Double]
    /// The depth scale lambda of each potential.
    public var lambda: [Double]
    /// Exact scattering lengths.
    public var a0: [Double]
    /// Born terms of orders 1, 2, 3.
    public var a1: [Double], a2: [Double], a3: [Double]

    /// Generates the data set (validating the options first).
    public init(options: BornDataOptions) throws(BornDataError) {
        try options.validate()
        self.options = options
        let n = options.steps, count = options.count, R = options.range
        let edges = StepPotential.equalEdges(steps: n, range: R)
        self.edges = edges
        var rng = Xoshiro256(seed: options.seed)
        var U = [Double](repeating: 0, count: count * n)
        var lambda = [Double](repeating: 0, count: count)
        var a0 = [Double](repeating: 0, count: count)
        var a1 = a0, a2 = a0, a3 = a0
        let midpoints = (0..<n).map { (edges[$0] + edges[$0 + 1]) / 2 }
        edges.withUnsafeBufferPointer { edgeBuffer in
            U.withUnsafeMutableBufferPointer { UBuffer in
                let e = edgeBuffer.baseAddress!
                for row in 0..<count {
                    let u = UBuffer.baseAddress! + row * n
                    let depth = rng.uniform(0, options.depth)
                    lambda[row] = depth
                    switch options.family {
                    case .steps:
                        for i in 0..<n { u[i] = -depth * rng.uniform() }
                    case .gaussian:
                        let center = rng.uniform(0, R)
                        let width = rng.uniform(R / 20, R / 2)
                        for i in 0..<n {
                            let x = (midpoints[i] - center) / width
                            u[i] = -depth * Foundation.exp(-0.5 * x * x)
                        }
                    }
                    a0[row] = ScatteringLength.exact(values: u, edges: e, steps: n)
                    let terms = BornSeries.terms(values: u, edges: e, steps: n)
                    a1[row] = terms.a1
                    a2[row] = terms.a2
                    a3[row] = terms.a3
                }
            }
        }
        potentials = U
        self.lambda = lambda
        self.a0 = a0
        self.a1 = a1
        self.a2 = a2
        self.a3 = a3
    }

    /// Recomputes a0 and the Born terms a1, a2, a3 of every row from `potentials`, after the caller changed them.
    public mutating func recomputeScatteringLengths() {
        let n = options.steps
        edges.withUnsafeBufferPointer { edges in
            potentials.withUnsafeBufferPointer { U in
                for row in 0..<a0.count {
                    let u = U.baseAddress! + row * n
                    a0[row] = ScatteringLength.exact(values: u, edges: edges.baseAddress!, steps: n)
                    let terms = BornSeries.terms(values: u, edges: edges.baseAddress!, steps: n)
                    a1[row] = terms.a1
                    a2[row] = terms.a2
                    a3[row] = terms.a3
                }
            }
        }
    }

    /// The arrays to save, in order: `U` (count x steps), `a0`, `a1`, `a2`, `a3`, `lambda` (count), `edges` (steps+1).
    public var arrays: [(name: String, shape: [Int], values: [Double])] {
        [("U", [options.count, options.steps], potentials), ("a0", [a0.count], a0), ("a1", [a1.count], a1),
         ("a2", [a2.count], a2), ("a3", [a3.count], a3), ("lambda", [lambda.count], lambda), ("edges", [edges.count], edges)]
    }
}

extension BornDataError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(code: .usage, message: description)] }
}
