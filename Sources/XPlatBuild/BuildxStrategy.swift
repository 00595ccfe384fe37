// buildx: one `docker buildx build` per solve. The `docker` driver (the default builder, the
// engine's BuildKit) takes one platform per build, so the plan has one solve per platform and xplat
// fans them out; `docker-container`, `remote` and `kubernetes` nodes take all their platforms in one
// solve. With a multi-node builder each solve goes to the node the plan chose, through a temporary
// one-node builder, because buildx's own resolver would give a platform to the first node that
// emulates it even when a later node runs it natively.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Solves through `docker buildx build`.
struct BuildxStrategy: DriverStrategy {
    var runner: any CommandRunner

    /// The `docker` driver has no cache exporter: `--cache-to` needs another driver. Attestations
    /// asked for an index xplat assembles are refused rather than dropped: xplat picks each
    /// platform's image out of buildx's index (never an attestation, `BuildxImageIndex`), and
    /// does not yet copy the attestation manifests beside them.
    func check(_ request: BuildRequest, plan: Plan) throws {
        if request.wantsAttestations, request.output == .push || request.output.mode == "oci" {
            throw BuildError.conflict("--provenance/--sbom with \(request.output.mode == "oci" ? "-o type=oci" : "--push"): xplat assembles the image index itself and would leave the attestations out; push with `docker buildx build --push` for attested images, or drop --provenance/--sbom")
        }
        guard let cache = request.cacheTo.first,
              let node = plan.nodes.first(where: { if case .buildx(_, .docker) = $0.driver { true } else { false } }) else { return }
        throw BuildError.conflict("--cache-to \(cache.ref): buildx's docker driver (builder \(Self.builder(of: node))) cannot export a cache (\"cache export feature is currently not supported for docker driver\"); use a builder with the docker-container or remote driver, or drop --cache-to")
    }

    static func builder(of node: BuilderNode) -> String {
        if case .buildx(let builder, _) = node.driver { return builder }
        return ""
    }

    func solve(_ job: SolveJob) async throws -> SolvedBuild {
        let multiNode = job.plan.nodes.count > 1
        return try await withThrowingTaskGroup(of: SolvedBuild.self) { group in
            for (index, solve) in job.plan.solves.enumerated() {
                guard let node = job.plan.node(named: solve.node) else { continue }
                group.addTask {
                    let builder = multiNode ? try await temporaryBuilder(for: node, index: index, job) : Self.builder(of: node)
                    return try await run(solve, index: index, node: node, builder: builder, job)
                }
            }
            var solved = SolvedBuild()
            for try await part in group {
                solved.results.merge(part.results) { a, _ in a }
                solved.images.merge(part.images) { a, _ in a }
            }
            return solved
        }
    }

    /// A one-node builder reaching `node` (removed at cleanup); the builder itself for drivers
    /// whose nodes cannot be reached one by one (then buildx places the platforms).
    func temporaryBuilder(for node: BuilderNode, index: Int, _ job: SolveJob) async throws -> String {
        let name = "xplat-\(job.runID)-\(index)"
        guard let create = job.commands.buildxCreate(name: name, node: node) else { return Self.builder(of: node) }
        job.cleanup.run(job.commands.buildxRemove(name: name), with: runner)
        let created = try await runner.run(create)
        guard created.succeeded else {
            throw BuildError.buildFailed(platform: nil, diagnosis: BuildDiagnosis.diagnose(stderr: created.stderr, platform: nil))
        }
        return name
    }

