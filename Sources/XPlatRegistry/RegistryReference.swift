// Image references as docker reads them: `busybox`, `host:5443/team/app:1`, `repo@sha256:...`.

/// A parsed image reference: registry host, repository and tag or digest.
public struct RegistryReference: Sendable, Hashable, CustomStringConvertible {
    /// Docker Hub's name in references and in the docker config's `auths`.
    public static let dockerHub = "docker.io"

    /// `host[:port]` as written (`docker.io` for references without a host).
    public var registry: String
    /// `team/app` (`library/busybox` for Docker Hub's official images).
    public var repository: String
    /// The tag, when the reference names one (`latest` when it names neither tag nor digest).
    public var tag: String?
    /// `sha256:...` when the reference names a digest.
    public var digest: String?

    public init(registry: String, repository: String, tag: String? = nil, digest: String? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses `[docker://][HOST/]REPO[:TAG][@DIGEST]`. A first component with a `.` or `:`, or
    /// `localhost`, is a host; otherwise the image is on Docker Hub.
    public init(parsing text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("docker://") { rest = rest.dropFirst("docker://".count) }
        guard !rest.isEmpty, !rest.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            throw RegistryError.badReference(text, "expected [HOST[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]")
        }
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
            guard let d = digest, d.hasPrefix("sha256:"), d.count == 71 else {
                throw RegistryError.badReference(text, "a digest is sha256: and 64 hex digits")
            }
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var registry = Self.dockerHub
        if let slash = rest.firstIndex(of: "/"), Self.isHost(rest[..<slash]) {
            registry = String(rest[..<slash])
            rest = rest[rest.index(after: slash)...]
        }
        if registry == "index.docker.io" || registry == "registry-1.docker.io" { registry = Self.dockerHub }
        var repository = String(rest)
        if registry == Self.dockerHub && !repository.contains("/") { repository = "library/" + repository }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !repository.isEmpty, repository.allSatisfy({ allowed.contains($0) }),
            !repository.hasPrefix("/"), !repository.hasSuffix("/"), !repository.contains("//")
        else {
            throw RegistryError.badReference(text, "a repository is lower-case letters, digits, `.`, `_`, `-` and `/`")
        }
        if let tag,
            tag.isEmpty || tag.count > 128 || !tag.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
        {
            throw RegistryError.badReference(text, "a tag is up to 128 letters, digits, `.`, `_` and `-`")
        }
        self.init(
            registry: registry, repository: repository, tag: digest == nil ? (tag ?? "latest") : tag, digest: digest)
    }

    /// True when `component` names a registry host rather than a repository's first part.
    public static func isHost(_ component: Substring) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
    }

    /// What the registry is asked for: the digest when there is one, else the tag.
    public var reference: String { digest ?? tag ?? "latest" }

    /// The host the distribution API is served from (`registry-1.docker.io` for Docker Hub).
    public var apiHost: String { registry == Self.dockerHub ? "registry-1.docker.io" : registry }

    /// `host/repo:tag`, `host/repo@sha256:...`.
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag, digest == nil || tag != "latest" { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The same repository, at another tag or digest.
    public func with(reference: String) -> RegistryReference {
        reference.hasPrefix("sha256:")
            ? RegistryReference(registry: registry, repository: repository, digest: reference)
            : RegistryReference(registry: registry, repository: repository, tag: reference)
    }
}
