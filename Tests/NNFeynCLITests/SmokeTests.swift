import Testing

@Suite struct NNFeynCLISmoke {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
