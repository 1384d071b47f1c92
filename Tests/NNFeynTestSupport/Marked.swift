// Source text with a marked place: how tests say where a diagnostic must point, instead of counting columns.
import NNFeynDiagnostics

/// Source text with one marked place `⟨...⟩` (the markers removed) and the marked span in UTF-8 offsets; `⟨⟩` marks an
/// empty span. A text without a marker is a mistake in the test.
public func marked(_ text: String) -> (source: String, span: SourceSpan) {
    guard let open = text.range(of: "⟨"), let close = text.range(of: "⟩") else { preconditionFailure("no ⟨...⟩ marker in test source") }
    let start = text[..<open.lowerBound].utf8.count
    let inner = text[open.upperBound..<close.lowerBound].utf8.count
    let source = String(text[..<open.lowerBound]) + String(text[open.upperBound..<close.lowerBound])
        + String(text[close.upperBound...])
    return (source, SourceSpan(start: start, end: start + inner))
}
