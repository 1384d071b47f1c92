// Reading and writing files safely.
//
// Writes never leave a half-written file: the bytes go to a temporary file in the same directory, are flushed to
// the disk (fsync), and only then renamed over the target, which POSIX makes atomic. A killed process or a full disk
// leaves the previous file intact (and at worst a hidden temporary file, removed by the next write of the same file
// once it is ten minutes old). Files written together are all staged before the first is renamed; a model and its
// parameters are kept consistent by ModelWriter, which never renames over parameters the old model names.
//
// Reads accept regular files only (a FIFO would block forever, a device would never end) and bound the size
// before reading a byte.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Safe reads and writes.
public enum Files {
    /// What kind of file system object a path is, or nil when nothing is there (links are followed).
    public static func kind(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The size of a regular file, after checking it is one.
    public static func regularFileSize(_ path: String) throws(FileError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .missing(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegular(path: path, kind: kind(of: path) ?? "not a regular file") }
        return Int(info.st_size)
    }

    /// The bytes of a regular file of at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(FileError) -> Data {
        let size = try regularFileSize(path)
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            // The file may have grown between stat and read.
            guard data.count <= limit else { throw FileError.tooLarge(path: path, size: data.count, limit: limit) }
            return data
        } catch let error as FileError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: reason(error))
        }
    }

    /// Writes `data` to `path` atomically (temporary file, fsync, rename).
    public static func write(_ data: Data, to path: String) throws(FileError) {
        try write([(path, data)])
    }

    /// Writes several files so that each is replaced atomically and none is replaced before all are staged on disk;
    /// they are renamed into place in the order given (list first what the others refer to).
    public static func write(_ files: [(path: String, data: Data)]) throws(FileError) {
        var staged: [(temporary: String, path: String)] = []
        defer { for leftover in staged { unlink(leftover.temporary) } }
        for file in files {
            try checkWritable(file.path)
            staged.append((try stage(file.data, for: file.path), file.path))
        }
        while !staged.isEmpty {
            let next = staged[0]
            guard rename(next.temporary, next.path) == 0 else {
                throw .writeFailed(path: next.path, reason: String(cString: strerror(errno)))
            }
            staged.removeFirst()
            syncDirectory(of: next.path)
            removeStaleTemporaries(of: next.path)
        }
    }

    /// Removes the hidden temporaries of `path` that a killed writer left behind: `.<name>.tmp-XXXXXX` beside it,
    /// untouched for `age` seconds (a live writer's file is younger: its bytes are being written).
    static func removeStaleTemporaries(of path: String, olderThan age: TimeInterval = 600) {
        let directory = directoryOf(path)
        let prefix = "." + (path as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let now = Date().timeIntervalSince1970
        for name in names where name.hasPrefix(prefix) && name.count == prefix.count + 6 {
            let candidate = directory + "/" + name
            var status = stat()
            guard lstat(candidate, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
                  now - TimeInterval(status.st_mtim.tv_sec) > age else { continue }
            unlink(candidate)
        }
    }

    /// Checks, before any long work, that `path` can be written: its directory exists and is writable, and it is not
    /// a directory or another non-regular file.
    public static func checkWritable(_ path: String) throws(FileError) {
        if let existing = kind(of: path), existing != "a regular file" {
            throw .unwritable(path: path, reason: "it is \(existing)")
        }
        let directory = directoryOf(path)
        guard kind(of: directory) == "a directory" else {
            throw .unwritable(path: path, reason: "the directory '\(directory)' does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw .unwritable(path: path, reason: errno == EROFS ? "the file system is read-only"
                                                                  : "the directory '\(directory)' is not writable")
        }
    }

    /// Creates a directory (and its parents) for output, or checks that an existing one is writable.
    public static func prepareDirectory(_ path: String) throws(FileError) {
        if let existing = kind(of: path), existing != "a directory" {
            throw .unwritable(path: path, reason: "it is \(existing), not a directory")
        }
        if kind(of: path) == nil {
            // The nearest existing ancestor decides whether the directory can be made; say why in our own words.
            var ancestor = directoryOf(path)
            while kind(of: ancestor) == nil && ancestor != "/" && ancestor != "." { ancestor = directoryOf(ancestor) }
            if kind(of: ancestor) == "a directory", access(ancestor, W_OK) != 0 {
                throw .unwritable(path: path, reason: errno == EROFS ? "the file system is read-only"
                                                                      : "the directory '\(ancestor)' is not writable")
            }
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .unwritable(path: path, reason: reason(error))
        }
        guard access(path, W_OK) == 0 else {
            throw .unwritable(path: path, reason: errno == EROFS ? "the file system is read-only" : "the directory is not writable")
        }
    }

    /// Whether two paths name the same existing file (hard links and different spellings included).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// The path of `target` relative to `directory` ("w.npz", "../data/w.npz"), for a file that refers to another by
    /// a relative path. Symbolic links in both directories are resolved first, so the result leads to the target
    /// from wherever `directory` really is.
    public static func relativePath(of target: String, from directory: String) -> String {
        func components(_ path: String) -> [String] {
            URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.pathComponents
        }
        let targetURL = URL(fileURLWithPath: target)
        let base = components(directory), folder = components(targetURL.deletingLastPathComponent().path)
        var common = 0
        while common < base.count, common < folder.count, base[common] == folder[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + folder[common...] + [targetURL.lastPathComponent]
        return parts.joined(separator: "/")
    }

    /// Writes the bytes to a new hidden file beside `path` and flushes them to the disk; returns its path.
    static func stage(_ data: Data, for path: String) throws(FileError) -> String {
        let directory = directoryOf(path)
        let name = (path as NSString).lastPathComponent
        var template = Array((directory + "/." + name + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(cString: template)
        var failure: String?
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        // Permissions as a plain file would get (mkstemp makes 0600).
        let mask = umask(0); umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .writeFailed(path: path, reason: failure)
        }
        return temporary
    }

    /// Flushes a directory entry change (a rename) to the disk; best effort.
    static func syncDirectory(of path: String) {
        let descriptor = open(directoryOf(path), O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func directoryOf(_ path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}

/// write(2), named apart from `Files.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
