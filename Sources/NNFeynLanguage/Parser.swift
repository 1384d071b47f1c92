// A recovering recursive-descent parser over the lexer's tokens (grammar: grammar/nnfeyn.ebnf, lowercase rules).
// It pulls tokens from the lexer one at a time, so memory is the tree, not a token per character of the file.
//
// Recovery: a statement that goes wrong is abandoned up to the next statement keyword; a broken 'weight' or 'bias'
// clause is abandoned up to the next clause or statement keyword, and the layer keeps its other clauses. So every
// independent syntax error is reported, up to `maximumErrors`. Nesting is fixed (matrix > row > number), so the
// parser's recursion depth is bounded whatever the input.
//
// The error limit counts the lexer's errors in the whole file, including those after the place the parser has
// reached. So when the lexer's errors and the parser's together reach the limit, the file is parsed a second time,
// knowing the count from the start (the lexer's errors are the same both times). Only a file without errors is
// lowered, so values are computed and stored only until the first error.
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel

/// Parses tokens into a ModelNode.
struct Parser {
    /// Syntax errors reported before the parser gives up (the rest are usually consequences).
    static let maximumErrors = 20
    static let statementKeywords: Set<String> = ["network", "input", "dense", "parameters", "at"]
    static let clauseKeywords: Set<String> = ["weight", "bias"]

    let file: SourceFile
    var lexer: Lexer
    /// The token under consideration (`.endOfFile` stays current once reached).
    var current: Token
    /// Where the token before `current` ended (0 at the start).
    var previousEnd = 0
    /// Tokens advanced over, to see whether recovery made progress.
    var consumed = 0
    var diagnostics: [Diagnostic] = []
    /// Errors so far, counting the lexer's, to apply the limit.
    var errorCount: Int
    /// Set when the error limit cut parsing short.
    var stopped = false

    init(file: SourceFile, lexer: Lexer, errorCount: Int) {
        self.file = file
        self.lexer = lexer
        self.errorCount = errorCount
        current = self.lexer.next()
    }

    /// Lexes and parses a file. The diagnostics include the lexer's, in source order.
    static func parse(_ file: SourceFile) -> (model: ModelNode, diagnostics: [Diagnostic]) {
        var parser = Parser(file: file, lexer: Lexer(file: file, keep: maximumErrors), errorCount: 0)
        var model = parser.parseModel()
        // Count the lexical errors after the place where the error limit stopped the parser.
        parser.lexer.evaluates = false
        while parser.current.kind != .endOfFile { parser.current = parser.lexer.next() }
        let lexical = parser.lexer
        if lexical.errorCount > 0 && lexical.errorCount + parser.diagnostics.count >= maximumErrors {
            // Counting every lexical error from the start, the limit would have stopped the parser earlier: parse
            // again knowing them all (below the limit the count changes nothing, so one pass is the same).
            model = ModelNode()
            parser = Parser(file: file, lexer: Lexer(file: file, evaluates: false, keep: 0), errorCount: lexical.errorCount)
            model = parser.parseModel()
        }
        // Stable sort by position.
        let all = (lexical.diagnostics + parser.diagnostics).enumerated().sorted {
            let a = $0.element.span?.start ?? Int.max, b = $1.element.span?.start ?? Int.max
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
        return (model, capped(all, total: lexical.errorCount + parser.diagnostics.count, file: file, force: parser.stopped))
    }

    /// The first `maximumErrors` diagnostics, followed by E0107 when there were more (`total`, counting any not
    /// kept) or `force` says parsing stopped early.
    static func capped(_ diagnostics: [Diagnostic], total: Int? = nil, file: SourceFile, force: Bool = false) -> [Diagnostic] {
        guard force || (total ?? diagnostics.count) > maximumErrors else { return diagnostics }
        return Array(diagnostics.prefix(maximumErrors)) + [
            Diagnostic(code: DiagnosticCode.tooManyErrors, message: "too many errors; stopped after \(maximumErrors)",
                       file: file, path: file.path),
        ]
    }

    /// Whether values are worth storing: only a file without any error is lowered.
    var building: Bool { errorCount == 0 && lexer.errorCount == 0 }

    mutating func advance() {
        guard current.kind != .endOfFile else { return }
        previousEnd = current.span.end
        // Past the first error no value is stored, so none needs computing.
        if lexer.evaluates && !building { lexer.evaluates = false }
        current = lexer.next()
        consumed += 1
    }

    /// The text of a token (sliced from the source).
    func text(_ token: Token) -> String { lexer.text(of: token) }

    /// Whether the current token is the keyword `word`.
    func atKeyword(_ word: StaticString) -> Bool { current.kind == .keyword && lexer.token(current, is: word) }

    /// How a token reads in a message: `'dense'`, `',`', `end of file` (a long one shortened).
    func described(_ token: Token) -> String {
        let text = Diagnostic.quoted(text(token))
        return switch token.kind {
        case .endOfFile: "end of file"
        case .string: "string \"\(text)\""
        case .number: "number '\(text)'"
        case .keyword: "keyword '\(text)'"
        default: "'\(text)'"
        }
    }

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
        try report("expected \(expected), found \(described(current))", help: help)
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
        while current.kind != .endOfFile && !(current.kind == .keyword && stops.contains(text(current))) { advance() }
    }

