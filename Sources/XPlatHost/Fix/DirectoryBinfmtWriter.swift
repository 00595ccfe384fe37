import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A plain directory standing in for binfmt_misc: registering creates the entry file the kernel would
/// show, removing deletes it. Lets `--fix` run end to end on a copy of a fixture tree.
public struct DirectoryBinfmtWriter: BinfmtWriter {
    public var path: String
    public init(path: String) { self.path = path }
    public var requiresRoot: Bool { false }

    public func mount() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + "/register", contents: Data())
        _ = FileManager.default.createFile(atPath: path + "/status", contents: Data("enabled\n".utf8))
    }

    public func enableGlobally() throws {
        guard FileManager.default.createFile(atPath: path + "/status", contents: Data("enabled\n".utf8)) else {
            throw HostProbeError.fixFailed(path + "/status", "cannot write")
        }
    }

    public func register(_ line: RegisterLine) throws {
        let file = path + "/" + line.name
        guard !FileManager.default.fileExists(atPath: file) else {
            throw HostProbeError.fixFailed("register \(line.name)", errorText(EEXIST))
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(line.entry.kernelText.utf8)) else {
            throw HostProbeError.fixFailed(file, "cannot write")
        }
    }

    public func remove(entry name: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path + "/" + name)
        } catch {
            throw HostProbeError.fixFailed("remove \(name)", errorText(ENOENT))
        }
    }
}
