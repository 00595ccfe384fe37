import Foundation

/// Every place on the machine the host probe reads or writes, as parameters.
///
/// `HostRoots.system(environment:)` names the real machine; `HostRoots.tree(at:)` names a recorded
/// fixture tree laid out like a root file system (`proc/sys/fs/binfmt_misc`, `proc/self/mounts`,
/// `etc/binfmt.d`, `usr/bin`, ...), so the whole probe and `--fix` run on a copy in tests.
public struct HostRoots: Sendable, Hashable, Codable {
    /// Prefix for absolute paths named by the machine's own data (an entry's interpreter); `/` for real.
    public var fileSystem: String
    /// binfmt_misc mount point (`/proc/sys/fs/binfmt_misc`).
    public var binfmtMisc: String
    /// procfs (`/proc`): `self/mounts`, `sys/kernel/osrelease`, `cpuinfo`.
    public var proc: String
    /// Directories searched for programs (`docker`), in order.
    public var path: [String]
    /// Docker daemon sockets to try, in order (from `DOCKER_HOST` when it is `unix://`).
    public var dockerSockets: [String]
    /// systemd-binfmt configuration directories (`/etc/binfmt.d`, `/run/binfmt.d`, `/usr/lib/binfmt.d`).
    public var binfmtConfigDirectories: [String]
    /// binfmt-support's format databases (`/var/lib/binfmts`, then `/usr/share/binfmts`).
    public var binfmtSupportDirectories: [String]
    /// Exists when systemd is the running init (`/run/systemd/system`).
    public var systemdMarker: String
    /// binfmt-support's boot script (`/etc/init.d/binfmt-support`).
    public var binfmtSupportInitScript: String
    /// `uname -m` override; nil asks the kernel (`uname(2)`).
    public var unameMachine: String?
    /// Kernel release override; nil reads `proc/sys/kernel/osrelease`.
    public var kernelRelease: String?

    public init(
        fileSystem: String, binfmtMisc: String, proc: String, path: [String], dockerSockets: [String],
        binfmtConfigDirectories: [String], binfmtSupportDirectories: [String], systemdMarker: String,
        binfmtSupportInitScript: String, unameMachine: String? = nil, kernelRelease: String? = nil
    ) {
        self.fileSystem = fileSystem
        self.binfmtMisc = binfmtMisc
        self.proc = proc
        self.path = path
        self.dockerSockets = dockerSockets
        self.binfmtConfigDirectories = binfmtConfigDirectories
        self.binfmtSupportDirectories = binfmtSupportDirectories
        self.systemdMarker = systemdMarker
        self.binfmtSupportInitScript = binfmtSupportInitScript
        self.unameMachine = unameMachine
        self.kernelRelease = kernelRelease
    }

    /// The real machine: `PATH` and `DOCKER_HOST` come from `environment`.
    public static func system(environment: [String: String]) -> HostRoots {
        tree(at: "/", environment: environment, pathPrefixed: false)
    }

    /// A fixture tree at `root`. `PATH` entries from `environment` (default `/usr/local/bin:/usr/bin:/bin`)
    /// and a `unix://` `DOCKER_HOST` are looked up inside the tree.
    public static func tree(at root: String, environment: [String: String] = [:]) -> HostRoots {
        tree(at: root, environment: environment, pathPrefixed: true)
    }

    private static func tree(at root: String, environment: [String: String], pathPrefixed: Bool) -> HostRoots {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        func under(_ path: String) -> String { base + path }
        let pathList = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            .split(separator: ":").map(String.init).filter { !$0.isEmpty }
            .map { pathPrefixed ? under($0) : $0 }
        var sockets = ["/var/run/docker.sock", "/run/docker.sock"]
        if let host = environment["DOCKER_HOST"], host.hasPrefix("unix://") {
            sockets = [String(host.dropFirst("unix://".count))]
        }
        return HostRoots(
            fileSystem: base.isEmpty ? "/" : base,
            binfmtMisc: under("/proc/sys/fs/binfmt_misc"),
            proc: under("/proc"),
            path: pathList,
            dockerSockets: sockets.map { pathPrefixed ? under($0) : $0 },
            binfmtConfigDirectories: ["/etc/binfmt.d", "/run/binfmt.d", "/usr/lib/binfmt.d"].map(under),
            binfmtSupportDirectories: ["/var/lib/binfmts"].map(under),
            systemdMarker: under("/run/systemd/system"),
            binfmtSupportInitScript: under("/etc/init.d/binfmt-support"))
    }

    /// Where an absolute path named by the machine (an interpreter) is found under `fileSystem`.
    public func resolve(_ absolute: String) -> String {
        fileSystem == "/" ? absolute : fileSystem + (absolute.hasPrefix("/") ? "" : "/") + absolute
    }

    /// The machine's name for a path found under `fileSystem` (inverse of `resolve`).
    public func unresolve(_ path: String) -> String {
        guard fileSystem != "/", path.hasPrefix(fileSystem) else { return path }
        return String(path.dropFirst(fileSystem.count))
    }
}

/// Small file-system reads used by the probe: missing files are nil, never errors.
enum HostFiles {
    static func text(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func bytes(_ path: String, count: Int, offset: UInt64 = 0) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            if offset > 0 { try handle.seek(toOffset: offset) }
            return Array(try handle.read(upToCount: count) ?? Data())
        } catch {
            return nil
        }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }

    static func list(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }
}
