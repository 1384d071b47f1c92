// grammar/nnfeyn.ebnf and the Swift parser must agree: both accept every example and a set of odd but valid
// inputs, and both reject a set of malformed ones. The grammar is run by EBNFRecognizer, not by the parser.
import Foundation
import Testing
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel
import NNFeynTestSupport
@testable import NNFeynLanguage

@Suite struct GrammarAgreementTests {
    static func grammar() throws -> EBNFGrammar {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("grammar/nnfeyn.ebnf"), encoding: .utf8)
        return try EBNFGrammar(text: text)
    }

    /// Whether the Swift lexer and parser accept the text (syntax only, no lowering).
    static func parserAccepts(_ text: String) -> Bool {
        Parser.parse(SourceFile(path: "t.nn", text: text)).diagnostics.isEmpty
    }

    static func grammarAccepts(_ text: String) throws -> Bool {
        try EBNFRecognizer(grammar: grammar(), input: text).accepts()
    }

    @Test func grammarIsComplete() throws {
        let grammar = try Self.grammar()
        let defined = Set(grammar.order)
        #expect(grammar.referencedRules.subtracting(defined).isEmpty, "undefined rules")
        // Everything but the start rule and LAYOUT (used implicitly between tokens) is used somewhere.
        #expect(defined.subtracting(grammar.referencedRules).subtracting(["model", "LAYOUT"]).isEmpty, "unused rules")
        // The keyword list in the grammar is the lexer's.
        guard case .choice(let alternatives) = try #require(grammar.rules["KEYWORD"]) else {
            Issue.record("KEYWORD is not a choice of terminals")
            return
        }
        let words = alternatives.compactMap { alternative -> String? in
            if case .terminal(let scalars) = alternative { return String(String.UnicodeScalarView(scalars)) }
            return nil
        }
        #expect(Set(words) == Lexer.keywords)
    }

    @Test(arguments: exampleNames)
    func grammarAcceptsExample(_ name: String) throws {
        let text = try String(contentsOfFile: examplePath(name), encoding: .utf8)
        #expect(try Self.grammarAccepts(text))
        #expect(Self.parserAccepts(text))
    }

    static let validOddities: [String] = [
        "",
        "# only a comment",
        "input x:2 dense y:1 linear weight[[1,2,],]bias none at x=[0,0,]",
        "input x : 2\r\ndense y : 1 linear\r\n  weight [[1, 2]]\r\n  bias [0]\r\n",
        "at x = [1e3, -2.5E-2, 1/3, -0007/0010, 0.0]\ninput x : 5",
        "dense none : 1 poly() dense _h2 : 1 poly(1,) dense p : 1 poly",
        "network densely input inputs : 1 dense atx : 1 tanh(1)",
        "parameters \"a b#c.npz\" # comment\n\tdense h : 1 tahn",
        "dense h : 0 linear weight [[1]] weight [[2]] bias [1] bias none",
        "dense h : 2 tanh weight from \"net.0.weight\" bias from \"net.0.bias\"",
        "dense h : 2 tanh weight from \"params/Dense_0/kernel\" transposed\n  bias from \"params/Dense_0/bias\"",
        "dense h:1 tanh bias from\"\"weight from\"a b#c\"transposed",
        "dense h : 1 tanh weight from \"k\" transposed weight [[1]] bias none bias from \"b\"",
        // The contextual words are names everywhere else.
        "network from input transposed : 1 dense none : 1 from dense transposed : 1 transposed",
        "input from : 1 at from = [0] dense y : 1 linear weight from \"from\" bias from \"transposed\"",
    ]

    @Test(arguments: validOddities)
    func bothAcceptValidSyntax(_ text: String) throws {
        #expect(try Self.grammarAccepts(text))
        #expect(Self.parserAccepts(text))
    }

    static let malformed: [String] = [
        "network",
        "input x 2",
        "input x : 2.5",
        "input x : -2",
        "input x : 1/2",
        "input input : 2",
        "inputx : 2",
        "dense 3 : 1 tanh",
        "dense h : 1",
        "dense h : 1tanh",
        "dense h : 1 tanh weight [1, 2]",
        "dense h : 1 tanh weight [[1, 2] bias [0]",
        "dense h : 1 tanh weight [[1 2]]",
        "dense h : 1 tanh weight []",
        "dense h : 1 tanh weight [[]]",
        "dense h : 1 tanh bias []",
        "dense h : 1 tanh bias [1/0]",
        "dense h : 1 tanh bias [.5]",
        "dense h : 1 tanh bias [5.]",
        "dense h : 1 tanh bias [1e]",
        "dense h : 1 tanh bias [+1]",
        "dense h : 1 tanh bias [- 1]",
        "dense h : 1 tanh bias [1 / 2]",
        "dense h : 1 tanh bias [1.2.3]",
        "dense h : 1 tanh bias zero",
        "dense h : 1 poly(1 2)",
        "dense h : 1 poly(,)",
        "dense h : 1 tanh @",
        "input x : 2 weight [[1]]",
        "parameters 'w.npz'",
        "parameters \"w.npz",
        "parameters \"w\n.npz\"",
        "at x = [0, 0] extra",
        "at = [0]",
        "at x [0]",
        "input x : 2 ; dense h : 1 tanh",
        "input é : 2",
        "input x : 2\u{0C}",
        "dense h : 1 tanh weight from",
        "dense h : 1 tanh weight from k",
        "dense h : 1 tanh weight from 'k'",
        "dense h : 1 tanh weight \"k\"",
        "dense h : 1 tanh weight from \"k\" transposedx",
        "dense h : 1 tanh weight from \"k\" transposed transposed",
        "dense h : 1 tanh weight [[1]] transposed",
        "dense h : 1 tanh weight transposed from \"k\"",
        "dense h : 1 tanh bias from \"k\" transposed",
        "dense h : 1 tanh bias from none",
        "dense h : 1 tanh bias from [1]",
        "dense h : 1 tanh weightfrom \"k\"",
        "dense h : 1 tanh weight fromx \"k\"",
        "dense h : 1 tanh weight from \"k",
        "parameters from \"p.npz\"",
    ]

    @Test(arguments: malformed)
    func bothRejectMalformedSyntax(_ text: String) throws {
        #expect(try !Self.grammarAccepts(text))
        #expect(!Self.parserAccepts(text))
    }

    /// Mutations of the examples from characters that matter to the syntax: the grammar and the parser must give
    /// the same verdict on every one (both accept, or both reject).
    @Test(arguments: exampleNames)
    func agreeOnMutations(_ name: String) throws {
        let grammar = try Self.grammar()
        let original = Array(try String(contentsOfFile: examplePath(name), encoding: .utf8).unicodeScalars)
        var rng = Xoshiro256(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(17) { ($0 &* 31) &+ Int($1) }))
        let pieces = ["[", "]", "(", ")", ",", ":", "=", "#", "\"", "-", "/", ".", "e", "0", "7", " ", "\n", "\t",
                      "none", "weight", "bias", "dense", "at", "x", "poly", "1/2", "-3", "1e5", "\r",
                      "from", " from \"k\"", "transposed", " transposed", "weight from \"0.weight\"", "bias from \"b\""]
        var disagreements: [String] = []
        var accepted = 0
        for _ in 0..<60 {
            var scalars = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) where !scalars.isEmpty {
                let at = Int.random(in: 0..<scalars.count, using: &rng)
                let piece = Array(pieces[Int.random(in: 0..<pieces.count, using: &rng)].unicodeScalars)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: scalars.replaceSubrange(at..<at + 1, with: piece)
                case 1: scalars.remove(at: at)
                default: scalars.insert(contentsOf: piece, at: at)
                }
            }
            let text = String(String.UnicodeScalarView(scalars))
            let byGrammar = try EBNFRecognizer(grammar: grammar, input: text).accepts()
            if byGrammar { accepted += 1 }
            if byGrammar != Self.parserAccepts(text) {
                disagreements.append("grammar \(byGrammar ? "accepts" : "rejects"), parser disagrees:\n\(text)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3).joined(separator: "\n-----\n"))")
        // Both verdicts occur, so the agreement means something.
        #expect(accepted > 0 && accepted < 60, "\(accepted) of 60 mutations accepted")
    }
}
