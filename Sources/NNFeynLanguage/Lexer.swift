// The lexer: UTF-8 bytes -> tokens with spans. It never fails: a bad character or malformed literal becomes a
// diagnostic, and the parser is told (via `followsLexError`) not to report a second error at the same place.
// The lexical rules are those of grammar/nnfeyn.ebnf (the rules in capitals); keep the two in step.
import NNFeynAlgebra
import NNFeynDiagnostics

/// What a token is.
enum TokenKind: Equatable {
    case identifier
    case keyword
    /// A number literal; the value is nil when the literal was malformed (already reported).
    case number
    /// A double-quoted string; the value is in `Token.text` without the quotes.
    case string
    case colon, equals, comma, leftParen, rightParen, leftBracket, rightBracket
    case endOfFile
}

/// One token.
struct Token {
    var kind: TokenKind
    /// The source text (for a string, its contents without quotes).
    var text: String
    var span: SourceSpan
    /// The value of a well-formed number.
    var number: Rational?
    /// True when the lexer reported an error right before this token, so a syntax error here would be noise.
    var followsLexError = false

    /// How the token reads in a message: `'dense'`, `',`', `end of file`.
    var described: String {
        switch kind {
        case .endOfFile: "end of file"
        case .string: "string \"\(text)\""
        case .number: "number '\(text)'"
        case .keyword: "keyword '\(text)'"
        default: "'\(text)'"
        }
    }
}

/// Splits a source file into tokens.
struct Lexer {
    /// The language's keywords; they cannot be used as names.
    static let keywords: Set<String> = ["network", "input", "dense", "weight", "bias", "parameters", "at"]
    /// Longest number literal accepted, so that a pathological literal cannot make GMP work for minutes.
    static let maximumNumberLength = 1000
    /// Total digits all literals of a file may expand to (their length plus their exponents): reading 1e100000
    /// builds a 100001-digit number, and millions of those would take hours rather than fail.
    static let digitBudget = 10_000_000

    /// Single-character tokens.
    static let punctuation: [UInt8: TokenKind] = [
        UInt8(ascii: ":"): .colon, UInt8(ascii: "="): .equals, UInt8(ascii: ","): .comma,
        UInt8(ascii: "("): .leftParen, UInt8(ascii: ")"): .rightParen,
        UInt8(ascii: "["): .leftBracket, UInt8(ascii: "]"): .rightBracket,
    ]

    let file: SourceFile
    let bytes: [UInt8]
    var position = 0
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []
    var pendingLexError = false
    var digitsSpent = 0
    var budgetReported = false

