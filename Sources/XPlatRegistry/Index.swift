import Foundation

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
