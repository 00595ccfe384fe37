// The exact command lines xplat runs for each driver. Generated here, asserted in tests.

import XPlatDocker
import XPlatPlatform
import XPlatSupport

/// What one BuildKit invocation exports.
public enum Export: Sendable, Hashable {
    /// The root filesystem into a folder. With several platforms BuildKit writes one folder per
    /// platform (`linux_arm64`); with one it writes the root itself, flat (`platform-split` is
    /// not asked for: the engine's BuildKit and buildx's `docker` driver ignore it).
    case local(dest: String)
    /// An image in the engine under these names (the engine's moby exporter).
    case image(tags: [String])
    /// buildx: push these names.
    case push(tags: [String])
    /// buildx: load into the node's engine.
    case load(tags: [String])
    /// An OCI image layout, as a tar at `dest` (buildx's `oci` exporter; the 20.10 engine has none).
    case oci(dest: String)
}

/// Builds command lines for the two drivers.
public struct DriverCommands: Sendable {
    /// The docker client (`XPLAT_DOCKER`, default `/usr/bin/docker`).
    public var docker: String
    public var request: BuildRequest
    /// The Dockerfile actually built (the rewritten temp file with `--rewrite`).
    public var dockerfile: String
    /// The buildx plugin's version (nil for the engine): which flags it takes.
    public var buildx: BuildxVersion?
    /// The tags each local cache source holds (`LocalCacheIndex`), read before the build.
    public var localCacheTags: [String: Set<String>] = [:]

    public init(docker: String, request: BuildRequest, dockerfile: String, buildx: BuildxVersion? = nil) {
        self.docker = docker
        self.request = request
        self.dockerfile = dockerfile
        self.buildx = buildx
    }

    /// Flags both `docker build` and `docker buildx build` take, with the same syntax: every
    /// solve of the build gets them all. `--network` only when the user gave one (buildx's
    /// default: the builder's own network).
    var commonFlags: [String] {
        var args = ["--file", dockerfile]
        if request.network != .default { args.append("--network=\(request.network.rawValue)") }
        args.append("--progress=plain")
        if let target = request.target { args += ["--target", target] }
        for arg in request.buildArgs { args += ["--build-arg", arg] }
        if request.noCache { args.append("--no-cache") }
        if request.pull { args.append("--pull") }
        for key in request.labels.keys.sorted() { args += ["--label", "\(key)=\(request.labels[key]!)"] }
        for host in request.extraHosts { args += ["--add-host", host.flagValue] }
        for limit in request.ulimits { args += ["--ulimit", limit.flagValue] }
        if let shm = request.shmSize { args += ["--shm-size", String(shm)] }
        if let parent = request.cgroupParent { args += ["--cgroup-parent", parent] }
        for ssh in request.ssh { args += ["--ssh", ssh.flagValue] }
        return args
    }

    /// `--secret` values, in the syntax `docker build` 20.10 and buildx share (both read
    /// `env=NAME` from the environment they inherit from xplat, never from the command line).
    var secretFlags: [String] { request.secrets.flatMap { ["--secret", $0.flagValue] } }

    /// `DOCKER_BUILDKIT=1 DOCKER_HOST=ENDPOINT docker build --platform P ...`: one platform, one
    /// export. The engine imports a registry cache (`--cache-from REF`, the tag keyed by this one
    /// platform, the whole build's, and the reference as given) but cannot export one; an inline
    /// cache is its build arg `BUILDKIT_INLINE_CACHE`.
    public func engineBuild(platform: Platform, node: BuilderNode, export: Export) -> Command {
        var args = ["build", "--platform", platform.description] + commonFlags + secretFlags
        for cache in request.cacheFrom where cache.type == .registry {
            for value in importValues(cache, platforms: [platform]) {
                args += ["--cache-from", cache.ref == nil ? value : registryRef(value)]
            }
        }
        if request.cacheTo.contains(where: { $0.type == .inline }) {
            args += ["--build-arg", "BUILDKIT_INLINE_CACHE=1"]
        }
        switch export {
        case .local(let dest): args += ["--output", "type=local,dest=\(dest)"]
        case .oci(let dest): args += ["--output", "type=oci,dest=\(dest)"]
        case .image(let tags), .push(let tags), .load(let tags): for t in tags { args += ["--tag", t] }
        }
        args.append(request.context)
        return Command(docker, args, environment: ["DOCKER_BUILDKIT": "1", "DOCKER_HOST": node.endpoint])
    }

