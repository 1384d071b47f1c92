// Safe writes replace files atomically and leave nothing half-written; reads refuse what is not a regular file.
import Foundation
import Testing
@testable import NNFeynIO
import NNFeynTestSupport

@Suite struct FilesTests {
    @Test func writeReplacesAndLeavesNoTemporaryFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.txt").path
        try Files.write(Data("first".utf8), to: path)
        try Files.write(Data("second".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.txt"])
    }

    @Test func writingIntoAMissingDirectoryOrOverADirectoryFails() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: FileError.self) { try Files.write(Data(), to: directory.appendingPathComponent("no/such/file").path) }
        #expect(throws: FileError.self) { try Files.write(Data(), to: directory.path) }
    }

    @Test func aFailedGroupChangesNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a").path
        try Files.write(Data("old".utf8), to: a)
        // The second file cannot be written, so the first must not be replaced either.
        #expect(throws: FileError.self) {
            try Files.write([(a, Data("new".utf8)), (directory.appendingPathComponent("missing/b").path, Data())])
        }
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a"])
    }

    @Test func relativePathsLeadToTheTargetFromTheDirectory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("c"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: root.appendingPathComponent("link"), withDestinationURL: root.appendingPathComponent("a/b"))
        let target = root.appendingPathComponent("c/w.npz").path
        #expect(Files.relativePath(of: target, from: root.appendingPathComponent("c").path) == "w.npz")
        #expect(Files.relativePath(of: target, from: root.appendingPathComponent("a/b").path) == "../../c/w.npz")
        #expect(Files.relativePath(of: target, from: root.path) == "c/w.npz")
        #expect(Files.relativePath(of: root.appendingPathComponent("a/./b/../w").path, from: root.appendingPathComponent("c/").path) == "../a/w")
        // Through a link, '..' goes up from where the link points.
        #expect(Files.relativePath(of: target, from: root.appendingPathComponent("link").path) == "../../c/w.npz")
    }

    @Test func readRefusesFIFOsDirectoriesAndOversizedFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FileError.notRegular(path: fifo, kind: "a FIFO (named pipe)")) { try Files.read(fifo, limit: 100) }
        #expect(throws: FileError.self) { try Files.read(directory.path, limit: 100) }
        let big = directory.appendingPathComponent("big").path
        try Data(count: 101).write(to: URL(fileURLWithPath: big))
        #expect(throws: FileError.tooLarge(path: big, size: 101, limit: 100)) { try Files.read(big, limit: 100) }
        #expect(throws: FileError.missing(path: big + "x")) { try Files.read(big + "x", limit: 100) }
    }

    @Test func sameFileSeesThroughSpellings() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.nn").path
        try Files.write(Data("x".utf8), to: path)
        #expect(Files.sameFile(path, directory.path + "/./m.nn"))
        #expect(!Files.sameFile(path, directory.path))
    }
}
