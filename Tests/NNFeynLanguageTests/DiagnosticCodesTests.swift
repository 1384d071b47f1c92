// The registry is complete and well formed: every code the language emits is explained.
import Testing
@testable import NNFeynLanguage

@Suite struct DiagnosticCodesTests {
    @Test func codesAreUniqueSortedAndWellFormed() {
        let codes = DiagnosticCodes.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
        for entry in DiagnosticCodes.all {
            #expect(entry.code.count == 5 && entry.code.hasPrefix("E0"))
            #expect(["1", "2", "3", "4"].contains(entry.code.dropFirst(2).prefix(1)))
            #expect(!entry.title.isEmpty && entry.title.first?.isLowercase == true)
            #expect(entry.explanation.count > 60)
        }
    }

    @Test func reservedCodesArePresent() {
        for code in ["E0301", "E0302", "E0401", "E0402", "E0403"] { #expect(DiagnosticCodes.explanation(for: code) != nil) }
    }

    @Test func lookupIsCaseInsensitiveAndUnknownIsNil() {
        #expect(DiagnosticCodes.explanation(for: "e0204") == DiagnosticCodes.explanation(for: "E0204"))
        #expect(DiagnosticCodes.title(for: "E0204") == "unknown activation")
        #expect(DiagnosticCodes.explanation(for: "E9999") == nil)
        #expect(DiagnosticCodes.explanation(for: "") == nil)
    }

    @Test func everyInternalCodeIsRegistered() {
        let used = [
            DiagnosticCodes.unexpectedCharacter, DiagnosticCodes.malformedNumber, DiagnosticCodes.unterminatedString,
            DiagnosticCodes.syntaxError, DiagnosticCodes.misplacedClause, DiagnosticCodes.keywordAsName,
            DiagnosticCodes.tooManyErrors, DiagnosticCodes.unreadableFile, DiagnosticCodes.notUTF8,
            DiagnosticCodes.missingLayers, DiagnosticCodes.unknownActivation, DiagnosticCodes.duplicateLayer,
            DiagnosticCodes.layerNamedLikeInput, DiagnosticCodes.missingInput, DiagnosticCodes.duplicateStatement,
            DiagnosticCodes.fanInMismatch, DiagnosticCodes.rowCountMismatch, DiagnosticCodes.raggedWeight,
            DiagnosticCodes.biasLengthMismatch, DiagnosticCodes.pointDimensionMismatch,
            DiagnosticCodes.pointNameMismatch, DiagnosticCodes.sizeOutOfRange, DiagnosticCodes.tooManyParameters,
            DiagnosticCodes.duplicateClause, DiagnosticCodes.missingParameters, DiagnosticCodes.unreadableParameters,
            DiagnosticCodes.missingMember, DiagnosticCodes.memberShape, DiagnosticCodes.memberValues,
            DiagnosticCodes.polyWithoutCoefficients, DiagnosticCodes.unexpectedArguments,
        ]
        #expect(Set(used).count == used.count)
        for code in used { #expect(DiagnosticCodes.entry(for: code) != nil, "\(code) is not registered") }
    }
}

@Suite struct SpellingTests {
    @Test(arguments: [("tahn", "tanh", 1), ("tanh", "tanh", 0), ("", "abc", 3), ("kitten", "sitting", 3), ("ab", "ba", 1)])
    func editDistance(_ a: String, _ b: String, _ expected: Int) {
        #expect(Spelling.editDistance(a, b) == expected)
    }

    @Test func suggestionsStayPlausible() {
        #expect(Spelling.closest(to: "tahn", among: ["tanh", "sin"]) == "tanh")
        #expect(Spelling.closest(to: "SIN", among: ["tanh", "sin"]) == "sin")
        #expect(Spelling.closest(to: "banana", among: ["tanh", "sin"]) == nil)
        #expect(Spelling.closest(to: "x", among: ["exp"]) == nil)
    }
}
