import Testing

@Suite struct NNFeynEvalSmoke {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
