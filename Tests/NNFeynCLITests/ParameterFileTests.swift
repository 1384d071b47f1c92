// Parameter files as the command line meets them: a FIFO is refused at once instead of blocking `expand` forever,
// and an archive member that inflates far past its size is refused without being inflated.
import Foundation
import Testing
import NNFeynTestSupport

@Suite struct ParameterFileCLITests {
    @Test(.timeLimit(.minutes(5)))  // a hang guard, not a speed check: the whole suite shares 2 cores
    func aFIFOIsRefusedNotWaitedOn() throws {
        let directory = try temporaryDirectory("nnfeyn-fifo")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("input x : 1\nparameters \"p.npz\"\ndense y : 1 linear\n".utf8).write(to: directory.appendingPathComponent("m.nn"))
        #expect(mkfifo(directory.appendingPathComponent("p.npz").path, 0o644) == 0)
        // Nobody ever writes the FIFO: opening it for reading would block for good.
        let run = try runNNFeyn(["expand", "m.nn"], in: directory, timeout: 30)
        #expect(run.exitCode == 1)
        #expect(run.stderr.hasPrefix("error[E0219]: cannot read parameters file 'p.npz'"))
        #expect(run.stderr.contains("it is a FIFO (named pipe), not a regular file"))
    }

    @Test(.timeLimit(.minutes(2)))
    func anArchiveBombIsRefusedWithoutInflatingIt() throws {
        let directory = try temporaryDirectory("nnfeyn-bomb")
        defer { try? FileManager.default.removeItem(at: directory) }
        try CraftedArchive.write([.bomb], to: directory)
        let model = directory.appendingPathComponent("m.nn")
        try Data("input x : 2\nparameters \"bomb.npz\"\ndense y : 1 linear\n".utf8).write(to: model)
        let run = try runNNFeyn(["expand", model.path])
        #expect(run.exitCode == 1)
        #expect(run.stderr.hasPrefix("error[E0222]: cannot use array 'y.weight' of the parameters file"))
        #expect(run.stderr.contains("= note: array 'y.weight' is malformed: it inflates to more than the 144 bytes its header describes"))
        // Its 256 MiB are never held: the peak stays far below them.
        let cost = try runMeasuring(Repository.binary, ["expand", model.path])
        let tiny = try runMeasuring(Repository.binary, ["expand", Repository.examplePath("toy.nn"), "--order", "0"])
        #expect(cost.exitCode == 1)
        #expect(cost.peakBytes - tiny.peakBytes < 32 << 20, "\(cost.peakBytes) bytes at peak")
    }
}
