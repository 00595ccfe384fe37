import Foundation

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
