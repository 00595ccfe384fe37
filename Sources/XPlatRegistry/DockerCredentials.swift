// Credentials as docker stores them: `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`)
// with `auths` (base64 user:password or an identity token), `credsStore` (one helper for all) and
// `credHelpers` (a helper per registry), the helpers being `docker-credential-NAME` programs that
// answer `get` with `{"ServerURL","Username","Secret"}` for the host written on their stdin.

import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A login for one registry.
public struct Credential: Sendable, Hashable {
    public var username: String
    public var password: String
    /// An OAuth2 refresh token (docker's `identitytoken`, a helper's `<token>` user), used
    /// instead of the password at a Bearer token endpoint.
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }
}

/// Where credentials come from; the docker config is the real one, tests may pass fixed ones.
public protocol CredentialSource: Sendable {
    /// The credential for `registry` (`host[:port]`, `docker.io` for Docker Hub), or nil for none.
    func credential(for registry: String) async throws -> Credential?
}

/// No credentials at all (anonymous pulls).
public struct NoCredentials: CredentialSource {
    public init() {}
    public func credential(for registry: String) async throws -> Credential? { nil }
}

/// Reads docker's config file and runs its credential helpers.
public struct DockerCredentials: CredentialSource {
    /// The folder holding `config.json`.
    public var configDirectory: String
    /// Where `docker-credential-NAME` helpers are looked for (`$PATH`).
    public var helperSearchPath: [String]

    /// `$DOCKER_CONFIG`, else `$HOME/.docker`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty {
            configDirectory = dir
        } else {
            configDirectory = (environment["HOME"] ?? NSHomeDirectory()) + "/.docker"
        }
        helperSearchPath = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(
            String.init)
    }

    public init(configDirectory: String, helperSearchPath: [String]) {
        self.configDirectory = configDirectory
        self.helperSearchPath = helperSearchPath
    }

    public var configFile: String { configDirectory + "/config.json" }

    /// The parts of `config.json` that hold credentials.
    private struct ConfigFile: Decodable {
        struct Auth: Decodable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }
        var auths: [String: Auth]?
        var credsStore: String?
        var credHelpers: [String: String]?
    }

    public func credential(for registry: String) async throws -> Credential? {
        guard let data = FileManager.default.contents(atPath: configFile) else { return nil }
        let config: ConfigFile
        do { config = try JSONDecoder().decode(ConfigFile.self, from: data) } catch {
            throw RegistryError.credentials(
                registry: registry, "\(configFile) is not a docker config (JSON with auths, credsStore, credHelpers)")
        }
        let keys = Self.keys(for: registry)
        if let helper = keys.lazy.compactMap({ config.credHelpers?[$0] }).first {
            return try await runHelper(helper, server: keys[0], registry: registry)
        }
        if let auths = config.auths, let entry = Self.lookup(auths, registry: registry) {
            if let found = try decode(entry, registry: registry) { return found }
        }
        if let store = config.credsStore, !store.isEmpty {
            return try await runHelper(store, server: keys[0], registry: registry)
        }
        return nil
    }

    private func decode(_ entry: ConfigFile.Auth, registry: String) throws -> Credential? {
        if let auth = entry.auth, !auth.isEmpty {
            guard let raw = Data(base64Encoded: auth), let text = String(data: raw, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else {
                throw RegistryError.credentials(
                    registry: registry,
                    "the `auth` entry in \(configFile) is not base64 of USER:PASSWORD; run docker login \(registry) "
                        + "again"
                )
            }
            return Credential(
                username: String(text[..<colon]), password: String(text[text.index(after: colon)...]),
                identityToken: entry.identitytoken.flatMap { $0.isEmpty ? nil : $0 })
        }
        if let user = entry.username, let password = entry.password {
            return Credential(username: user, password: password)
        }
        if let token = entry.identitytoken, !token.isEmpty {
            return Credential(username: "", password: "", identityToken: token)
        }
        return nil
    }

    /// The names docker files a registry's login under: Docker Hub's legacy URL first, then the host.
    static func keys(for registry: String) -> [String] {
        if registry == RegistryReference.dockerHub || registry == "index.docker.io"
            || registry == "registry-1.docker.io"
        {
            return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
        }
        return [registry]
    }

    /// An `auths` entry whose key, without scheme and path, is the registry (`https://host:5443/v1/` too).
    private static func lookup(_ auths: [String: ConfigFile.Auth], registry: String) -> ConfigFile.Auth? {
        let wanted = Set(keys(for: registry).map(normalize))
        return auths.sorted { $0.key < $1.key }.first { wanted.contains(normalize($0.key)) }?.value
    }

    static func normalize(_ key: String) -> String {
        var text = Substring(key)
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        return String(text)
    }

    /// Runs `docker-credential-NAME get` with the server on stdin. Exit 1 with "credentials not
    /// found" means no login; anything else failing is an error naming the helper.
    private func runHelper(_ name: String, server: String, registry: String) async throws -> Credential? {
        let program = "docker-credential-\(name)"
        guard
            let path = helperSearchPath.map({ "\($0)/\(program)" }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw RegistryError.credentials(
                registry: registry,
                "the docker config (\(configFile)) names credential helper `\(name)`, but \(program) is not on PATH; "
                    + "install it or remove it from the config")
        }
        let status: TerminationStatus
        let stdout: String
        let stderr: String
        do {
            // stdin from an unlinked temporary file, not a pipe: a helper that exits without
            // reading its input cannot break the write.
            let input = try Self.inputFile(server + "\n")
            let result = try await Subprocess.run(
                .path(FilePath(path)), arguments: ["get"],
                input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
            status = result.terminationStatus
            stdout = result.standardOutput
            stderr = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw RegistryError.credentials(registry: registry, "\(path) could not be run")
        }
        guard case .exited(0) = status else {
            let said = stderr.isEmpty ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : stderr
            if said.lowercased().contains("credentials not found") { return nil }
            throw RegistryError.credentials(
                registry: registry, "\(program) get failed: \(said.isEmpty ? "no message" : said)")
        }
        return try decodeAnswer(stdout, program: program, registry: registry)
    }

    /// An open, already unlinked file holding `text`, positioned at its start.
    private static func inputFile(_ text: String) throws -> FileDescriptor {
        var template = Array((NSTemporaryDirectory() + "xplat-credential-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw RegistryError.credentials(registry: "", "cannot make a temporary file") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        lseek(fd, 0, SEEK_SET)
        return FileDescriptor(rawValue: fd)
    }

    private func decodeAnswer(_ stdout: String, program: String, registry: String) throws -> Credential? {
        struct Answer: Decodable { var Username: String?; var Secret: String? }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(stdout.utf8)), let secret = answer.Secret
        else {
            throw RegistryError.credentials(
                registry: registry, "\(program) get printed no {\"Username\",\"Secret\"} JSON")
        }
        if answer.Username == "<token>" { return Credential(username: "", password: "", identityToken: secret) }
        return Credential(username: answer.Username ?? "", password: secret)
    }
}
