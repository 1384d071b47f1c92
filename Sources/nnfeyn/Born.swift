// `nnfeyn born`: scattering-length data sets and the Born kernels. Argument handling, files and printing only; the
// physics is in NNFeynPhysics.
import ArgumentParser
import Foundation
import NNFeynAlgebra
import NNFeynIO
import NNFeynNPZ
import NNFeynPhysics

/// `nnfeyn born`: the Born series of the s-wave scattering length.
struct Born: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scattering lengths of step potentials and their Born series (units 2mu = hbar = 1).",
        subcommands: [BornData.self, BornKernelsCommand.self, BornIterate.self, BornDepthSweepCommand.self])
}

extension PotentialFamily: ExpressibleByArgument {}

/// `nnfeyn born data`: random attractive potentials with exact a0 and Born terms, as .npz.
struct BornData: ParsableCommand, StyledCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Write random attractive potentials with their exact a0 and Born terms a1, a2, a3 to an .npz.",
        discussion: "Arrays: U (count x steps), a0, a1, a2, a3, lambda (count), edges (steps + 1).")

    @Option(parsing: .unconditional, help: "Number of equal steps on [0, range].") var steps = 16
    @Option(parsing: .unconditional, help: "The range R of the potentials.") var range = 1.0
    @Option(parsing: .unconditional, help: "Largest depth scale lambda (lambda ~ Uniform(0, depth)).") var depth = 1.0
    @Option(parsing: .unconditional, help: "Number of potentials.") var count = 50_000
    @Option(parsing: .unconditional, help: "Seed of the random generator.") var seed: UInt64 = 1
    @Option(help: "steps: U_i = -lambda u_i, u_i ~ Uniform(0,1); gaussian: random Gaussian wells at step midpoints.")
    var family: PotentialFamily = .steps
    @Option(name: [.short, .customLong("output")], help: "The .npz to write.") var output: String
    @OptionGroup var diagnostics: DiagnosticOptions

    var options: BornDataOptions {
        BornDataOptions(steps: steps, range: range, depth: depth, count: count, seed: seed, family: family)
    }

    func run() throws {
        try options.validate()
        try Files.checkWritable(output)
        if let warning = options.boundStateWarning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let data = try BornDataSet(options: options)
        var archive = NPZArchive()
        for array in data.arrays { archive.set(array.name, DenseArray(shape: array.shape, .float64(array.values))) }
        try Files.write(archive.encoded(), to: output)
        let (lo, hi) = (data.a0.min()!, data.a0.max()!)
        print("wrote \(output): \(count) potentials x \(steps) steps (\(family.rawValue)), a0 in [\(lo), \(hi)]")
    }
}

/// `nnfeyn born kernels`: the derivatives of a0 at U = 0, orders 1 to K.
struct BornKernelsCommand: ParsableCommand, StyledCommand {
    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Print the derivatives of a0 at U = 0 of orders 1 to K (default 3) for equal steps.",
        discussion: """
            These are derivatives, not Taylor coefficients: a_k = (1/k!) sum kernel_{i..} U_i ... .

            With --order 3 (the default) and no --exact: json has keys first, second, third with nested arrays \
            (n, n x n, n x n x n; every index permutation written out); text lists each independent entry once, \
            1-based.

            Any other order, or --exact, stores each order symmetrically, one value per non-decreasing index list: \
            json is {"convention": "derivative", "edges": [...], "order": K, "orders": [{"order": k, "entries": \
            [{"index": [i, j, ...], "value": v}, ...]}, ...], "schema": "nnfeyn.born.kernels/2", "steps": n} with \
            0-based indices in graded lexicographic order (order k has C(n+k-1, k) entries); text has an 'order k' \
            header per order and 1-based indices. Doubles are JSON numbers that read back to the same value; with \
            --exact every value (and edge) is an exact rational string "p/q" computed in GMP arithmetic.

            The running polynomials hold sum_k C(n+k-1, k) (2k+2) numbers; requests above --limit are refused.
            """)

    @Option(parsing: .unconditional, help: "Number of equal steps on [0, range].") var steps = 16
    @Option(parsing: .unconditional, help: "The range R (a decimal or a fraction such as 3/2).") var range = "1.0"
    @Option(parsing: .unconditional, help: "The highest order K.") var order = 3
    @Flag(help: "Exact rational arithmetic (GMP); values are strings \"p/q\".") var exact = false
    @Option(parsing: .unconditional, help: "Refuse when the running polynomials need more numbers than this.")
    var limit = BornTensors.defaultLimit
    @Option(help: "json or text (see below for the two layouts).") var format: Format = .json
    @OptionGroup var diagnostics: DiagnosticOptions

    /// The range as a double (as Swift reads it) and as an exact rational.
    var rangeValue: (double: Double, exact: Rational)? {
        guard range.count <= 1000, let exact = Rational(literal: range) else { return nil }
        return (Double(range) ?? exact.doubleValue, exact)
    }

    func run() throws {
        guard steps >= 1, steps <= 256 else { throw ValidationError("--steps must be between 1 and 256 (got \(steps))") }
        guard let value = rangeValue, value.double.isFinite, value.double > 0 else {
            throw ValidationError("--range must be a positive number (got \(range))")
        }
        guard order >= 1 else { throw ValidationError("--order must be at least 1 (got \(order))") }
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more (got \(limit))") }
        if order == 3 && !exact {
            // The nested-array layout of orders 1 to 3, byte for byte as before --order existed.
            let kernels = BornKernels(steps: steps, range: value.double)
            print(format == .json ? kernels.json : kernels.text, terminator: "")
        } else if exact {
            let edges = BornTensors.equalEdges(steps: steps, range: value.exact)
            let tensors = try BornTensors.expansion(edges: edges, order: order, limit: limit)
            print(format == .json ? BornTensors.json(tensors, edges: edges) : BornTensors.text(tensors), terminator: "")
        } else {
            let edges = StepPotential.equalEdges(steps: steps, range: value.double)
            let tensors = try BornTensors.expansion(edges: edges, order: order, limit: limit)
            print(format == .json ? BornTensors.json(tensors, edges: edges) : BornTensors.text(tensors), terminator: "")
        }
    }
}
