import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// How a client reaches registries.
public struct RegistryConfiguration: Sendable {
    /// Docker's per-registry TLS folder (`/etc/docker/certs.d`); `HOST:PORT/ca.crt` inside is trusted for that host.
    public var certsDirectory: String
    /// `host[:port]` of registries the engine lists as insecure: plain HTTP is allowed for them.
    public var insecureRegistries: Set<String>
    public var credentials: any CredentialSource
    public var retry: RetryOptions
    /// Connect timeout per attempt.
    public var connectTimeout: Duration
    /// Read timeout: the longest silence while a response is awaited or streamed.
    public var readTimeout: Duration
    /// False: a refused connection fails at once instead of being tried again until `connectTimeout`
    /// (for reads that are worth little when the registry is not there).
    public var retriesConnections = true
    public var userAgent: String

    public init(
        certsDirectory: String = "/etc/docker/certs.d", insecureRegistries: Set<String> = [],
        credentials: any CredentialSource = DockerCredentials(), retry: RetryOptions = RetryOptions(),
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(120),
        userAgent: String = "xplat"
    ) {
        self.certsDirectory = certsDirectory
        self.insecureRegistries = insecureRegistries
        self.credentials = credentials
        self.retry = retry
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.userAgent = userAgent
    }

    /// True for hosts that may be spoken to in plain HTTP: loopback, and the insecure list.
    public func allowsPlainHTTP(_ registry: String) -> Bool {
        Self.isLoopback(registry) || insecureRegistries.contains(registry)
    }

    /// `localhost`, `127.x.x.x`, `::1`, with or without a port.
    public static func isLoopback(_ registry: String) -> Bool {
        var host = Substring(registry)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            host = host[..<colon]
        }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }
}
