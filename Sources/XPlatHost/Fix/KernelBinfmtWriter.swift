import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes to the kernel's binfmt_misc (register lines, `-1` to entries, `mount(2)`).
public struct KernelBinfmtWriter: BinfmtWriter {
    public var path: String
    public init(path: String = "/proc/sys/fs/binfmt_misc") { self.path = path }
    public var requiresRoot: Bool { true }

    public func mount() throws {
        guard Glibc.mount("binfmt_misc", path, "binfmt_misc", 0, nil) == 0 else {
            throw HostProbeError.fixFailed("mount binfmt_misc on \(path)", errorText(errno))
        }
    }

    public func enableGlobally() throws { try write("1", to: path + "/status") }

    public func register(_ line: RegisterLine) throws {
        do {
            try write(line.description, to: path + "/register")
        } catch HostProbeError.fixFailed(_, let why) {
            throw HostProbeError.fixFailed("register \(line.name)", "\(why) (the kernel rejected \(line))")
        }
    }

    public func remove(entry name: String) throws { try write("-1", to: path + "/" + name) }

    private func write(_ text: String, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HostProbeError.fixFailed(file, errorText(errno)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        // binfmt_misc takes each write as one whole command.
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw HostProbeError.fixFailed(file, errorText(errno)) }
    }
}
