// The image index buildx pushes: one manifest per platform, and, from buildx 0.10 unless
// `--provenance=false`, one attestation manifest per platform: `unknown/unknown`, annotated
// `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest: <the
// platform manifest it attests>`.

import Foundation
import XPlatPlatform

/// An image index (OCI index or Docker manifest list) read for its platforms and attestations.
public struct BuildxImageIndex: Sendable, Hashable {
    /// One entry of `manifests`.
    public struct Entry: Sendable, Hashable {
        public var mediaType: String
        public var digest: String
        public var size: Int
        /// `os/architecture[/variant]` as written (`unknown/unknown` for an attestation).
        public var platformText: String
        public var annotations: [String: String]

        public init(
            mediaType: String, digest: String, size: Int, platformText: String, annotations: [String: String] = [:]
        ) {
            self.mediaType = mediaType
            self.digest = digest
            self.size = size
            self.platformText = platformText
            self.annotations = annotations
        }

        /// True for an attestation manifest: never an image of any platform.
        public var isAttestation: Bool { annotations["vnd.docker.reference.type"] != nil }

        /// The platform of an image entry; nil for attestations and platforms xplat does not know.
        public var platform: Platform? { isAttestation ? nil : try? Platform(parsing: platformText) }

        /// For an attestation: the digest of the manifest it is about.
        public var attests: String? { isAttestation ? annotations["vnd.docker.reference.digest"] : nil }
    }

    public var mediaType: String
    public var entries: [Entry]

    /// Parses index JSON; throws `BuildxImageIndexError` when it is not an index.
    public static func parse(_ data: Data) throws -> BuildxImageIndex {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = object["manifests"] as? [[String: Any]]
        else {
            throw BuildxImageIndexError(text: String(decoding: data.prefix(80), as: UTF8.self))
        }
        let entries = list.map { e -> Entry in
            let p = e["platform"] as? [String: Any] ?? [:]
            let text = [p["os"] as? String, p["architecture"] as? String, p["variant"] as? String].compactMap { $0 }
                .joined(separator: "/")
            return Entry(
                mediaType: e["mediaType"] as? String ?? "", digest: e["digest"] as? String ?? "",
                size: e["size"] as? Int ?? 0, platformText: text,
                annotations: e["annotations"] as? [String: String] ?? [:])
        }
        return BuildxImageIndex(mediaType: object["mediaType"] as? String ?? "", entries: entries)
    }

    /// The image of `platform`; never an attestation, whatever its platform field says.
    public func image(for platform: Platform) -> Entry? {
        entries.first { $0.platform == platform }
    }

    /// The attestation manifests about `digest`.
    public func attestations(of digest: String) -> [Entry] {
        entries.filter { $0.attests == digest }
    }

    /// The entries of an index for `platforms`, in that order, each platform's image followed at the
    /// end by its attestations when `keepAttestations` (as buildx orders them: images, then
    /// attestations, each still naming the image it attests, whose digest is unchanged).
    public func assembled(for platforms: [Platform], keepAttestations: Bool) throws -> [Entry] {
        var images: [Entry] = []
        for platform in platforms {
            guard let image = image(for: platform) else {
                throw BuildxImageIndexError(
                    text: "no \(platform) image (it holds: \(entries.map(\.platformText).joined(separator: ", ")))")
            }
            images.append(image)
        }
        return images + (keepAttestations ? images.flatMap { attestations(of: $0.digest) } : [])
    }
}

/// An index that is not one, or lacks a platform.
public struct BuildxImageIndexError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var description: String { "image index: \(text)" }
}
