// Writing an experiment's LaTeX sources and compiling them: report.pdf with pdflatex, and each standalone figure to
// PDF and PNG (pdftoppm) for the README. Libraries produce the LaTeX text; running programs is the command line's job.
import Foundation
import NNFeynIO

enum LaTeXReport {
    /// Writes the sources into `directory` and compiles them when pdflatex (and pdftoppm) are installed; figures
    /// (every document but `report`) are rasterised at `resolution` dpi. Returns the files written, relative to the
    /// directory, and notes on what was skipped.
    static func compile(_ sources: [(name: String, text: String)], in directory: String,
                        resolution: Int = 100) throws -> (written: [String], notes: [String]) {
        var written: [String] = []
        for source in sources {
            try Files.write(Data(source.text.utf8), to: directory + "/" + source.name)
            written.append(source.name)
        }
        guard let pdflatex = executable("pdflatex") else {
            return (written, ["pdflatex was not found: wrote the .tex files only (install texlive-latex-base, "
                              + "texlive-pictures, texlive-latex-extra to get the PDF and the PNG figures)"])
        }
        var notes: [String] = []
        let pdftoppm = executable("pdftoppm")
        if pdftoppm == nil { notes.append("pdftoppm was not found: no PNG figures (install poppler-utils)") }
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        // Figures first, the document that includes them last.
        let stems = sources.map { String($0.name.dropLast(4)) }.sorted { ($0 == "report" ? 1 : 0) < ($1 == "report" ? 1 : 0) }
        let texts = Dictionary(sources.map { (String($0.name.dropLast(4)), $0.text) }, uniquingKeysWith: { a, _ in a })
        for stem in stems {
            // A \ref (pgfplots' legend to name) is resolved from the .aux that the first pass writes.
            let passes = texts[stem]?.contains("\\ref{") == true ? 2 : 1
            guard (0..<passes).allSatisfy({ _ in run(pdflatex, ["-interaction=nonstopmode", "-halt-on-error", stem + ".tex"], in: base) }) else {
                notes.append("pdflatex failed on \(stem).tex (see \(stem).log)")
                continue
            }
            written.append(stem + ".pdf")
            for suffix in [".aux", ".log"] { try? FileManager.default.removeItem(at: base.appendingPathComponent(stem + suffix)) }
            if stem != "report", let pdftoppm {
                if run(pdftoppm, ["-png", "-r", String(resolution), "-singlefile", stem + ".pdf", stem], in: base) {
                    written.append(stem + ".png")
                } else {
                    notes.append("pdftoppm failed on \(stem).pdf")
                }
            }
        }
        return (written, notes)
    }

    /// The full path of an executable on PATH, or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a tool in `directory` with output discarded; true when it exits with status 0.
    static func run(_ path: String, _ arguments: [String], in directory: URL) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
