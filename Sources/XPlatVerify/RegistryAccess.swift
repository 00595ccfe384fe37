import Foundation
import NIOCore
import XPlatArchive
import XPlatRegistry

/// How `ImageVerifier` reaches registries: XPlatRegistry's configuration (certificates, insecure
/// registries, credentials).
public struct RegistryAccess: Sendable {
    public var configuration: RegistryConfiguration
    /// A client the caller owns and keeps alive (a build's publisher, after its push): used instead
    /// of a new one, so its tokens and connections serve the verification too.
    public var client: RegistryClient?

    public init(configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.configuration = configuration
    }

    /// Reads through `client`, whose lifetime the caller owns.
    public init(client: RegistryClient) {
        self.configuration = client.configuration
        self.client = client
    }

    /// Runs `body` with the content of `reference`, through the caller's client or a new one that
    /// lives exactly as long.
    func withContent<T: Sendable>(
        _ reference: String, threads: Int,
        _ body: (RegistryContent) async throws -> T
    ) async throws -> T {
        let parsed: RegistryReference
        do {
            parsed = try RegistryReference(parsing: reference)
        } catch {
            throw VerifyError(reference, "not an image reference: \(error)")
        }
        do {
            if let client {
                return try await body(
                    RegistryContent(name: reference, reference: parsed, client: client, threads: threads))
            }
            return try await RegistryClient.with(configuration: configuration) { client in
                try await body(RegistryContent(name: reference, reference: parsed, client: client, threads: threads))
            }
        } catch let error as VerifyError {
            throw error
        } catch {
            throw VerifyError(reference, "\(error)")
        }
    }
}
