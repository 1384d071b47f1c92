// Where things are, for every test target: the repository, its examples and goldens, and the nnfeyn binary of the
// build the tests belong to.
import Foundation

/// Paths in the repository and the build.
public enum Repository {
    /// The repository root, found from this file's path (Tests/NNFeynTestSupport/Repository.swift).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var goldenDirectory: URL { root.appendingPathComponent("golden") }
    public static var examplesDirectory: URL { root.appendingPathComponent("grammar/examples") }

    /// The example models (`toy.nn`, ...), sorted.
    public static var exampleNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".nn") }.sorted()
    }

    public static func examplePath(_ name: String) -> String { examplesDirectory.appendingPathComponent(name).path }

    /// The nnfeyn binary: $NNFEYN_BIN when set, else the one beside the running test bundle, i.e. from the same
    /// build (debug or release, whatever the scratch path), never a hard-coded .build/debug.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["NNFEYN_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let runner = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // On Darwin the runner sits inside nnfeynPackageTests.xctest/Contents/MacOS.
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("nnfeyn")
    }

    /// Whether golden files are being re-recorded (never under CI).
    public static var recording: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["NNFEYN_RECORD"] == "1" && environment["CI"] == nil
    }
}

/// A fresh temporary directory for one test.
public func temporaryDirectory(_ prefix: String = "nnfeyn-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(prefix + "-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
