// The registry's word on base images, for `xplat rewrite` and `xplat lint`: each FROM image's config
// (ENV, ONBUILD), read through the registry client from the engine's mirror (`XPLAT_REGISTRY`, default
// 127.0.0.1:5000) for Docker Hub names, or from the image's own registry. An image the registry does
// not have, or a registry that does not answer, gives nothing: the rewrite then judges by the
// Dockerfile and the context alone.

import Foundation
import Synchronization
import XPlatBuild
import XPlatDockerfile
import XPlatRegistry

enum BaseImages {
    /// Seconds allowed to connect to a registry, and to wait for each answer: a registry that is not
    /// there must not cost a rewrite more than a few seconds.
    static let connectTimeout: Duration = .seconds(1)
    static let readTimeout: Duration = .seconds(3)

    /// The most the whole reading may take: past it, the configs not read yet are not waited for.
    static let deadline: Duration = .seconds(4)

    /// The configs read, and the images whose config could not be read with why.
    struct Reading: Sendable {
        var configs: [String: BaseImageConfig] = [:]
        var unread: [(image: String, registry: String, reason: String)] = []

        /// One line for stderr when some config was not read: which images, where, why, and that
        /// the rewrite judged without them; nil when every config was read.
        var note: String? {
            guard !unread.isEmpty else { return nil }
            let list = unread.map { "\($0.image) (\($0.registry): \($0.reason))" }.joined(separator: ", ")
            return "xplat: base image config not read: \(list); judged by the Dockerfile and the context alone "
                + "(XPLAT_REGISTRY names the registry or mirror the engine pulls Docker Hub images from; --no-registry "
                + "skips this)\n"
        }
    }

    /// The configs of the images `dockerfile`'s stages are built FROM, by the name the FROM gives.
    /// A registry that fails once (unreachable, TLS) is not asked again in this run; the whole
    /// reading stops at `deadline`.
    static func read(_ dockerfile: Dockerfile, buildArgs: [String: String]) async -> Reading {
        guard let graph = try? StageGraph(dockerfile, buildArgs: buildArgs) else { return Reading() }
        let names = Set(
            graph.stages.compactMap { stage -> String? in
                if case .image(let name) = stage.base, !name.contains("$") { return name }
                return nil
            }
        ).sorted()
        guard !names.isEmpty else { return Reading() }
        let progress = Progress()
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await read(names, into: progress); return true
            }
            group.addTask {
                try? await Task.sleep(for: deadline); return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        var reading = progress.state.withLock { $0 }
        if !finished {
            let mirror = BuildEnvironment.registry
            for name in names
            where reading.configs[name] == nil && !reading.unread.contains(where: { $0.image == name }) {
                let registry =
                    (try? RegistryReference(parsing: name)).map {
                        $0.registry == RegistryReference.dockerHub ? mirror : $0.registry
                    } ?? name
                reading.unread.append((name, registry, "not read within \(deadline.components.seconds) s"))
            }
        }
        return reading
    }

    /// What has been read so far (the deadline may stop the reading half way).
    private final class Progress: Sendable {
        let state = Mutex(Reading())
    }

    private static func read(_ names: [String], into progress: Progress) async {
        var configuration = BuildService.registryConfiguration(environment: BuildEnvironment.environment)
        configuration.retry = .none
        configuration.connectTimeout = connectTimeout
        configuration.readTimeout = readTimeout
        configuration.retriesConnections = false
        let mirror = BuildEnvironment.registry
        _ = try? await RegistryClient.with(configuration: configuration) { client in
            var failed: [String: String] = [:]
            for name in names {
                guard var reference = try? RegistryReference(parsing: name) else { continue }
                if reference.registry == RegistryReference.dockerHub { reference.registry = mirror }
                if let reason = failed[reference.registry] {
                    progress.state.withLock { $0.unread.append((name, reference.registry, reason)) }
                    continue
                }
                do {
                    if let config = try await config(of: reference, client: client) {
                        progress.state.withLock { $0.configs[name] = config }
                    }
                } catch {
                    if Task.isCancelled { return }
                    let (reason, hostDown) = Self.reason(error)
                    if hostDown { failed[reference.registry] = reason }
                    progress.state.withLock { $0.unread.append((name, reference.registry, reason)) }
                }
            }
        }
    }

    /// A short reason for a failed read, and whether the registry itself failed (not the image).
    private static func reason(_ error: any Error) -> (String, Bool) {
        guard let error = error as? RegistryError else { return ("\(error)", false) }
        switch error {
        case .unreachable(_, let reason):
            return (
                reason.contains("UnknownHost") || reason.contains("DNS error")
                    ? "the host name does not resolve" : reason, true
            )
        case .tls(_, let reason): return ("TLS: \(reason)", true)
        case .insecureRefused: return ("plain HTTP refused for a non-loopback registry", true)
        case .notFound: return ("not found", false)
        case .unauthorized, .denied: return ("not authorized", false)
        default: return (String(error.description.prefix { $0 != "\n" }), false)
        }
    }

    /// One image's ENV and ONBUILD: from its linux/amd64 entry when it is an index (the config's
    /// environment and triggers are the same for every platform of an image in practice), else its
    /// only manifest.
    private static func config(of reference: RegistryReference, client: RegistryClient) async throws -> BaseImageConfig?
    {
        var fetched = try await client.manifest(reference)
        if fetched.isIndex {
            let entries = try client.decodeIndex(fetched, of: reference).platformManifests
            guard let entry = entries.first(where: { $0.platform?.architecture == "amd64" }) ?? entries.first else {
                return nil
            }
            fetched = try await client.manifest(reference.with(reference: entry.digest))
        }
        let manifest = try client.decodeManifest(fetched, of: reference)
        let data = try await client.blob(reference, digest: manifest.config.digest)
        let image = try JSONDecoder().decode(ImageConfig.self, from: data)
        return BaseImageConfig(envList: image.config?.Env ?? [], onBuild: image.config?.OnBuild ?? [])
    }
}
