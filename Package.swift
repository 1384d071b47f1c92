// swift-tools-version:6.0
// nnfeyn: Taylor expansions of multilayer perceptrons as Feynman-like diagrams.
//
// Targets follow the pipeline, arrows pointing down it only:
//   diagnostics, algebra -> model -> language (reads files) -> diagrams -> evaluation -> emission,
// with training, physics and experiments beside it and the command line on top. Diagrams, evaluation and emission
// see the model, never the parser, the archive readers or ZIPFoundation; GMP, MPFR and OpenBLAS are imported only
// at the leaves that need them.
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
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        // C libraries from Debian, behind one-header shims.
        .systemLibrary(name: "CGMP", path: "Sources/CGMP", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMPFR", path: "Sources/CMPFR", providers: [.apt(["libmpfr-dev"])]),

        // The numeric evaluator's hot loops in C, compiled for generic x86-64, AVX2 and AVX-512 and chosen at run time.
        .target(name: "CNNFeynKernels"),

        // Source files, diagnostics with typed codes, the explain registry, the renderer. A leaf.
        .target(name: "NNFeynDiagnostics"),
        // Numbers: the Scalar protocols, exact GMP rationals, MPFR floats of any precision, activation rules,
        // multi-indices, the Taylor-result type, combinatorics and the one seeded generator.
        .target(name: "NNFeynAlgebra", dependencies: ["CGMP", "CMPFR", "CNNFeynKernels", .product(name: "RealModule", package: "swift-numerics")]),
        // The one validated network: architecture, exact-capable parameters and point, converted once per scalar type.
        .target(name: "NNFeynModel", dependencies: ["NNFeynAlgebra", "NNFeynDiagnostics"]),
        // Files: writes that never leave a half-written file behind, reads bounded to regular files.
        .target(name: "NNFeynIO", dependencies: ["NNFeynDiagnostics"]),
        // .npz archives (NumPy arrays in a zip), read and written.
        .target(name: "NNFeynNPZ", dependencies: ["NNFeynAlgebra", "NNFeynIO", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // The model language: lexer, parser, AST, lowering to the model; parameter files; writing models back.
        .target(name: "NNFeynLanguage", dependencies: ["NNFeynDiagnostics", "NNFeynAlgebra", "NNFeynModel", "NNFeynNPZ", "NNFeynIO"]),
        // Diagram model, enumeration, canonical ids, multiplicities, counts, formulas.
        .target(name: "NNFeynDiagrams", dependencies: ["NNFeynAlgebra", "NNFeynModel"]),
        // Evaluators (fused, per diagram), the OpenBLAS path, finite differences, size estimates.
        .target(name: "NNFeynEval", dependencies: [
            "NNFeynAlgebra", "NNFeynModel", "NNFeynDiagrams", "NNFeynDiagnostics", "COpenBLAS", "CNNFeynKernels",
        ]),
        // Text, JSON and LaTeX output.
        .target(name: "NNFeynEmit", dependencies: ["NNFeynAlgebra", "NNFeynModel", "NNFeynDiagrams", "NNFeynEval", "NNFeynDiagnostics"]),
        // The general MLP trainer (any network): workspace, kernels, schedules, initialisation.
        // Optimized in debug builds too: the tests train real networks (born iterate --quick, L-BFGS polish), and
        // unoptimized SIMD and per-element loops made those runs 5x slower than the BLAS calls between them.
        .target(name: "NNFeynTraining", dependencies: ["NNFeynAlgebra", "NNFeynModel", "NNFeynDiagnostics", "COpenBLAS"],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Scattering lengths, Born series, data sets.
        .target(name: "NNFeynPhysics", dependencies: ["NNFeynAlgebra", "NNFeynDiagnostics"]),
        // Experiments on the numeric backend and their reports: iterative perturbation theory, neural-network field
        // theory (ensembles of random networks, their correlators, exact finite-width theory). LaTeX as text only.
        .target(name: "NNFeynExperiments", dependencies: [
            "NNFeynAlgebra", "NNFeynModel", "NNFeynEval", "NNFeynTraining", "NNFeynPhysics", "NNFeynDiagnostics", "COpenBLAS",
        ]),
        // The command-line tool: argument handling, the one error boundary, files and printing.
        .executableTarget(name: "nnfeyn", dependencies: [
            "NNFeynDiagnostics", "NNFeynAlgebra", "NNFeynModel", "NNFeynIO", "NNFeynNPZ", "NNFeynLanguage",
            "NNFeynDiagrams", "NNFeynEval", "NNFeynEmit", "NNFeynTraining", "NNFeynPhysics", "NNFeynExperiments", "COpenBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers shared by the test targets only: paths, the process runner, seeded test networks.
        .target(name: "NNFeynTestSupport", dependencies: ["NNFeynAlgebra", "NNFeynModel", "NNFeynDiagnostics"],
                path: "Tests/NNFeynTestSupport"),
        .testTarget(name: "NNFeynDiagnosticsTests", dependencies: ["NNFeynDiagnostics"]),
        .testTarget(name: "NNFeynAlgebraTests", dependencies: ["NNFeynAlgebra"]),
        .testTarget(name: "NNFeynModelTests", dependencies: ["NNFeynModel", "NNFeynAlgebra", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynIOTests", dependencies: ["NNFeynIO", "NNFeynDiagnostics", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynNPZTests", dependencies: ["NNFeynNPZ", "NNFeynAlgebra", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynLanguageTests", dependencies: [
            "NNFeynLanguage", "NNFeynModel", "NNFeynDiagnostics", "NNFeynAlgebra", "NNFeynNPZ", "NNFeynTestSupport",
        ]),
        .testTarget(name: "NNFeynDiagramsTests", dependencies: ["NNFeynDiagrams", "NNFeynModel", "NNFeynAlgebra", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynEvalTests", dependencies: [
            "NNFeynEval", "NNFeynDiagrams", "NNFeynModel", "NNFeynAlgebra", "NNFeynLanguage", "NNFeynTestSupport",
        ]),
        .testTarget(name: "NNFeynEmitTests", dependencies: [
            "NNFeynEmit", "NNFeynEval", "NNFeynDiagrams", "NNFeynModel", "NNFeynLanguage", "NNFeynAlgebra", "NNFeynTestSupport",
        ]),
        .testTarget(name: "NNFeynTrainingTests", dependencies: ["NNFeynTraining", "NNFeynModel", "NNFeynAlgebra", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynPhysicsTests", dependencies: ["NNFeynPhysics", "NNFeynAlgebra", "NNFeynDiagnostics", "NNFeynTestSupport"]),
        .testTarget(name: "NNFeynExperimentsTests", dependencies: [
            "NNFeynExperiments", "NNFeynTraining", "NNFeynPhysics", "NNFeynEval", "NNFeynModel", "NNFeynLanguage",
            "NNFeynAlgebra", "NNFeynTestSupport",
        ]),
        .testTarget(name: "NNFeynCLITests", dependencies: ["NNFeynLanguage", "NNFeynModel", "NNFeynNPZ", "NNFeynAlgebra", "NNFeynTestSupport"]),
    ]
)
