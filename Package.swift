// swift-tools-version:6.0
// nnfeyn: Taylor expansions of multilayer perceptrons as Feynman-like diagrams.
// Targets follow the pipeline: language -> IR -> diagrams -> evaluation -> emission, with physics on the side.
import PackageDescription

let package = Package(
    name: "nnfeyn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nnfeyn", targets: ["nnfeyn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // C libraries from Debian, behind one-header shims.
        .systemLibrary(name: "CGMP", path: "Sources/CGMP", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),

        // Numbers: the Scalar protocol, exact GMP rationals, activation derivative rules, multi-indices.
        .target(name: "NNFeynAlgebra", dependencies: ["CGMP"]),
        // .npz archives (NumPy arrays in a zip), read and written.
        .target(name: "NNFeynNPZ", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Source text, diagnostics, lexer, parser, AST and lowering to the Network IR.
        .target(name: "NNFeynLanguage", dependencies: ["NNFeynAlgebra", "NNFeynNPZ"]),
        // Diagram model, enumeration, canonical ids, multiplicities, counts, formulas.
        .target(name: "NNFeynDiagrams", dependencies: ["NNFeynAlgebra", "NNFeynLanguage"]),
        // Evaluators (fused, per diagram), the OpenBLAS path, finite differences.
        .target(name: "NNFeynEval", dependencies: ["NNFeynAlgebra", "NNFeynLanguage", "NNFeynDiagrams", "COpenBLAS"]),
        // Text, JSON and LaTeX output.
        .target(name: "NNFeynEmit", dependencies: ["NNFeynAlgebra", "NNFeynLanguage", "NNFeynDiagrams", "NNFeynEval"]),
        // Scattering lengths, Born series, data sets, training, experiments.
        .target(name: "NNFeynPhysics", dependencies: ["NNFeynAlgebra", "NNFeynLanguage", "NNFeynNPZ", "NNFeynEval", "COpenBLAS"]),
        // Experiments on the numeric backend: neural-network field theory (ensembles of random networks, their
        // correlators, exact finite-width theory). Plain arrays at its boundary; LaTeX as text only.
        .target(name: "NNFeynExperiments", dependencies: ["NNFeynAlgebra", "NNFeynEval", "COpenBLAS"]),
        // The command-line tool: argument handling and printing only.
        .executableTarget(name: "nnfeyn", dependencies: [
            "NNFeynAlgebra", "NNFeynLanguage", "NNFeynDiagrams", "NNFeynEval", "NNFeynEmit", "NNFeynPhysics", "NNFeynNPZ",
            "NNFeynExperiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NNFeynAlgebraTests", dependencies: ["NNFeynAlgebra"]),
        .testTarget(name: "NNFeynNPZTests", dependencies: ["NNFeynNPZ", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynLanguageTests", dependencies: ["NNFeynLanguage", "NNFeynAlgebra", "NNFeynNPZ"]),
        .testTarget(name: "NNFeynDiagramsTests", dependencies: ["NNFeynDiagrams", "NNFeynLanguage", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynEvalTests", dependencies: ["NNFeynEval", "NNFeynDiagrams", "NNFeynLanguage", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynPhysicsTests", dependencies: ["NNFeynPhysics", "NNFeynNPZ", "NNFeynLanguage", "NNFeynEval", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynEmitTests", dependencies: ["NNFeynEmit", "NNFeynEval", "NNFeynDiagrams", "NNFeynLanguage", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynExperimentsTests", dependencies: ["NNFeynExperiments", "NNFeynEval", "NNFeynAlgebra"]),
        .testTarget(name: "NNFeynCLITests", dependencies: ["NNFeynLanguage", "NNFeynNPZ", "NNFeynAlgebra"]),
    ]
)
