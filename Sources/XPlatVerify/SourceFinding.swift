import Foundation
import XPlatELF
import XPlatJSON
import XPlatPlatform

/// Something about a source as a whole rather than one file: its platforms, its index entries,
/// its configs. Errors fail the run; notes are printed and pass.
public struct SourceFinding: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `--platform` names a platform the source does not have.
        case missingPlatform = "missing-platform"
        /// The source has a platform `--platform` did not name (a note).
        case extraPlatform = "extra-platform"
        /// The image config's os/architecture/variant disagree with the index entry.
        case configMismatch = "config-mismatch"
        /// An `unknown/unknown` index entry that is not an annotated attestation manifest.
        case unknownEntry = "unknown-entry"
    }

    public var kind: Kind
    public var source: String
    public var platform: String?
    public var manifest: String?
    public var message: String
    /// False for notes.
    public var isError: Bool

    public init(_ kind: Kind, source: String, platform: String?, manifest: String? = nil, message: String) {
        self.kind = kind
        self.source = source
        self.platform = platform
        self.manifest = manifest
        self.message = message
        self.isError = kind != .extraPlatform
    }

    public var description: String { message }

    enum CodingKeys: String, CodingKey { case kind, source, platform, manifest, message, error }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(source, forKey: .source)
        try c.encode(platform, forKey: .platform)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(message, forKey: .message)
        try c.encode(isError, forKey: .error)
    }

    public init(from decoder: Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "SourceFinding is output only"))
    }
}
