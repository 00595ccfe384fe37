import Foundation

/// The result of publishing to a registry.
public struct PublishResult: Sendable, Hashable {
    /// The index digest (the same under every tag).
    public var indexDigest: String
    /// Each platform's manifest digest, in the order of the images.
    public var manifestDigests: [String]
    /// The index's media type (OCI index or Docker manifest list) and size in bytes.
    public var indexMediaType: String = MediaType.ociIndex
    public var indexSize: Int64 = 0
}

extension RegistryClient {
    /// Publishes `images` under every tag of `targets`: each repository gets every blob (mounted
    /// from a repository already holding it where the registry allows, else uploaded) and every
    /// per-platform manifest by digest, untagged; then one index under each tag. Nothing else is
    /// created in the registry. `indexAnnotations` go on the index.
    public func publish(
        _ images: [LocalImage], to targets: [RegistryReference], indexAnnotations: [String: String]? = nil
    ) async throws
        -> PublishResult
    {
        let (indexData, indexType) = makeIndex(images, annotations: indexAnnotations)
        var done: [String: Set<String>] = [:]  // registry -> repositories holding everything
        var indexDigest = sha256Digest(indexData)
        for target in targets {
            let repository = target.with(reference: "latest")
            if done[target.registry, default: []].contains(target.repository) == false {
                let sources = Array(done[target.registry, default: []]).sorted()
                for image in images {
                    for blob in image.decoded.blobs {
                        guard let file = image.blobFiles[blob.digest] else {
                            throw RegistryError.badContent(
                                RegistryOperation(
                                    registry: target.registry, repository: target.repository,
                                    reference: blob.digest, action: "push"), "no local file for this blob")
                        }
                        try await pushBlob(repository, descriptor: blob, source: .file(file), mountFrom: sources)
                    }
                    try await putManifest(
                        target.with(reference: image.manifest.digest), mediaType: image.manifest.mediaType,
                        data: image.manifest.data)
                }
                done[target.registry, default: []].insert(target.repository)
            }
            indexDigest = try await putManifest(target, mediaType: indexType, data: indexData)
        }
        return PublishResult(
            indexDigest: indexDigest, manifestDigests: images.map(\.manifest.digest), indexMediaType: indexType,
            indexSize: Int64(indexData.count))
    }
}
