import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A parsed `WWW-Authenticate` header.
public struct AuthChallenge: Sendable, Hashable {
    public enum Scheme: String, Sendable, Hashable {
        case basic, bearer
    }

    public var scheme: Scheme
    /// The parameters, keys lower-cased: `realm`, `service`, `scope`, `error`.
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }

    /// Parses `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`
    /// or `Basic realm="Registry Realm"`. Quoted values may hold commas and escaped quotes.
    public init(parsing header: String, operation: RegistryOperation) throws {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let name = trimmed.prefix { !$0.isWhitespace }
        guard let scheme = Scheme(rawValue: name.lowercased()) else {
            throw RegistryError.status(
                operation, code: 401,
                detail: "unsupported authentication scheme in WWW-Authenticate: \(trimmed.prefix(80))")
        }
        self.scheme = scheme
        self.parameters = Self.parameters(String(trimmed.dropFirst(name.count)))
        if scheme == .bearer, realm?.isEmpty ?? true {
            throw RegistryError.status(
                operation, code: 401, detail: "a Bearer challenge without a realm: \(trimmed.prefix(120))")
        }
    }

    /// `key=value` or `key="quoted, value"` pairs separated by commas.
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var chars = Array(text)[...]
        while !chars.isEmpty {
            while let c = chars.first, c == " " || c == "," || c == "\t" { chars = chars.dropFirst() }
            let key = String(chars.prefix { $0 != "=" && $0 != "," }).trimmingCharacters(in: .whitespaces).lowercased()
            chars = chars.dropFirst(chars.prefix { $0 != "=" && $0 != "," }.count)
            guard chars.first == "=" else { continue }
            chars = chars.dropFirst()
            var value = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                while let c = chars.first, c != "\"" {
                    if c == "\\", chars.count > 1 { chars = chars.dropFirst() }
                    value.append(chars.first!)
                    chars = chars.dropFirst()
                }
                chars = chars.dropFirst()
            } else {
                value = String(chars.prefix { $0 != "," }).trimmingCharacters(in: .whitespaces)
                chars = chars.dropFirst(chars.prefix { $0 != "," }.count)
            }
            if !key.isEmpty { result[key] = value }
        }
        return result
    }
}
