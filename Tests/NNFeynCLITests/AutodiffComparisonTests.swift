// nnfeyn against nested forward-mode AD in PyTorch (torch.func) and JAX, through the whole round trip: checkpoints
// saved as each library's users save them, `nnfeyn import`, `expand --at ... --format npz`, python/nnfeyn_io.py.
// The comparison itself is python/autodiff/test_autodiff.py; `make python-deps` installs torch, jax and safetensors.
// Without them this test fails, with the reason, rather than skipping: a run that never compared must not pass.
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct AutodiffComparisonTests {
    @Test(.timeLimit(.minutes(10)))
    func derivativesAgreeWithTorchAndJAXToOrderFour() throws {
        let result = try runPythonTests(in: "python/autodiff")
        #expect(result.exitCode == 0, "python/autodiff/test_autodiff.py failed (make python-deps installs torch, jax and safetensors):\n\(result.stderr)")
        #expect(result.stderr.contains("Ran 5 tests") && result.stderr.contains("\nOK"))
    }
}
