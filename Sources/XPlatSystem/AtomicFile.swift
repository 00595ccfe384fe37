// Nothing a user owns is ever half-written: write a temporary file beside the target, flush it,
// then rename it over the target in one step.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Errors from `AtomicFile`.
public struct FileWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot write: \(reason)" }
}

/// Atomic replacement of a file's contents.
public enum AtomicFile {
    /// Writes `data` to `path` through a temporary file in the same directory and `rename(2)`.
    /// An existing file keeps its permission bits. On any failure the original is untouched and the
    /// temporary file is removed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let template: String = directory + "/." + url.lastPathComponent + ".xplat-XXXXXX"
        var buffer = Array(template.utf8CString)
        let fd = buffer.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileWriteError(path: path, reason: errorText(errno)) }
        let tempPath = String(decoding: buffer.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(tempPath) }
        }
        var st = stat()
        let mode: mode_t = stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0o644
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        let saved = errno
        guard written, fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            close(fd)
            throw FileWriteError(path: path, reason: errorText(written ? errno : saved))
        }
        close(fd)
        guard rename(tempPath, path) == 0 else {
            throw FileWriteError(path: path, reason: errorText(errno))
        }
        ok = true
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
