import Testing

@Suite struct NNFeynDiagramsSmoke {
    @Test func targetBuilds() { #expect(Bool(true)) }
}
