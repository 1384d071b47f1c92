public struct RGReport: Sendable, Codable, Equatable {}
public struct SixPointReport: Sendable, Codable, Equatable {}
public struct FitReport: Sendable, Codable, Equatable {}
public struct DepthReport: Sendable, Codable, Equatable {}
