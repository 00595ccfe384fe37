// Machines that build: buildx nodes or docker endpoints, with what each runs and emulates.

import XPlatPlatform

/// How xplat drives a node.
public enum NodeDriver: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A buildx builder's node; `driver` is buildx's driver name (`docker-container`, `docker`,
    /// `kubernetes`, `remote`).
    case buildx(builder: String, driver: String)
    /// A docker engine's own BuildKit (`DOCKER_BUILDKIT=1 docker build`), one platform per build.
    case engine

    public var description: String {
        switch self {
        case .buildx(let builder, let driver): return "buildx \(builder) (\(driver))"
        case .engine: return "engine"
        }
    }

    /// True when one solve may build several platforms (buildx drivers other than `docker`).
    public var buildsSeveralPlatformsPerSolve: Bool {
        if case .buildx(_, let driver) = self { return driver != "docker" }
        return false
    }
}

/// A platform a node can run through emulation, and whether that was proven by executing a binary.
public struct EmulatedPlatform: Sendable, Hashable, Codable {
    public var platform: Platform
    /// True when a binary of this platform was executed successfully (binfmt handler works);
    /// false when it is only listed (a binfmt entry whose interpreter is missing, say).
    public var proven: Bool
    /// Why it is not proven, when it is not.
    public var problem: String?

    public init(platform: Platform, proven: Bool, problem: String? = nil) {
        self.platform = platform
        self.proven = proven
        self.problem = problem
    }
}

/// A node and its capabilities.
public struct BuilderNode: Sendable, Hashable, Codable {
    /// Name shown in plans (`default`, a buildx node name, a `--node` name).
    public var name: String
    /// `unix:///var/run/docker.sock`, `tcp://...`, a buildx endpoint.
    public var endpoint: String
    public var driver: NodeDriver
    /// Platforms the node's CPU runs (first: its own); compatible ones follow from `Platform.runnable`.
    public var native: [Platform]
    /// Platforms the node runs under QEMU.
    public var emulated: [EmulatedPlatform]
    /// Platforms the user pinned to this node (buildx `--platform` on `create`): preferred for them.
    public var pinned: [Platform]

    public init(name: String, endpoint: String, driver: NodeDriver, native: [Platform],
                emulated: [EmulatedPlatform] = [], pinned: [Platform] = []) {
        self.name = name
        self.endpoint = endpoint
        self.driver = driver
        self.native = native
        self.emulated = emulated
        self.pinned = pinned
    }

    /// The node's own platform (`$BUILDPLATFORM` on it).
    public var buildPlatform: Platform? { native.first }

    /// True when the node executes `platform` without emulation, exactly or compatibly.
    public func runsNatively(_ platform: Platform) -> Bool {
        native.contains(platform) || native.contains { $0.canRun(platform) }
    }

    /// True when the node runs `platform` exactly as one of its native platforms.
    public func runsNativelyExactly(_ platform: Platform) -> Bool { native.contains(platform) }

    /// True when emulation of `platform` was proven on this node.
    public func emulatesProvenly(_ platform: Platform) -> Bool {
        emulated.contains { $0.proven && ($0.platform == platform || $0.platform.canRun(platform)) }
    }

    /// True when `platform` runs on the node natively or under proven emulation.
    public func canExecute(_ platform: Platform) -> Bool {
        runsNatively(platform) || emulatesProvenly(platform)
    }
}
