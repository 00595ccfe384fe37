// The `--metadata-file` buildx writes after a build.

import Foundation

/// What a build's metadata file says about its result.
public struct BuildxMetadata: Sendable, Hashable {
    /// `containerimage.digest`: the pushed or loaded image's digest (an index for several platforms).
    public var digest: String?
    /// `containerimage.descriptor.mediaType`: an index or a single manifest.
    public var mediaType: String?
    /// `containerimage.config.digest`, for one-platform images.
    public var configDigest: String?
    /// `image.name`: the names written.
    public var imageNames: [String]
    /// `buildx.build.ref`: `BUILDER/NODE/REF`, which node built it.
    public var buildRef: String?

    public init(
        digest: String? = nil, mediaType: String? = nil, configDigest: String? = nil, imageNames: [String] = [],
        buildRef: String? = nil
    ) {
        self.digest = digest
        self.mediaType = mediaType
        self.configDigest = configDigest
        self.imageNames = imageNames
        self.buildRef = buildRef
    }

    /// Parses the file's JSON; throws `BuildxMetadataError` when it is not a JSON object.
    public static func parse(_ data: Data, file: String) throws -> BuildxMetadata {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BuildxMetadataError(file: file, text: String(decoding: data.prefix(80), as: UTF8.self))
        }
        let descriptor = object["containerimage.descriptor"] as? [String: Any]
        let names = (object["image.name"] as? String).map { $0.split(separator: ",").map(String.init) } ?? []
        return BuildxMetadata(
            digest: object["containerimage.digest"] as? String ?? descriptor?["digest"] as? String,
            mediaType: descriptor?["mediaType"] as? String,
            configDigest: object["containerimage.config.digest"] as? String,
            imageNames: names, buildRef: object["buildx.build.ref"] as? String)
    }
}

/// A metadata file that is not buildx's JSON object.
public struct BuildxMetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var text: String
    public var description: String { "\(file): buildx's --metadata-file is not a JSON object (starts \"\(text)\")" }
}
