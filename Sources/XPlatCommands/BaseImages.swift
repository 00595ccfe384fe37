// The registry's word on base images, for `xplat rewrite` and `xplat lint`: each FROM image's config
// (ENV, ONBUILD), read through the registry client from the engine's mirror (`XPLAT_REGISTRY`, default
// 127.0.0.1:5000) for Docker Hub names, or from the image's own registry. An image the registry does
// not have, or a registry that does not answer, gives nothing: the rewrite then judges by the
// Dockerfile and the context alone.

import Foundation
import XPlatBuild
import XPlatDockerfile
import XPlatRegistry

enum BaseImages {
    /// The configs of the images `dockerfile`'s stages are built FROM, by the name the FROM gives.
    static func read(_ dockerfile: Dockerfile, buildArgs: [String: String]) async -> [String: BaseImageConfig] {
        guard let graph = try? StageGraph(dockerfile, buildArgs: buildArgs) else { return [:] }
        let names = Set(graph.stages.compactMap { stage -> String? in
            if case .image(let name) = stage.base, !name.contains("$") { return name }
            return nil
        })
        guard !names.isEmpty else { return [:] }
        var configuration = BuildService.registryConfiguration(environment: BuildEnvironment.environment)
        configuration.retry = .none
        configuration.connectTimeout = .seconds(2)
        configuration.readTimeout = .seconds(10)
        let mirror = BuildEnvironment.registry
        let found = try? await RegistryClient.with(configuration: configuration) { client in
            var out: [String: BaseImageConfig] = [:]
            for name in names.sorted() {
                guard var reference = try? RegistryReference(parsing: name) else { continue }
                if reference.registry == RegistryReference.dockerHub { reference.registry = mirror }
                if let config = try? await config(of: reference, client: client) { out[name] = config }
            }
            return out
        }
        return found ?? [:]
    }

    /// One image's ENV and ONBUILD: from its linux/amd64 entry when it is an index (the config's
    /// environment and triggers are the same for every platform of an image in practice), else its
    /// only manifest.
    private static func config(of reference: RegistryReference, client: RegistryClient) async throws -> BaseImageConfig? {
        var fetched = try await client.manifest(reference)
        if fetched.isIndex {
            let entries = try client.decodeIndex(fetched, of: reference).platformManifests
            guard let entry = entries.first(where: { $0.platform?.architecture == "amd64" }) ?? entries.first else { return nil }
            fetched = try await client.manifest(reference.with(reference: entry.digest))
        }
        let manifest = try client.decodeManifest(fetched, of: reference)
        let data = try await client.blob(reference, digest: manifest.config.digest)
        let image = try JSONDecoder().decode(ImageConfig.self, from: data)
        return BaseImageConfig(envList: image.config?.Env ?? [], onBuild: image.config?.OnBuild ?? [])
    }
}