    /// One solve: each export is one `docker buildx build` (the second one from BuildKit's cache).
    func run(_ solve: Solve, index: Int, node: BuilderNode, builder: String, _ job: SolveJob) async throws -> SolvedBuild {
        let start = ContinuousClock.now
        for p in solve.platforms { job.progress?.state(p, "building") }
        var solved = SolvedBuild()
        var digest: String?
        do {
            for (n, export) in exports(solve, index: index, job).enumerated() {
                let metadataFile = "\(job.work)/metadata-\(index)-\(n).json"
                let command = job.commands.buildxBuild(builder: builder, platforms: solve.platforms, export: export,
                                                       metadataFile: metadataFile)
                try await build(command, solve: solve, feed: n == 0 ? job.progress : nil, job)
                switch export {
                case .oci(let archive):
                    // The builder's own OCI export: each platform's image (attestations left out),
                    // and its layers as the root verification reads.
                    let files = ImageExport(runner: runner, docker: job.commands.docker)
                    let images = try await files.readOCIExport(archive, into: "\(job.work)/images/solve-\(index)")
                    for p in solve.platforms {
                        guard let image = images[p] else { throw BuildError.assemblyFailed("the builder's OCI export holds no \(p) image") }
                        solved.images[p] = image
                        if job.needRoots { try await files.extractRoot(image, to: job.root(p)) }
                    }
                case .load: digest = try readDigest(metadataFile)
                case .local, .image, .push: break
                }
            }
            if job.needRoots, solve.platforms.count > 1, job.image != .staged {
                try RootLayout.split(from: "\(job.work)/solve-\(index)", platforms: solve.platforms, into: "\(job.work)/roots")
            }
        } catch {
            for p in solve.platforms { job.progress?.state(p, Task.isCancelled ? "cancelled" : "failed") }
            throw error
        }
        let seconds = (ContinuousClock.now - start).seconds
        for p in solve.platforms {
            job.progress?.state(p, "done")
            let mode = job.plan.platforms.first { $0.platform == p }?.mode ?? .native
            solved.results[p] = PlatformResult(platform: p, node: node.name, mode: mode, seconds: seconds, digest: digest,
                                               solves: p == solve.platforms.first ? 1 : 0)
        }
        return solved
    }

    /// The exports of solve `index`: the roots (flat for one platform, one folder per platform for
    /// several), then the image the publisher asked for.
    func exports(_ solve: Solve, index: Int, _ job: SolveJob) -> [Export] {
        // Image outputs: one solve, its OCI export read here (the roots come from its layers).
        if job.image == .staged { return [.oci(dest: "\(job.work)/solve-\(index).oci.tar")] }
        var exports: [Export] = []
        if job.needRoots {
            if solve.platforms.count == 1 {
                exports.append(.local(dest: job.root(solve.platforms[0])))
            } else {
                exports.append(.local(dest: "\(job.work)/solve-\(index)"))
            }
        }
        switch job.image {
        case .loaded(let tags): exports.append(.load(tags: tags))
        case .none, .staged: break
        }
        if exports.isEmpty { exports.append(.local(dest: "\(job.work)/solve-\(index)")) }
        return exports
    }

    /// Runs one `docker buildx build`; BuildKit's step lines go to the platform they name.
    func build(_ command: Command, solve: Solve, feed: BuildProgress?, _ job: SolveJob) async throws {
        let single = solve.platforms.count == 1 ? solve.platforms[0] : nil
        let out = try await runner.stream(command) { _, line in
            for p in solve.platforms where single != nil || line.contains(p.description) { feed?.line(line, platform: p) }
        }
        try Task.checkCancellation()
        guard out.succeeded else { throw await BuildExecutor.failure(out.stderr, platform: single, job: job) }
    }

    /// The image digest buildx wrote to `--metadata-file`.
    func readDigest(_ file: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do { return try BuildxMetadata.parse(data, file: file).digest } catch let error as BuildxMetadataError {
            throw BuildError.toolOutput(error.description)
        }
    }
}

/// The layout of a multi-platform local export: `DEST/linux_amd64`, `DEST/linux_arm_v7`, ...
enum RootLayout {
    /// Moves each platform's folder of a multi-platform export to `roots/<folder>`; a missing
    /// folder is an error naming what the export did hold.
    static func split(from export: String, platforms: [Platform], into roots: String) throws {
        let fm = FileManager.default
        let found = (try? fm.contentsOfDirectory(atPath: export).sorted()) ?? []
        for p in platforms where !found.contains(p.folderName) {
            throw BuildError.toolOutput("the \(platforms.count)-platform export in \(export) has no \(p.folderName) folder (it holds: \(found.isEmpty ? "nothing" : found.joined(separator: ", ")))")
        }
        try FileSystem.createDirectory(roots)
        for p in platforms { try FileSystem.move("\(export)/\(p.folderName)", to: "\(roots)/\(p.folderName)") }
    }
}
