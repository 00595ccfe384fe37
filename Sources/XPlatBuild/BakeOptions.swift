import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatSupport

/// xplat's own choices for every target of a bake.
public struct BakeOptions: Sendable {
    /// Platforms of a target that names none (buildx: the builder's default; xplat: as `xplat build`).
    public var defaultPlatforms: [Platform]
    /// What buildx's `local` in a platform list means: this machine's platform.
    public var localPlatform: Platform?
    public var rewrite: Bool
    public var verify: Bool
    public var progress: ProgressMode
    /// `--network` for every target that sets none; nil: `xplat build`'s default (buildx's).
    public var network: NetworkMode?
    /// Where base images come from (`XPLAT_REGISTRY`).
    public var registry: String
    /// `--metadata-file`: one object per target, in bake's shape.
    public var metadataFile: String?
    /// The folder buildx ran in, against which it printed relative paths; nil: the current one.
    public var directory: String?
    /// The environment secrets and ssh agents are read from (`SSH_AUTH_SOCK`, `env=` secrets).
    public var environment: [String: String] = [:]

    public init(
        defaultPlatforms: [Platform], rewrite: Bool = false, verify: Bool = true, progress: ProgressMode = .auto,
        network: NetworkMode? = nil, registry: String = "127.0.0.1:5000", metadataFile: String? = nil
    ) {
        self.defaultPlatforms = defaultPlatforms
        self.rewrite = rewrite
        self.verify = verify
        self.progress = progress
        self.network = network
        self.registry = registry
        self.metadataFile = metadataFile
    }
}
