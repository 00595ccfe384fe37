import Foundation
import XPlatPlatform
import XPlatSupport

/// `--add-host HOST:IP`: an `/etc/hosts` line for RUN steps. IP is an IPv4 or IPv6 address, or
/// `host-gateway` (the builder's host).
public struct ExtraHost: Sendable, Hashable {
    public var host: String
    public var ip: String

    public init(host: String, ip: String) {
        self.host = host
        self.ip = ip
    }

    /// Parses one `HOST:IP` (the first `:` separates, so `h:::1` is IPv6 `::1`).
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw BuildError.badOption(option: "--add-host", value: text, reason: "expected HOST:IP")
        }
        host = String(text[..<colon])
        ip = String(text[text.index(after: colon)...])
        guard !host.isEmpty, ip == "host-gateway" || Self.isIPAddress(ip) else {
            throw BuildError.badOption(
                option: "--add-host", value: text,
                reason: "expected HOST:IP with an IPv4 or IPv6 address (or host-gateway)")
        }
    }

    /// The value buildx and `docker build` take.
    public var flagValue: String { "\(host):\(ip)" }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
