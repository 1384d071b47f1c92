// The NumPy helper in python/ (nnfeyn_io.py) is tested against this build's binary: its own unittest suite runs here,
// so `make test` covers it (the Makefile installs NumPy when it is missing).
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct PythonHelperTests {
    @Test func unittestSuitePasses() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["NNFEYN_BIN"] = Repository.binary.path
        environment["OPENBLAS_NUM_THREADS"] = "1"
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                    ["python3", "-m", "unittest", "discover", "-s", "python", "-v"],
                                    in: Repository.root, environment: environment)
        #expect(result.exitCode == 0, "python/test_nnfeyn_io.py failed:\n\(result.stderr)")
        #expect(result.stderr.contains("OK"))
    }
}
