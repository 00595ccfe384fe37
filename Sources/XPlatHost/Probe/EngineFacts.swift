import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One `docker` client found on `PATH` (or named by `XPLAT_DOCKER`).
public struct DockerClientFacts: Sendable, Hashable, Codable {
    public var path: String
    /// Client version (`20.10.24+dfsg1`), nil when it could not be asked.
    public var version: String?
    public var apiVersion: String?
    /// `docker buildx version` output's version (`v0.12.1`), nil when the plugin is absent.
    public var buildxVersion: String?
    /// Clients older than 23 build with BuildKit themselves (`DOCKER_BUILDKIT=1`), no plugin needed.
    public var builtInBuildKit: Bool
    /// How this client can reach BuildKit: `buildx`, `built-in`, or nil (cannot).
    public var buildKitVia: String?
    /// Why it cannot, or an error from running it.
    public var note: String?
    /// Named by `XPLAT_DOCKER`.
    public var preferred: Bool
}

/// The docker daemon.
public struct DaemonFacts: Sendable, Hashable, Codable {
    /// The socket tried (first existing of the roots' sockets).
    public var socket: String?
    public var socketExists: Bool
    /// `GET /_ping` answered `OK`.
    public var reachable: Bool
    public var version: String?
    public var apiVersion: String?
    public var platform: String?
    public var error: String?
}

/// The local registry (`XPLAT_REGISTRY`, default `127.0.0.1:5000`).
public struct RegistryFacts: Sendable, Hashable, Codable {
    public var address: String
    /// True when `XPLAT_REGISTRY` named it (otherwise it is the default).
    public var configured: Bool
    public var reachable: Bool
    /// HTTP status of `GET /v2/` (200, or 401 with auth).
    public var status: Int?
    public var error: String?
}

/// Everything about the container engine side.
public struct EngineFacts: Sendable, Hashable, Codable {
    public var clients: [DockerClientFacts]
    public var daemon: DaemonFacts
    /// The client xplat builds with: `XPLAT_DOCKER` when set (even one that cannot use BuildKit:
    /// builds then fail), else the plugin's parent when it can use BuildKit, else the first that can.
    public var buildClient: String?
    /// Which client's `buildx ls` was read, in which format (`json` or `text`).
    public var buildxSource: String?
    public var builders: [BuilderFacts]
    public var registry: RegistryFacts
    /// Why no client builds when `XPLAT_DOCKER` names no executable (the build's own refusal).
    public var namedClientError: DockerClientError? = nil
}
