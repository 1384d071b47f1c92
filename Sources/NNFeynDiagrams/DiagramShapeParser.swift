// Reading the compact shape notation back: `x` or `V<layer>[<degree>](<child>, ...)`, spaces optional.

extension DiagramNode {
    /// Parses a shape such as `V2[3](x, x, V1[2](x, x))`; nil when malformed, when a degree disagrees with its
    /// children, or when nesting is deeper than 1000. The result is canonical.
    public init?(shape: String) {
        var parser = ShapeParser(bytes: Array(shape.utf8))
        guard let node = parser.node(depth: 0) else { return nil }
        parser.skipSpaces()
        guard parser.position == parser.bytes.count else { return nil }
        self = node.canonicalized()
    }
}

extension Diagram {
    /// The diagram with this shape ("value" for order 0); nil when malformed. Its listing index is unknown (0).
    public init?(shape: String) {
        if shape.trimmingSpaces == "value" {
            self.init(root: nil, index: 0)
            return
        }
        guard let root = DiagramNode(shape: shape) else { return nil }
        self.init(root: root, index: 0)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// A recursive-descent reader over UTF-8 bytes.
struct ShapeParser {
    let bytes: [UInt8]
    var position = 0

    mutating func skipSpaces() {
        while position < bytes.count && bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    mutating func expect(_ c: Character) -> Bool {
        skipSpaces()
        guard position < bytes.count, bytes[position] == c.asciiValue else { return false }
        position += 1
        return true
    }

    mutating func integer() -> Int? {
        skipSpaces()
        var value = 0
        let start = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            // Layers and degrees are small; refuse absurd numbers instead of overflowing.
            guard position - start < 9 else { return nil }
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        return position > start ? value : nil
    }

    mutating func node(depth: Int) -> DiagramNode? {
        guard depth < 1000 else { return nil }
        if expect("x") { return .leg }
        guard expect("V"), let layer = integer(), layer >= 1, expect("["), let degree = integer(), expect("]"),
              expect("(") else { return nil }
        var children: [DiagramNode] = []
        if !expect(")") {
            repeat {
                guard let child = node(depth: depth + 1) else { return nil }
                children.append(child)
            } while expect(",")
            guard expect(")") else { return nil }
        }
        guard children.count == degree, children.allSatisfy({ $0.layer < layer }) else { return nil }
        return .vertex(layer: layer, children: children)
    }
}
