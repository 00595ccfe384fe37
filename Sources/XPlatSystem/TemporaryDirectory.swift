// Private work folders (build outputs before they are moved into place, probe binaries, rewritten
// Dockerfiles): `mkdtemp(3)`, so the folder is new, owned by us and mode 0700.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fresh private directories.
public enum TemporaryDirectory {
    /// Creates `<parent>/<prefix>-XXXXXX` with `mkdtemp(3)` and returns its path; the caller removes it.
    /// - Throws: `FileWriteError` naming the folder template and the system's reason.
    public static func make(in parent: String = NSTemporaryDirectory(), prefix: String) throws -> String {
        let base = parent.hasSuffix("/") ? String(parent.dropLast()) : parent
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw FileWriteError(path: "\(base)/\(prefix)-XXXXXX", reason: errorText(errno))
        }
        return String(cString: made)
    }
}
