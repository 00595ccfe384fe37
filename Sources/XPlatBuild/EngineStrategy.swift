// The engine's own BuildKit (`DOCKER_BUILDKIT=1 docker build`, no buildx): one platform per build,
// the builds run concurrently and fanned out over the nodes the plan chose.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Solves with the engine's built-in BuildKit client.
struct EngineStrategy: DriverStrategy {
    var runner: any CommandRunner

    /// What `docker build` 20.10 (the engine's BuildKit without buildx) cannot do, refused before
    /// anything runs with the driver that can: it imports a registry cache and exports an inline
    /// one (its build arg `BUILDKIT_INLINE_CACHE`), but has no other cache backend, no named
    /// contexts, no entitlements, no stage filter for `--no-cache` and no attestations.
    func check(_ request: BuildRequest, plan: Plan, buildx _: BuildxVersion?) throws {
        let engine = "the engine's own BuildKit (docker build, no buildx)"
        let buildx = "build through buildx (`--driver buildx`) with a docker-container or remote builder"
        if let ignored = SilentlyIgnored.flags(request, on: plan.nodes).first {
            throw BuildError.unsupported(
                option: ignored, driver: engine + Self.version(plan.nodes),
                reason:
                    "does not apply it (dockerd before 23: RUN steps keep the default, host-gateway fails to parse; "
                    + "checked on 20.10)",
                action: "\(buildx) (BuildKit 0.10+ applies it)")
        }
        if request.wantsAttestations {
            throw BuildError.unsupported(
                option: "--provenance/--sbom/--attest", driver: engine, reason: "makes no attestations",
                action: "\(buildx) (buildx 0.10 or newer), or drop them")
        }
        if let cache = request.cacheTo.first(where: { $0.type != .inline }) {
            throw BuildError.unsupported(
                option: "--cache-to \(cache.flagValue)", driver: engine,
                reason: "imports a registry cache but cannot export one (only type=inline, inside the image)",
                action: "\(buildx) to export it, or drop --cache-to")
        }
        if let cache = request.cacheFrom.first(where: { $0.type != .registry }) {
            throw BuildError.unsupported(
                option: "--cache-from \(cache.flagValue)", driver: engine, reason: "reads registry caches only",
                action: "\(buildx) to read a \(cache.type.rawValue) cache")
        }
        if let context = request.buildContexts.first {
            throw BuildError.unsupported(
                option: "--build-context \(context.flagValue)", driver: engine, reason: "has no named build contexts",
                action: "\(buildx) (its BuildKit 0.10+ Dockerfile frontend reads them)")
        }
        if let entitlement = request.allow.first {
            throw BuildError.unsupported(
                option: "--allow \(entitlement.rawValue)", driver: engine, reason: "takes no entitlements",
                action:
                    "\(buildx) whose BuildKit allows \(entitlement.rawValue) (buildkitd --allow-insecure-entitlement)")
        }
        if let stage = request.noCacheFilter.first {
            throw BuildError.unsupported(
                option: "--no-cache-filter \(stage)", driver: engine, reason: "has no per-stage --no-cache",
                action: "\(buildx), or use --no-cache for every stage")
        }
    }

    /// ` on dockerd VERSION`, the oldest engine's, when known.
    private static func version(_ nodes: [BuilderNode]) -> String {
        nodes.compactMap(\.engineVersion).min().map { " on dockerd \($0)" } ?? ""
    }

    func solve(_ job: SolveJob) async throws -> SolvedBuild {
        let builds = job.plan.platforms.compactMap { entry in job.plan.node(named: entry.node).map { (entry, $0) } }
        var solved = SolvedBuild()
        for (result, image) in try await solveConcurrently(
            builds, { entry, node in try await build(entry, on: node, job) })
        {
            solved.results[result.platform] = result
            if let image { solved.images[result.platform] = image }
        }
        return solved
    }

    /// One platform, built once: `local`/`tar` outputs export the root; image outputs build an
    /// image in the engine's store, read it back (`docker save`) and lay its layers out as the root
    /// verification reads. Returns the result and, for `--push`/`oci`, the image as files.
    func build(_ entry: PlatformPlan, on node: BuilderNode, _ job: SolveJob) async throws -> (
        PlatformResult, LocalImage?
    ) {
        let platform = entry.platform
        let start = ContinuousClock.now
        var imageTags: [String] = []
        switch job.image {
        case .staged: imageTags = [job.temporaryTag(platform, on: node, runner: runner)]
        case .loaded(let tags): imageTags = tags
        case .none: break
        }
        job.progress?.state(platform, "building")
        var image: LocalImage?
        var exported = Duration.zero
        do {
            let export: Export =
                !imageTags.isEmpty
                ? .image(tags: imageTags) : job.needRoots ? .local(dest: job.root(platform)) : .image(tags: [])
            let output = SolveOutput(platforms: [platform], node: node.name, progress: job.progress)
            try await run(job.commands.engineBuild(platform: platform, node: node, export: export), output: output, job)
            if let tag = imageTags.first, job.image == .staged || job.needRoots {
                let read = ContinuousClock.now
                let files = ImageExport(runner: runner, commands: job.commands)
                let saved = try await files.saveFromEngine(
                    tag, node: node, platform: platform, into: "\(job.work)/images/\(platform.folderName)",
                    compress: job.image == .staged)
                if job.needRoots { try await files.extractRoot(saved, to: job.root(platform)) }
                if job.image == .staged { image = saved }
                exported = ContinuousClock.now - read
            }
            job.progress?.state(platform, "done")
        } catch {
            job.progress?.state(platform, Task.isCancelled ? "cancelled" : "failed")
            throw error
        }
        return (
            PlatformResult(
                platform: platform, node: node.name, mode: entry.mode, seconds: (ContinuousClock.now - start).seconds,
                exportSeconds: exported.seconds), image
        )
    }

    /// Runs one build, its lines read by `output`; a failure becomes the diagnosed `BuildError`.
    func run(_ command: Command, output: SolveOutput, _ job: SolveJob) async throws {
        let out = try await runner.stream(command) { _, line in output.line(line) }
        try Task.checkCancellation()
        guard out.succeeded else { throw await BuildExecutor.failure(out.stderr, output: output, job: job) }
    }
}
