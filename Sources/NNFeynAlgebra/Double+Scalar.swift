extension Double: Scalar {
    public static var one: Double { 1 }
    public init(_ value: Rational) { self = value.fastDoubleValue }
    public var isZero: Bool { self == 0 }
    public var doubleValue: Double { self }
    public mutating func addProduct(_ a: Double, _ b: Double) { self += a * b }
    public static var isExact: Bool { false }
}
