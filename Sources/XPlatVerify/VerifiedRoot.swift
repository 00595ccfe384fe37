import Foundation
import XPlatELF
import XPlatJSON
import XPlatPlatform

/// One input root: a directory tree, a tar archive (or one platform's folder inside it), a file, or
/// one platform's image of an image source (its final filesystem); attestation manifests of an
/// index are listed as roots of their own kind, with nothing to check.
public struct VerifiedRoot: Sendable, Hashable, Codable {
    /// What the root was read from.
    public enum Kind: String, Sendable, Hashable, Codable {
        case directory, tar, file, image, attestation
    }

    /// As given (`out/linux_arm_v7`), `archive.tar:linux_arm_v7` for a platform folder inside a tar,
    /// `SOURCE linux/arm64` for an image.
    public var path: String
    /// The platform every ELF must run on: `--platform`, else the folder name, else the image
    /// index's; nil: report only.
    public var platform: Platform?
    public var kind: Kind
    /// The SOURCE argument the root came from.
    public var source: String
    /// The image manifest's digest (images and attestations).
    public var manifest: String?
    /// For an attestation: the platform and digest of the image it describes.
    public var subject: String?
    /// Regular files in the root (in an image: in its final filesystem).
    public var files = 0
    /// ELF files inspected.
    public var elf = 0
    /// No file of this root has a problem.
    public var ok = true

    public init(
        path: String, platform: Platform?, kind: Kind, source: String, manifest: String? = nil, subject: String? = nil
    ) {
        self.path = path
        self.platform = platform
        self.kind = kind
        self.source = source
        self.manifest = manifest
        self.subject = subject
    }

    enum CodingKeys: String, CodingKey { case path, platform, kind, source, manifest, subject, files, elf, ok }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(platform?.description, forKey: .platform)
        try c.encode(kind, forKey: .kind)
        try c.encode(source, forKey: .source)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(subject, forKey: .subject)
        try c.encode(files, forKey: .files)
        try c.encode(elf, forKey: .elf)
        try c.encode(ok, forKey: .ok)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "VerifiedRoot is output only"))
    }
}
