// XPlatRegistry: an OCI distribution client for any registry users have.
//
// Guide:
// - `RegistryClient` is one type, split by concern: this file (configuration, lifetime, the request
//   loop with auth and retries), `+Fetch` (manifests, indexes, configs, blobs by digest, streamed),
//   `+Push` (blobs with cross-repository mounts, manifests by digest, indexes under tags), `+Token`
//   (WWW-Authenticate challenges, Basic and Bearer tokens scoped per repository, parsed by
//   `AuthChallenge`), `+Publish` (local images to every tag); its errors are `RegistryError`.
// - TLS: the system CAs plus docker's per-registry files in `/etc/docker/certs.d/HOST:PORT/`
//   (`*.crt` CAs, `client.cert`/`client.key`). Plain HTTP only for loopback hosts and for the
//   registries the engine lists as insecure, and only after HTTPS failed (as docker does).
// - Credentials come from a `CredentialSource`: `DockerCredentials` reads docker's config file.
// - Lifetime is explicit: `RegistryClient.with(...) { client in ... }`, or `shutdown()` when done.

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization
import XPlatSystem

/// Retries of one request: on 5xx and 429 answers, with doubling delays.
public struct RetryOptions: Sendable, Hashable {
    /// Attempts after the first one.
    public var retries: Int
    /// The delay before the first retry; each further retry doubles it, up to `maxDelay`.
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(retries: Int = 3, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8)) {
        self.retries = retries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// No retries (tests that count requests).
    public static let none = RetryOptions(retries: 0)

    /// True for the statuses worth another attempt.
    public static func isRetryable(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

    /// The delay before retry `attempt` (1-based), or the server's `Retry-After` seconds when smaller than `maxDelay`.
    public func delay(attempt: Int, retryAfter: String? = nil) -> Duration {
        if let retryAfter, let seconds = Int(retryAfter), seconds >= 0, .seconds(seconds) <= maxDelay {
            return .seconds(seconds)
        }
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) { delay = min(delay * 2, maxDelay) }
        return delay
    }
}

/// Bytes moved by a client, for benchmarks and summaries.
public struct TransferCounts: Sendable, Hashable {
    public var bytesUploaded: Int64 = 0
    public var blobsUploaded = 0
    public var blobsMounted = 0
    public var blobsAlreadyThere = 0
    public var requests = 0
}

/// An OCI distribution client. Create one per command, use it for every registry, and shut it down
/// (or use `with`): it holds connection pools and cached tokens.
public final class RegistryClient: Sendable {
    public let configuration: RegistryConfiguration
    let http: HTTPClient
    /// For the first HTTPS attempt on a registry that may speak plain HTTP: it does not retry a
    /// failed connection, so a plain-HTTP server's failed TLS handshake falls back to HTTP at once
    /// instead of after `http`'s connection retries (5 s, the connect timeout, on every run).
    let probe: HTTPClient
    /// `host` -> `https` or `http`, decided by the first request.
    let schemes = Mutex<[String: String]>([:])
    /// `host` -> the challenge it sent, so later requests authenticate without a 401 first.
    let challenges = Mutex<[String: AuthChallenge]>([:])
    /// `host scope` -> `Authorization` header value.
    let authorizations = Mutex<[String: String]>([:])
    let tlsConfigurations = Mutex<[String: TLSConfiguration]>([:])
    let counts = Mutex(TransferCounts())

