// A small reader for ISO-style EBNF and a recognizer that runs a grammar directly, independent of the Swift
// parser, so that grammar/nnfeyn.ebnf can be checked against the parser on the same inputs.
//
// The recognizer explores every alternative: matching an expression at a position yields the *set* of positions
// where a match can end (a breadth-first form of backtracking, memoised per rule and position). It follows the
// conventions stated at the top of nnfeyn.ebnf: CAPITAL rules are lexical (characters, nothing in between);
// lowercase rules are syntactic (LAYOUT may precede every token), and a token whose last character is a letter,
// digit or '_' must not be followed by one.

import Foundation

/// An EBNF expression.
indirect enum EBNFExpression {
    case terminal([Unicode.Scalar])
    case special(String)
    case rule(String)
    case sequence([EBNFExpression])
    case choice([EBNFExpression])
    case optional(EBNFExpression)
    case repetition(EBNFExpression)
    case exception(EBNFExpression, EBNFExpression)
}

/// What went wrong reading a grammar.
struct EBNFError: Error, CustomStringConvertible {
    var description: String
}

/// A grammar read from EBNF text.
struct EBNFGrammar {
    var rules: [String: EBNFExpression] = [:]
    /// Rule names in the order they are defined.
    var order: [String] = []

    enum Token: Equatable {
        case identifier(String)
        case terminal(String)
        case special(String)
        case symbol(Character)
    }

    init(text: String) throws {
        let tokens = try EBNFGrammar.tokenize(text)
        var index = 0
        func peek() -> Token? { index < tokens.count ? tokens[index] : nil }
        func expect(_ symbol: Character) throws {
            guard peek() == .symbol(symbol) else { throw EBNFError(description: "expected '\(symbol)' at token \(index), found \(String(describing: peek()))") }
            index += 1
        }
        func choice() throws -> EBNFExpression {
            var alternatives = [try sequence()]
            while peek() == .symbol("|") { index += 1; alternatives.append(try sequence()) }
            return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
        }
        func sequence() throws -> EBNFExpression {
            var items = [try term()]
            while peek() == .symbol(",") { index += 1; items.append(try term()) }
            return items.count == 1 ? items[0] : .sequence(items)
        }
        func term() throws -> EBNFExpression {
            let base = try factor()
            guard peek() == .symbol("-") else { return base }
            index += 1
            return .exception(base, try factor())
        }
        func factor() throws -> EBNFExpression {
            guard let token = peek() else { throw EBNFError(description: "unexpected end of grammar") }
            index += 1
            switch token {
            case .identifier(let name): return .rule(name)
            case .terminal(let text): return .terminal(Array(text.unicodeScalars))
            case .special(let text): return .special(text)
            case .symbol("["): let e = try choice(); try expect("]"); return .optional(e)
            case .symbol("{"): let e = try choice(); try expect("}"); return .repetition(e)
            case .symbol("("): let e = try choice(); try expect(")"); return .sequence([e])
            default: throw EBNFError(description: "unexpected \(token) at token \(index - 1)")
            }
        }
        while index < tokens.count {
            guard case .identifier(let name) = tokens[index] else {
                throw EBNFError(description: "expected a rule name at token \(index)")
            }
            index += 1
            try expect("=")
            let body = try choice()
            try expect(";")
            guard rules[name] == nil else { throw EBNFError(description: "rule '\(name)' defined twice") }
            rules[name] = body
            order.append(name)
        }
    }

    static func tokenize(_ text: String) throws -> [Token] {
        let chars = Array(text)
        var i = 0
        var tokens: [Token] = []
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(", i + 1 < chars.count, chars[i + 1] == "*" {
                i += 2
                while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == ")") { i += 1 }
                guard i + 1 < chars.count else { throw EBNFError(description: "unterminated comment") }
                i += 2
                continue
            }
            if c.isLetter || c == "_" {
                var name = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { name.append(chars[i]); i += 1 }
                tokens.append(.identifier(name))
                continue
            }
            if c == "\"" || c == "'" || c == "?" {
                var body = ""
                i += 1
                while i < chars.count, chars[i] != c { body.append(chars[i]); i += 1 }
                guard i < chars.count else { throw EBNFError(description: "unterminated \(c)") }
                i += 1
                if c == "?" {
                    tokens.append(.special(body.trimmingCharacters(in: .whitespaces)))
                } else {
                    guard !body.isEmpty else { throw EBNFError(description: "empty terminal") }
                    tokens.append(.terminal(body))
                }
                continue
            }
            guard "=;|,[]{}()-".contains(c) else { throw EBNFError(description: "unexpected character '\(c)' in grammar") }
            tokens.append(.symbol(c))
            i += 1
        }
        return tokens
    }

    /// Rule names referenced anywhere.
    var referencedRules: Set<String> {
        var names = Set<String>()
        func visit(_ e: EBNFExpression) {
            switch e {
            case .rule(let n): names.insert(n)
            case .terminal, .special: break
            case .sequence(let items), .choice(let items): items.forEach(visit)
            case .optional(let x), .repetition(let x): visit(x)
            case .exception(let a, let b): visit(a); visit(b)
            }
        }
        rules.values.forEach(visit)
        return names
    }
}

