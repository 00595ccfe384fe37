import Foundation
import XPlatPlatform
import XPlatSupport

/// `--build-context NAME=VALUE`: a named context a Dockerfile reads as `FROM NAME` or
/// `COPY --from=NAME`. NAME is normalised as buildx does (`docker.io/library/alpine:latest` is
/// `alpine`).
public struct NamedContext: Sendable, Hashable {
    /// What a named context is.
    public enum Source: Sendable, Hashable {
        /// A local folder.
        case directory(String)
        /// `docker-image://REF`: an image from a registry.
        case image(String)
        /// `oci-layout://PATH[:TAG][@DIGEST]`: an image in a local OCI layout.
        case ociLayout(String)
        /// A git or https URL, fetched by the builder.
        case url(String)
        /// `target:STAGE` (bake's form).
        case target(String)
    }

    public var name: String
    public var source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// Parses one `--build-context` value.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--build-context", value: text, reason: why) }
        guard let kv = KeyValue(text), let value = kv.value else { throw fail("expected NAME=VALUE") }
        guard let name = Self.normalizedName(kv.key) else {
            throw fail("\"\(kv.key)\" is not a valid context name (an image name: lower case, digits, . _ - /)")
        }
        self.name = name
        if value.hasPrefix("docker-image://") {
            source = .image(String(value.dropFirst("docker-image://".count)))
        } else if value.hasPrefix("oci-layout://") {
            source = .ociLayout(String(value.dropFirst("oci-layout://".count)))
        } else if value.hasPrefix("target:") {
            source = .target(String(value.dropFirst("target:".count)))
        } else if Self.isURL(value) {
            source = .url(value)
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDir), isDir.boolValue else {
                throw fail("\(value) is not a folder (nor docker-image://, oci-layout://, a git or https URL)")
            }
            source = .directory(value)
        }
    }

    /// The value buildx takes after `NAME=`.
    public var flagValue: String {
        switch source {
        case .directory(let path): return "\(name)=\(path)"
        case .image(let ref): return "\(name)=docker-image://\(ref)"
        case .ociLayout(let path): return "\(name)=oci-layout://\(path)"
        case .url(let url): return "\(name)=\(url)"
        case .target(let stage): return "\(name)=target:\(stage)"
        }
    }

    /// buildx's name normalisation: a valid image name, in its familiar form without `:latest`.
    static func normalizedName(_ raw: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/:@")
        guard !raw.isEmpty, raw.allSatisfy({ allowed.contains($0) }), let first = raw.first,
            first.isLetter || first.isNumber
        else { return nil }
        var name = raw
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]
        where name.hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
            break
        }
        if name.hasSuffix(":latest") { name = String(name.dropLast(":latest".count)) }
        return name
    }

    private static func isURL(_ value: String) -> Bool {
        ["http://", "https://", "git://", "git@", "ssh://"].contains { value.hasPrefix($0) } || value.hasSuffix(".git")
    }
}
