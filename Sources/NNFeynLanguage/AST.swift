// The syntax tree: what the file says, with spans, before any checking. Lowering.swift turns it into a Network.
// Values that failed to lex (malformed numbers) are nil here; the parser has already reported them.
import NNFeynAlgebra
import NNFeynDiagnostics

/// A name as written, with its span.
struct NameNode {
    var text: String
    var span: SourceSpan
}

/// A whole-number literal (a size); `value` is nil when it does not fit in an Int.
struct IntegerNode {
    var text: String
    var value: Int?
    var span: SourceSpan
}

/// A number literal; `value` is nil when it was malformed.
struct NumberNode {
    var value: Rational?
    var span: SourceSpan
}

/// `[a, b, ...]`.
struct VectorNode {
    var entries: [NumberNode]
    var span: SourceSpan
}

/// `[[...], [...]]`: rows of numbers.
struct MatrixNode {
    var rows: [VectorNode]
    var span: SourceSpan
}

/// The activation after a layer's width: a name and, for `poly`, coefficients in parentheses.
struct ActivationNode {
    var name: NameNode
    /// The parenthesised coefficients, or nil when there are no parentheses.
    var arguments: [NumberNode]?
    /// From the name through the closing parenthesis.
    var span: SourceSpan
}

/// `weight MATRIX`.
struct WeightClause {
    var keywordSpan: SourceSpan
    var matrix: MatrixNode
}

/// `bias VECTOR` or `bias none` (vector nil).
struct BiasClause {
    var keywordSpan: SourceSpan
    var vector: VectorNode?
    var span: SourceSpan
}

/// `dense NAME : WIDTH ACTIVATION { weight ... | bias ... }`.
struct DenseNode {
    var keywordSpan: SourceSpan
    var name: NameNode
    var width: IntegerNode
    var activation: ActivationNode
    var weights: [WeightClause] = []
    var biases: [BiasClause] = []
}

/// One top-level statement.
enum StatementNode {
    /// `network NAME`
    case network(keyword: SourceSpan, name: NameNode)
    /// `input NAME : DIMENSION`
    case input(keyword: SourceSpan, name: NameNode, dimension: IntegerNode)
    /// `dense ...`
    case dense(DenseNode)
    /// `parameters "FILE"`; the span covers the string including its quotes.
    case parameters(keyword: SourceSpan, path: String, pathSpan: SourceSpan)
    /// `at NAME = [...]`; `span` covers the whole statement.
    case at(keyword: SourceSpan, name: NameNode, point: VectorNode, span: SourceSpan)
}

/// A parsed model file.
struct ModelNode {
    var statements: [StatementNode]
}
