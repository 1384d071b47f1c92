// Every LaTeX golden must compile with pdflatex (Debian's texlive-latex-base + texlive-pictures, which `make test`
// installs) without a single overfull line: fragments inside a plain portrait A4 `article`, whose text block (345 pt)
// is as narrow as a paper's. One is also rendered to PNG with pdftoppm, as the README's picture is.
import Foundation
import NNFeynTestSupport
import Testing

struct LaTeXGolden: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var testDescription: String { name }

    /// Golden outputs that are LaTeX: standalone documents as they are, fragments wrapped in a minimal document.
    static func all() -> [LaTeXGolden] {
        GoldenCase.all().compactMap { golden in
            guard let out = golden.expected("stdout") else { return nil }
            if out.hasPrefix("\\documentclass") { return LaTeXGolden(name: golden.name, text: out) }
            if golden.arguments.contains("--fragment") {
                let wrapped = "\\documentclass[a4paper]{article}\n"
                    + "\\usepackage{amsmath,array,longtable,booktabs,tikz}\n\\begin{document}\n" + out + "\\end{document}\n"
                return LaTeXGolden(name: golden.name, text: wrapped)
            }
            return nil
        }
    }
}

@Suite(.serialized) struct LaTeXGoldenTests {
    @Test func thereAreLaTeXGoldens() {
        #expect(LaTeXGolden.all().count >= 2)
    }

    @Test(arguments: LaTeXGolden.all())
    func compiles(_ golden: LaTeXGolden) throws {
        try #require(toolExists("pdflatex"), "pdflatex is missing: 'make test' installs texlive-latex-base and texlive-pictures")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-tex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try golden.text.write(to: dir.appendingPathComponent("doc.tex"), atomically: true, encoding: .utf8)
        // longtable settles its column widths over runs: compile until it stops asking for another.
        var log = ""
        for _ in 0..<4 {
            let run = try runTool("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", "doc.tex"], in: dir)
            #expect(run.status == 0, "pdflatex failed on \(golden.name):\n\(run.output.suffix(2000))")
            log = (try? String(contentsOf: dir.appendingPathComponent("doc.log"), encoding: .utf8)) ?? ""
            if run.status != 0 || !log.contains("Rerun") && !log.contains("Column widths have changed") { break }
        }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("doc.pdf").path))
        let overfull = log.split(separator: "\n").filter { $0.contains("Overfull \\hbox") }
        #expect(overfull.isEmpty, "\(golden.name) does not fit its text block: \(overfull.prefix(3).joined(separator: "; "))")
        if golden.name == "diagrams-deep-latex" {
            try #require(toolExists("pdftoppm"), "pdftoppm is missing: 'make test' installs poppler-utils")
            let png = try runTool("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "doc.pdf", "page"], in: dir)
            #expect(png.status == 0, "pdftoppm failed: \(png.output)")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }
            #expect(!files.isEmpty)
        }
    }
}
