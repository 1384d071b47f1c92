// Shared helpers: where the repository is, the example models, and sources with marked spans.
import Foundation
import Testing
import NNFeynAlgebra
@testable import NNFeynLanguage

/// The repository root, found from this file's path (Tests/NNFeynLanguageTests/TestSupport.swift).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let examplesDirectory = repositoryRoot.appendingPathComponent("grammar/examples")

/// The names of the example models (`toy.nn`, ...), sorted.
let exampleNames: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? [])
    .filter { $0.hasSuffix(".nn") }.sorted()

func examplePath(_ name: String) -> String { examplesDirectory.appendingPathComponent(name).path }

/// Source text with one marked place `⟨...⟩` (the markers removed) and the marked span in UTF-8 offsets.
/// `⟨⟩` marks an empty span. Writing the marker in the source is how tests say where a diagnostic must point.
func marked(_ text: String) -> (source: String, span: SourceSpan) {
    guard let open = text.range(of: "⟨"), let close = text.range(of: "⟩") else {
        Issue.record("no ⟨...⟩ marker in test source")
        return (text, SourceSpan(start: 0, end: 0))
    }
    let start = text[..<open.lowerBound].utf8.count
    let inner = text[open.upperBound..<close.lowerBound].utf8.count
    let source = String(text[..<open.lowerBound]) + String(text[open.upperBound..<close.lowerBound])
        + String(text[close.upperBound...])
    return (source, SourceSpan(start: start, end: start + inner))
}

/// The diagnostics of loading `source` (empty when it loads).
func diagnostics(of source: String, path: String = "model.nn", options: LoadOptions = LoadOptions()) -> [Diagnostic] {
    do {
        _ = try ModelLoader.load(source: SourceFile(path: path, text: source), options: options)
        return []
    } catch {
        return error.diagnostics
    }
}

/// Loads `source`, recording an issue with the rendered diagnostics when it fails.
func loaded(_ source: String, path: String = "model.nn", options: LoadOptions = LoadOptions(),
            sourceLocation: SourceLocation = #_sourceLocation) -> Network? {
    do {
        return try ModelLoader.load(source: SourceFile(path: path, text: source), options: options)
    } catch {
        Issue.record("unexpected diagnostics:\n\(DiagnosticRenderer.render(error))", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects that loading the marked source reports `code` exactly at the marked span, and returns that diagnostic.
@discardableResult
func expectDiagnostic(_ markedSource: String, _ code: String, path: String = "model.nn",
                      options: LoadOptions = LoadOptions(),
                      sourceLocation: SourceLocation = #_sourceLocation) -> Diagnostic? {
    let (source, span) = marked(markedSource)
    let found = diagnostics(of: source, path: path, options: options)
    let match = found.first { $0.code == code && $0.span == span }
    if match == nil {
        let rendered = found.map { d in
            let where_ = d.span.map { "\($0.start)..<\($0.end)" } ?? "none"
            return DiagnosticRenderer.renderShort(d) + " span " + where_
        }
        let list = rendered.joined(separator: "\n")
        Issue.record("expected \(code) at \(span.start)..<\(span.end); got:\n\(list)", sourceLocation: sourceLocation)
    }
    return match
}


/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-lang-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
