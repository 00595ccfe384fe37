// From a source's top-level descriptors to one root per platform image: indexes expanded (nested
// ones too), attestation manifests listed, `unknown/unknown` entries reported, each config held to
// its index entry, and each image's final filesystem built from its layers.

import Foundation
import XPlatPlatform
import XPlatRegistry

/// One platform's image found in a source, before its layers are read.
struct FoundImage {
    var name: String
    var manifestDigest: String
    /// What the index entry says (nil for a manifest at the top: the config decides).
    var claimed: Platform?
    var manifest: Manifest
}

extension ImageVerifier {
    /// The roots of one image source, and its findings (config mismatches, unknown entries).
    func imageRoots(_ content: some ImageContent) async throws -> ([Verifier.PlannedRoot], [SourceFinding]) {
        var images: [FoundImage] = []
        var attestations: [VerifiedRoot] = []
        var findings: [SourceFinding] = []
        for root in try await content.roots() {
            try await expand(
                root.descriptor, name: root.name, claimed: nil, content,
                &images, &attestations, &findings, depth: 0)
        }
        var roots: [Verifier.PlannedRoot] = []
        var expected: [Platform?] = []
        for image in images {
            let (platform, finding) = try await checkConfig(image, content)
            if let finding { findings.append(finding) }
            expected.append(platform)
        }
        var unique: [String: Descriptor] = [:]
        for image in images { for layer in image.manifest.layers { unique[layer.digest] = layer } }
        let layers = try await content.layers(unique.keys.sorted().compactMap { unique[$0] })
        for (image, platform) in zip(images, expected) {
            var tree = ImageTree()
            for layer in image.manifest.layers {
                guard let summary = layers[layer.digest] else {
                    throw VerifyError(image.name, "layer \(layer.digest) was not read")
                }
                tree.apply(summary)
            }
            let label = platform?.description ?? "unknown platform"
            var planned = Verifier.PlannedRoot(
                root: VerifiedRoot(
                    path: "\(image.name) \(label)", platform: platform, kind: .image,
                    source: content.name, manifest: image.manifestDigest),
                location: image.name, lookup: tree.lookup())
            planned.scanned = tree.scanned(root: 0)
            planned.counts.files = tree.fileCount
            roots.append(planned)
        }
        roots += attestations.map { Verifier.PlannedRoot(root: $0, location: $0.path) }
        return (roots, findings)
    }

    /// Walks an index (or takes a manifest) into images, attestations and findings.
    func expand(
        _ descriptor: Descriptor, name: String, claimed: Platform?, _ content: some ImageContent,
        _ images: inout [FoundImage], _ attestations: inout [VerifiedRoot], _ findings: inout [SourceFinding],
        depth: Int
    ) async throws {
        guard depth < 4 else { throw VerifyError(name, "indexes nested more than 4 deep") }
        let data = try await content.data(descriptor)
        if MediaType.isIndex(descriptor.mediaType)
            || (!MediaType.isManifest(descriptor.mediaType) && Self.hasManifests(data))
        {
            let index: Index = try decode(data, "\(name)@\(descriptor.digest)")
            try await expandEntries(
                of: index, name: name, claimed: claimed, content, &images, &attestations, &findings, depth: depth)
            return
        }
        let manifest: Manifest = try decode(data, "\(name)@\(descriptor.digest)")
        var digest = descriptor.digest
        if digest.hasPrefix("docker-archive:") {
            // A docker save image is known by its config's id (the file name of the config).
            let id =
                manifest.config.digest.split(separator: "/").last.map {
                    String($0).replacingOccurrences(of: ".json", with: "")
                } ?? ""
            digest = id.count == 64 ? "sha256:" + id : manifest.config.digest
        }
        images.append(FoundImage(name: name, manifestDigest: digest, claimed: claimed, manifest: manifest))
    }

