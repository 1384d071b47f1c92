// The syntax tree: what the file says, with spans, before any checking. Lowering.swift turns it into a Model.
// Numbers are stored as the model will hold them (ParameterArray: 8 bytes per double, 24 per small fraction), never
// as a node per number, so a large inline weight costs what its values cost. Only a file without syntax errors is
// lowered, so the parser stops storing values at the first error.
import NNFeynAlgebra
import NNFeynDiagnostics
import NNFeynModel

/// A name as written, with its span.
struct NameNode {
    var text: String
    var span: SourceSpan
}

/// A whole-number literal (a size); `value` is nil when it does not fit in an Int. Its text is the span's.
struct IntegerNode {
    var value: Int?
    var span: SourceSpan
}

/// `[a, b, ...]`: its values and where.
struct VectorNode {
    var values: ParameterArray
    var span: SourceSpan

    var count: Int { values.count }
}

/// One row of a matrix: how many entries it has and where it is (12 bytes, so that a file of rows stays small).
struct RowNode {
    var count: UInt32
    var start: UInt32
    var end: UInt32

    var span: SourceSpan { SourceSpan(start: Int(start), end: Int(end)) }
}

/// `[[...], [...]]`: rows of numbers, their values flat in row-major order.
struct MatrixNode {
    var values: ParameterArray
    var rows: [RowNode]
    var span: SourceSpan
}

/// The activation after a layer's width: a name and, for `poly`, coefficients in parentheses.
struct ActivationNode {
    var name: NameNode
    /// The parenthesised coefficients, or nil when there are no parentheses (boxed: only 'poly' has them, and
    /// every layer carries the field).
    var argumentBox: Boxed<ParameterArray>?
    var arguments: ParameterArray? { argumentBox?.value }
    /// From the name through the closing parenthesis.
    var span: SourceSpan
}

/// `from "KEY"` after `weight` or `bias`, with `transposed` for a weight stored (fan-in, width): a tensor of the
/// parameters file named explicitly.
struct TensorReference {
    var key: String
    /// The key's string, quotes included.
    var span: SourceSpan
    var transposed: Bool
}

/// `weight MATRIX` or `weight from "KEY" [transposed]`.
struct WeightClause {
    enum Value {
        case matrix(MatrixNode)
        case file(TensorReference)
    }
    var keywordSpan: SourceSpan
    var value: Value
}

/// `bias VECTOR`, `bias none` (`.zero`) or `bias from "KEY"`.
struct BiasClause {
    enum Value {
        case vector(VectorNode)
        case zero
        case file(TensorReference)
    }
    var keywordSpan: SourceSpan
    var value: Value
}

/// `dense NAME : WIDTH ACTIVATION { weight ... | bias ... }`. A layer keeps its first clause of each kind; of any
/// further ones only where the second starts matters (it is reported as a duplicate).
struct DenseNode {
    var keywordSpan: SourceSpan
    var name: NameNode
    var width: IntegerNode
    var activation: ActivationNode
    var weight: WeightClause?
    var bias: BiasClause?
    /// The keyword of a second clause, by keyword ("weight", "bias"); empty (and unallocated) in a correct file.
    var secondClauses: [String: SourceSpan] = [:]
}

/// An immutable value behind a reference, for a large field that is rarely present.
final class Boxed<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One top-level statement (layers are kept apart, in `ModelNode.layers`).
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

/// A parsed model file: its statements other than layers, in order, and its layers, in order.
struct ModelNode {
    var statements: [StatementNode] = []
    var layers = ChunkedArray<DenseNode>()
}

/// An append-only list stored in chunks of at most `chunkSize` elements. Growing never copies what is stored, so a
/// file of a few hundred thousand layers costs the layers themselves, not up to three times that while the list
/// doubles (the old and the new buffer at once, and the unused half after).
struct ChunkedArray<Element>: RandomAccessCollection {
    static var chunkSize: Int { 1024 }
    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(index: Int) -> Element { chunks[index / Self.chunkSize][index % Self.chunkSize] }

    mutating func append(_ element: Element) {
        if count % Self.chunkSize == 0 {
            var chunk: [Element] = []
            // The first chunk grows as a plain array (small models stay small); later ones are allocated whole.
            if count > 0 { chunk.reserveCapacity(Self.chunkSize) }
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }
}
