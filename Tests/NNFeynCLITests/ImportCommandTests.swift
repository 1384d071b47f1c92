// `nnfeyn import` on the built binary: the model it writes references the tensors by a path relative to itself (to
// the current folder on standard output), and `expand` accepts it as it is, from a file or through a pipe.
import Foundation
import Testing
import NNFeynTestSupport

@Suite struct ImportCommandTests {
    static let checkpoint = Repository.examplePath("torch_mlp.safetensors")

    @Test func theModelReferencesTheTensorsFromItsOwnFolderAndExpandsAsIs() throws {
        let directory = try temporaryDirectory("nnfeyn-import")
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("weights")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.checkpoint, toPath: weights.appendingPathComponent("mlp.safetensors").path)

        // Run from the folder above: the model goes into models/, the tensors stay in weights/.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("models"), withIntermediateDirectories: true)
        let imported = try runNNFeyn(["import", "weights/mlp.safetensors", "--activation", "tanh", "--at", "1/2, -1/4",
                                      "-o", "models/mlp.nn"], in: directory)
        #expect(imported.exitCode == 0 && imported.stdout.isEmpty && imported.stderr.isEmpty, "\(imported.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent("models/mlp.nn"), encoding: .utf8)
        #expect(text.contains("\nparameters \"../weights/mlp.safetensors\"\nat x = [1/2, -1/4]\n"))
        // Nothing is copied: the folder holds the model only.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("models").path) == ["mlp.nn"])

        // The same expansion as the hand-written model of the same checkpoint, from anywhere.
        let fromImport = try runNNFeyn(["expand", directory.appendingPathComponent("models/mlp.nn").path, "--order", "3", "--format", "json"])
        let byHand = try runNNFeyn(["expand", Repository.examplePath("torch_mlp.nn"), "--order", "3", "--format", "json"])
        #expect(fromImport.exitCode == 0, "\(fromImport.stderr)")
        #expect(try #require(Self.values(fromImport.stdout)) == Self.values(byHand.stdout))
    }

    @Test func onStandardOutputTheTensorsAreReferencedFromTheCurrentFolderAndPipeIntoExpand() throws {
        let imported = try runNNFeyn(["import", "grammar/examples/torch_mlp.safetensors", "--activation", "tanh"])
        #expect(imported.exitCode == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("\nparameters \"grammar/examples/torch_mlp.safetensors\"\n"))
        let piped = try runNNFeyn(["expand", "-", "--order", "2", "--at", "1/2, -1/4", "--format", "json"], input: Data(imported.stdout.utf8))
        let byHand = try runNNFeyn(["expand", "grammar/examples/torch_mlp.nn", "--order", "2", "--format", "json"])
        #expect(piped.exitCode == 0, "\(piped.stderr)")
        #expect(try #require(Self.values(piped.stdout)) == Self.values(byHand.stdout))
    }

    @Test func theTensorsAreNeverOverwrittenNorWrittenOnFailure() throws {
        let directory = try temporaryDirectory("nnfeyn-import")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(atPath: Self.checkpoint, toPath: directory.appendingPathComponent("w.safetensors").path)
        let same = try runNNFeyn(["import", "w.safetensors", "--activation", "tanh", "-o", "./w.safetensors"], in: directory)
        #expect(same.exitCode == 1 && same.stderr.hasPrefix("error[E0226]: './w.safetensors' would replace the input 'w.safetensors'"))
        let wrong = try runNNFeyn(["import", "w.safetensors", "--activations", "tanh", "-o", "m.nn"], in: directory)
        #expect(wrong.exitCode == 1 && wrong.stderr.hasPrefix("error[E0229]: "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["w.safetensors"])
    }

    /// The orders of an expansion's JSON (what two models of the same network agree on; names may differ).
    static func values(_ json: String) -> NSArray? {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["orders"] as? NSArray
    }
}
