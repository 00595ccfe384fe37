// A build's images as files on this machine, read from where the builder put them: the engine's
// image store (`docker save` of the per-platform image) or a builder's own OCI export. From these
// files xplat verifies each platform's real filesystem and publishes (push, OCI layout): the
// image is built once and no registry of xplat's own is involved.

import Foundation
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Reads images out of the engine and OCI exports, and lays their layers out as a root folder.
struct ImageExport: Sendable {
    var runner: any CommandRunner
    var commands: DriverCommands

    /// `docker save IMAGE` from the engine holding what `node` built (`EngineAccess`), unpacked
    /// into `folder`, as an OCI image whose layers are gzip-compressed (`gzip -n`: the same bytes
    /// for the same layer, so digests repeat) when it is to be published (`compress`); else the
    /// layers stay the saved tars (only its root is read: `--load`).
    func saveFromEngine(
        _ image: String, node: BuilderNode, platform: Platform, into folder: String,
        compress: Bool = true
    ) async throws -> LocalImage {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let archive = folder + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let saved = try await runner.run(commands.save(image, to: archive, engine: .of(node)))
        guard saved.succeeded else {
            throw BuildError.assemblyFailed(
                "\(platform): cannot read the built image from \(EngineAccess.name(of: node)): docker save: "
                    + "\(Self.firstLine(saved.stderr))"
            )
        }
        try await untar(archive, into: folder)
        struct SaveEntry: Decodable { var Config: String; var Layers: [String] }
        guard let data = FileManager.default.contents(atPath: "\(folder)/manifest.json"),
            let entry = (try? JSONDecoder().decode([SaveEntry].self, from: data))?.first
        else {
            throw BuildError.assemblyFailed("\(platform): docker save of \(image) wrote no manifest.json")
        }
        let configPath = "\(folder)/\(entry.Config)"
        let config = try described(configPath, mediaType: MediaType.ociConfig)
        var files = [config.digest: configPath]
        var layers: [Descriptor] = []
        for layer in entry.Layers {
            let (descriptor, file) = try await savedLayer(
                at: "\(folder)/\(layer)", compress: compress, platform: platform)
            files[descriptor.digest] = file
            layers.append(descriptor)
        }
        // xplat makes this manifest itself: `--annotation` values for the manifests go on it here.
        let manifest = Manifest(
            config: config, layers: layers, annotations: commands.request.annotations(at: .manifest, for: platform))
        let bytes = canonicalJSON(manifest)
        let oci = OCIPlatform(os: platform.os, architecture: platform.architecture, variant: platform.variant)
        return LocalImage(
            platform: oci,
            manifest: FetchedManifest(mediaType: MediaType.ociManifest, digest: sha256Digest(bytes), data: bytes),
            decoded: manifest, blobFiles: files)
    }

    /// One layer tar of a `docker save`: described as it is, or gzip-compressed beside it (`gzip -n`) when
    /// `compress`. Returns its descriptor and the file that holds its bytes.
    private func savedLayer(at path: String, compress: Bool, platform: Platform) async throws
        -> (descriptor: Descriptor, file: String)
    {
        guard compress else { return (try described(path, mediaType: MediaType.ociLayer), path) }
        let zipped = try await runner.run(Command("gzip", ["-n", "-k", "-f", path]))
        guard zipped.succeeded else {
            throw BuildError.assemblyFailed("\(platform): gzip of a layer failed: \(Self.firstLine(zipped.stderr))")
        }
        return (try described(path + ".gz", mediaType: MediaType.ociLayerGzip), path + ".gz")
    }

    /// The images of a builder's OCI export (a tar of an OCI layout), by platform, and its
    /// attestation manifests by the digest of the image each describes.
    func readOCIExport(_ archive: String, into folder: String) async throws
        -> (images: [Platform: LocalImage], attestations: [String: [LocalImage]])
    {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await untar(archive, into: folder)
        let read: (images: [LocalImage], attestations: [LocalImage])
        do { read = try OCILayout.readWithAttestations(folder) } catch let error as LocalImageError {
            throw BuildError.assemblyFailed("the builder's OCI export: \(error)")
        }
        var images: [Platform: LocalImage] = [:]
        for image in read.images {
            if let platform = try? Platform(parsing: image.platform.description) { images[platform] = image }
        }
        return (images, Dictionary(grouping: read.attestations) { $0.attests ?? "" })
    }

    /// Lays `image`'s layers out in `root`, in order, applying whiteouts (`.wh.NAME` removes NAME
    /// of lower layers, `.wh..wh..opq` empties its folder) as the engine would.
    func extractRoot(_ image: LocalImage, to root: String) async throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for layer in image.decoded.layers {
            guard let file = image.blobFiles[layer.digest] else {
                throw BuildError.assemblyFailed("no file for layer \(layer.digest)")
            }
            let listed = try await runner.run(Command("tar", ["-tf", file]))
            guard listed.succeeded else {
                throw BuildError.assemblyFailed("cannot list layer \(layer.digest): \(Self.firstLine(listed.stderr))")
            }
            for line in listed.stdout.split(separator: "\n") { Self.applyWhiteout(String(line), root: root) }
            let out = try await runner.run(
                Command("tar", ["-xf", file, "-C", root, "--exclude=.wh.*", "--no-same-owner"]))
            guard out.succeeded else {
                throw BuildError.assemblyFailed("cannot unpack layer \(layer.digest): \(Self.firstLine(out.stderr))")
            }
        }
    }

    /// Removes what the whiteout entry `path` of a layer hides, inside `root` only.
    static func applyWhiteout(_ path: String, root: String) {
        var entry = path
        while entry.hasPrefix("./") { entry.removeFirst(2) }
        let parts = entry.split(separator: "/").map(String.init)
        guard let name = parts.last, name.hasPrefix(".wh."), !parts.contains(".."), !parts.contains(".") else { return }
        let folder = ([root] + parts.dropLast()).joined(separator: "/")
        let fm = FileManager.default
        if name == ".wh..wh..opq" {
            for child in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] {
                try? fm.removeItem(atPath: "\(folder)/\(child)")
            }
        } else {
            try? fm.removeItem(atPath: "\(folder)/\(name.dropFirst(4))")
        }
    }

    func untar(_ archive: String, into folder: String) async throws {
        let out = try await runner.run(Command("tar", ["-xf", archive, "-C", folder, "--no-same-owner"]))
        guard out.succeeded else {
            throw BuildError.assemblyFailed("cannot unpack \(archive): \(Self.firstLine(out.stderr))")
        }
    }

    func described(_ path: String, mediaType: String) throws -> Descriptor {
        do {
            let (digest, size) = try sha256Digest(file: path)
            return Descriptor(mediaType: mediaType, digest: digest, size: size)
        } catch {
            throw BuildError.assemblyFailed("\(path): cannot be read")
        }
    }

    static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "no message"
    }
}
