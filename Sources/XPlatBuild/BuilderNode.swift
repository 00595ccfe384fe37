// Machines that build: buildx nodes or docker endpoints, with what each runs and emulates.

import XPlatPlatform

/// The driver kinds xplat runs builds through: each has its own strategy (`EngineStrategy`,
/// `BuildxStrategy`).
public enum DriverKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// `DOCKER_BUILDKIT=1 docker build`: an engine's own BuildKit, no buildx.
    case engine
    /// `docker buildx build --builder B`.
    case buildx
}

/// A buildx driver (`docker buildx create --driver NAME`).
public enum BuildxDriver: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The engine's own BuildKit behind buildx (the default builder): one platform per solve.
    case docker
    /// BuildKit in a container buildx started.
    case dockerContainer
    /// A BuildKit daemon buildx only connects to (`unix://`, `tcp://`).
    case remote
    /// BuildKit pods.
    case kubernetes
    /// A driver this xplat does not know; treated like `docker-container` (several platforms per solve).
    case other(String)

    /// Reads buildx's name for it.
    public init(name: String) {
        switch name {
        case "docker": self = .docker
        case "docker-container": self = .dockerContainer
        case "remote": self = .remote
        case "kubernetes": self = .kubernetes
        default: self = .other(name)
        }
    }

    /// buildx's name (`docker-container`).
    public var name: String {
        switch self {
        case .docker: return "docker"
        case .dockerContainer: return "docker-container"
        case .remote: return "remote"
        case .kubernetes: return "kubernetes"
        case .other(let name): return name
        }
    }

    public var description: String { name }

    /// The docker driver refuses several platforms in one build ("multiple platforms feature is
    /// currently not supported for docker driver"); the others solve them together.
    public var solvesSeveralPlatforms: Bool { self != .docker }
}

/// How xplat drives a node.
public enum NodeDriver: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A buildx builder's node.
    case buildx(builder: String, driver: BuildxDriver)
    /// A docker engine's own BuildKit (`DOCKER_BUILDKIT=1 docker build`), one platform per build.
    case engine

    public var kind: DriverKind {
        switch self {
        case .buildx: return .buildx
        case .engine: return .engine
        }
    }

    public var description: String {
        switch self {
        case .buildx(let builder, let driver): return "buildx \(builder) (\(driver))"
        case .engine: return "engine"
        }
    }

    /// True when one solve may build several platforms (buildx drivers other than `docker`).
    public var buildsSeveralPlatformsPerSolve: Bool {
        if case .buildx(_, let driver) = self { return driver.solvesSeveralPlatforms }
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
    /// Platform words the node listed that xplat does not know (`linux/mips64`): reported, never planned.
    public var unparsed: [String]?
    /// For an engine node: the registries its engine reaches without TLS (from the `docker info`
    /// discovery already read), so a push needs no second probe.
    public var insecureRegistries: [String]?
    /// The version of the docker engine whose BuildKit builds (`docker info`'s ServerVersion for an
    /// engine node, `buildx inspect`'s `Buildkit:` for a `docker` driver node); nil for the others.
    public var engineVersion: String?

    public init(
        name: String, endpoint: String, driver: NodeDriver, native: [Platform],
        emulated: [EmulatedPlatform] = [], pinned: [Platform] = [], unparsed: [String]? = nil,
        insecureRegistries: [String]? = nil, engineVersion: String? = nil
    ) {
        self.engineVersion = engineVersion
        self.name = name
        self.endpoint = endpoint
        self.driver = driver
        self.native = native
        self.emulated = emulated
        self.pinned = pinned
        self.unparsed = unparsed?.isEmpty == true ? nil : unparsed
        self.insecureRegistries = insecureRegistries
    }

    /// True when the engine's BuildKit is the one of dockerd before 23 (BuildKit 0.8/0.9: checked on
    /// 20.10.24, it ignores `--ulimit`, `--shm-size`, `--cgroup-parent`, cannot parse
    /// `host-gateway` and has no named contexts), or its version is unknown; dockerd 23 and newer
    /// ship BuildKit 0.10+, which does these.
    public var hasLegacyEngineBuildKit: Bool {
        guard let version = engineVersion, let major = Int(version.prefix { $0.isNumber }) else { return true }
        return major < 23
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
}
