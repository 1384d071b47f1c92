// The lexer: UTF-8 bytes -> tokens with spans, one at a time as the parser asks (nothing is materialised up front).
// A token is a kind and a span; its text is sliced from the source only when a message or a name needs it, and a
// number's value is read straight into the cheapest exact form (a 64-bit fraction; a GMP rational only when a value
// needs one). It never fails: a bad character or malformed literal becomes a diagnostic, and the parser is told (via
// `followsLexError`) not to report a second error at the same place.
// The lexical rules are those of grammar/nnfeyn.ebnf (the rules in capitals); keep the two in step.
import NNFeynAlgebra
import NNFeynDiagnostics

/// What a token is.
enum TokenKind: Equatable {
    case identifier
    case keyword
    /// A number literal; the value is nil when the literal was malformed (already reported).
    case number
    /// A double-quoted string; its text is the span without the quotes.
    case string
    case colon, equals, comma, leftParen, rightParen, leftBracket, rightBracket
    case endOfFile
}

/// The exact value of a well-formed number literal.
enum LiteralValue {
    /// numerator / denominator (denominator > 0, not necessarily in lowest terms).
    case fraction(Int64, UInt64)
    /// A value beyond 64-bit fractions.
    case rational(Rational)
    /// Well-formed, but the lexer was asked not to compute values.
    case unevaluated
}

/// One token: a kind and a span (text comes from the source on demand).
struct Token {
    var kind: TokenKind
    var span: SourceSpan
    /// The value of a well-formed number.
    var number: LiteralValue?
    /// True when the lexer reported an error right before this token, so a syntax error here would be noise.
    var followsLexError = false
    /// A number literal too long to quote: messages show its first 20 characters.
    var shortened = false
}

/// Splits a source file into tokens, on demand.
struct Lexer {
    /// The language's keywords; they cannot be used as names.
    static let keywords: Set<String> = ["network", "input", "dense", "weight", "bias", "parameters", "at"]
    /// Longest number literal accepted, so that a pathological literal cannot make GMP work for minutes.
    static let maximumNumberLength = 1000
    /// Total digits all literals of a file may expand to (their length plus their exponents): reading 1e100000
    /// builds a 100001-digit number, and millions of those would take hours rather than fail.
    static let digitBudget = 10_000_000

    /// Single-character tokens.
    static func punctuation(_ b: UInt8) -> TokenKind? {
        switch b {
        case UInt8(ascii: ":"): .colon
        case UInt8(ascii: "="): .equals
        case UInt8(ascii: ","): .comma
        case UInt8(ascii: "("): .leftParen
        case UInt8(ascii: ")"): .rightParen
        case UInt8(ascii: "["): .leftBracket
        case UInt8(ascii: "]"): .rightBracket
        default: nil
        }
    }

    let file: SourceFile
    let bytes: [UInt8]
    /// Whether number tokens carry their values (`.unevaluated` otherwise: a parser past an error needs none).
    var evaluates: Bool
    /// How many diagnostics to keep; `errorCount` counts them all.
    let keep: Int
    var position = 0
    /// The first `keep` diagnostics, in source order.
    var diagnostics: [Diagnostic] = []
    var errorCount = 0
    var pendingLexError = false
    var digitsSpent = 0
    var budgetReported = false

