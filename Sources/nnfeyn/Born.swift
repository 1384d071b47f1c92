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
        subcommands: [BornData.self, BornKernelsCommand.self, BornIterate.self])
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

/// `nnfeyn born kernels`: the derivatives of a0 at U = 0 of orders 1, 2, 3.
struct BornKernelsCommand: ParsableCommand, StyledCommand {
    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Print d a0/dU_i, d^2 a0/dU_i dU_j and d^3 a0/dU_i dU_j dU_k at U = 0 for equal steps.",
        discussion: "These are derivatives, not Taylor coefficients: a_k = (1/k!) sum kernel_{i..} U_i ... .")

    @Option(parsing: .unconditional, help: "Number of equal steps on [0, range].") var steps = 16
    @Option(parsing: .unconditional, help: "The range R.") var range = 1.0
    @Option(help: "json (keys first, second, third; nested arrays) or text.") var format: Format = .json
    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        guard steps >= 1, steps <= 256 else { throw ValidationError("--steps must be between 1 and 256 (got \(steps))") }
        guard range.isFinite, range > 0 else { throw ValidationError("--range must be a positive number (got \(range))") }
        let kernels = BornKernels(steps: steps, range: range)
        print(format == .json ? kernels.json : kernels.text, terminator: "")
    }
}
