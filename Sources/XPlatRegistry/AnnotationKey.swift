import Foundation

/// Annotation keys xplat reads or writes.
public enum AnnotationKey {
    /// `org.opencontainers.image.ref.name`: the tag of an entry of an OCI layout's `index.json`.
    public static let refName = "org.opencontainers.image.ref.name"
    /// `vnd.docker.reference.type`: `attestation-manifest` on buildx's provenance/SBOM entries.
    public static let dockerReferenceType = "vnd.docker.reference.type"
    /// `vnd.docker.reference.digest`: the image manifest an attestation describes.
    public static let dockerReferenceDigest = "vnd.docker.reference.digest"
}