    init(file: SourceFile, evaluates: Bool = true, keep: Int = Int.max) {
        self.file = file
        self.bytes = file.utf8
        self.evaluates = evaluates
        self.keep = keep
        // A UTF-8 byte-order mark is an encoding artefact, not text.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    /// The next token; `.endOfFile` once the text is used up (and on every call after that).
    mutating func next() -> Token {
        while true {
            skipLayout()
            guard position < bytes.count else { break }
            if let token = lexToken() { return token }
        }
        return make(.endOfFile, SourceSpan(start: bytes.count, end: bytes.count))
    }

    /// The token's text: a name, a keyword, a literal as written, a string without its quotes.
    func text(of token: Token) -> String {
        switch token.kind {
        case .endOfFile: return ""
        case .string: return text(token.span.start + 1, max(token.span.start + 1, token.span.end - 1))
        case .number where token.shortened: return text(token.span.start, token.span.start + 20) + "..."
        default: return text(token.span.start, token.span.end)
        }
    }

    /// Whether the token is the keyword or identifier `word`, without building a string.
    func token(_ token: Token, is word: StaticString) -> Bool {
        guard token.span.end - token.span.start == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { w in (0..<w.count).allSatisfy { bytes[token.span.start + $0] == w[$0] } }
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

    mutating func make(_ kind: TokenKind, _ span: SourceSpan, number: LiteralValue? = nil, shortened: Bool = false) -> Token {
        defer { pendingLexError = false }
        return Token(kind: kind, span: span, number: number, followsLexError: pendingLexError, shortened: shortened)
    }

    /// Records an error; the message is built only for a diagnostic that is kept.
    mutating func error(_ code: DiagnosticCode, _ span: SourceSpan, _ describe: () -> (message: String, help: String?)) {
        errorCount += 1
        pendingLexError = true
        guard diagnostics.count < keep else { return }
        let (message, help) = describe()
        diagnostics.append(Diagnostic(code: code, message: message, file: file, span: span, help: help))
    }

    func text(_ start: Int, _ end: Int) -> String { Lexer.text(bytes, start, end) }

    /// Bytes `start..<end` as text (for closures, which may not capture the lexer while it reports).
    static func text(_ bytes: [UInt8], _ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
    }

    /// Lexes one token at `position`; nil when what was there was only an error (nothing for the parser).
    mutating func lexToken() -> Token? {
        let start = position
        guard let b = peek() else { return nil }
        if let kind = Lexer.punctuation(b) {
            position += 1
            return make(kind, SourceSpan(start: start, end: position))
        } else if Lexer.isIdentifierStart(b) {
            while Lexer.isIdentifierPart(peek()) { position += 1 }
            let word = text(start, position)
            return make(Lexer.keywords.contains(word) ? .keyword : .identifier, SourceSpan(start: start, end: position))
        } else if Lexer.isDigit(b) || (b == UInt8(ascii: "-") && Lexer.isDigit(peek(1)))
                    || (b == UInt8(ascii: ".") && Lexer.isDigit(peek(1))) {
            return lexNumber()
        } else if b == UInt8(ascii: "\"") {
            return lexString()
        } else if b == UInt8(ascii: "'"), let close = closingQuote(after: position) {
            // A single-quoted string is one mistake, not three unexpected characters.
            position = close + 1
            let span = SourceSpan(start: start, end: position), bytes = bytes
            error(DiagnosticCode.unexpectedCharacter, span) {
                ("strings use double quotes, not single quotes",
                 "write \"\(Diagnostic.quoted(Lexer.text(bytes, start + 1, close)))\"")
            }
            return make(.string, span)
        } else {
            lexUnexpected()
            return nil
        }
    }

    /// NUMBER = ["-"], (INTEGER, "/", DENOMINATOR | INTEGER, [".", INTEGER], [EXPONENT]).
    mutating func lexNumber() -> Token {
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
        let span = SourceSpan(start: start, end: position), end = position, bytes = bytes
        let literal = bytes[start..<position]
        if !wellFormed {
            error(DiagnosticCode.malformedNumber, span) {
                let text = Lexer.text(bytes, start, end)
                if help == nil, text.contains("/") {
                    help = "a fraction is two integers and a slash without spaces, e.g. '-3/4'"
                }
                return ("\(problem) '\(Diagnostic.quoted(text))'", help)
            }
            return make(.number, span)
        }
        if literal.count > Lexer.maximumNumberLength {
            error(DiagnosticCode.malformedNumber, span) {
                ("number literal is too long (\(literal.count) characters, at most \(Lexer.maximumNumberLength))", nil)
            }
            return make(.number, span, shortened: true)
        }
        // Digits the literal expands to: checked before any arithmetic is done.
        let (spent, overflow) = digitsSpent.addingReportingOverflow(literal.count + Lexer.exponentMagnitude(of: literal))
        digitsSpent = overflow ? Int.max : spent
        if digitsSpent > Lexer.digitBudget {
            if !budgetReported {
                error(DiagnosticCode.malformedNumber, span) {
                    ("the number literals of this file are too large in total (over \(Lexer.digitBudget) digits)",
                     "put large weights in a parameters file (parameters \"weights.npz\"); a huge exponent counts its digits too")
                }
                budgetReported = true
            }
            return make(.number, span)
        }
        if Lexer.exponentTooLarge(literal) {
            error(DiagnosticCode.malformedNumber, span) {
                ("exponent too large in '\(Diagnostic.quoted(Lexer.text(bytes, start, end)))'", "exponents are at most 100000 in magnitude")
            }
            return make(.number, span)
        }
        guard evaluates else { return make(.number, span, number: .unevaluated) }
        if let (p, q) = Lexer.smallValue(of: literal) { return make(.number, span, number: .fraction(p, q)) }
        guard let value = Rational(literal: text(start, position)) else {
            // Unreachable: Rational(literal:) fails exactly where exponentTooLarge holds (tested). Reported the same way.
            error(DiagnosticCode.malformedNumber, span) {
                ("exponent too large in '\(Diagnostic.quoted(Lexer.text(bytes, start, end)))'", "exponents are at most 100000 in magnitude")
            }
            return make(.number, span)
        }
        return make(.number, span, number: .rational(value))
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

    mutating func lexString() -> Token? {
        let start = position
        position += 1
        while let b = peek(), b != UInt8(ascii: "\""), b != 0x0A { position += 1 }
        guard peek() == UInt8(ascii: "\"") else {
            var end = position
            if end > start + 1, bytes[end - 1] == 0x0D { end -= 1 }
            error(DiagnosticCode.unterminatedString, SourceSpan(start: start, end: end)) {
                ("unterminated string", "close the string with '\"' on the same line")
            }
            return nil
        }
        position += 1
        return make(.string, SourceSpan(start: start, end: position))
    }

    mutating func lexUnexpected() {
        let start = position
        // Consume one whole UTF-8 sequence so the span covers the character, not a fragment of it.
        position += 1
        while let b = peek(), b & 0xC0 == 0x80 { position += 1 }
        let span = SourceSpan(start: start, end: position), end = position, bytes = bytes
        error(DiagnosticCode.unexpectedCharacter, span) {
            let character = Lexer.text(bytes, start, end)
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
            return ("unexpected character '\(shown)'", help)
        }
    }

    /// The magnitude of a well-formed literal's exponent (0 without one), saturating instead of overflowing.
    static func exponentMagnitude(of literal: ArraySlice<UInt8>) -> Int {
        guard let e = literal.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return 0 }
        var value = 0
        for d in literal[(e + 1)...].lazy.filter({ $0 >= 0x30 && $0 <= 0x39 }).prefix(12) { value = value * 10 + Int(d - 0x30) }
        return value
    }

    /// Whether a well-formed literal's exponent is beyond what `Rational(literal:)` reads: more than 6 digits, or
    /// above 100000 in magnitude. Fractions have no exponent.
    static func exponentTooLarge(_ literal: ArraySlice<UInt8>) -> Bool {
        guard let e = literal.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return false }
        var digits = literal[(e + 1)...]
        if let sign = digits.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard digits.count <= 6 else { return true }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) } > 100_000
    }

    /// The value of a well-formed literal as p/q when both fit in 64 bits (the common case: no GMP), else nil.
    static func smallValue(of literal: ArraySlice<UInt8>) -> (Int64, UInt64)? {
        var i = literal.startIndex
        let negative = literal[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        /// Appends the digits at `i` to `value`, counting them; false on overflow.
        func readDigits(into value: inout UInt64, count: inout Int) -> Bool {
            while i < literal.endIndex, literal[i] >= 0x30, literal[i] <= 0x39 {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(literal[i] - 0x30))
                if o1 || o2 { return false }
                value = sum
                count += 1
                i += 1
            }
            return true
        }
        func signed(_ magnitude: UInt64) -> Int64? {
            if magnitude <= UInt64(Int64.max) { return negative ? -Int64(magnitude) : Int64(magnitude) }
            return negative && magnitude == 1 << 63 ? Int64.min : nil
        }
        var mantissa: UInt64 = 0, integerDigits = 0, fractionDigits = 0
        guard readDigits(into: &mantissa, count: &integerDigits) else { return nil }
        if i < literal.endIndex, literal[i] == UInt8(ascii: "/") {
            i += 1
            var q: UInt64 = 0, denominatorDigits = 0
            guard readDigits(into: &q, count: &denominatorDigits), q > 0, let p = signed(mantissa) else { return nil }
            return (p, q)
        }
        if i < literal.endIndex, literal[i] == UInt8(ascii: ".") {
            i += 1
            // Digits after the point extend the mantissa: 12.5 = 125 / 10.
            guard readDigits(into: &mantissa, count: &fractionDigits) else { return nil }
        }
        var exponent = 0
        if i < literal.endIndex {
            // 'e' or 'E', an optional sign, at most 6 digits (exponentTooLarge ruled out more).
            i += 1
            var negativeExponent = false
            if literal[i] == UInt8(ascii: "-") { negativeExponent = true; i += 1 } else if literal[i] == UInt8(ascii: "+") { i += 1 }
            while i < literal.endIndex { exponent = exponent * 10 + Int(literal[i] - 0x30); i += 1 }
            if negativeExponent { exponent = -exponent }
        }
        if mantissa == 0 { return (0, 1) }
        var scale = exponent - fractionDigits
        while mantissa % 10 == 0 { mantissa /= 10; scale += 1 }
        guard scale >= -19, scale <= 19 else { return nil }
        var power: UInt64 = 1
        for _ in 0..<abs(scale) { power *= 10 }
        if scale < 0 {
            guard let p = signed(mantissa) else { return nil }
            return (p, power)
        }
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: power)
        guard !overflow, let p = signed(product) else { return nil }
        return (p, 1)
    }

    /// "U+0009" for a character that would be invisible in a message.
    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
