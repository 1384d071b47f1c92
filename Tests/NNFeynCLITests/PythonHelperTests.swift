// The NumPy helper in python/ (nnfeyn_io.py) is tested against this build's binary: its own unittest suite runs here,
// so `make test` covers it (the Makefile installs NumPy when it is missing).
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct PythonHelperTests {
    @Test func unittestSuitePasses() throws {
        let result = try runPythonTests(in: "python")
        #expect(result.exitCode == 0, "python/test_nnfeyn_io.py failed:\n\(result.stderr)")
        #expect(result.stderr.contains("OK"))
    }
}
