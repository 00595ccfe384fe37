// Images held as files on this machine (a builder's OCI export, an engine's `docker save`), and the
// two ways xplat publishes them: into a registry (per-platform manifests by digest, one index under
// each tag) and into an OCI image layout. Neither goes through a registry of xplat's own.

import Foundation

/// One platform's image as files: the manifest's exact bytes and each blob's file.
public struct LocalImage: Sendable, Hashable {
    public var platform: OCIPlatform
    public var manifest: FetchedManifest
    public var decoded: Manifest
    /// `sha256:...` -> the file holding that blob (config and layers).
    public var blobFiles: [String: String]
    /// Annotations for this image's index entry.
    public var annotations: [String: String]?

    public init(
        platform: OCIPlatform, manifest: FetchedManifest, decoded: Manifest, blobFiles: [String: String],
        annotations: [String: String]? = nil
    ) {
        self.platform = platform
        self.manifest = manifest
        self.decoded = decoded
        self.blobFiles = blobFiles
        self.annotations = annotations
    }

    /// The index entry for this image.
    public var descriptor: Descriptor {
        Descriptor(
            mediaType: manifest.mediaType, digest: manifest.digest, size: Int64(manifest.data.count),
            annotations: annotations, platform: platform)
    }

    /// Bytes of every blob (config and layers).
    public var blobBytes: Int64 { decoded.blobs.reduce(0) { $0 + $1.size } }

    /// True for buildx's attestation manifests (provenance, SBOM): never an image of a platform.
    public var isAttestation: Bool { annotations?[AnnotationKey.dockerReferenceType] == "attestation-manifest" }

    /// For an attestation: the digest of the image manifest it describes.
    public var attests: String? { isAttestation ? annotations?[AnnotationKey.dockerReferenceDigest] : nil }
}

/// An image index over per-platform images (and attestation manifests, after them, as buildx
/// orders them): OCI unless every manifest is Docker schema 2 (then a Docker manifest list, as
/// registries and old clients expect).
public func makeIndex(_ images: [LocalImage], annotations: [String: String]? = nil) -> (data: Data, mediaType: String) {
    let docker = !images.isEmpty && images.allSatisfy { $0.manifest.mediaType == MediaType.dockerManifest }
    let mediaType = docker ? MediaType.dockerManifestList : MediaType.ociIndex
    let index = Index(mediaType: mediaType, manifests: images.map(\.descriptor), annotations: annotations)
    return (canonicalJSON(index), mediaType)
}

/// JSON with sorted keys and unescaped slashes: the same bytes (and so the same digest) every time.
public func canonicalJSON<T: Encodable>(_ value: T) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)) ?? Data("{}".utf8)
}

/// `sha256:...` of a file's bytes, read in 1 MiB chunks.
public func sha256Digest(file path: String) throws -> (digest: String, size: Int64) {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw LocalImageError.unreadable(path) }
    defer { try? handle.close() }
    var hasher = DigestHasher()
    var size: Int64 = 0
    while true {
        let chunk = (try? handle.read(upToCount: 1 << 20)) ?? nil
        guard let chunk, !chunk.isEmpty else { break }
        chunk.withUnsafeBytes { hasher.update($0) }
        size += Int64(chunk.count)
    }
    return (hasher.finalize(), size)
}

/// A local image that cannot be read or written.
public enum LocalImageError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case malformed(String, String)
    case unwritable(String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot be read"
        case .malformed(let path, let why): return "\(path): \(why)"
        case .unwritable(let path): return "\(path): cannot be written"
        }
    }
}
