import Testing

@Suite struct NNFeynLanguageSmoke {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
