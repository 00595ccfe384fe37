import Foundation

/// An image config: the platform it runs on and its root filesystem's layer digests. Fields xplat
/// does not read are kept as they were when the config is only passed through as a blob.
public struct ImageConfig: Codable, Sendable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var created: String?
    public var config: ContainerConfig?
    public var history: [History]?
    public var rootfs: RootFS

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, created, config, history, rootfs
        case osVersion = "os.version"
    }

    /// A config for `platform` over the layers whose uncompressed digests are `diffIDs`.
    public init(
        platform: OCIPlatform, created: String? = nil, config: ContainerConfig? = nil, history: [History]? = nil,
        diffIDs: [String]
    ) {
        self.architecture = platform.architecture
        self.os = platform.os
        self.variant = platform.variant
        self.created = created
        self.config = config
        self.history = history
        self.rootfs = RootFS(diffIDs: diffIDs)
    }

    /// The container defaults xplat reads (entry point and command, for naming what runs).
    public struct ContainerConfig: Codable, Sendable, Hashable {
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Env: [String]?
        public var WorkingDir: String?
        /// Instructions that run when a Dockerfile builds FROM the image (`ONBUILD RUN ...`).
        public var OnBuild: [String]?
    }

    /// One step of the image's making (`created_by`: the command or tool that made it).
    public struct History: Codable, Sendable, Hashable {
        public var created: String?
        public var createdBy: String?

        enum CodingKeys: String, CodingKey {
            case created
            case createdBy = "created_by"
        }

        public init(created: String? = nil, createdBy: String? = nil) {
            self.created = created
            self.createdBy = createdBy
        }
    }

    /// `layers` and the uncompressed digests of each layer (`diff_ids`).
    public struct RootFS: Codable, Sendable, Hashable {
        public var type: String
        public var diffIDs: [String]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }

        public init(type: String = "layers", diffIDs: [String]) {
            self.type = type
            self.diffIDs = diffIDs
        }
    }

    /// The config's platform as an OCI platform value.
    public var platform: OCIPlatform { OCIPlatform(os: os, architecture: architecture, variant: variant) }
}
