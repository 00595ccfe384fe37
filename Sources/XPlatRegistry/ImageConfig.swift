// Codable OCI image types (image-spec v1.1) and the Docker schema 2 media types that registries
// still serve for the same structures.

import Foundation

/// Media types of manifests, indexes, configs and layers, OCI and Docker schema 2.
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Everything `Accept` lists when a manifest or index is fetched.
    public static let manifestAccept = [ociIndex, dockerManifestList, ociManifest, dockerManifest]

    /// True for an index or a manifest list.
    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }

    /// True for a single-platform image manifest.
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }
}

/// Annotation keys xplat reads or writes.
public enum AnnotationKey {
    /// `org.opencontainers.image.ref.name`: the tag of an entry of an OCI layout's `index.json`.
    public static let refName = "org.opencontainers.image.ref.name"
    /// `vnd.docker.reference.type`: `attestation-manifest` on buildx's provenance/SBOM entries.
    public static let dockerReferenceType = "vnd.docker.reference.type"
    /// `vnd.docker.reference.digest`: the image manifest an attestation describes.
    public static let dockerReferenceDigest = "vnd.docker.reference.digest"
}

/// The platform of an index entry or an image config (`os`, `architecture`, `variant`, ...).
public struct OCIPlatform: Codable, Sendable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// `linux/arm/v7`.
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}

/// A content descriptor: what a manifest, index or layout points at.
public struct Descriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: OCIPlatform?
    public var artifactType: String?

    public init(
        mediaType: String, digest: String, size: Int64, annotations: [String: String]? = nil,
        platform: OCIPlatform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    /// True for buildx's attestation entries (provenance, SBOM): never an image of a platform.
    public var isAttestation: Bool { annotations?[AnnotationKey.dockerReferenceType] == "attestation-manifest" }
}

/// An image index (OCI) or manifest list (Docker schema 2).
public struct Index: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor],
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The entries that are images of a platform (attestations and `unknown/unknown` left out).
    public var platformManifests: [Descriptor] {
        manifests.filter { !$0.isAttestation && $0.platform != nil && $0.platform?.os != "unknown" }
    }
}

/// A single-platform image manifest (OCI or Docker schema 2).
public struct Manifest: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        schemaVersion: Int = 2, mediaType: String? = MediaType.ociManifest, config: Descriptor,
        layers: [Descriptor], annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// The config first, then the layers: every blob the manifest needs.
    public var blobs: [Descriptor] { [config] + layers }
}

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

/// The `oci-layout` file of an OCI image layout.
public struct OCILayoutFile: Codable, Sendable, Hashable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}
