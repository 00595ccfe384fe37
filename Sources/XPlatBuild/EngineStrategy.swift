// The engine's own BuildKit (`DOCKER_BUILDKIT=1 docker build`, no buildx): one platform per build,
// the builds run concurrently and fanned out over the nodes the plan chose.

import Foundation
import XPlatPlatform
import XPlatSupport

/// Solves with the engine's built-in BuildKit client.
struct EngineStrategy: DriverStrategy {
    var runner: any CommandRunner

    /// The engine imports a registry cache but has no cache exporter (`docker build` 20.10 takes
    /// `--cache-from` only): `--cache-to` needs a buildx builder; so do attestations.
    func check(_ request: BuildRequest, plan: Plan) throws {
        if request.wantsAttestations {
            throw BuildError.conflict("--provenance/--sbom: attestations are made by buildx (0.10 or newer); the engine's own BuildKit makes none. Build through a buildx builder, or drop them")
        }
        if let cache = request.cacheTo.first {
            throw BuildError.conflict("--cache-to \(cache.ref): the engine's own BuildKit (no buildx) imports a registry cache but cannot export one; build through a buildx builder with the docker-container or remote driver to export it, or drop --cache-to")
        }
    }

    func solve(_ job: SolveJob) async throws -> SolvedBuild {
        try await withThrowingTaskGroup(of: (PlatformResult, String?).self) { group in
            for entry in job.plan.platforms {
                guard let node = job.plan.node(named: entry.node) else { continue }
                group.addTask { try await build(entry, on: node, job) }
            }
            var solved = SolvedBuild()
            for try await (result, image) in group {
                solved.results[result.platform] = result
                if let image { solved.images[result.platform] = image }
            }
            return solved
        }
    }

    /// One platform: each export is one `docker build` (BuildKit's cache makes the second one
    /// cheap); returns the result and the temporary image pushed for the publisher, if any.
    func build(_ entry: PlatformPlan, on node: BuilderNode, _ job: SolveJob) async throws -> (PlatformResult, String?) {
        let platform = entry.platform
        let start = ContinuousClock.now
        let staged = stagedImage(job, platform)
        job.progress?.state(platform, "building")
        do {
            var exports: [Export] = []
            if job.needRoots { exports.append(.local(dest: job.root(platform))) }
            if let staged { exports.append(.image(tags: [staged])) }
            if case .loaded(let tags) = job.image { exports.append(.image(tags: tags)) }
            if exports.isEmpty { exports.append(.image(tags: [])) }
            for (n, export) in exports.enumerated() {
                // Later exports re-run the same solve from BuildKit's cache: their step lines
                // would only repeat the first build's.
                try await run(job.commands.engineBuild(platform: platform, node: node, export: export),
                              platform: platform, feed: n == 0 ? job.progress : nil, job)
            }
            if let staged { try await push(staged, node: node, platform: platform, job) }
            job.progress?.state(platform, "done")
        } catch {
            job.progress?.state(platform, Task.isCancelled ? "cancelled" : "failed")
            throw error
        }
        return (PlatformResult(platform: platform, node: node.name, mode: entry.mode, seconds: (ContinuousClock.now - start).seconds),
                staged)
    }

    /// The temporary image of `platform` when the publisher asked for staged images.
    func stagedImage(_ job: SolveJob, _ platform: Platform) -> String? {
        job.image == .staged ? BuildExecutor.stagingImage(job.request, runID: job.runID, tag: platform.folderName) : nil
    }

    /// Runs one build, its step lines fed to `feed`; a failure becomes the diagnosed `BuildError`.
    func run(_ command: Command, platform: Platform, feed: BuildProgress?, _ job: SolveJob) async throws {
        let out = try await runner.stream(command) { _, line in feed?.line(line, platform: platform) }
        try Task.checkCancellation()
        guard out.succeeded else { throw await BuildExecutor.failure(out.stderr, platform: platform, registry: job.request.registry) }
    }

    /// Pushes the temporary per-platform image and removes it (locally and from the registry) at cleanup.
    func push(_ ref: String, node: BuilderNode, platform: Platform, _ job: SolveJob) async throws {
        job.cleanup.run(job.commands.removeImages([ref], node: node), with: runner)
        let pushed = try await runner.run(job.commands.push(ref, node: node))
        guard pushed.succeeded else {
            throw await BuildExecutor.failure(pushed.stderr, platform: platform, registry: job.request.registry)
        }
        job.cleanup.add(BuildExecutor.removeStaging(ref))
    }
}
