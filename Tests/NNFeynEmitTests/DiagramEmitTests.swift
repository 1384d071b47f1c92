import Foundation
import Testing
import NNFeynAlgebra
import NNFeynLanguage
import NNFeynModel
import NNFeynTestSupport
import NNFeynDiagrams
import NNFeynEval
@testable import NNFeynEmit

/// Fixtures for the emitter tests: small networks with real tanh derivatives (in Double) or polynomial ones (exact).
enum DiagramEmitFixture {
    /// tanh^(k) as a polynomial in t = tanh(z): p_0 = t, p_{k+1} = p_k'(t) (1 - t^2).
    static func tanhDerivatives(_ t: Double, order: Int) -> [Double] {
        var p: [Double] = [0, 1]
        var result: [Double] = []
        for _ in 0...order {
            result.append(p.enumerated().reduce(0) { $0 + $1.element * pow(t, Double($1.offset)) })
            var dp = [Double](repeating: 0, count: p.count + 2)
            for (i, c) in p.enumerated() where i > 0 {
                dp[i - 1] += Double(i) * c
                dp[i + 1] -= Double(i) * c
            }
            p = dp
        }
        return result
    }

    static func rational(_ i: Int) -> Rational { Rational(((i * 7 + 3) % 9) - 4, 4) }

    /// tanh hidden layers of the given widths and a linear output of width `outputs`.
    static func tanhNetwork(hidden: [Int], inputs: Int, outputs: Int, nonlinearOutput: Bool = false) -> Model {
        var shapes: [LayerShape] = []
        var parameters: [LayerParameters?] = []
        var fanIn = inputs
        var seed = 1
        for (i, width) in (hidden + [outputs]).enumerated() {
            let weight = (0..<width * fanIn).map { _ in seed += 1; return rational(seed) }
            let bias = (0..<width).map { _ in seed += 1; return rational(seed) }
            shapes.append(LayerShape(name: i == hidden.count ? "out" : "h\(i + 1)", width: width, fanIn: fanIn,
                                     activation: i == hidden.count && !nonlinearOutput ? .linear : .tanh))
            parameters.append(LayerParameters(weight: ParameterArray(rationals: weight), bias: ParameterArray(rationals: bias)))
            fanIn = width
        }
        let architecture = try! Architecture(name: "deep_tanh", input: ModelInput(name: "x", dimension: inputs), layers: shapes)
        return try! Model(architecture: architecture, parameters: parameters, point: (0..<inputs).map { rational($0 + 11) })
    }

    static func doublePoint(_ model: Model, order: Int) -> PointDerivatives<Double> {
        let network = try! model.network(as: Double.self)
        var a = network.point
        var pre: [[Double]] = [], ders: [[[Double]]] = []
        for (l, layer) in network.layers.enumerated() {
            let z = (0..<layer.width).map { i in
                zip(network.weights[l][(i * layer.fanIn)..<((i + 1) * layer.fanIn)], a).reduce(network.biases[l][i]) { $0 + $1.0 * $1.1 }
            }
            let table: [[Double]] = z.map { zi in
                layer.activation == .linear ? [zi, 1] + [Double](repeating: 0, count: max(order - 1, 0))
                    : tanhDerivatives(tanh(zi), order: order)
            }
            pre.append(z)
            ders.append((0...order).map { k in table.map { $0[k] } })
            a = table.map { $0[0] }
        }
        return PointDerivatives(preActivations: pre, derivatives: ders)
    }

    /// square -> linear, exact: y = 3 (x0 + 2 x1)^2 at x = (1, 0).
    static func squareNetwork() -> (Model, PointDerivatives<Rational>) {
        let network = model("sq", input: 2, point: [1, 0], layers: [("h", .square, [[1, 2]], [0]), ("out", .linear, [[3]], [0])])
        let point = PointDerivatives<Rational>(preActivations: [[1], [3]], derivatives: [[[1], [2], [2]], [[3], [1], [0]]])
        return (network, point)
    }
}

