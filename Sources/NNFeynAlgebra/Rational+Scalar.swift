import CGMP

extension Rational: Scalar {
    public static func + (lhs: Rational, rhs: Rational) -> Rational { make { __gmpq_add($0, lhs.storage.value, rhs.storage.value) } }
    public static func - (lhs: Rational, rhs: Rational) -> Rational { make { __gmpq_sub($0, lhs.storage.value, rhs.storage.value) } }
    public static func * (lhs: Rational, rhs: Rational) -> Rational { make { __gmpq_mul($0, lhs.storage.value, rhs.storage.value) } }
    public static func / (lhs: Rational, rhs: Rational) -> Rational {
        precondition(!rhs.isZero, "division by zero")
        return make { __gmpq_div($0, lhs.storage.value, rhs.storage.value) }
    }
    public static func += (lhs: inout Rational, rhs: Rational) { lhs = lhs + rhs }
    public static func -= (lhs: inout Rational, rhs: Rational) { lhs = lhs - rhs }
    public static func *= (lhs: inout Rational, rhs: Rational) { lhs = lhs * rhs }
    public static func /= (lhs: inout Rational, rhs: Rational) { lhs = lhs / rhs }
    public static prefix func - (operand: Rational) -> Rational { make { __gmpq_neg($0, operand.storage.value) } }
    public mutating func negate() { self = -self }

    public init(_ value: Rational) { self = value }
    /// The exact binary fraction a finite double stores (a non-finite double is a programming error here; use
    /// `init?(exactly:)` for untrusted values).
    public init(_ value: Double) {
        guard let exact = Rational(exactly: value) else { preconditionFailure("\(value) is not a finite number") }
        self = exact
    }
    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else { return nil }
        self.init(value)
    }
    public var isZero: Bool { sign == 0 }
    public var isFiniteValue: Bool { true }
    public static var arithmetic: Arithmetic { .exact }
    public var reciprocal: Rational? { isZero ? nil : Rational.one / self }

    public mutating func addProduct(_ a: Rational, _ b: Rational) {
        if a.isZero || b.isZero { return }
        let product = a * b
        if isKnownUniquelyReferenced(&storage) {
            __gmpq_add(storage.value, storage.value, product.storage.value)
        } else {
            self = self + product
        }
    }

    /// Exact: "p/q" whatever the digits asked for.
    public func text(significantDigits: Int) -> String { description }
    /// Exact: the string "p/q".
    public var json: ScalarJSON { .string(description) }
}

extension Rational: Equatable, Hashable, Comparable, CustomStringConvertible {
    public static func == (lhs: Rational, rhs: Rational) -> Bool { __gmpq_equal(lhs.storage.value, rhs.storage.value) != 0 }
    public static func < (lhs: Rational, rhs: Rational) -> Bool { __gmpq_cmp(lhs.storage.value, rhs.storage.value) < 0 }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
    /// "p" for integers, "p/q" otherwise, in lowest terms.
    public var description: String {
        isInteger ? numeratorString : numeratorString + "/" + denominatorString
    }
}

extension Rational: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
