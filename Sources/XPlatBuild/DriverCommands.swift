// The exact command lines xplat runs for each driver. Generated here, asserted in tests.

import XPlatPlatform
import XPlatSupport

/// What one BuildKit invocation exports.
public enum Export: Sendable, Hashable {
    /// The root filesystem into a folder (with `split`, one `linux_arm64` folder per platform).
    case local(dest: String, split: Bool)
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

    public init(docker: String, request: BuildRequest, dockerfile: String) {
        self.docker = docker
        self.request = request
        self.dockerfile = dockerfile
    }

    var commonFlags: [String] {
        var args = ["--file", dockerfile, "--network=\(request.network)", "--progress=plain"]
        if let target = request.target { args += ["--target", target] }
        for arg in request.buildArgs { args += ["--build-arg", arg] }
        if request.noCache { args.append("--no-cache") }
        return args
    }

    /// `DOCKER_BUILDKIT=1 DOCKER_HOST=ENDPOINT docker build --platform P ...`: one platform, one export.
    /// The 20.10 engine takes `--cache-from IMAGE` (inline cache); `--cache-to` becomes an image built
    /// with `BUILDKIT_INLINE_CACHE=1` and pushed (see `engineCacheExport`).
    public func engineBuild(platform: Platform, node: BuilderNode, export: Export, inlineCache: Bool = false) -> Command {
        var args = ["build", "--platform", platform.description] + commonFlags
        for cache in request.cacheFrom {
            args += ["--cache-from", cache.keyedRef(key: request.cacheKey, platform: platform)]
        }
        if inlineCache { args += ["--build-arg", "BUILDKIT_INLINE_CACHE=1"] }
        switch export {
        case .local(let dest, _): args += ["--output", "type=local,dest=\(dest)"]
        case .oci(let dest): args += ["--output", "type=oci,dest=\(dest)"]
        case .image(let tags), .push(let tags), .load(let tags): for t in tags { args += ["--tag", t] }
        }
        args.append(request.context)
        return Command(docker, args, environment: ["DOCKER_BUILDKIT": "1", "DOCKER_HOST": node.endpoint])
    }

    /// The per-platform images a `--cache-to` pushes with the engine driver.
    public func engineCacheTags(platform: Platform) -> [String] {
        request.cacheTo.map { $0.keyedRef(key: request.cacheKey, platform: platform) }
    }

    /// `docker buildx build --builder B --platform a,b ...`: one solve on one builder.
    public func buildxBuild(builder: String, platforms: [Platform], export: Export, metadataFile: String?) -> Command {
        var args = ["buildx", "build", "--builder", builder,
                    "--platform", platforms.map(\.description).joined(separator: ",")] + commonFlags
        for cache in request.cacheFrom { args += ["--cache-from", Self.cacheAttributes(cache, ref: cache.keyedRef(key: request.cacheKey, platform: nil))] }
        for cache in request.cacheTo { args += ["--cache-to", Self.cacheAttributes(cache, ref: cache.keyedRef(key: request.cacheKey, platform: nil))] }
        switch export {
        case .local(let dest, let split):
            args += ["--output", "type=local,dest=\(dest)" + (split ? ",platform-split=true" : "")]
        case .image(let tags), .push(let tags):
            for t in tags { args += ["--tag", t] }
            args.append("--push")
        case .load(let tags):
            for t in tags { args += ["--tag", t] }
            args.append("--load")
        case .oci(let dest):
            args += ["--output", "type=oci,dest=\(dest)"]
        }
        if let metadataFile { args += ["--metadata-file", metadataFile] }
        args.append(request.context)
        return Command(docker, args)
    }

    static func cacheAttributes(_ cache: CacheSpec, ref: String) -> String {
        (["type=registry", "ref=\(ref)"] + cache.attributes.keys.sorted().map { "\($0)=\(cache.attributes[$0]!)" })
            .joined(separator: ",")
    }

    /// A temporary single-node builder for a node of a multi-node buildx builder, so that xplat,
    /// not buildx's resolver, decides which node builds which platform.
    public func buildxCreate(name: String, node: BuilderNode, platforms: [Platform]) -> Command {
        guard case .buildx(_, let driver) = node.driver else { return Command(docker, ["buildx", "version"]) }
        return Command(docker, ["buildx", "create", "--name", name, "--driver", driver,
                                "--platform", platforms.map(\.description).joined(separator: ","), node.endpoint])
    }

    /// Removes a temporary builder.
    public func buildxRemove(name: String) -> Command {
        Command(docker, ["buildx", "rm", "--force", name])
    }

    /// `docker buildx imagetools create -t FINAL SOURCES...`: one index over per-node pushes.
    public func buildxImagetools(tags: [String], sources: [String]) -> Command {
        Command(docker, ["buildx", "imagetools", "create"] + tags.flatMap { ["--tag", $0] } + sources)
    }

    /// `docker push REF` on a node.
    public func push(_ ref: String, node: BuilderNode) -> Command {
        Command(docker, ["push", ref], environment: ["DOCKER_HOST": node.endpoint])
    }

    /// `docker rmi REF...` on a node (temporary per-platform tags).
    public func removeImages(_ refs: [String], node: BuilderNode) -> Command {
        Command(docker, ["rmi", "--force"] + refs, environment: ["DOCKER_HOST": node.endpoint])
    }

    /// `docker tag SRC DST` on a node.
    public func tag(_ source: String, _ target: String, node: BuilderNode) -> Command {
        Command(docker, ["tag", source, target], environment: ["DOCKER_HOST": node.endpoint])
    }
}
