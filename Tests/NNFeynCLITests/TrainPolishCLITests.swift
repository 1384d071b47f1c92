// `nnfeyn train --polish N [--polish-lm M]`: L-BFGS (then Levenberg-Marquardt) steps after the epochs, reported on stdout and in the training log, and a bad
// count refused before any training.
import Foundation
import NNFeynTestSupport
import Testing

@Suite struct TrainPolishCLITests {
    @Test func polishIsReportedAndLowersTheLoss() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = Repository.root.appendingPathComponent("golden/inputs/train_model.nn").path
        let data = Repository.root.appendingPathComponent("golden/inputs/train_data.npz").path
        let run = try runNNFeyn(["train", model, "--data", data, "--epochs", "2", "--polish", "30", "-o", "trained.nn"],
                                in: directory)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.contains("L-BFGS steps: training loss"), "\(run.stdout)")
        #expect(run.stderr.contains("L-BFGS step 1/30"), "\(run.stderr)")
        let log = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("trained.log.json"))) as? [String: Any])
        let polish = try #require(log["polish"] as? [String: Any])
        let steps = try #require(polish["steps"] as? Int)
        #expect(steps >= 1 && steps <= 30)
        let before = try #require(polish["training_loss_before"] as? Double)
        let after = try #require(polish["training_loss"] as? Double)
        #expect(after < before)

        // Levenberg-Marquardt after the L-BFGS steps: its own line, log entry, and a loss below where L-BFGS stopped.
        let lmRun = try runNNFeyn(["train", model, "--data", data, "--epochs", "2", "--polish", "30", "--polish-lm", "5",
                                   "-o", "lm.nn"], in: directory)
        #expect(lmRun.exitCode == 0, "\(lmRun.stderr)")
        #expect(lmRun.stdout.contains("Levenberg-Marquardt steps: training loss"), "\(lmRun.stdout)")
        #expect(lmRun.stderr.contains("Levenberg-Marquardt step 1/5"), "\(lmRun.stderr)")
        let lmLog = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("lm.log.json"))) as? [String: Any])
        let lm = try #require(lmLog["levenberg_marquardt"] as? [String: Any])
        #expect(lm["method"] as? String == "Levenberg-Marquardt")
        #expect(try #require(lm["training_loss"] as? Double) < after)

        let bad = try runNNFeyn(["train", model, "--data", data, "--polish", "-1", "-o", "bad.nn"], in: directory)
        #expect(bad.exitCode != 0)
        #expect(bad.stderr.contains("--polish must be between 0 and 1000000"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.nn").path))
        let badLM = try runNNFeyn(["train", model, "--data", data, "--polish-lm", "-2", "-o", "bad.nn"], in: directory)
        #expect(badLM.exitCode != 0 && badLM.stderr.contains("--polish-lm must be between 0 and 100000"), "\(badLM.stderr)")
    }
}