    public init(configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.configuration = configuration
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .nanoseconds(Self.nanoseconds(configuration.connectTimeout)),
                read: .nanoseconds(Self.nanoseconds(configuration.readTimeout))))
        http.decompression = .disabled
        http.httpVersion = .http1Only
        http.connectionPool.retryConnectionEstablishment = configuration.retriesConnections
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        http.connectionPool.retryConnectionEstablishment = false
        self.probe = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Closes connections. Call once, when done (`with` does it for you).
    public func shutdown() async throws {
        // Both, whatever the first does: a client not shut down stops the program in debug builds.
        var failure: Error?
        do { try await probe.shutdown() } catch { failure = error }
        try await http.shutdown()
        if let failure { throw failure }
    }

    /// Runs `body` with a new client and shuts it down afterwards, whatever `body` does.
    public static func with<T: Sendable>(
        configuration: RegistryConfiguration = RegistryConfiguration(),
        _ body: (RegistryClient) async throws -> T
    ) async throws -> T {
        let client = RegistryClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// What this client has moved so far.
    public var transferCounts: TransferCounts { counts.withLock { $0 } }

    // MARK: The request loop

    /// A request to send: method, path under `/v2/` or an absolute URL, headers, and a body made
    /// anew for each attempt (a file is re-read on a retry).
    struct Call: Sendable {
        var operation: RegistryOperation
        var method: HTTPMethod = .GET
        /// `/v2/...` (on the registry), or an absolute URL (an upload location).
        var target: String
        var headers: [(String, String)] = []
        var body: (@Sendable () throws -> HTTPClientRequest.Body)?
        /// Repository scopes for a Bearer token: `repository:team/app:pull,push`.
        var scopes: [String]
        /// Statuses that are answers, not errors (`200`, `201`, `202`, `404` for HEAD existence checks...).
        var expected: Set<Int>
    }

    /// Sends `call`, authenticating on 401 and retrying 5xx/429/connection failures; returns the
    /// first answer with an expected status. The caller consumes or drops the body.
    func send(_ call: Call) async throws -> HTTPClientResponse {
        var attempt = 0
        var authenticated = false
        while true {
            try Task.checkCancellation()
            // Connection failures are not retried here: AsyncHTTPClient already retries a refused
            // connection with backoff until the connect timeout.
            let response = try await execute(call)
            let status = Int(response.status.code)
            if call.expected.contains(status) { return response }
            if status == 401, !authenticated, let header = response.headers.first(name: "WWW-Authenticate") {
                _ = try? await response.body.collect(upTo: 1 << 16)
                let challenge = try AuthChallenge(parsing: header, operation: call.operation)
                challenges.withLock { $0[call.operation.registry] = challenge }
                try await authorize(call, challenge: challenge, refresh: true)
                authenticated = true
                continue
            }
            if RetryOptions.isRetryable(status: status), attempt < configuration.retry.retries {
                _ = try? await response.body.collect(upTo: 1 << 16)
                attempt += 1
                try await Task.sleep(
                    for: configuration.retry.delay(
                        attempt: attempt, retryAfter: response.headers.first(name: "Retry-After")))
                continue
            }
            let body = (try? await response.body.collect(upTo: 1 << 16)).map { Array(buffer: $0) } ?? []
            throw await failure(call, status: status, headers: response.headers, body: body)
        }
    }

    /// The error for an unexpected status.
    func failure(_ call: Call, status: Int, headers: HTTPHeaders, body: [UInt8]) async -> RegistryError {
        let detail = RegistryError.detail(from: body)
        let op = call.operation
        switch status {
        case 401:
            let had = (try? await configuration.credentials.credential(for: op.registry)) != nil
            return .unauthorized(op, hadCredentials: had, detail: detail)
        case 403: return .denied(op, detail: detail)
        case 404: return .notFound(op, detail: detail)
        case 429: return .tooManyRequests(op, retryAfter: headers.first(name: "Retry-After"))
        default: return .status(op, code: status, detail: detail)
        }
    }

    /// One attempt: picks the scheme, the TLS configuration and the cached authorization.
    func execute(_ call: Call) async throws -> HTTPClientResponse {
        let registry = call.operation.registry
        if call.target.hasPrefix("http://") || call.target.hasPrefix("https://") {
            return try await attempt(call, url: call.target, host: registry)
        }
        if let scheme = schemes.withLock({ $0[registry] }) {
            return try await attempt(call, url: "\(scheme)://\(Self.apiHost(registry))\(call.target)", host: registry)
        }
        do {
            let client = configuration.allowsPlainHTTP(registry) ? probe : http
            let response = try await attempt(
                call, url: "https://\(Self.apiHost(registry))\(call.target)", host: registry, client: client)
            schemes.withLock { $0[registry] = "https" }
            return response
        } catch let tlsError as RegistryError {
            guard configuration.allowsPlainHTTP(registry) else {
                if case .tls(_, let reason) = tlsError, Self.looksLikePlainHTTP(reason) {
                    throw RegistryError.insecureRefused(call.operation)
                }
                throw tlsError
            }
            do {
                let response = try await attempt(
                    call, url: "http://\(Self.apiHost(registry))\(call.target)", host: registry)
                schemes.withLock { $0[registry] = "http" }
                return response
            } catch {
                // Neither answered: the HTTPS failure says more (a refused connection says the same).
                throw tlsError
            }
        }
    }

    /// `registry-1.docker.io` for Docker Hub, else the registry itself.
    static func apiHost(_ registry: String) -> String {
        registry == RegistryReference.dockerHub ? "registry-1.docker.io" : registry
    }

    private static func looksLikePlainHTTP(_ reason: String) -> Bool {
        let text = reason.lowercased()
        return text.contains("wrong_version_number") || text.contains("wrong version number")
            || text.contains("http request")
            || text.contains("does not speak tls")
    }

    func attempt(_ call: Call, url: String, host: String, client: HTTPClient? = nil) async throws -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = call.method
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        for (name, value) in call.headers { request.headers.add(name: name, value: value) }
        if let authorization = cachedAuthorization(call) {
            request.headers.replaceOrAdd(name: "Authorization", value: authorization)
        }
        if let body = call.body { request.body = try body() }
        if url.hasPrefix("https://") { request.tlsConfiguration = try tlsConfiguration(for: host) }
        counts.withLock { $0.requests += 1 }
        do {
            return try await (client ?? http).execute(request, timeout: .hours(6))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, call.operation)
        }
    }

    /// A transport error as a `RegistryError`: TLS or unreachable, with the reason in words.
    static func classify(_ error: any Error, _ op: RegistryOperation) -> RegistryError {
        if let error = error as? RegistryError { return error }
        let text = String(describing: error)
        if error is NIOSSLError || error is BoringSSLError || text.contains("SSL") || text.contains("handshake") {
            return .tls(op, reason: tlsReason(text))
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded:
                return .unreachable(op, reason: "timed out")
            case .remoteConnectionClosed:
                return .unreachable(op, reason: "the connection was closed by the registry")
            default: break
            }
        }
        if let io = error as? IOError { return .unreachable(op, reason: errorText(io.errnoCode)) }
        if text.contains("connectTimeout") { return .unreachable(op, reason: "timed out") }
        if text.lowercased().contains("refused") { return .unreachable(op, reason: "connection refused") }
        if text.contains("NXDOMAIN") || text.lowercased().contains("resolve") || text.contains("nodename") {
            return .unreachable(op, reason: "the host name does not resolve")
        }
        return .unreachable(op, reason: text)
    }

    /// NIOSSL's error text, shortened to the part a user can act on.
    private static func tlsReason(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.contains("certificate_verify_failed") || lower.contains("certificate verify failed")
            || lower.contains("unable to get local issuer")
        {
            return "the registry's certificate is not signed by a trusted CA"
        }
        if lower.contains("hostname") || lower.contains("host name") {
            return "the certificate does not name this host"
        }
        if looksLikePlainHTTP(text) { return "the server does not speak TLS (a plain-HTTP registry?)" }
        return text
    }

    // MARK: TLS

    /// The system CAs plus docker's files for this host: `*.crt` are CAs, `client.cert` +
    /// `client.key` a client certificate.
    func tlsConfiguration(for host: String) throws -> TLSConfiguration {
        if let cached = tlsConfigurations.withLock({ $0[host] }) { return cached }
        var tls = TLSConfiguration.makeClientConfiguration()
        let folder = "\(configuration.certsDirectory)/\(host)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        let op = RegistryOperation(registry: host, repository: "", reference: "", action: "connect to")
        let cas = files.filter { $0.hasSuffix(".crt") }.map { "\(folder)/\($0)" }
        if !cas.isEmpty { tls.additionalTrustRoots = cas.map { .file($0) } }
        for cert in files where cert.hasSuffix(".cert") {
            let key = folder + "/" + cert.dropLast(".cert".count) + ".key"
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile("\(folder)/\(cert)").map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw RegistryError.tls(
                    op, reason: "cannot read the client certificate \(folder)/\(cert) and its key \(key)")
            }
        }
        tlsConfigurations.withLock { $0[host] = tls }
        return tls
    }
}
