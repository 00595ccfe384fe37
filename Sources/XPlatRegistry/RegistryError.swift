// Registry errors: each names the registry, the repository and the reference, and what to do.

import Foundation

/// What a registry operation was doing when it failed, for the error text.
public struct RegistryOperation: Sendable, Hashable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    /// A tag or digest (empty for operations on the registry itself).
    public var reference: String
    /// `pull`, `push`, `mount`, ...
    public var action: String

    public init(registry: String, repository: String, reference: String, action: String) {
        self.registry = registry
        self.repository = repository
        self.reference = reference
        self.action = action
    }

    /// `registry.example:5443/team/app:1` (or `@sha256:...`).
    public var image: String {
        guard !repository.isEmpty else { return registry }
        guard !reference.isEmpty else { return "\(registry)/\(repository)" }
        return "\(registry)/\(repository)\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference)"
    }

    public var description: String { "\(action) \(image)" }
}

/// A failed registry operation.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A reference that does not parse.
    case badReference(String, String)
    /// 401: no credentials, or the registry refused them.
    case unauthorized(RegistryOperation, hadCredentials: Bool, detail: String)
    /// 403: the credentials are valid but lack the right.
    case denied(RegistryOperation, detail: String)
    /// 404: no such repository, tag, manifest or blob.
    case notFound(RegistryOperation, detail: String)
    /// 429 after every retry.
    case tooManyRequests(RegistryOperation, retryAfter: String?)
    /// Another HTTP status (5xx after every retry, 400 on a bad manifest, ...).
    case status(RegistryOperation, code: Int, detail: String)
    /// The connection failed (refused, reset, timed out).
    case unreachable(RegistryOperation, reason: String)
    /// The TLS handshake failed (unknown CA, wrong host name, plain HTTP server).
    case tls(RegistryOperation, reason: String)
    /// Plain HTTP was needed for a host that is neither loopback nor listed as insecure.
    case insecureRefused(RegistryOperation)
    /// The bytes served do not hash to the digest asked for.
    case digestMismatch(RegistryOperation, expected: String, actual: String)
    /// A manifest, index or config that is not what its media type says.
    case badContent(RegistryOperation, String)
    /// The docker config or a credential helper failed.
    case credentials(registry: String, String)

    /// The error and, on its own line, what to do about it.
    public var description: String { message + (action.map { "\n  action: \($0)" } ?? "") }

    /// What went wrong, without the action (`action`).
    public var message: String {
        switch self {
        case .badReference(let text, let why):
            return "not an image reference: \(text.debugDescription): \(why)"
        case .unauthorized(let op, let had, let detail):
            let what = had ? "refused the credentials for" : "needs a login for"
            return "registry \(op.registry) \(what) \(op.repository) (\(op.description))\(Self.suffix(detail))"
        case .denied(let op, let detail):
            return "registry \(op.registry) denied \(op.description)\(Self.suffix(detail))"
        case .notFound(let op, let detail):
            return "registry \(op.registry) has no \(op.image) (\(op.action))\(Self.suffix(detail))"
        case .tooManyRequests(let op, _):
            return "registry \(op.registry) is rate-limiting \(op.description) (HTTP 429)"
        case .status(let op, let code, let detail):
            return "registry \(op.registry) answered HTTP \(code) to \(op.description)\(Self.suffix(detail))"
        case .unreachable(let op, let reason):
            return "registry \(op.registry) unreachable (\(op.description)): \(reason)"
        case .tls(let op, let reason):
            return "registry \(op.registry): TLS failed (\(op.description)): \(reason)"
        case .insecureRefused(let op):
            return
                "registry \(op.registry) needs plain HTTP, which xplat uses only for loopback and insecure registries "
                + "(\(op.description))"
        case .digestMismatch(let op, let expected, let actual):
            return "registry \(op.registry) served \(op.image) with digest \(actual), not \(expected)"
        case .badContent(let op, let why):
            return "registry \(op.registry): \(op.image): \(why)"
        case .credentials(let registry, let why):
            return "credentials for \(registry): \(why)"
        }
    }

    /// What to do about it, where xplat knows.
    public var action: String? {
        switch self {
        case .unauthorized(let op, let had, _):
            return had
                ? "check the user and password or token: docker login \(op.registry)"
                : "log in first: docker login \(op.registry)"
        case .denied(let op, _):
            return
                "the account has no \(op.action) right on \(op.repository); ask the registry's owner, or push to a "
                + "repository you own"
        case .notFound(let op, _):
            return
                "check the repository and tag (skopeo inspect docker://\(op.image) or docker manifest inspect "
                + "\(op.image))"
        case .tooManyRequests(_, let after):
            return "wait\(after.map { " \($0) s" } ?? "") and retry, or log in: authenticated users get higher limits"
        case .status(_, let code, _):
            return code >= 500 ? "the registry failed; retry later or check its logs" : nil
        case .unreachable(let op, _):
            return "check that the registry runs and that \(op.registry) is the right host and port"
        case .tls(let op, _):
            return "trust the registry's CA (/etc/docker/certs.d/\(op.registry)/ca.crt, or the system store), "
                + "or, for a plain-HTTP registry, list it in dockerd's insecure-registries"
        case .insecureRefused(let op):
            return
                "serve the registry over TLS, or add \(op.registry) to insecure-registries in /etc/docker/daemon.json"
        case .digestMismatch:
            return "the registry or a proxy altered the content; retry, and report it to the registry's owner"
        case .badReference, .badContent, .credentials:
            return nil
        }
    }

    static func suffix(_ detail: String) -> String { detail.isEmpty ? "" : ": \(detail)" }

    /// The registry's own error text from a distribution API error body
    /// (`{"errors":[{"code":"DENIED","message":"..."}]}`), short.
    static func detail(from body: [UInt8]) -> String {
        struct Body: Decodable {
            struct Entry: Decodable { var code: String?; var message: String? }
            var errors: [Entry]?
        }
        if let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)), let errors = decoded.errors,
            !errors.isEmpty
        {
            return errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: " ") }.joined(separator: "; ")
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.contains("<") ? "" : text
    }
}
