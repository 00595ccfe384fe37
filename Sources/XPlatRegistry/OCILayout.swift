import Foundation

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

/// The `oci-layout` file of an OCI image layout.
public struct OCILayoutFile: Codable, Sendable, Hashable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}