    // MARK: statements

    mutating func parseModel() -> ModelNode {
        var model = ModelNode()
        while current.kind != .endOfFile {
            let start = consumed
            do throws(ParseFailure) {
                switch try parseStatement() {
                case .dense(let layer): model.layers.append(layer)
                case let statement?: model.statements.append(statement)
                case nil: break
                }
            } catch .stop {
                break
            } catch {
                synchronize(to: Parser.statementKeywords)
            }
            // Always make progress, whatever went wrong.
            if consumed == start { advance() }
        }
        return model
    }

    mutating func parseStatement() throws(ParseFailure) -> StatementNode? {
        let token = current
        if token.kind == .keyword {
            let word = text(token)
            switch word {
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
                return .parameters(keyword: token.span, path: text(path), pathSpan: path.span)
            case "at":
                advance()
                let name = try parseName("the input's name")
                _ = try expect(.equals, "'=' before the expansion point")
                let point = try parseVector("the expansion point")
                return .at(keyword: token.span, name: name, point: point,
                           span: SourceSpan(start: token.span.start, end: point.span.end))
            case "weight", "bias":
                try report("'\(word)' clause outside a layer", code: DiagnosticCode.misplacedClause,
                           help: "write '\(word)' under the 'dense' layer it belongs to")
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
        if token.kind == .identifier, let guess = Spelling.closest(to: text(token), among: candidates) {
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
        while atKeyword("weight") || atKeyword("bias") {
            let clauseStart = consumed
            do throws(ParseFailure) {
                let isWeight = atKeyword("weight")
                let keywordSpan = current.span
                advance()
                if isWeight {
                    let value: WeightClause.Value = atWord("from")
                        ? .file(try parseReference(transposable: true)) : .matrix(try parseMatrix())
                    if node.weight == nil {
                        node.weight = WeightClause(keywordSpan: keywordSpan, value: value)
                    } else if node.secondClauses["weight"] == nil {
                        node.secondClauses["weight"] = keywordSpan
                    }
                } else {
                    let value: BiasClause.Value
                    if atWord("none") {
                        value = .zero
                        advance()
                    } else if atWord("from") {
                        value = .file(try parseReference(transposable: false))
                    } else {
                        value = .vector(try parseVector("the bias ('[...]', 'none' or 'from \"NAME\"')"))
                    }
                    if node.bias == nil {
                        node.bias = BiasClause(keywordSpan: keywordSpan, value: value)
                    } else if node.secondClauses["bias"] == nil {
                        node.secondClauses["bias"] = keywordSpan
                    }
                }
            } catch .stop {
                throw .stop
            } catch {
                synchronize(to: Parser.statementKeywords.union(Parser.clauseKeywords))
                if consumed == clauseStart { advance() }
            }
        }
        return node
    }

    /// Whether the current token is the identifier `word`: a contextual word ('none', 'from', 'transposed'), special
    /// only where the grammar expects it and a name everywhere else.
    func atWord(_ word: StaticString) -> Bool { current.kind == .identifier && lexer.token(current, is: word) }

    /// `from "KEY"`, then `transposed` where a weight is read (`transposable`); the current token is 'from'.
    mutating func parseReference(transposable: Bool) throws(ParseFailure) -> TensorReference {
        advance()
        let key = try expect(.string, "the tensor's name in double quotes after 'from', e.g. \"0.weight\"")
        var reference = TensorReference(key: text(key), span: key.span, transposed: false)
        if atWord("transposed") {
            guard transposable else {
                try report("'transposed' applies to a weight, not a bias",
                           help: "a bias is a vector: remove 'transposed'")
                advance()
                throw .abandon
            }
            reference.transposed = true
            advance()
        }
        return reference
    }

    mutating func parseActivation() throws(ParseFailure) -> ActivationNode {
        guard current.kind == .identifier else {
            throw try fail(expected: "an activation", help: "activations: " + Activation.allNames.joined(separator: ", "))
        }
        let name = NameNode(text: text(current), span: current.span)
        advance()
        guard current.kind == .leftParen else { return ActivationNode(name: name, argumentBox: nil, span: name.span) }
        advance()
        var arguments = ParameterArray.Builder(capacity: 0)
        if current.kind != .rightParen {
            _ = try parseNumberList(closing: .rightParen, into: &arguments)
        }
        let close = try expect(.rightParen, "',' or ')' after a coefficient")
        return ActivationNode(name: name, argumentBox: Boxed(arguments.finish()),
                              span: SourceSpan(start: name.span.start, end: close.span.end))
    }

    // MARK: pieces

    mutating func parseName(_ what: String) throws(ParseFailure) -> NameNode {
        if current.kind == .keyword {
            let word = text(current)
            try report("expected \(what), found keyword '\(word)'", code: DiagnosticCode.keywordAsName,
                       help: "'\(word)' is a keyword; choose another name")
            // Step over the keyword so recovery does not take it for the start of a statement.
            advance()
            throw .abandon
        }
        let token = try expect(.identifier, what)
        return NameNode(text: text(token), span: token.span)
    }

    mutating func parseInteger(_ what: String) throws(ParseFailure) -> IntegerNode {
        guard current.kind == .number else { throw try fail(expected: what) }
        let token = current
        let literal = text(token)
        if token.number != nil, !literal.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Reported at the number itself, which stays current.
            throw try fail(expected: what, help: "sizes are written as whole numbers without sign, e.g. '3'")
        }
        advance()
        return IntegerNode(value: token.number == nil ? nil : Int(literal), span: token.span)
    }

    /// NUMBER { "," NUMBER } [ "," ], stopping before `closing`; appends the values while `building`. Returns the
    /// number of entries.
    mutating func parseNumberList(closing: TokenKind, into values: inout ParameterArray.Builder) throws(ParseFailure) -> Int {
        var count = 0
        while true {
            let token = try expect(.number, "a number")
            count += 1
            if building {
                switch token.number {
                case .fraction(let p, let q): values.append(numerator: p, denominator: q)
                case .rational(let value): values.append(value)
                case .unevaluated, nil: values.append(0.0) // unreachable while building: no lexical error yet
                }
            }
            guard current.kind == .comma else { return count }
            advance()
            if current.kind == closing { return count }
        }
    }

    /// `[a, b, ...]`, its values appended to `values`; returns the entry count and the span.
    mutating func parseVector(_ what: String, into values: inout ParameterArray.Builder) throws(ParseFailure) -> (count: Int, span: SourceSpan) {
        let open = try expect(.leftBracket, "'[' to start \(what)")
        let count = try parseNumberList(closing: .rightBracket, into: &values)
        let close = try expect(.rightBracket, "',' or ']' after a number")
        return (count, SourceSpan(start: open.span.start, end: close.span.end))
    }

    mutating func parseVector(_ what: String) throws(ParseFailure) -> VectorNode {
        var values = ParameterArray.Builder(capacity: 0)
        let (_, span) = try parseVector(what, into: &values)
        return VectorNode(values: values.finish(), span: span)
    }

    mutating func parseMatrix() throws(ParseFailure) -> MatrixNode {
        let open = try expect(.leftBracket, "'[[' to start the weight matrix, or 'from'")
        var values = ParameterArray.Builder(capacity: 0)
        var rows: [RowNode] = []
        while true {
            if current.kind == .number {
                throw try fail(expected: "'[' to start a row of the weight matrix",
                               help: "a weight has one row per neuron, even for a single neuron: [[1, 2]]")
            }
            let (count, span) = try parseVector("a row of the weight matrix", into: &values)
            if building {
                rows.append(RowNode(count: UInt32(truncatingIfNeeded: count), start: UInt32(span.start), end: UInt32(span.end)))
            }
            guard current.kind == .comma else { break }
            advance()
            if current.kind == .rightBracket { break }
        }
        let close = try expect(.rightBracket, "',' or ']' after a row")
        return MatrixNode(values: values.finish(), rows: rows, span: SourceSpan(start: open.span.start, end: close.span.end))
    }
}

/// Why parsing of a construct ended early.
enum ParseFailure: Error {
    /// The construct is broken (already reported): recover.
    case abandon
    /// The error limit was reached: stop parsing.
    case stop
}