    /// `docker buildx build --builder B --platform a,b ...`: one solve on one builder. The cache tag
    /// is keyed by the platforms of this solve, so two nodes never overwrite each other's cache.
    public func buildxBuild(builder: String, platforms: [Platform], export: Export, metadataFile: String?) -> Command {
        var args =
            [
                "buildx", "build", "--builder", builder,
                "--platform", platforms.map(\.description).joined(separator: ","),
            ] + commonFlags
        args += secretFlags
        for context in request.buildContexts { args += ["--build-context", context.flagValue] }
        for entitlement in request.allow { args += ["--allow", entitlement.rawValue] }
        for stage in request.noCacheFilter { args += ["--no-cache-filter", stage] }
        for cache in request.cacheFrom {
            for value in importValues(cache, platforms: platforms) { args += ["--cache-from", value] }
        }
        for cache in request.cacheTo {
            args += ["--cache-to", cache.buildxValue(key: request.cacheKey(for: platforms))]
        }
        args += attestationFlags(for: export)
        switch export {
        case .local(let dest):
            args += ["--output", "type=local,dest=\(dest)"]
        case .image(let tags), .push(let tags):
            for t in tags { args += ["--tag", t] }
            args.append("--push")
        case .load(let tags):
            for t in tags { args += ["--tag", t] }
            args.append("--load")
        case .oci(let dest):
            // The image's names, as buildx gives them to an image or OCI exporter: BuildKit names
            // the attestations' subjects after them (`pkg:docker/NAME@TAG?platform=...`).
            let name = request.tags.isEmpty ? [] : ["name=" + request.tags.joined(separator: ",")]
            // A push keeps a one-platform image's attestations, as buildx's image exporter does
            // (BuildKit 0.11 drops them from a one-platform OCI export unless told to inline them).
            let inline = request.output == .push ? ["attestation-inline=true"] : []
            args += [
                "--output",
                CSVFields.join(["type=oci", "dest=\(dest)"] + name + inline + manifestAnnotationAttributes),
            ]
        }
        if let metadataFile { args += ["--metadata-file", metadataFile] }
        args.append(request.context)
        return Command(docker, args)
    }

    /// The annotations BuildKit puts on each platform's manifest, as exporter attributes of the
    /// builder's OCI export (`annotation.KEY=VALUE`, `annotation-manifest[linux/arm64].KEY=VALUE`):
    /// a manifest xplat does not make itself keeps its digest, which the attestations name. The
    /// other levels (index, descriptors) are on what xplat assembles.
    var manifestAnnotationAttributes: [String] {
        request.annotations.filter { $0.placement == .manifest }.map { "\($0.exporterAttribute)=\($0.value)" }
    }

    /// The `--cache-from` values of `cache` for a solve of `platforms`: its own key, then the whole
    /// build's. A local cache is read only under the tags its folder holds (its own key, the whole
    /// build's, or the tag as given: a cache plain buildx exported), since buildx fails on a tag
    /// `index.json` lacks; a folder without `index.json` is passed on (buildx warns and goes on).
    func importValues(_ cache: CacheSpec, platforms: [Platform]) -> [String] {
        if cache.type == .local, cache.attributes["digest"] == nil, let src = cache.attributes["src"] {
            let keyed = importKeys(platforms).map { cache.keyed($0) }
            guard let present = localCacheTags[src] else { return [keyed[0].flagValue] }
            var plain = cache
            plain.attributes["tag"] = cache.attributes["tag"] ?? "latest"
            var seen = Set<String>()
            return (keyed + [plain]).filter {
                present.contains($0.attributes["tag"] ?? "") && seen.insert($0.attributes["tag"] ?? "").inserted
            }
            .map(\.flagValue)
        }
        guard cache.type == .registry || cache.keyedAttribute != nil else { return [cache.flagValue] }
        let keyed = importKeys(platforms).map { cache.buildxValue(key: $0) }
        // The reference as given too: an image pushed with its inline cache (`--cache-to
        // type=inline`), or a cache plain buildx exported (a missing one only warns).
        return cache.type == .registry ? keyed + [cache.flagValue] : keyed
    }

    /// The `ref=` of a registry cache value (what `docker build --cache-from` takes).
    private func registryRef(_ value: String) -> String {
        let fields = (try? CSVFields.split(value)) ?? []
        return fields.first { $0.hasPrefix("ref=") }.map { String($0.dropFirst(4)) } ?? value
    }

    /// The caches a solve of `platforms` reads: its own, then the whole request's (a cache a
    /// one-solve builder exported for every platform also serves a solve of some of them).
    func importKeys(_ platforms: [Platform]) -> [CacheKey] {
        let own = request.cacheKey(for: platforms), all = request.cacheKey
        return own == all ? [own] : [own, all]
    }

