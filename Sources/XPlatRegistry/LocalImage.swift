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

/// Reading and writing OCI image layouts (`oci-layout`, `index.json`, `blobs/sha256/...`).
public enum OCILayout {
    /// Writes `images` into the empty or missing folder `folder`: blobs hard-linked (copied across
    /// file systems), each manifest, one index blob, and `index.json` naming that index `refName`.
    /// Returns the index's digest. `indexAnnotations` go on the index, `descriptorAnnotations`
    /// on `index.json`'s descriptor of it (beside the ref name).
    @discardableResult
    public static func write(
        _ images: [LocalImage], refName: String, to folder: String, indexAnnotations: [String: String]? = nil,
        descriptorAnnotations: [String: String] = [:]
    ) throws -> String {
        let fm = FileManager.default
        let blobs = "\(folder)/blobs/sha256"
        do { try fm.createDirectory(atPath: blobs, withIntermediateDirectories: true) } catch {
            throw LocalImageError.unwritable(folder)
        }
        func put(_ data: Data, _ digest: String) throws {
            let path = "\(blobs)/\(digest.dropFirst("sha256:".count))"
            guard fm.fileExists(atPath: path) || fm.createFile(atPath: path, contents: data) else {
                throw LocalImageError.unwritable(path)
            }
        }
        for image in images {
            for blob in image.decoded.blobs {
                let path = "\(blobs)/\(blob.digest.dropFirst("sha256:".count))"
                guard !fm.fileExists(atPath: path) else { continue }
                guard let source = image.blobFiles[blob.digest] else {
                    throw LocalImageError.malformed(folder, "no file for blob \(blob.digest)")
                }
                if link(source, path) != 0 {
                    do { try fm.copyItem(atPath: source, toPath: path) } catch {
                        throw LocalImageError.unwritable(path)
                    }
                }
            }
            try put(image.manifest.data, image.manifest.digest)
        }
        let (indexData, mediaType) = makeIndex(images, annotations: indexAnnotations)
        let indexDigest = sha256Digest(indexData)
        try put(indexData, indexDigest)
        let top = Index(
            mediaType: MediaType.ociIndex,
            manifests: [
                Descriptor(
                    mediaType: mediaType, digest: indexDigest, size: Int64(indexData.count),
                    annotations: descriptorAnnotations.merging([AnnotationKey.refName: refName]) { $1 })
            ])
        guard fm.createFile(atPath: "\(folder)/index.json", contents: canonicalJSON(top)),
            fm.createFile(atPath: "\(folder)/oci-layout", contents: canonicalJSON(OCILayoutFile()))
        else {
            throw LocalImageError.unwritable(folder)
        }
        return indexDigest
    }

    /// The platform images of an OCI layout (a builder's OCI export): `index.json`'s entries, an
    /// index inside it followed, attestations left out.
    public static func read(_ folder: String) throws -> [LocalImage] { try readWithAttestations(folder).images }

    /// The platform images of an OCI layout and, apart, its attestation manifests (buildx's
    /// provenance/SBOM: `unknown/unknown`, annotated with the digest of the image they describe),
    /// each with its index entry's annotations, so that an index assembled from them keeps them.
    /// An `unknown/unknown` entry that is not an attestation is neither.
    public static func readWithAttestations(_ folder: String) throws -> (
        images: [LocalImage], attestations: [LocalImage]
    ) {
        let top: Index = try decode("\(folder)/index.json")
        var images: [LocalImage] = [], attestations: [LocalImage] = []
        var queue = top.manifests
        // An export with several names lists the same index once per name.
        var seen: Set<String> = []
        while !queue.isEmpty {
            let entry = queue.removeFirst()
            guard seen.insert(entry.digest).inserted else { continue }
            let path = blobPath(folder, entry.digest)
            if MediaType.isIndex(entry.mediaType) {
                queue += (try decode(path) as Index).manifests
                continue
            }
            guard MediaType.isManifest(entry.mediaType) else { continue }
            if entry.isAttestation {
                guard entry.annotations?[AnnotationKey.dockerReferenceDigest] != nil else { continue }
                let platform = entry.platform ?? OCIPlatform(os: "unknown", architecture: "unknown")
                attestations.append(try image(entry, platform: platform, in: folder))
            } else if entry.platform?.os != "unknown" {
                images.append(try image(entry, platform: entry.platform, in: folder))
            }
        }
        return (images, attestations)
    }

    /// The manifest `entry` names in `folder`, its blobs as files; the platform from the image
    /// config when the entry has none.
    static func image(_ entry: Descriptor, platform: OCIPlatform?, in folder: String) throws -> LocalImage {
        let path = blobPath(folder, entry.digest)
        guard let data = FileManager.default.contents(atPath: path) else { throw LocalImageError.unreadable(path) }
        let manifest: Manifest = try decode(path)
        let resolved = try platform ?? (decode(blobPath(folder, manifest.config.digest)) as ImageConfig).platform
        var files: [String: String] = [:]
        for blob in manifest.blobs { files[blob.digest] = blobPath(folder, blob.digest) }
        return LocalImage(
            platform: resolved, manifest: FetchedManifest(mediaType: entry.mediaType, digest: entry.digest, data: data),
            decoded: manifest, blobFiles: files, annotations: entry.isAttestation ? entry.annotations : nil)
    }

    static func blobPath(_ folder: String, _ digest: String) -> String {
        "\(folder)/blobs/\(digest.replacingOccurrences(of: ":", with: "/"))"
    }

    static func decode<T: Decodable>(_ path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw LocalImageError.unreadable(path) }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            let what =
                T.self == Index.self
                ? "an image index" : T.self == Manifest.self ? "an image manifest" : "an image config"
            throw LocalImageError.malformed(path, "not \(what) (\(RegistryClient.decodingReason(error)))")
        }
    }
}

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
