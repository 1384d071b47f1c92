// The one error boundary: every command runs inside it, and whatever it throws (a diagnostic from the language, a
// library error that knows its diagnostic, a usage error from argument parsing, a file system failure or an error
// nobody expected) is printed as a coded diagnostic, with exit status 1. `ExitCode`s pass through (check's 2), and
// help requests print help with status 0.
import ArgumentParser
import Foundation
import NNFeynDiagnostics

/// How diagnostics are printed.
enum DiagnosticStyle: String, ExpressibleByArgument, CaseIterable {
    case full
    case short
}

/// Options every command shares.
struct DiagnosticOptions: ParsableArguments {
    @Option(name: .customLong("diagnostics"), help: "Diagnostic style: full (source excerpt with carets) or short (one line per error, for editors).")
    var style: DiagnosticStyle = .full
}

/// A command that lets the user choose the diagnostic style.
protocol StyledCommand {
    var diagnostics: DiagnosticOptions { get }
}

enum ErrorBoundary {
    /// Parses the command line, runs the command, and exits: 0, the command's own `ExitCode`, or 1 after printing
    /// the diagnostics of any error.
    static func run(_ root: NNFeyn.Type) -> Never {
        var style = DiagnosticStyle.full
        do {
            var command = try root.parseAsRoot()
            if let styled = command as? StyledCommand { style = styled.diagnostics.style }
            try command.run()
            exit(0)
        } catch {
            exit(report(error, style: style))
        }
    }

    /// Prints what `error` means and returns the exit status.
    static func report(_ error: Error, style: DiagnosticStyle) -> Int32 {
        if let code = error as? ExitCode { return code.rawValue }
        if let convertible = error as? DiagnosticConvertible {
            print(convertible.diagnostics, style: style)
            return 1
        }
        if let validation = error as? ValidationError {
            print([Diagnostic(code: .usage, message: validation.message)], style: style)
            return 1
        }
        // Argument parsing: help and version requests succeed; everything else is a usage error with the usage line.
        let code = NNFeyn.exitCode(for: error)
        if code == .success {
            Swift.print(NNFeyn.fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            let message = NNFeyn.message(for: error)
            let diagnostic = Diagnostic(code: .usage, message: message.prefix(1).lowercased() + message.dropFirst())
            // The usage line follows, as ArgumentParser prints it.
            let full = NNFeyn.fullMessage(for: error)
            print([diagnostic], style: style, trailer: full.range(of: "Usage:").map { String(full[$0.lowerBound...]) })
            return 1
        }
        print([Diagnostic(code: .internalError, message: "unexpected error: \(describe(error))")], style: style)
        return 1
    }

    /// An error as the system describes it, without Swift's type dumps.
    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain != "Swift.Error" && !nsError.localizedDescription.isEmpty { return nsError.localizedDescription }
        return String(describing: error)
    }

    static func print(_ diagnostics: [Diagnostic], style: DiagnosticStyle, trailer: String? = nil) {
        var text: String
        switch style {
        case .full: text = DiagnosticRenderer.render(DiagnosticList(diagnostics))
        case .short: text = diagnostics.map { DiagnosticRenderer.renderShort($0) }.joined(separator: "\n")
        }
        if let trailer { text += "\n" + trailer }
        printError(text)
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
