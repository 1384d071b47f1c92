// A recovering recursive-descent parser over the lexer's tokens (grammar: grammar/nnfeyn.ebnf, lowercase rules).
//
// Recovery: a statement that goes wrong is abandoned up to the next statement keyword; a broken 'weight' or 'bias'
// clause is abandoned up to the next clause or statement keyword, and the layer keeps its other clauses. So every
// independent syntax error is reported, up to `maximumErrors`. Nesting is fixed (matrix > row > number), so the
// parser's recursion depth is bounded whatever the input.
import NNFeynAlgebra
import NNFeynDiagnostics

/// Parses tokens into a ModelNode.
struct Parser {
    /// Syntax errors reported before the parser gives up (the rest are usually consequences).
    static let maximumErrors = 20
    static let statementKeywords: Set<String> = ["network", "input", "dense", "parameters", "at"]
    static let clauseKeywords: Set<String> = ["weight", "bias"]

    let file: SourceFile
    let tokens: [Token]
    var index = 0
    var diagnostics: [Diagnostic] = []
    /// Errors so far, counting the lexer's, to apply the limit.
    var errorCount: Int
    /// Set when the error limit cut parsing short.
    var stopped = false

    /// Lexes and parses a file. The diagnostics include the lexer's, in source order.
    static func parse(_ file: SourceFile) -> (model: ModelNode, diagnostics: [Diagnostic]) {
        let (tokens, lexDiagnostics) = Lexer.tokenize(file)
        var parser = Parser(file: file, tokens: tokens, errorCount: lexDiagnostics.count)
        let model = parser.parseModel()
        var all = lexDiagnostics + parser.diagnostics
        // Stable sort by position.
        all = all.enumerated().sorted {
            let a = $0.element.span?.start ?? Int.max, b = $1.element.span?.start ?? Int.max
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
        return (model, capped(all, file: file, force: parser.stopped))
    }

    /// The first `maximumErrors` diagnostics, followed by E0107 when there were more (or `force` says parsing
    /// stopped early).
    static func capped(_ diagnostics: [Diagnostic], file: SourceFile, force: Bool = false) -> [Diagnostic] {
        guard force || diagnostics.count > maximumErrors else { return diagnostics }
        return Array(diagnostics.prefix(maximumErrors)) + [
            Diagnostic(code: DiagnosticCode.tooManyErrors, message: "too many errors; stopped after \(maximumErrors)",
                       file: file, path: file.path),
        ]
    }

    var current: Token { tokens[min(index, tokens.count - 1)] }
    var previousEnd: Int { index > 0 ? tokens[index - 1].span.end : 0 }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    /// Records a syntax error at the current token (just after the previous token at end of file), unless the
    /// lexer already reported an error right here.
    mutating func report(_ message: String, code: DiagnosticCode = .syntaxError,
                         help: String? = nil) throws(ParseFailure) {
        let token = current
        if token.followsLexError { return }
        let location = token.kind == .endOfFile ? SourceSpan(start: previousEnd, end: previousEnd) : token.span
        diagnostics.append(Diagnostic(code: code, message: message, file: file, span: location, help: help))
        errorCount += 1
        if errorCount >= Parser.maximumErrors {
            stopped = true
            throw .stop
        }
    }

    /// Reports "expected X, found Y" and abandons the construct.
    mutating func fail(expected: String, help: String? = nil) throws(ParseFailure) -> ParseFailure {
        try report("expected \(expected), found \(current.described)", help: help)
        return .abandon
    }

    mutating func expect(_ kind: TokenKind, _ description: String, help: String? = nil) throws(ParseFailure) -> Token {
        guard current.kind == kind else { throw try fail(expected: description, help: help) }
        let token = current
        advance()
        return token
    }

    /// Skips to the next token that can start what `stops` names (or the end of the file).
    mutating func synchronize(to stops: Set<String>) {
        while current.kind != .endOfFile && !(current.kind == .keyword && stops.contains(current.text)) { advance() }
    }

    // MARK: statements

    mutating func parseModel() -> ModelNode {
        var statements: [StatementNode] = []
        while current.kind != .endOfFile {
            let start = index
            do throws(ParseFailure) {
                if let statement = try parseStatement() { statements.append(statement) }
            } catch .stop {
                break
            } catch {
                synchronize(to: Parser.statementKeywords)
            }
            // Always make progress, whatever went wrong.
            if index == start { advance() }
        }
        return ModelNode(statements: statements)
    }

    mutating func parseStatement() throws(ParseFailure) -> StatementNode? {
        let token = current
        if token.kind == .keyword {
            switch token.text {
            case "network":
                advance()
                let name = try parseName("the model's name")
                return .network(keyword: token.span, name: name)
            case "input":
                advance()
                let name = try parseName("the input's name")
                _ = try expect(.colon, "':' before the input's dimension")
                let dimension = try parseInteger("the input's dimension (a whole number)")
                return .input(keyword: token.span, name: name, dimension: dimension)
            case "dense":
                return .dense(try parseDense())
            case "parameters":
                advance()
                let path = try expect(.string, "a file name in double quotes, e.g. \"weights.npz\"")
                return .parameters(keyword: token.span, path: path.text, pathSpan: path.span)
            case "at":
                advance()
                let name = try parseName("the input's name")
                _ = try expect(.equals, "'=' before the expansion point")
                let point = try parseVector("the expansion point")
                return .at(keyword: token.span, name: name, point: point,
                           span: SourceSpan(start: token.span.start, end: point.span.end))
            case "weight", "bias":
                try report("'\(token.text)' clause outside a layer", code: DiagnosticCode.misplacedClause,
                           help: "write '\(token.text)' under the 'dense' layer it belongs to")
                // Skip the clause (its array) so that its contents cause no further errors.
                advance()
                synchronize(to: Parser.statementKeywords)
                return nil
            default:
                break
            }
        }
        var help: String?
        // 'weights' or 'biases' under a layer lands here too, so clause keywords are candidates as well.
        let candidates = Parser.statementKeywords.union(Parser.clauseKeywords).sorted()
        if token.kind == .identifier, let guess = Spelling.closest(to: token.text, among: candidates) {
            help = "did you mean '\(guess)'?"
        }
        throw try fail(expected: "a statement ('network', 'input', 'dense', 'parameters' or 'at')", help: help)
    }

    mutating func parseDense() throws(ParseFailure) -> DenseNode {
        let keyword = current.span
        advance()
        let name = try parseName("the layer's name")
        _ = try expect(.colon, "':' before the layer's width")
        let width = try parseInteger("the layer's width (a whole number)")
        let activation = try parseActivation()
        var node = DenseNode(keywordSpan: keyword, name: name, width: width, activation: activation)
        while current.kind == .keyword && Parser.clauseKeywords.contains(current.text) {
            let clauseStart = index
            do throws(ParseFailure) {
                if current.text == "weight" {
                    let keywordSpan = current.span
                    advance()
                    node.weights.append(WeightClause(keywordSpan: keywordSpan, matrix: try parseMatrix()))
                } else {
                    let keywordSpan = current.span
                    advance()
                    if current.kind == .identifier && current.text == "none" {
                        node.biases.append(BiasClause(keywordSpan: keywordSpan, vector: nil,
                                                      span: SourceSpan(start: keywordSpan.start, end: current.span.end)))
                        advance()
                    } else {
                        let vector = try parseVector("the bias ('[...]' or 'none')")
                        node.biases.append(BiasClause(keywordSpan: keywordSpan, vector: vector,
                                                      span: SourceSpan(start: keywordSpan.start, end: vector.span.end)))
                    }
                }
            } catch .stop {
                throw .stop
            } catch {
                synchronize(to: Parser.statementKeywords.union(Parser.clauseKeywords))
                if index == clauseStart { advance() }
            }
        }
        return node
    }

    mutating func parseActivation() throws(ParseFailure) -> ActivationNode {
        guard current.kind == .identifier else {
            throw try fail(expected: "an activation", help: "activations: " + Activation.allNames.joined(separator: ", "))
        }
        let name = NameNode(text: current.text, span: current.span)
        advance()
        guard current.kind == .leftParen else { return ActivationNode(name: name, arguments: nil, span: name.span) }
        advance()
        var arguments: [NumberNode] = []
        if current.kind != .rightParen {
            arguments = try parseNumberList(closing: .rightParen)
        }
        let close = try expect(.rightParen, "',' or ')' after a coefficient")
        return ActivationNode(name: name, arguments: arguments, span: SourceSpan(start: name.span.start, end: close.span.end))
    }

    // MARK: pieces

    mutating func parseName(_ what: String) throws(ParseFailure) -> NameNode {
        if current.kind == .keyword {
            let word = current.text
            try report("expected \(what), found keyword '\(word)'", code: DiagnosticCode.keywordAsName,
                       help: "'\(word)' is a keyword; choose another name")
            // Step over the keyword so recovery does not take it for the start of a statement.
            advance()
            throw .abandon
        }
        let token = try expect(.identifier, what)
        return NameNode(text: token.text, span: token.span)
    }

    mutating func parseInteger(_ what: String) throws(ParseFailure) -> IntegerNode {
        let token = try expect(.number, what)
        guard token.number != nil else { return IntegerNode(text: token.text, value: nil, span: token.span) }
        guard token.text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            index -= 1
            throw try fail(expected: what, help: "sizes are written as whole numbers without sign, e.g. '3'")
        }
        return IntegerNode(text: token.text, value: Int(token.text), span: token.span)
    }

