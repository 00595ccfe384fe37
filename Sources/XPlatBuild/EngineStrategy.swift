// The engine's own BuildKit (`DOCKER_BUILDKIT=1 docker build`, no buildx): one platform per build,
// the builds run concurrently and fanned out over the nodes the plan chose.

import Foundation
import XPlatPlatform
import XPlatRegistry
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
            throw BuildError.conflict("--cache-to \(cache.ref): the engine's own BuildKit (no buildx) imports a registry cache but cannot export one"
                + "; build through a buildx builder with the docker-container or remote driver to export it, or drop --cache-to")
        }
    }

    func solve(_ job: SolveJob) async throws -> SolvedBuild {
        let builds = job.plan.platforms.compactMap { entry in job.plan.node(named: entry.node).map { (entry, $0) } }
        var solved = SolvedBuild()
        for (result, image) in try await solveConcurrently(builds, { entry, node in try await build(entry, on: node, job) }) {
            solved.results[result.platform] = result
            if let image { solved.images[result.platform] = image }
        }
        return solved
    }

    /// One platform, built once: `local`/`tar` outputs export the root; image outputs build an
    /// image in the engine's store, read it back (`docker save`) and lay its layers out as the root
    /// verification reads. Returns the result and, for `--push`/`oci`, the image as files.
    func build(_ entry: PlatformPlan, on node: BuilderNode, _ job: SolveJob) async throws -> (PlatformResult, LocalImage?) {
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
            let export: Export = !imageTags.isEmpty ? .image(tags: imageTags) : job.needRoots ? .local(dest: job.root(platform)) : .image(tags: [])
            let output = SolveOutput(platforms: [platform], node: node.name, progress: job.progress)
            try await run(job.commands.engineBuild(platform: platform, node: node, export: export), output: output, job)
            if let tag = imageTags.first, job.image == .staged || job.needRoots {
                let read = ContinuousClock.now
                let files = ImageExport(runner: runner, commands: job.commands)
                let saved = try await files.saveFromEngine(tag, node: node, platform: platform, into: "\(job.work)/images/\(platform.folderName)",
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
        return (PlatformResult(platform: platform, node: node.name, mode: entry.mode, seconds: (ContinuousClock.now - start).seconds,
                               exportSeconds: exported.seconds), image)
    }

    /// Runs one build, its lines read by `output`; a failure becomes the diagnosed `BuildError`.
    func run(_ command: Command, output: SolveOutput, _ job: SolveJob) async throws {
        let out = try await runner.stream(command) { _, line in output.line(line) }
        try Task.checkCancellation()
        guard out.succeeded else { throw await BuildExecutor.failure(out.stderr, output: output, job: job) }
    }
}
