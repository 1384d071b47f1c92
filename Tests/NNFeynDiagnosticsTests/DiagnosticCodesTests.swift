// The registry is complete and well formed: every code the language emits is explained.
import Testing
@testable import NNFeynDiagnostics

@Suite struct DiagnosticCodesTests {
    @Test func codesAreUniqueSortedAndWellFormed() {
        let codes = DiagnosticCode.registry.map(\.code.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
        for entry in DiagnosticCode.registry {
            #expect(entry.code.rawValue.count == 5 && entry.code.rawValue.hasPrefix("E0"))
            #expect(["1", "2", "3", "4", "5", "9"].contains(entry.code.rawValue.dropFirst(2).prefix(1)))
            #expect(!entry.title.isEmpty && entry.title.first?.isLowercase == true)
            #expect(entry.explanation.count > 60)
        }
    }

    @Test func lookupIsCaseInsensitiveAndUnknownIsNil() {
        #expect(DiagnosticCode.entry(for: "e0204") == DiagnosticCode.entry(for: "E0204"))
        #expect(DiagnosticCode.entry(for: "E0204")?.title == "unknown activation")
        #expect(DiagnosticCode.entry(for: "E9999") == nil)
        #expect(DiagnosticCode.entry(for: "") == nil)
        #expect(DiagnosticCode(registered: "e0301") == .negativeOrder)
        #expect(DiagnosticCode(registered: "E9999") == nil)
    }

    @Test func everyNamedCodeIsRegistered() {
        let named: [DiagnosticCode] = [
            .unexpectedCharacter,
            .malformedNumber,
            .unterminatedString,
            .syntaxError,
            .misplacedClause,
            .keywordAsName,
            .tooManyErrors,
            .unreadableFile,
            .notUTF8,
            .missingLayers,
            .unknownActivation,
            .duplicateLayer,
            .layerNamedLikeInput,
            .missingInput,
            .duplicateStatement,
            .fanInMismatch,
            .rowCountMismatch,
            .raggedWeight,
            .biasLengthMismatch,
            .pointDimensionMismatch,
            .pointNameMismatch,
            .sizeOutOfRange,
            .tooManyParameters,
            .duplicateClause,
            .missingParameters,
            .unreadableParameters,
            .missingMember,
            .memberShape,
            .memberValues,
            .polyWithoutCoefficients,
            .unexpectedArguments,
            .usage,
            .unknownCode,
            .cannotWrite,
            .overwritesInput,
            .pytorchCheckpoint,
            .parameterKeys,
            .activationCount,
            .unwritableName,
            .unusableExpansion,
            .negativeOrder,
            .tooLarge,
            .tooManyDiagrams,
            .irrational,
            .reluKink,
            .nonFinite,
            .diagramEvaluation,
            .unreadableData,
            .dataArray,
            .unusableData,
            .diverged,
            .experimentFailed,
            .unmergeable,
            .internalError,
        ]
        #expect(Set(named).count == named.count)
        for code in named { #expect(code.entry != nil, "\(code) is not registered") }
        // And every registered code has a name that phases can throw.
        #expect(Set(named.map(\.rawValue)) == Set(DiagnosticCode.registry.map(\.code.rawValue)))
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