    /// Each entry of an index: an attestation listed, an `unknown` platform reported, anything else expanded in
    /// turn (an image, or an index one level deeper).
    private func expandEntries(
        of index: Index, name: String, claimed: Platform?, _ content: some ImageContent,
        _ images: inout [FoundImage], _ attestations: inout [VerifiedRoot], _ findings: inout [SourceFinding],
        depth: Int
    ) async throws {
        let subjects = Dictionary(
            index.manifests.map { ($0.digest, $0.platform?.description ?? "?") }, uniquingKeysWith: { a, _ in a })
        for entry in index.manifests {
            let entryName =
                entry.annotations?[AnnotationKey.refName].map { depth == 0 ? "\(name):\($0)" : name } ?? name
            if entry.isAttestation {
                attestations.append(
                    Self.attestationRoot(entry, name: entryName, subjects: subjects, source: content.name))
                continue
            }
            if entry.platform?.os == "unknown" || entry.platform?.architecture == "unknown" {
                findings.append(Self.unknownEntryFinding(entry, source: content.name))
                continue
            }
            let platform = try entry.platform.map { try Self.platform($0, in: entryName) }
            try await expand(
                entry, name: entryName, claimed: platform ?? claimed, content,
                &images, &attestations, &findings, depth: depth + 1)
        }
    }

    /// An attestation manifest of an index, named for the entry (by platform and short digest) it attests.
    private static func attestationRoot(
        _ entry: Descriptor, name: String, subjects: [String: String], source: String
    ) -> VerifiedRoot {
        let subject = entry.annotations?[AnnotationKey.dockerReferenceDigest]
        return VerifiedRoot(
            path: "\(name) attestation", platform: nil, kind: .attestation, source: source,
            manifest: entry.digest,
            subject: subject.map {
                "\(subjects[$0] ?? "an entry not in the index") (\(String($0.prefix(19))))"
            })
    }

    /// An index entry of `unknown` OS or architecture that is not marked as an attestation.
    private static func unknownEntryFinding(_ entry: Descriptor, source: String) -> SourceFinding {
        SourceFinding(
            .unknownEntry, source: source, platform: entry.platform?.description,
            manifest: entry.digest,
            message:
                "index entry \(entry.digest) is \(entry.platform?.description ?? "unknown") "
                + "without the "
                + "\(AnnotationKey.dockerReferenceType): attestation-manifest annotation: not an "
                + "image of any platform"
        )
    }

    /// The platform an image is held to (its index entry's, else its config's), and a finding when
    /// the config disagrees with the entry.
    func checkConfig(_ image: FoundImage, _ content: some ImageContent) async throws -> (Platform?, SourceFinding?) {
        let data = try await content.data(image.manifest.config)
        let config: ImageConfig = try decode(data, "\(image.name) config \(image.manifest.config.digest)")
        let configPlatform = try? Self.platform(config.platform, in: image.name)
        guard let claimed = image.claimed else {
            guard let configPlatform else {
                return (
                    nil,
                    SourceFinding(
                        .configMismatch, source: content.name, platform: config.platform.description,
                        manifest: image.manifestDigest,
                        message: "config platform \(config.platform.description) is not one xplat knows")
                )
            }
            return (configPlatform, nil)
        }
        guard configPlatform != claimed else { return (claimed, nil) }
        return (
            claimed,
            SourceFinding(
                .configMismatch, source: content.name, platform: claimed.description, manifest: image.manifestDigest,
                message: "the index says \(claimed), the image config says \(config.platform.description) (os "
                    + "\"\(config.os)\", architecture "
                    + "\"\(config.architecture)\"\(config.variant.map { ", variant \"\($0)\"" } ?? ""))"
            )
        )
    }

    static func platform(_ oci: OCIPlatform, in name: String) throws -> Platform {
        do {
            return try Platform(parsing: oci.description)
        } catch {
            throw VerifyError(name, "platform \(oci.description): \(error)")
        }
    }

    static func hasManifests(_ data: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["manifests"] != nil
    }
}
