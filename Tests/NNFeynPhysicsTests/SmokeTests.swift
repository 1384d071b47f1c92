import Testing

@Suite struct NNFeynPhysicsSmoke {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
