// Packing images into an OCI layout from layer blobs already in it: each platform's config and
// manifest, then the index over them. The lab tool `xplat-seed` packs the base images of
// Scripts/seed-images this way; the JSON is xplat's canonical JSON, as every manifest it writes.

import Foundation

/// A gzip layer already stored as a blob of a layout: its digest and size, and the digest of its
/// uncompressed tar (the config's `diff_ids` entry).
public struct LayerBlob: Sendable, Hashable {
    /// `sha256:...` of the compressed blob.
    public var digest: String
    public var size: Int64
    /// `sha256:...` of the uncompressed tar.
    public var diffID: String

    public init(digest: String, size: Int64, diffID: String) {
        self.digest = digest
        self.size = size
        self.diffID = diffID
    }

    /// A layer from `DIFF_ID DIGEST SIZE` (hexadecimal digests as `sha256sum` prints them, the size
    /// in bytes); nil when the line is not that.
    public init?(line: some StringProtocol) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 3, let size = Int64(fields[2]), size >= 0,
            fields[0...1].allSatisfy({ Self.isHexDigest(String($0)) })
        else { return nil }
        self.init(digest: "sha256:\(fields[1])", size: size, diffID: "sha256:\(fields[0])")
    }

    private static func isHexDigest(_ text: String) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The descriptor of the layer in a manifest.
    public var descriptor: Descriptor { Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: size) }
}

extension OCILayout {
    /// Writes one platform image into `folder`: its config (whose `rootfs` lists `layers`' diff
    /// IDs) and its manifest, both as blobs. The layers, lowest first, must already be blobs of
    /// `folder`. Returns the image, ready for `write(_:refName:annotations:to:)` or `publish`.
    public static func addImage(config: ImageConfig, layers: [LayerBlob], in folder: String) throws -> LocalImage {
        var config = config
        config.rootfs = ImageConfig.RootFS(diffIDs: layers.map(\.diffID))
        for layer in layers where !FileManager.default.fileExists(atPath: blobPath(folder, layer.digest)) {
            throw LocalImageError.malformed(folder, "no blob for layer \(layer.digest)")
        }
        let configData = canonicalJSON(config)
        let configDescriptor = try storeBlob(configData, mediaType: MediaType.ociConfig, in: folder)
        let manifest = Manifest(config: configDescriptor, layers: layers.map(\.descriptor))
        let manifestData = canonicalJSON(manifest)
        let manifestDescriptor = try storeBlob(manifestData, mediaType: MediaType.ociManifest, in: folder)
        var files: [String: String] = [:]
        for blob in manifest.blobs { files[blob.digest] = blobPath(folder, blob.digest) }
        let fetched = FetchedManifest(
            mediaType: MediaType.ociManifest, digest: manifestDescriptor.digest, data: manifestData)
        return LocalImage(platform: config.platform, manifest: fetched, decoded: manifest, blobFiles: files)
    }

    /// The image whose OCI manifest is the blob `digest` of `folder`, its platform read from its config.
    public static func storedImage(manifest digest: String, in folder: String) throws -> LocalImage {
        let path = blobPath(folder, digest)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? Int64 ?? (attributes[.size] as? Int).map(Int64.init)
        else {
            throw LocalImageError.unreadable(path)
        }
        return try image(
            Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: size), platform: nil, in: folder)
    }

    /// The annotations of the index that `folder`'s `index.json` names first.
    public static func indexAnnotations(_ folder: String) throws -> [String: String]? {
        let top: Index = try decode("\(folder)/index.json")
        guard let entry = top.manifests.first, MediaType.isIndex(entry.mediaType) else { return nil }
        return (try decode(blobPath(folder, entry.digest)) as Index).annotations
    }

    /// Stores `data` as a blob of `folder` (content-addressed: an existing blob is kept).
    private static func storeBlob(_ data: Data, mediaType: String, in folder: String) throws -> Descriptor {
        let digest = sha256Digest(data)
        let path = blobPath(folder, digest)
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: "\(folder)/blobs/sha256", withIntermediateDirectories: true) } catch {
            throw LocalImageError.unwritable(folder)
        }
        guard fm.fileExists(atPath: path) || fm.createFile(atPath: path, contents: data) else {
            throw LocalImageError.unwritable(path)
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
    }
}

extension Index {
    /// What this index lacks of `annotations` (each with that value) and `platforms` (each with an
    /// image entry), as a phrase; nil when it lacks nothing.
    public func lacking(annotations wanted: [String: String], platforms: [OCIPlatform]) -> String? {
        for (key, value) in wanted.sorted(by: { $0.key < $1.key }) where annotations?[key] != value {
            return "annotation \(key) is \(annotations?[key].map { "'\($0)'" } ?? "absent"), not '\(value)'"
        }
        let listed = Set(platformManifests.compactMap(\.platform?.description))
        if let absent = platforms.first(where: { !listed.contains($0.description) }) {
            return "no \(absent.description) image"
        }
        return nil
    }
}
