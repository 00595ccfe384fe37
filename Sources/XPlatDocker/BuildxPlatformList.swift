// The platform column of `docker buildx ls` and the `Platforms:` line of `docker buildx inspect`.

import Foundation
import XPlatPlatform

/// A node's platforms as buildx lists them.
public struct BuildxPlatformList: Sendable, Hashable, Codable {
    /// Every platform, normalized, in buildx's order, each once (`*` dropped).
    public var platforms: [Platform]
    /// The platforms marked `*`: pinned by the user with `buildx create --platform`.
    public var pinned: [Platform]
    /// Words that are not platforms xplat knows (`linux/mips64`), kept so that they can be reported.
    public var unparsed: [String]
    /// The listing was cut short (`(+3)`): `--no-trunc` shows the rest.
    public var truncated: Bool

    public init(platforms: [Platform] = [], pinned: [Platform] = [], unparsed: [String] = [], truncated: Bool = false) {
        self.platforms = platforms
        self.pinned = pinned
        self.unparsed = unparsed
        self.truncated = truncated
    }

    /// Parses `linux/amd64, linux/arm64*, linux/arm/v7 (+2)`.
    public static func parse(_ text: String) -> BuildxPlatformList {
        parse(items: text.split(separator: ",").map(String.init))
    }

    /// Parses one word per item (the JSON form gives an array of them).
    public static func parse(items: [String]) -> BuildxPlatformList {
        var list = BuildxPlatformList()
        for item in items {
            var word = item.trimmingCharacters(in: .whitespaces)
            if let cut = word.range(of: "(+") {
                // `linux/arm/v6 (+3)`: the word before the marker is a platform, the rest was cut.
                list.truncated = true
                word = String(word[..<cut.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            guard !word.isEmpty else { continue }
            let pinned = word.hasSuffix("*")
            if pinned { word.removeLast() }
            guard let platform = try? Platform(parsing: word) else {
                if !list.unparsed.contains(word) { list.unparsed.append(word) }
                continue
            }
            if pinned, !list.pinned.contains(platform) { list.pinned.append(platform) }
            if !list.platforms.contains(platform) { list.platforms.append(platform) }
        }
        return list
    }
}