/// Runs a grammar on one input.
final class EBNFRecognizer {
    let grammar: EBNFGrammar
    let input: [Unicode.Scalar]
    var memo: [String: [Int: Set<Int>]] = [:]
    var layoutEnds: [Int: Int] = [:]

    init(grammar: EBNFGrammar, input: String) {
        self.grammar = grammar
        self.input = Array(input.unicodeScalars)
    }

    /// Whether the whole input is a `start`, with layout allowed around it.
    func accepts(start: String = "model") throws -> Bool {
        try match(.rule(start), at: 0, lexical: false).contains { try skipLayout($0) == input.count }
    }

    static func isLexical(_ rule: String) -> Bool { rule == rule.uppercased() }

    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 0x30 && s.value <= 0x39) || (s.value >= 0x41 && s.value <= 0x5A) || (s.value >= 0x61 && s.value <= 0x7A)
            || s == "_"
    }

    /// The furthest end of LAYOUT from `position` (layout is skipped greedily, like a lexer does).
    func skipLayout(_ position: Int) throws -> Int {
        if let end = layoutEnds[position] { return end }
        let end = try match(.rule("LAYOUT"), at: position, lexical: true).max() ?? position
        layoutEnds[position] = end
        return end
    }

    /// Drops ends where a token would run into a letter, digit or '_'.
    func delimited(_ ends: Set<Int>) -> Set<Int> {
        ends.filter { end in
            guard end > 0, end < input.count else { return true }
            return !(EBNFRecognizer.isWordCharacter(input[end - 1]) && EBNFRecognizer.isWordCharacter(input[end]))
        }
    }

    func match(_ expression: EBNFExpression, at position: Int, lexical: Bool) throws -> Set<Int> {
        switch expression {
        case .terminal(let scalars):
            let start = lexical ? position : try skipLayout(position)
            guard start + scalars.count <= input.count, Array(input[start..<start + scalars.count]) == scalars else { return [] }
            let ends: Set<Int> = [start + scalars.count]
            return lexical ? ends : delimited(ends)
        case .special(let name):
            guard position < input.count else { return [] }
            return try EBNFRecognizer.specialMatches(name, input[position]) ? [position + 1] : []
        case .rule(let name):
            if EBNFRecognizer.isLexical(name) {
                // A token: layout before it when used from a syntactic rule, nothing inside it.
                let start = lexical ? position : try skipLayout(position)
                let ends = try matchRule(name, at: start)
                return lexical ? ends : delimited(ends)
            }
            return try matchRule(name, at: position)
        case .sequence(let items):
            var positions: Set<Int> = [position]
            for item in items {
                var next = Set<Int>()
                for p in positions { next.formUnion(try match(item, at: p, lexical: lexical)) }
                positions = next
                if positions.isEmpty { break }
            }
            return positions
        case .choice(let alternatives):
            var ends = Set<Int>()
            for alternative in alternatives { ends.formUnion(try match(alternative, at: position, lexical: lexical)) }
            return ends
        case .optional(let inner):
            return try match(inner, at: position, lexical: lexical).union([position])
        case .repetition(let inner):
            var all: Set<Int> = [position]
            var frontier: Set<Int> = [position]
            while !frontier.isEmpty {
                var next = Set<Int>()
                for p in frontier { next.formUnion(try match(inner, at: p, lexical: lexical)) }
                frontier = next.subtracting(all)
                all.formUnion(frontier)
            }
            return all
        case .exception(let base, let excluded):
            let excludedEnds = try match(excluded, at: position, lexical: true)
            return try match(base, at: position, lexical: lexical).subtracting(excludedEnds)
        }
    }

    func matchRule(_ name: String, at position: Int) throws -> Set<Int> {
        if let cached = memo[name]?[position] { return cached }
        guard let body = grammar.rules[name] else { throw EBNFError(description: "undefined rule '\(name)'") }
        // Guard against left recursion: a rule re-entered at the same position matches nothing there.
        memo[name, default: [:]][position] = []
        let ends = try match(body, at: position, lexical: EBNFRecognizer.isLexical(name))
        memo[name, default: [:]][position] = ends
        return ends
    }

    /// The special sequences nnfeyn.ebnf uses; any other is an error in the grammar.
    static func specialMatches(_ name: String, _ s: Unicode.Scalar) throws -> Bool {
        switch name {
        case "tab": return s == "\t"
        case "line feed": return s == "\n"
        case "carriage return": return s == "\r"
        case "any character except line feed": return s != "\n"
        case "any character except '\"', line feed": return s != "\n" && s != "\""
        default: throw EBNFError(description: "unknown special sequence '? \(name) ?'")
        }
    }
}
