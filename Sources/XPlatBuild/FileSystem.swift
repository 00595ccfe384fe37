// Moving and making folders in a build's temporary space and beside its destination, with errors
// that name the path and say what went wrong in words (never Foundation's NSError text).

import Foundation
import XPlatSupport

/// File operations of the build, each failure a `BuildError.fileSystem`.
enum FileSystem {
    /// Renames `source` to `target`; across file systems, copies then removes.
    static func move(_ source: String, to target: String) throws {
        if rename(source, target) == 0 { return }
        let code = errno
        guard code == EXDEV else {
            throw BuildError.fileSystem(path: source, action: "move to \(target)", reason: errorText(code))
        }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: target)
            try FileManager.default.removeItem(atPath: source)
        } catch {
            try? FileManager.default.removeItem(atPath: target)
            throw BuildError.fileSystem(path: source, action: "copy to \(target)", reason: SystemError.reason(error))
        }
    }

    /// Makes `path` and its missing parents.
    static func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw BuildError.fileSystem(path: path, action: "create the folder", reason: SystemError.reason(error))
        }
    }
}
