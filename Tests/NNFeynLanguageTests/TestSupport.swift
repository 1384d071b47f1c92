// Shared helpers of the language tests: loading sources and expecting diagnostics at marked places.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

let repositoryRoot = Repository.root
let examplesDirectory = Repository.examplesDirectory
let exampleNames = Repository.exampleNames
func examplePath(_ name: String) -> String { Repository.examplePath(name) }

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
            sourceLocation: SourceLocation = #_sourceLocation) -> Model? {
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
func temporaryDirectory() throws -> URL { try NNFeynTestSupport.temporaryDirectory("nnfeyn-lang") }

/// Writes a model file (a ⟨...⟩ marker, removed, marks a span) and `files` into a fresh directory; returns the model's
/// path and the marked span (empty without a marker).
func writeModel(_ model: String, files: [String: Data]) throws -> (path: String, span: SourceSpan) {
    let directory = try temporaryDirectory()
    let (text, span) = model.contains("⟨") ? marked(model) : (model, SourceSpan(start: 0, end: 0))
    let path = directory.appendingPathComponent("m.nn").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    for (name, data) in files { try data.write(to: directory.appendingPathComponent(name)) }
    return (path, span)
}

/// The diagnostics of loading the model file at `path` (empty when it loads).
func loadDiagnostics(_ path: String, options: LoadOptions = LoadOptions()) -> [Diagnostic] {
    do {
        _ = try ModelLoader.load(path: path, options: options)
        return []
    } catch {
        return error.diagnostics
    }
}
