// One test per check: each marks, in the source, where its diagnostic must point (⟨...⟩), and checks the code.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

/// A valid layer to complete models whose subject is elsewhere.
private let output = "\ndense y : 1 linear\n  weight [[1, 1]]\n  bias [0]\n"

@Suite struct NameAndShapeDiagnosticTests {
    @Test func unknownActivationSuggestsTheClosestName() throws {
        let d = try #require(expectDiagnostic("input x : 2\ndense h : 1 ⟨tahn⟩\n  weight [[1, 2]]\n  bias [0]\n", "E0204"))
        #expect(d.message == "unknown activation 'tahn'")
        #expect(d.help == "did you mean 'tanh'?")
    }

    @Test(arguments: [("sigmod", "sigmoid"), ("Tanh", "tanh"), ("RELU", "relu"), ("softpuls", "softplus"), ("pol", "poly")])
    func misspelledActivations(_ written: String, _ suggested: String) throws {
        let d = try #require(expectDiagnostic("input x : 2\ndense h : 1 ⟨\(written)⟩ weight [[1, 2]] bias [0]", "E0204"))
        #expect(d.help == "did you mean '\(suggested)'?")
    }

    @Test func farFetchedActivationListsTheKnownOnes() throws {
        let d = try #require(expectDiagnostic("input x : 2\ndense h : 1 ⟨banana⟩ weight [[1, 2]] bias [0]", "E0204"))
        #expect(d.help?.hasPrefix("known activations: ") == true)
    }

    @Test func polyNeedsCoefficients() {
        expectDiagnostic("input x : 2\ndense h : 1 ⟨poly⟩ weight [[1, 2]] bias [0]", "E0223")
        expectDiagnostic("input x : 2\ndense h : 1 ⟨poly()⟩ weight [[1, 2]] bias [0]", "E0223")
        expectDiagnostic("input x : 2\ndense h : 1 ⟨poly( )⟩ weight [[1, 2]] bias [0]", "E0223")
    }

    @Test func onlyPolyTakesCoefficients() {
        expectDiagnostic("input x : 2\ndense h : 1 ⟨tanh(1, 2)⟩ weight [[1, 2]] bias [0]", "E0224")
    }