    /// buildx 0.10+ adds a provenance attestation (`mode=min`, an `unknown/unknown` manifest)
    /// beside each platform of an image export unless told not to (`inline-only`: never to a local
    /// or tar export, and `--load` drops it). xplat keeps that default where buildx applies it, the
    /// builder's OCI export xplat publishes (`--push`, `-o type=oci`); elsewhere (a staged bake target too) it passes
    /// `--provenance=false`, which changes nothing there. What the user asks for (`--attest`,
    /// `--provenance`, `--sbom`) is passed as given. Older buildx knows none of these flags.
    func attestationFlags(for export: Export) -> [String] {
        guard let buildx, buildx.hasAttestations else { return [] }
        var flags: [String] = []
        for attest in request.attests { flags += ["--attest", attest.text] }
        if let provenance = request.provenance { flags.append("--provenance=\(provenance)") }
        if let sbom = request.sbom { flags.append("--sbom=\(sbom)") }
        guard flags.isEmpty else { return flags }
        // An image export (`--push`, `type=oci`): buildx's default provenance, as buildx.
        if case .oci = export { return [] }
        return ["--provenance=false"]
    }

    /// A temporary one-node builder reaching the node of a multi-node builder, so that xplat, not
    /// buildx's resolver, decides which node builds which platform. It uses the `remote` driver
    /// (nothing is started; buildx only records an endpoint): the node's own endpoint for `remote`,
    /// `docker-container://buildx_buildkit_NODE` (the container buildx runs) for `docker-container`.
    /// Nil for drivers whose BuildKit has no stable address (`kubernetes` pods, `docker`).
    public func buildxCreate(name: String, node: BuilderNode) -> Command? {
        guard case .buildx(_, let driver) = node.driver else { return nil }
        let endpoint: String
        switch driver {
        case .remote: endpoint = node.endpoint
        case .dockerContainer: endpoint = "docker-container://buildx_buildkit_\(node.name)"
        case .docker, .kubernetes, .other: return nil
        }
        return Command(docker, ["buildx", "create", "--name", name, "--driver", "remote", endpoint])
    }

    /// Removes a temporary builder.
    public func buildxRemove(name: String) -> Command {
        Command(docker, ["buildx", "rm", "--force", name])
    }

    /// `docker push REF` on a node.
    public func push(_ ref: String, node: BuilderNode) -> Command {
        Command(docker, ["push", ref], environment: ["DOCKER_HOST": node.endpoint])
    }

    /// `docker rmi REF...` in an engine's image store (temporary per-platform tags).
    public func removeImages(_ refs: [String], engine: EngineAccess) -> Command {
        Command(docker, engine.options + ["rmi", "--force"] + refs, environment: engine.environment)
    }

    /// `docker image inspect --format {{.Id}} IMAGE`: the image id (its config's digest) in an engine's store.
    public func imageID(of image: String, engine: EngineAccess) -> Command {
        Command(
            docker, engine.options + ["image", "inspect", "--format", "{{.Id}}", image], environment: engine.environment
        )
    }

    /// `docker save --output FILE IMAGE` from an engine's image store.
    public func save(_ image: String, to file: String, engine: EngineAccess) -> Command {
        Command(docker, engine.options + ["save", "--output", file, image], environment: engine.environment)
    }
}

/// How the docker client reaches the engine whose image store holds a node's images: the engine
/// itself for the engine's own BuildKit; for buildx's `docker` driver the engine of the builder's
/// docker context (`buildx inspect` names the context); for every other driver the engine of the
/// current context, where `--load` puts an image.
public struct EngineAccess: Sendable, Hashable {
    /// Global client options (`--context NAME`).
    public var options: [String]
    public var environment: [String: String?]

    public init(options: [String] = [], environment: [String: String?] = [:]) {
        self.options = options
        self.environment = environment
    }

    /// The engine holding what `node` builds or loads.
    public static func of(_ node: BuilderNode) -> EngineAccess {
        switch node.driver {
        case .engine:
            return EngineAccess(environment: ["DOCKER_HOST": node.endpoint])
        case .buildx(_, .docker):
            return node.endpoint.contains("://")
                ? EngineAccess(environment: ["DOCKER_HOST": node.endpoint])
                : EngineAccess(options: ["--context", node.endpoint])
        case .buildx:
            return EngineAccess()
        }
    }

    /// The engine holding `node`'s images, in words: the node, or for buildx's drivers other than
    /// `docker` (which load into the current docker context's engine) that engine.
    public static func name(of node: BuilderNode) -> String {
        of(node) == EngineAccess() ? "the current docker context's engine" : node.name
    }
}
