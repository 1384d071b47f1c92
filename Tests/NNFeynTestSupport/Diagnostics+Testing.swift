// Test conveniences for diagnostics: compare codes with the strings tests are written in.
import NNFeynDiagnostics

/// `diagnostic.code == "E0204"` in tests.
public func == (lhs: DiagnosticCode, rhs: String) -> Bool { lhs.rawValue == rhs }
public func != (lhs: DiagnosticCode, rhs: String) -> Bool { lhs.rawValue != rhs }
public func == (lhs: DiagnosticCode?, rhs: String) -> Bool { lhs?.rawValue == rhs }