extension DiagramEmitFixture {
    /// A model from named layers with rows of exact weights.
    static func model(_ name: String, input: Int, point: [Rational],
                      layers: [(name: String, activation: Activation, weight: [[Rational]], bias: [Rational])]) -> Model {
        var fanIn = input
        var shapes: [LayerShape] = []
        for layer in layers {
            shapes.append(LayerShape(name: layer.name, width: layer.weight.count, fanIn: fanIn, activation: layer.activation))
            fanIn = layer.weight.count
        }
        let architecture = try! Architecture(name: name, input: ModelInput(name: "x", dimension: input), layers: shapes)
        return try! Model(architecture: architecture, parameters: layers.map {
            LayerParameters(weight: ParameterArray(rationals: $0.weight.flatMap { $0 }), bias: ParameterArray(rationals: $0.bias))
        }, point: point)
    }
}

@Suite struct JSONValueTests {
    @Test func keysAreSortedAndOutputIsDeterministic() {
        let value: JSONValue = ["b": 1, "a": [1, 2], "c": ["z": nil, "y": true], "é": "x", "B": .number(0.1)]
        #expect(value.serialized(pretty: false) == #"{"B":0.1,"a":[1,2],"b":1,"c":{"y":true,"z":null},"é":"x"}"#)
        #expect(value.serialized() == """
            {
              "B": 0.1,
              "a": [1, 2],
              "b": 1,
              "c": {
                "y": true,
                "z": null
              },
              "é": "x"
            }
            """)
    }

    @Test(arguments: [0.1, 1.0 / 3.0, 1e-5, 6.02e23, -2.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                      -0.11511358970464149])
    func doublesRoundTrip(value: Double) throws {
        let text = JSONValue.array([.number(value)]).serialized(pretty: false)
        // Valid JSON, and the token reads back exactly (Foundation's JSON parser itself may round).
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [Any])
        #expect(Double(String(text.dropFirst().dropLast())) == value)
    }

    @Test func stringsAreEscapedAndNonFiniteIsNull() {
        #expect(JSONValue.string("a\"b\\c\nd\u{01}").serialized() == #""a\"b\\c\nd\u0001""#)
        #expect(JSONValue.number(.nan).serialized() == "null")
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.object([:]).serialized() == "{}")
    }
}

@Suite struct DiagramEmitTests {
    @Test func textListingAndOptions() throws {
        let (network, point) = DiagramEmitFixture.squareNetwork()
        let breakdown = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 2)
        let text = DiagramListing.text(model: network, breakdown: breakdown)
        #expect(text.contains("D2.1  V1[2](x, x)"))
        #expect(text.contains("  multiplicity  1"))
        #expect(text.contains("  formula       W_2[o,j1] sigma_1^(2)(z_1)[j1] W_1[j1,a1] W_1[j1,a2]"))
        #expect(text.contains("    y_0 [0, 1] = 12"))
        #expect(text.contains("  vanishes      no"))
        let value = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 0)
        #expect(DiagramListing.text(model: network, breakdown: value).contains("D0.1  value\n"))
        #expect(DiagramListing.text(model: network, breakdown: value).contains("    y_0 = 3\n"))
        // Order 3 of a square layer: no diagrams at all.
        let empty = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 3)
        #expect(DiagramListing.text(model: network, breakdown: empty).contains("0 of 0 shown"))
    }

    @Test(arguments: DiagramOutputFormat.allCases)
    func renderDispatchesEveryFormat(format: DiagramOutputFormat) throws {
        let (network, point) = DiagramEmitFixture.squareNetwork()
        let breakdown = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 2)
        let out = DiagramListing.render(model: network, breakdown: breakdown, format: format)
        let expectedStart = ["text": "diagrams of order 2", "json": "{", "latex": "\\documentclass", "latex-fragment": "% nnfeyn"]
        #expect(out.hasPrefix(expectedStart[format.rawValue] ?? "?"))
        #expect(out.hasSuffix("\n"))
    }

    @Test func vanishingDiagramsCanBeHidden() throws {
        // tanh at z = 0: the order-2 diagram vanishes.
        let network = DiagramEmitFixture.model("t", input: 1, point: [0], layers: [
            ("h", .tanh, [[1]], [0]), ("out", .linear, [[1]], [0]),
        ])
        let point = PointDerivatives<Rational>(preActivations: [[0], [0]],
                                               derivatives: [[[0], [1], [0]], [[0], [1], [0]]])
        let breakdown = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 2)
        let all = DiagramListing.text(model: network, breakdown: breakdown)
        #expect(all.contains("  vanishes      yes (sigma_1^(2)(z_1) = 0 at the point)"))
        let hidden = DiagramListing.text(model: network, breakdown: breakdown, options: DiagramListingOptions(onlyNonVanishing: true))
        #expect(hidden.contains("0 of 1 shown"))
        let json = DiagramListing.json(model: network, breakdown: breakdown)
        #expect(json.contains(#""vanishing": "sigma_1^(2)(z_1) = 0 at the point""#))
        #expect(DiagramLaTeX.fragment(model: network, breakdown: breakdown).contains("\\textit{vanishes}: $\\sigma_{1}^{(2)}(z_{1}) = 0$"))
    }

    @Test func selectionFiltersAndSorts() throws {
        let network = DiagramEmitFixture.tanhNetwork(hidden: [2, 2], inputs: 2, outputs: 1)
        let evaluator = try DiagramEvaluator(network: try network.network(), point: DiagramEmitFixture.doublePoint(network, order: 4))
        let breakdown = try evaluator.breakdown(order: 4)
        let bySize = DiagramListing.select(breakdown.contributions, options: DiagramListingOptions(sortBySize: true))
        #expect(bySize.count == 5)
        #expect(zip(bySize, bySize.dropFirst()).allSatisfy { $0.size >= $1.size })
        let top1 = DiagramListing.select(breakdown.contributions,
                                         options: DiagramListingOptions(filter: DiagramFilter(topLayer: 1)))
        #expect(top1.map(\.diagram.id) == ["D4.1"])
        let text = DiagramListing.text(model: network, breakdown: breakdown, options: DiagramListingOptions(significantDigits: 4))
        #expect(text.contains("(2 inputs, 1 output, numeric): 5 of 5 shown"))
    }

    @Test func countTable() {
        let network = DiagramEmitFixture.tanhNetwork(hidden: [2, 2], inputs: 1, outputs: 1)
        let counts = DiagramCounter(rules: DiagramRules(network.architecture)).counts(upTo: 20)
        let table = DiagramListing.countTable(model: network, counts: counts)
        let lines = table.split(separator: "\n")
        #expect(lines[0] == "diagram counts for 'deep_tanh' (layers: h1 tanh, h2 tanh, out linear)")
        #expect(lines[1] == "order  diagrams  labelled terms")
        #expect(lines[2] == "    0         1               1")
        #expect(lines.last == "   20       627  51724158235372")
        let json = DiagramListing.countJSON(model: network, counts: counts)
        #expect(json.contains(#""labelledTerms": 51724158235372"#))
        // Past Int64: 5 tanh layers at order 20 still print exact integers.
        let five = DiagramEmitFixture.tanhNetwork(hidden: [1, 1, 1, 1, 1], inputs: 1, outputs: 1)
        let big = DiagramCounter(rules: DiagramRules(five.architecture)).counts(upTo: 20).last!.labelledTerms
        #expect(!big.description.isEmpty && big > Rational(Int.max))
        #expect(DiagramListing.countJSON(model: five, counts: [DiagramCount(order: 20, diagrams: 1, labelledTerms: big)])
            .contains("\"labelledTerms\": \(big.description),\n"))
    }

    @Test func jsonListingIsValidAndComplete() throws {
        let (network, point) = DiagramEmitFixture.squareNetwork()
        let breakdown = try DiagramEvaluator(network: try network.network(), point: point).breakdown(order: 2)
        let text = DiagramListing.json(model: network, breakdown: breakdown)
        #expect(text == DiagramListing.json(model: network, breakdown: breakdown))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "nnfeyn.diagrams/1")
        #expect(object["order"] as? Int == 2)
        let diagrams = try #require(object["diagrams"] as? [[String: Any]])
        #expect(diagrams.count == 1)
        #expect(diagrams[0]["id"] as? String == "D2.1")
        #expect(diagrams[0]["multiplicity"] as? Int == 1)
        #expect(object["network"] as? String == network.displayName)
        #expect(diagrams[0]["vanishes"] as? Bool == false)
        let vertices = try #require(diagrams[0]["vertices"] as? [[String: Int]])
        #expect(vertices == [["layer": 1, "degree": 2]])
        let entries = try #require(diagrams[0]["contribution"] as? [[String: Any]])
        #expect(entries.count == 3)
        #expect(entries[1]["index"] as? [Int] == [0, 1])
        #expect(entries[1]["output"] as? Int == 0)
        #expect(entries[1]["derivative"] as? String == "12")
        #expect(text.contains(#"{"layer": 1, "degree": 2}"#) == false) // objects are pretty-printed, keys sorted
        #expect(text.contains("\"degree\": 2,\n"))
    }

    @Test func numericJSONUsesNumbers() throws {
        let network = DiagramEmitFixture.tanhNetwork(hidden: [2], inputs: 2, outputs: 1)
        let evaluator = try DiagramEvaluator(network: try network.network(), point: DiagramEmitFixture.doublePoint(network, order: 2))
        let breakdown = try evaluator.breakdown(order: 2)
        let text = DiagramListing.json(model: network, breakdown: breakdown)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let diagrams = try #require(object["diagrams"] as? [[String: Any]])
        let entries = try #require(diagrams[0]["contribution"] as? [[String: Any]])
        #expect(entries[0]["derivative"] is Double)
        #expect(text.contains("\"derivative\": \(breakdown.contributions[0].tensor.values[0])"))
    }

    @Test func latexNumbers() {
        #expect(DiagramNumberFormat.latex(Rational(-3, 4), significantDigits: 5) == "-\\tfrac{3}{4}")
        #expect(DiagramNumberFormat.latex(Rational(7), significantDigits: 5) == "7")
        #expect(DiagramNumberFormat.latex(1.5e-7, significantDigits: 3) == "1.5\\times 10^{-7}")
        #expect(DiagramLaTeX.escape("a_b%c") == "a\\_b\\%c")
    }

    /// Networks and orders the LaTeX test compiles: deep tanh with a linear output; a nonlinear output with
    /// orders 0 and 1 and an exact square/tanh mix.
    static let latexCases: [(name: String, hidden: [Int], order: Int, nonlinearOutput: Bool)] = [
        ("deep", [3, 3, 2], 4, false), ("value", [2], 0, true), ("line", [2], 1, true), ("wide", [2, 2], 5, true),
    ]

    /// Compiles the standalone document and the fragment with pdflatex (skipped when pdflatex is absent).
    @Test(arguments: 0..<latexCases.count)
    func latexCompiles(caseIndex: Int) throws {
        let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let spec = Self.latexCases[caseIndex]
        let network = DiagramEmitFixture.tanhNetwork(hidden: spec.hidden, inputs: 2, outputs: 1,
                                                     nonlinearOutput: spec.nonlinearOutput)
        let evaluator = try DiagramEvaluator(network: try network.network(), point: DiagramEmitFixture.doublePoint(network, order: spec.order))
        let breakdown = try evaluator.breakdown(order: spec.order)
        let document = DiagramLaTeX.document(model: network, breakdown: breakdown,
                                             options: DiagramListingOptions(significantDigits: 5))
        #expect(document.contains("\\begin{longtable}"))
        #expect(document.components(separatedBy: "\\begin{tikzpicture}").count == breakdown.contributions.count + 1)
        guard let pdflatex else {
            print("skipping the pdflatex run: pdflatex is not installed")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnfeyn-latex-\(getpid())-\(spec.name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["NNFEYN_KEEP_LATEX"] == nil { try? FileManager.default.removeItem(at: directory) }
        }
        // The fragment, \input into a minimal document with the required packages.
        let fragment = DiagramLaTeX.fragment(model: network, breakdown: breakdown)
        let wrapper = "\\documentclass{article}\n\\usepackage[landscape,margin=1cm]{geometry}\n\\usepackage{"
            + DiagramLaTeX.requiredPackages.joined(separator: ",") + "}\n\\begin{document}\n\\input{fragment}\n\\end{document}\n"
        try document.write(to: directory.appendingPathComponent("diagrams.tex"), atomically: true, encoding: .utf8)
        try fragment.write(to: directory.appendingPathComponent("fragment.tex"), atomically: true, encoding: .utf8)
        try wrapper.write(to: directory.appendingPathComponent("wrapper.tex"), atomically: true, encoding: .utf8)
        for name in ["diagrams", "wrapper"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pdflatex)
            process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "\(name).tex"]
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let log = (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "pdflatex failed on \(name).tex:\n\(log.suffix(2000))")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(name).pdf").path))
            #expect(!log.contains("Overfull \\hbox"), "overfull boxes in \(name).tex")
        }
    }
}