    @Test func duplicateLayerName() throws {
        let d = try #require(expectDiagnostic("""
            input x : 2
            dense h : 2 tanh weight [[1, 0], [0, 1]] bias none
            dense ⟨h⟩ : 1 linear weight [[1, 1]] bias [0]
            """, "E0205"))
        #expect(d.notes == ["the first 'h' is on line 2"])
    }

    @Test func layerNamedLikeTheInput() {
        expectDiagnostic("input x : 2\ndense ⟨x⟩ : 1 linear weight [[1, 1]] bias [0]", "E0206")
    }

    @Test func missingInputAndLayers() {
        let noLayers = diagnostics(of: "network empty\ninput x : 2\n")
        #expect(noLayers.map(\.code.rawValue) == ["E0203"])
        // Located where the missing statement belongs: layers at the end of the text (before the final newline),
        // the input at the start, so even an empty file gets file:line:col and a caret.
        let text = "network empty\ninput x : 2\n"
        #expect(noLayers.first?.span == SourceSpan(start: text.utf8.count - 1, end: text.utf8.count - 1))
        let noInput = diagnostics(of: "dense y : 1 linear weight [[1]] bias [0]")
        #expect(noInput.map(\.code.rawValue) == ["E0207"])
        #expect(noInput.first?.span == SourceSpan(start: 0, end: 0))
        #expect(diagnostics(of: "").map(\.code.rawValue) == ["E0207", "E0203"])
        #expect(diagnostics(of: "").allSatisfy { $0.span == SourceSpan(start: 0, end: 0) })
        let nothing = diagnostics(of: "# nothing here\n")
        #expect(nothing.map(\.code.rawValue) == ["E0207", "E0203"])
    }

    @Test(arguments: [
        "⟨network⟩ a\ninput x : 2\nnetwork b",
        "input x : 2\n⟨input⟩ z : 3",
        "at x = [0, 0]\ninput x : 2\n⟨at⟩ x = [1, 1]",
        "parameters \"a.npz\"\ninput x : 2\n⟨parameters⟩ \"b.npz\"",
    ])
    func duplicateStatements(_ source: String) throws {
        // The marker sits on the first statement here; move it to the second, which is the one reported.
        let unmarked = source.replacingOccurrences(of: "⟨", with: "").replacingOccurrences(of: "⟩", with: "")
        let keyword = String(source[source.range(of: "⟨")!.upperBound..<source.range(of: "⟩")!.lowerBound])
        let last = try #require(unmarked.range(of: keyword, options: .backwards))
        let remarked = unmarked.replacingCharacters(in: last, with: "⟨\(keyword)⟩")
        let d = try #require(expectDiagnostic(remarked + output, "E0208", options: LoadOptions(allowMissingParameters: true)))
        #expect(d.message == "duplicate '\(keyword)' statement")
        #expect(d.notes.first?.hasPrefix("the first '\(keyword)' is on line") == true)
    }

    @Test func fanInMismatch() throws {
        let d = try #require(expectDiagnostic("""
            input x : 2
            dense h : 2 tanh
              weight ⟨[[1, 2, 3], [4, 5, 6]]⟩
              bias none
            """ + output, "E0209"))
        #expect(d.message == "the weight of layer 'h' has 3 columns but its fan-in is 2")
        #expect(d.help?.contains("the dimension of input 'x'") == true)
    }

    @Test func fanInOfALaterLayerIsThePreviousWidth() throws {
        let d = try #require(expectDiagnostic("""
            input x : 2
            dense h : 3 tanh weight [[1, 0], [0, 1], [1, 1]] bias none
            dense y : 1 linear weight ⟨[[1, 1]]⟩ bias [0]
            """, "E0209"))
        #expect(d.help?.contains("the width of layer 'h'") == true)
    }

    @Test func oneRowPerNeuron() throws {
        let d = try #require(expectDiagnostic("input x : 2\ndense h : 3 tanh weight ⟨[[1, 2], [3, 4]]⟩ bias none" + output, "E0210"))
        #expect(d.message == "the weight of layer 'h' has 2 rows but the layer's width is 3")
    }

    @Test func raggedRowsAreEachReported() {
        let source = "input x : 2\ndense h : 3 tanh weight [[1, 2], ⟨[3]⟩, [4, 5, 6]] bias none" + output
        expectDiagnostic(source, "E0211")
        let (text, _) = marked(source)
        #expect(diagnostics(of: text).filter { $0.code == "E0211" }.count == 2)
    }

    @Test func biasLength() {
        expectDiagnostic("input x : 2\ndense h : 2 tanh weight [[1, 2], [3, 4]] bias ⟨[0, 0, 0]⟩" + output, "E0212")
    }

    @Test func pointDimensionAndName() {
        expectDiagnostic("input x : 2" + output + "at x = ⟨[0, 0, 0]⟩", "E0213")
        expectDiagnostic("input x : 2" + output + "at ⟨z⟩ = [0, 0]", "E0214")
    }

    @Test(arguments: ["0", "100001", "99999999999999999999999"])
    func sizesOutOfRange(_ size: String) {
        expectDiagnostic("input x : ⟨\(size)⟩" + output, "E0215")
        expectDiagnostic("input x : 2\ndense h : ⟨\(size)⟩ tanh\n" + output, "E0215",
                         options: LoadOptions(allowMissingParameters: true))
    }

    @Test func tooManyParametersIsADiagnosticNotAnAllocation() {
        // 100000 x 100000 weights would need 10^10 rationals; this must fail at once.
        let source = "input x : 100000\ndense ⟨h⟩ : 100000 tanh\ndense y : 100000 linear\n"
        let d = expectDiagnostic(source, "E0216", options: LoadOptions(allowMissingParameters: true))
        #expect(d?.message == "the network has more than 50000000 parameters")
        // No other diagnostics: nothing is checked against arrays that were never built.
        #expect(diagnostics(of: marked(source).source).map(\.code.rawValue) == ["E0216"])
    }

    @Test func clausesGivenTwice() {
        expectDiagnostic("input x : 2\ndense y : 1 linear weight [[1, 1]] ⟨weight⟩ [[2, 2]] bias [0]", "E0217")
        expectDiagnostic("input x : 2\ndense y : 1 linear weight [[1, 1]] bias [0] ⟨bias⟩ none", "E0217")
    }

    @Test func layerWithoutParameters() throws {
        let both = try #require(expectDiagnostic("input x : 2\ndense ⟨y⟩ : 1 linear\n", "E0218"))
        #expect(both.message == "layer 'y' has no weight and no bias")
        #expect(diagnostics(of: "input x : 2\ndense y : 1 linear\n").count == 1)
        let onlyWeight = try #require(expectDiagnostic("input x : 2\ndense ⟨y⟩ : 1 linear weight [[1, 1]]\n", "E0218"))
        #expect(onlyWeight.message == "layer 'y' has no bias")
    }

    @Test func allowMissingParametersLeavesArraysEmpty() throws {
        let source = "input x : 2\ndense h : 3 tanh\ndense y : 1 linear weight [[1, 1, 1]] bias none\n"
        let network = try #require(loaded(source, options: LoadOptions(allowMissingParameters: true)))
        #expect(network.weightRows(0).isEmpty && network.biasValues(0).isEmpty)
        #expect(network.layers[0].fanIn == 2 && network.layers[0].width == 3)
        #expect(network.biasValues(1) == [0])
        // A half-specified layer is still an error: it is more likely a mistake than a request for initialisation.
        expectDiagnostic("input x : 2\ndense ⟨h⟩ : 3 tanh bias none\n", "E0218",
                         options: LoadOptions(allowMissingParameters: true))
    }

    @Test func biasNoneIsZero() throws {
        let network = try #require(loaded("input x : 2\ndense y : 2 linear weight [[1, 1], [1, 0]] bias none"))
        #expect(network.biasValues(0) == [0, 0])
    }

    @Test func everySemanticProblemIsReportedAtOnce() {
        let found = diagnostics(of: """
            input x : 2
            dense h : 2 tahn weight [[1, 2, 3], [4, 5, 6]] bias [0]
            dense h : 1 linear weight [[1, 1]] bias [0]
            at x = [1]
            """)
        #expect(found.map(\.code.rawValue) == ["E0204", "E0209", "E0212", "E0205", "E0213"])
    }
}

@Suite struct LiteralTests {
    @Test(arguments: [
        ("0.1", Rational(1, 10)), ("-0.1", Rational(-1, 10)), ("1e-3", Rational(1, 1000)), ("-2.5E+2", Rational(-250)),
        ("1/3", Rational(1, 3)), ("-0007/0010", Rational(-7, 10)), ("1.5e0", Rational(3, 2)), ("0.0", Rational(0)),
        ("123456789012345678901234567890", Rational(0)), ("3/6", Rational(1, 2)), ("2E3", Rational(2000)),
    ])
    func literalsAreExact(_ text: String, _ expected: Rational) throws {
        let network = try #require(loaded("input x : 1\ndense y : 1 linear weight [[1]] bias [\(text)]"))
        if text.count > 20 {
            #expect(network.biasValues(0)[0].description == text)
        } else {
            #expect(network.biasValues(0)[0] == expected)
        }
    }

    @Test func pointAndPolyCoefficientsAreExact() throws {
        let network = try #require(loaded("input x : 2\ndense y : 1 poly(0.1, 1/3) weight [[1, 1]] bias [0]\nat x = [0.2, -1e-2]"))
        #expect(network.layers[0].activation == .poly([Rational(1, 10), Rational(1, 3)]))
        #expect(network.point == [Rational(1, 5), Rational(-1, 100)])
    }
}

@Suite struct SyntaxDiagnosticTests {
    @Test func unexpectedCharacters() throws {
        expectDiagnostic("input x : 2 ⟨@⟩", "E0101")
        let d = try #require(expectDiagnostic("input ⟨é⟩ : 2", "E0101"))
        #expect(d.message == "unexpected character 'é'")
        let plus = try #require(expectDiagnostic("input x : 1\ndense y : 1 linear weight [[⟨+⟩1]] bias [0]", "E0101"))
        #expect(plus.help == "numbers take no '+' sign")
        let control = try #require(expectDiagnostic("input x : 2⟨\u{01}⟩", "E0101"))
        #expect(control.message == "unexpected character 'U+0001'")
    }

    @Test(arguments: ["1.", ".5", "1/0", "-3/00", "3tanh", "1.2.3", "1/2/3", "1e", "1e100001"])
    func malformedNumbers(_ literal: String) {
        expectDiagnostic("input x : 1\ndense y : 1 linear weight [[1]] bias [⟨\(literal)⟩]", "E0102")
    }

    @Test func overlongNumber() {
        let digits = String(repeating: "7", count: 1001)
        expectDiagnostic("input x : 1\ndense y : 1 linear weight [[1]] bias [⟨\(digits)⟩]", "E0102")
    }

    @Test(.timeLimit(.minutes(5)))  // a hang guard, not a speed check: the whole suite shares 2 cores
    func hugeExponentsExhaustADigitBudget() {
        let source = "input x : 1\ndense y : 1 poly(" + String(repeating: "1e100000, ", count: 99) + "⟨1e100000⟩, 1e100000) weight [[1]] bias [0]"
        let d = expectDiagnostic(source, "E0102")
        #expect(d?.message == "the number literals of this file are too large in total (over 10000000 digits)")
        #expect(diagnostics(of: marked(source).source).count == 1)
    }

    @Test func unterminatedString() {
        expectDiagnostic("input x : 1\nparameters ⟨\"w.npz⟩\ndense y : 1 linear weight [[1]] bias [0]", "E0103")
        expectDiagnostic("input x : 1\nparameters ⟨\"w.npz⟩\r\ndense y : 1 linear weight [[1]] bias [0]", "E0103")
    }

    @Test func singleQuotedStringIsOneError() throws {
        let source = "input x : 1\nparameters ⟨'w.npz'⟩\ndense y : 1 linear weight [[1]] bias [0]"
        let d = try #require(expectDiagnostic(source, "E0101"))
        #expect(d.help == "write \"w.npz\"")
        #expect(diagnostics(of: marked(source).source).count == 1)
    }

    @Test func expectedTokenPointsAtWhatWasFound() throws {
        let d = try #require(expectDiagnostic("input x ⟨2⟩", "E0104"))
        #expect(d.message == "expected ':' before the input's dimension, found number '2'")
    }

    @Test func endOfFilePointsJustAfterTheLastToken() throws {
        let d = try #require(expectDiagnostic("input x : 1\ndense y : 1 linear weight [[1]] bias [0⟨⟩\n\n# end\n", "E0104"))
        #expect(d.message == "expected ',' or ']' after a number, found end of file")
    }

    @Test func statementTypoSuggestsTheKeyword() throws {
        let d = try #require(expectDiagnostic("input x : 1\n⟨dens⟩ y : 1 linear", "E0104"))
        #expect(d.help == "did you mean 'dense'?")
    }

    @Test func pluralClauseSuggestsTheKeyword() throws {
        let d = try #require(expectDiagnostic("input x : 1\ndense y : 1 linear\n  ⟨weights⟩ [[1]]\n  bias [0]", "E0104"))
        #expect(d.help == "did you mean 'weight'?")
    }

    @Test func keywordAsName() {
        expectDiagnostic("input x : 1\ndense ⟨input⟩ : 1 linear weight [[1]] bias [0]", "E0106")
        expectDiagnostic("network ⟨at⟩\ninput x : 1", "E0106")
    }

    @Test func clauseOutsideALayer() {
        expectDiagnostic("input x : 1\n⟨weight⟩ [[1]]\ndense y : 1 linear weight [[1]] bias [0]", "E0105")
    }

    @Test func singleNeuronWeightStillNeedsRows() throws {
        let d = try #require(expectDiagnostic("input x : 2\ndense y : 1 linear weight [⟨2⟩, 3] bias [0]", "E0104"))
        #expect(d.help == "a weight has one row per neuron, even for a single neuron: [[1, 2]]")
    }

    @Test func everySyntaxErrorIsReportedAndRecoveryKeepsLayers() {
        let found = diagnostics(of: """
            input x 2
            dense h : 2 tanh
              weight [[1, 2] [3, 4]]
              bias [0, 0
            dense y : 1 linear weight [[1, 1]] bias [0]
            at x = [0 0]
            """)
        #expect(found.map(\.code.rawValue) == ["E0104", "E0104", "E0104", "E0104"])
        #expect(found.map { $0.file?.lineAndColumn(of: $0.span?.start ?? 0).line } == [1, 3, 5, 6])
    }

    @Test func aLexicalErrorIsNotReportedTwice() {
        #expect(diagnostics(of: "input x : 1\ndense y : 1 linear weight [[1]] bias [1, @, 2]").map(\.code.rawValue) == ["E0101"])
        #expect(diagnostics(of: "input x : 1\ndense y : 1 linear weight [[1]] bias [1.]").map(\.code.rawValue) == ["E0102"])
    }

    @Test func errorCountIsCapped() {
        let source = String(repeating: "input : 2\n", count: 50)
        let found = diagnostics(of: source)
        #expect(found.count == 21)
        #expect(found.last?.code == "E0107")
        #expect(found.dropLast().allSatisfy { $0.code == "E0104" })
        // Many lexical errors are capped too.
        #expect(diagnostics(of: String(repeating: "@", count: 1000)).count == 21)
    }

    @Test func syntaxErrorsStopBeforeLowering() {
        // The unknown activation would be E0204, but a syntax error means the file is not lowered at all.
        #expect(diagnostics(of: "input x : 2\ndense h : 1 tahn weight [[1, 2]] bias [0,").map(\.code.rawValue) == ["E0104"])
    }
}

@Suite struct FileDiagnosticTests {
    @Test func missingModelFile() {
        do {
            _ = try ModelLoader.load(path: "/nonexistent/model.nn")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.diagnostics.map(\.code.rawValue) == ["E0201"])
            #expect(error.diagnostics.first?.path == "/nonexistent/model.nn")
            #expect(error.diagnostics.first?.span == nil)
        }
    }

    @Test func directoryAsModelFile() throws {
        let dir = try temporaryDirectory()
        #expect(throws: DiagnosticList.self) { try ModelLoader.load(path: dir.path) }
        do { _ = try ModelLoader.load(path: dir.path) } catch { #expect(error.diagnostics.map(\.code.rawValue) == ["E0201"]) }
    }

    @Test func nonUTF8PointsAtTheFirstBadByte() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("latin1.nn").path
        var bytes = Array("input x : 2 # caf".utf8)
        let badOffset = bytes.count
        bytes += [0xE9] + Array("\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ModelLoader.load(path: path)
            Issue.record("loaded a non-UTF-8 file")
        } catch {
            let d = try #require(error.diagnostics.first)
            #expect(d.code == "E0202")
            #expect(d.span?.start == badOffset)
            #expect(d.notes == ["byte 17 is 0xE9, which cannot appear there in UTF-8"])
            #expect(DiagnosticRenderer.renderShort(d) == "\(path):1:18: error[E0202]: model file is not valid UTF-8")
        }
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let network = try #require(loaded("\u{FEFF}input x : 1\ndense y : 1 linear weight [[1]] bias [0]"))
        #expect(network.input.dimension == 1)
    }
}
