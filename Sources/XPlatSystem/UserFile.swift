// Reading a user's file whole (a Dockerfile) or its first bytes (to tell a tar from a layout),
// with the system's reason on failure.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading a user's file with the system's reason on failure ("No such file or directory",
/// "Is a directory", "Permission denied"), so that errors say why, not only that.
public enum UserFile {
    /// The whole file at `path`.
    /// - Throws: `FileReadError` naming the path and the reason.
    public static func read(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileReadError(path: path, reason: errorText(errno)) }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { throw FileReadError(path: path, reason: errorText(EISDIR)) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, reason: errorText(errno))
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// At most the first `count` bytes of the file at `path` (fewer when it is shorter).
    /// - Throws: `FileReadError` naming the path and the reason.
    public static func firstBytes(of path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, reason: errorText(errno))
            }
            if n == 0 { break }
            filled += n
        }
        return Array(buffer.prefix(filled))
    }
}

/// Why a user's file could not be read.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot read: \(reason)" }
}