    init(file: SourceFile) {
        self.file = file
        self.bytes = file.utf8
        // A UTF-8 byte-order mark is an encoding artefact, not text.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// Lexes the whole file; the last token is always `.endOfFile`.
    static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(file: file)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    mutating func run() {
        while true {
            skipLayout()
            guard position < bytes.count else { break }
            lexToken()
        }
        add(.endOfFile, "", SourceSpan(start: bytes.count, end: bytes.count))
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        let i = position + offset
        return i < bytes.count ? bytes[i] : nil
    }

    static func isDigit(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    static func isIdentifierStart(_ b: UInt8?) -> Bool {
        guard let b else { return false }
        return (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }
    static func isIdentifierPart(_ b: UInt8?) -> Bool { isIdentifierStart(b) || isDigit(b) }

    /// Skips whitespace (space, tab, CR, LF) and comments.
    mutating func skipLayout() {
        while let b = peek() {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                position += 1
            } else if b == UInt8(ascii: "#") {
                while let c = peek(), c != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    mutating func add(_ kind: TokenKind, _ text: String, _ span: SourceSpan, number: Rational? = nil) {
        tokens.append(Token(kind: kind, text: text, span: span, number: number, followsLexError: pendingLexError))
        pendingLexError = false
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, help: String? = nil) {
        diagnostics.append(Diagnostic(code: code, message: message, file: file, span: span, help: help))
        pendingLexError = true
    }

    func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    mutating func lexToken() {
        let start = position
        guard let b = peek() else { return }
        if let kind = Lexer.punctuation[b] {
            position += 1
            add(kind, text(start, position), SourceSpan(start: start, end: position))
        } else if Lexer.isIdentifierStart(b) {
            while Lexer.isIdentifierPart(peek()) { position += 1 }
            let word = text(start, position)
            add(Lexer.keywords.contains(word) ? .keyword : .identifier, word, SourceSpan(start: start, end: position))
        } else if Lexer.isDigit(b) || (b == UInt8(ascii: "-") && Lexer.isDigit(peek(1)))
                    || (b == UInt8(ascii: ".") && Lexer.isDigit(peek(1))) {
            lexNumber()
        } else if b == UInt8(ascii: "\"") {
            lexString()
        } else if b == UInt8(ascii: "'"), let close = closingQuote(after: position) {
            // A single-quoted string is one mistake, not three unexpected characters.
            position = close + 1
            let span = SourceSpan(start: start, end: position)
            error(DiagnosticCode.unexpectedCharacter, "strings use double quotes, not single quotes", span,
                  help: "write \"\(text(start + 1, close))\"")
            add(.string, text(start + 1, close), span)
        } else {
            lexUnexpected()
        }
    }

    /// NUMBER = ["-"], (INTEGER, "/", DENOMINATOR | INTEGER, [".", INTEGER], [EXPONENT]).
    mutating func lexNumber() {
        let start = position
        var wellFormed = true
        var problem = "malformed number"
        var help: String?
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: ".") {
            wellFormed = false
            help = "write a digit before the decimal point, e.g. '0.5'"
        }
        while Lexer.isDigit(peek()) { position += 1 }
        if wellFormed {
            if peek() == UInt8(ascii: "/") && Lexer.isDigit(peek(1)) {
                position += 1
                let denominatorStart = position
                while Lexer.isDigit(peek()) { position += 1 }
                if bytes[denominatorStart..<position].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                    wellFormed = false
                    problem = "zero denominator in"
                }
            } else {
                if peek() == UInt8(ascii: ".") {
                    if Lexer.isDigit(peek(1)) {
                        position += 1
                        while Lexer.isDigit(peek()) { position += 1 }
                    } else {
                        wellFormed = false
                        help = "write a digit after the decimal point, e.g. '1.0'"
                    }
                }
                if wellFormed, peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                    var look = 1
                    if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { look = 2 }
                    if Lexer.isDigit(peek(look)) {
                        position += look
                        while Lexer.isDigit(peek()) { position += 1 }
                    }
                }
            }
        }
        // Whatever glues onto the literal belongs to it: '3tanh', '1.2.3', '1/2/3' are one malformed token.
        func continues(_ b: UInt8?) -> Bool {
            Lexer.isIdentifierPart(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "/")
        }
        if continues(peek()) {
            wellFormed = false
            while continues(peek()) { position += 1 }
        }
        let literal = text(start, position)
        let span = SourceSpan(start: start, end: position)
        if !wellFormed {
            if help == nil, literal.contains("/") {
                help = "a fraction is two integers and a slash without spaces, e.g. '-3/4'"
            }
            error(DiagnosticCode.malformedNumber, "\(problem) '\(literal)'", span, help: help)
            add(.number, literal, span)
            return
        }
        if literal.utf8.count > Lexer.maximumNumberLength {
            error(DiagnosticCode.malformedNumber,
                  "number literal is too long (\(literal.utf8.count) characters, at most \(Lexer.maximumNumberLength))",
                  span)
            add(.number, String(literal.prefix(20)) + "...", span)
            return
        }
        // Digits the literal expands to: checked before GMP does the work.
        digitsSpent += literal.utf8.count + Lexer.exponentMagnitude(of: literal)
        if digitsSpent > Lexer.digitBudget {
            if !budgetReported {
                error(DiagnosticCode.malformedNumber,
                      "the number literals of this file are too large in total (over \(Lexer.digitBudget) digits)", span,
                      help: "exponents this large are almost certainly a mistake")
                budgetReported = true
            }
            add(.number, literal, span)
            return
        }
        guard let value = Rational(literal: literal) else {
            // The syntax was checked above, so only the exponent's size can be at fault.
            error(DiagnosticCode.malformedNumber, "exponent too large in '\(literal)'", span,
                  help: "exponents are at most 100000 in magnitude")
            add(.number, literal, span)
            return
        }
        add(.number, literal, span, number: value)
    }

    /// The offset of the next single quote on the same line, if any. Stops at the first one, so lexing stays
    /// linear however many quotes a line holds.
    func closingQuote(after start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count, bytes[i] != 0x0A {
            if bytes[i] == UInt8(ascii: "'") { return i }
            i += 1
        }
        return nil
    }

    mutating func lexString() {
        let start = position
        position += 1
        while let b = peek(), b != UInt8(ascii: "\""), b != 0x0A { position += 1 }
        guard peek() == UInt8(ascii: "\"") else {
            var end = position
            if end > start + 1, bytes[end - 1] == 0x0D { end -= 1 }
            error(DiagnosticCode.unterminatedString, "unterminated string", SourceSpan(start: start, end: end),
                  help: "close the string with '\"' on the same line")
            return
        }
        position += 1
        add(.string, text(start + 1, position - 1), SourceSpan(start: start, end: position))
    }

    mutating func lexUnexpected() {
        let start = position
        // Consume one whole UTF-8 sequence so the span covers the character, not a fragment of it.
        position += 1
        while let b = peek(), b & 0xC0 == 0x80 { position += 1 }
        let character = text(start, position)
        let span = SourceSpan(start: start, end: position)
        var help: String?
        switch character {
        case "+": help = "numbers take no '+' sign"
        case "-": help = "write a negative number without a space after '-', e.g. '-1/2'"
        case "/": help = "write a fraction without spaces, e.g. '1/2'"
        case "'": help = "strings use double quotes, e.g. \"weights.npz\""
        case ";": help = "statements need no terminator; start each on its own line"
        case "{", "}": help = "matrices and vectors use square brackets, e.g. [[1, 0], [0, 1]]"
        default:
            if let scalar = character.unicodeScalars.first, !scalar.isASCII {
                help = "names and numbers are ASCII; other characters may appear only in comments and strings"
            }
        }
        let shown = character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
            ? character : Lexer.codePoint(character.unicodeScalars.first?.value ?? 0)
        error(DiagnosticCode.unexpectedCharacter, "unexpected character '\(shown)'", span, help: help)
    }

    /// The magnitude of a well-formed literal's exponent (0 without one), saturating instead of overflowing.
    static func exponentMagnitude(of literal: String) -> Int {
        guard let e = literal.utf8.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return 0 }
        let digits = literal.utf8[literal.utf8.index(after: e)...].filter { $0 >= 0x30 && $0 <= 0x39 }
        var value = 0
        for d in digits.prefix(12) { value = value * 10 + Int(d - 0x30) }
        return value
    }

    /// "U+0009" for a character that would be invisible in a message.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