    /// NUMBER { "," NUMBER } [ "," ], stopping before `closing`.
    mutating func parseNumberList(closing: TokenKind) throws(ParseFailure) -> [NumberNode] {
        var numbers: [NumberNode] = []
        while true {
            let token = try expect(.number, "a number")
            numbers.append(NumberNode(value: token.number, span: token.span))
            guard current.kind == .comma else { return numbers }
            advance()
            if current.kind == closing { return numbers }
        }
    }

    mutating func parseVector(_ what: String) throws(ParseFailure) -> VectorNode {
        let open = try expect(.leftBracket, "'[' to start \(what)")
        let entries = try parseNumberList(closing: .rightBracket)
        let close = try expect(.rightBracket, "',' or ']' after a number")
        return VectorNode(entries: entries, span: SourceSpan(start: open.span.start, end: close.span.end))
    }

    mutating func parseMatrix() throws(ParseFailure) -> MatrixNode {
        let open = try expect(.leftBracket, "'[[' to start the weight matrix")
        var rows: [VectorNode] = []
        while true {
            if current.kind == .number {
                throw try fail(expected: "'[' to start a row of the weight matrix",
                               help: "a weight has one row per neuron, even for a single neuron: [[1, 2]]")
            }
            rows.append(try parseVector("a row of the weight matrix"))
            guard current.kind == .comma else { break }
            advance()
            if current.kind == .rightBracket { break }
        }
        let close = try expect(.rightBracket, "',' or ']' after a row")
        return MatrixNode(rows: rows, span: SourceSpan(start: open.span.start, end: close.span.end))
    }
}

/// Why parsing of a construct ended early.
enum ParseFailure: Error {
    /// The construct is broken (already reported): recover.
    case abandon
    /// The error limit was reached: stop parsing.
    case stop
}
