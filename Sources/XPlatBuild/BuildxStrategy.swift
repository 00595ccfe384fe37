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

    /// The `docker` driver has no cache exporter but the inline one: other `--cache-to` types
    /// need another driver. Its images reach xplat through the engine's image store (`--load`,
    /// then `docker save`), which keeps no attestations: `--provenance`/`--sbom` for an index xplat
    /// assembles (`--push`, `type=oci`) need another driver, whose OCI export carries them.
    /// `--load` keeps no attestations on any driver: buildx 0.10 refuses them with the message it
    /// gives for a list ("docker exporter does not currently support exporting manifest lists").
    /// Its BuildKit (dockerd 20.10's) has no named contexts and ignores `--ulimit`, `--shm-size`
    /// and `--cgroup-parent`; buildx 0.10 drops `--cgroup-parent` on every driver.
    func check(_ request: BuildRequest, plan: Plan, buildx: BuildxVersion?) throws {
        if let parent = request.cgroupParent, let buildx, !buildx.passesCgroupParent {
            throw BuildError.unsupported(
                option: "--cgroup-parent \(parent)", driver: "buildx \(buildx)",
                reason: "takes it but never passes it to BuildKit (fixed in buildx 0.11)",
                action: "update buildx to 0.11 or newer, or drop --cgroup-parent")
        }
        if request.wantsAttestations, let buildx, !buildx.hasAttestations {
            throw BuildError.unsupported(
                option: "--provenance/--sbom/--attest", driver: "buildx \(buildx)",
                reason: "has no attestation flags (buildx 0.10 added them): they would be dropped",
                action: "update buildx to 0.10 or newer, or drop them")
        }
        if request.wantsAttestations, request.output == .load {
            throw BuildError.conflict(
                "--provenance/--sbom with --load: an engine's image store keeps no attestations, and buildx refuses "
                    + "them (\"docker exporter does not currently support exporting manifest lists\"); use --push or "
                    + "-o type=oci for attested images, or drop --provenance/--sbom")
        }
        if let gateway = request.extraHosts.first(where: { $0.ip == "host-gateway" }), let buildx,
            buildx < BuildxVersion(major: 0, minor: 11, patch: 2),
            plan.nodes.contains(where: { if case .buildx(_, .docker) = $0.driver { false } else { true } })
        {
            throw BuildError.unsupported(
                option: "--add-host \(gateway.flagValue)", driver: "buildx \(buildx)",
                reason:
                    "resolves host-gateway only for the docker driver (checked: \"invalid host\" on a remote builder; "
                    + "0.11.2 resolves it everywhere)",
                action: "give the host's IP address, or update buildx to 0.11.2 or newer")
        }
        guard let node = plan.nodes.first(where: { if case .buildx(_, .docker) = $0.driver { true } else { false } })
        else { return }
        try checkDockerDriver(request, node: node)
    }

    /// What buildx's `docker` driver (the engine's BuildKit behind buildx) cannot do.
    private func checkDockerDriver(_ request: BuildRequest, node: BuilderNode) throws {
        let driver =
            "buildx's docker driver (builder "
            + "\(Self.builder(of: node))\(node.engineVersion.map { ", dockerd \($0)" } ?? ""))"
        let other = "use a builder with the docker-container or remote driver"
        if let ignored = SilentlyIgnored.flags(request, on: [node]).first {
            throw BuildError.unsupported(
                option: ignored, driver: driver,
                reason: "passes it to the engine's BuildKit, which before dockerd 23 does not apply it (RUN steps keep "
                    + "the default, host-gateway fails to parse; checked on 20.10)",
                action: "\(other) (BuildKit 0.10+ applies it)")
        }
        if let context = request.buildContexts.first, node.hasLegacyEngineBuildKit {
            throw BuildError.unsupported(
                option: "--build-context \(context.flagValue)", driver: driver,
                reason:
                    "cannot read named contexts (dockerd 20.10's BuildKit: \"unsupported frontend capability "
                    + "moby.buildkit.frontend.contexts\")",
                action: other)
        }
        if request.wantsAttestations, request.output == .push || request.output.mode == "oci" {
            throw BuildError.unsupported(
                option: "--provenance/--sbom with \(request.output.mode == "oci" ? "-o type=oci" : "--push")",
                driver: driver,
                reason: "puts images into the engine's image store, which keeps no attestations (and dockerd 20.10's "
                    + "BuildKit refuses them: \"attestations are not supported by the current buildkitd\")",
                action: "\(other), or drop --provenance/--sbom")
        }
        if let cache = request.cacheTo.first(where: { $0.type != .inline }) {
            throw BuildError.unsupported(
                option: "--cache-to \(cache.flagValue)", driver: driver,
                reason:
                    "cannot export a cache but inline (\"cache export feature is currently not supported for docker "
                    + "driver\")",
                action: "\(other), or use --cache-to type=inline, or drop --cache-to")
        }
        if let cache = request.cacheFrom.first(where: { $0.type != .registry && $0.type != .local }) {
            throw BuildError.unsupported(
                option: "--cache-from \(cache.flagValue)", driver: driver,
                reason:
                    "reads registry and local caches only (the engine's BuildKit has no \(cache.type.rawValue) "
                    + "backend)",
                action: other)
        }
    }

    static func builder(of node: BuilderNode) -> String {
        if case .buildx(let builder, _) = node.driver { return builder }
        return ""
    }

    func solve(_ job: SolveJob) async throws -> SolvedBuild {
        let multiNode = job.plan.nodes.count > 1
        let solves = job.plan.solves.enumerated().compactMap { index, solve in
            job.plan.node(named: solve.node).map { (index, solve, $0) }
        }
        let parts = try await solveConcurrently(solves) { index, solve, node in
            let builder = multiNode ? try await temporaryBuilder(for: node, index: index, job) : Self.builder(of: node)
            return try await run(solve, index: index, node: node, builder: builder, job)
        }
        var solved = SolvedBuild()
        for part in parts {
            solved.results.merge(part.results) { a, _ in a }
            solved.images.merge(part.images) { a, _ in a }
            solved.attestations.merge(part.attestations) { a, _ in a }
        }
        return solved
    }

    /// A one-node builder reaching `node` (removed at cleanup); the builder itself for drivers
    /// whose nodes cannot be reached one by one (then buildx places the platforms).
    func temporaryBuilder(for node: BuilderNode, index: Int, _ job: SolveJob) async throws -> String {
        let name = "xplat-\(job.runID)-\(index)"
        guard let create = job.commands.buildxCreate(name: name, node: node) else { return Self.builder(of: node) }
        job.cleanup.run(job.commands.buildxRemove(name: name), with: runner)
        let created = try await runner.run(create)
        guard created.succeeded else {
            throw BuildError.buildFailed(
                platform: nil, diagnosis: BuildDiagnosis.diagnose(stderr: created.stderr, platform: nil))
        }
        return name
    }

    /// One solve, one `docker buildx build`: its export gives the roots (a local export) or the
    /// image the publisher needs, from which the roots are read (`readImage`).
    func run(_ solve: Solve, index: Int, node: BuilderNode, builder: String, _ job: SolveJob) async throws
        -> SolvedBuild
    {
        let start = ContinuousClock.now
        for p in solve.platforms { job.progress?.state(p, "building") }
        var solved = SolvedBuild()
        var digest: String?
        var exported = Duration.zero
        do {
            let export = self.export(solve, index: index, node: node, job)
            let metadataFile = "\(job.work)/metadata-\(index)-0.json"
            let command = job.commands.buildxBuild(
                builder: builder, platforms: solve.platforms, export: export, metadataFile: metadataFile)
            try await build(
                command, output: SolveOutput(platforms: solve.platforms, node: node.name, progress: job.progress), job)
            if case .load = export { digest = try readDigest(metadataFile) }
            let read = ContinuousClock.now
            try await readImage(export, solve: solve, index: index, node: node, job, into: &solved)
            exported = ContinuousClock.now - read
            if job.needRoots, solve.platforms.count > 1, job.image != .staged {
                try RootLayout.split(
                    from: "\(job.work)/solve-\(index)", platforms: solve.platforms, into: "\(job.work)/roots")
            }
        } catch {
            for p in solve.platforms { job.progress?.state(p, Task.isCancelled ? "cancelled" : "failed") }
            throw error
        }
        let seconds = (ContinuousClock.now - start).seconds
        for p in solve.platforms {
            job.progress?.state(p, "done")
            let mode = job.plan.platforms.first { $0.platform == p }?.mode ?? .native
            solved.results[p] = PlatformResult(
                platform: p, node: node.name, mode: mode, seconds: seconds, digest: digest,
                solves: p == solve.platforms.first ? 1 : 0, exportSeconds: exported.seconds)
        }
        return solved
    }

    /// Reads what an image export made: the builder's OCI export (each platform's image and the
    /// attestations beside it), or the image `--load` put into the engine, read back with
    /// `docker save`; each platform's root is laid out from the image's own layers when needed.
    func readImage(
        _ export: Export, solve: Solve, index: Int, node: BuilderNode, _ job: SolveJob,
        into solved: inout SolvedBuild
    ) async throws {
        let files = ImageExport(runner: runner, commands: job.commands)
        switch export {
        case .oci(let archive):
            let read = try await files.readOCIExport(archive, into: "\(job.work)/images/solve-\(index)")
            for p in solve.platforms {
                guard let image = read.images[p] else {
                    throw BuildError.assemblyFailed("the builder's OCI export holds no \(p) image")
                }
                solved.images[p] = image
                solved.attestations[image.manifest.digest] = read.attestations[image.manifest.digest]
                if job.needRoots { try await files.extractRoot(image, to: job.root(p)) }
            }
        case .load(let tags):
            // One platform per `--load` (an engine store holds one platform per tag).
            guard let tag = tags.first, let p = solve.platforms.first, job.image == .staged || job.needRoots else {
                return
            }
            let saved = try await files.saveFromEngine(
                tag, node: node, platform: p, into: "\(job.work)/images/\(p.folderName)",
                compress: job.image == .staged)
            if job.image == .staged { solved.images[p] = saved }
            if job.needRoots { try await files.extractRoot(saved, to: job.root(p)) }
        case .local, .image, .push:
            break
        }
    }

    /// The one export of solve `index`. Image outputs: the builder's OCI export, or for the
    /// `docker` driver (which has no OCI exporter) a `--load` under a temporary tag (removed at
    /// cleanup); `--load`
    /// itself (the roots then come from the loaded image); else the roots, flat for one platform,
    /// one folder per platform for several.
    func export(_ solve: Solve, index: Int, node: BuilderNode, _ job: SolveJob) -> Export {
        switch job.image {
        case .staged:
            if case .buildx(_, .docker) = node.driver, let p = solve.platforms.first {
                return .load(tags: [job.temporaryTag(p, on: node, runner: runner)])
            }
            return .oci(dest: "\(job.work)/solve-\(index).oci.tar")
        case .loaded(let tags):
            return .load(tags: tags)
        case .none:
            if job.needRoots, solve.platforms.count == 1 { return .local(dest: job.root(solve.platforms[0])) }
            return .local(dest: "\(job.work)/solve-\(index)")
        }
    }

    /// Runs one `docker buildx build`; `output` gives each line to the platform its step names.
    func build(_ command: Command, output: SolveOutput, _ job: SolveJob) async throws {
        let out = try await runner.stream(command) { _, line in output.line(line) }
        try Task.checkCancellation()
        guard out.succeeded else { throw await BuildExecutor.failure(out.stderr, output: output, job: job) }
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
            throw BuildError.toolOutput(
                "the \(platforms.count)-platform export in \(export) has no \(p.folderName) folder (it holds: "
                    + "\(found.isEmpty ? "nothing" : found.joined(separator: ", ")))"
            )
        }
        try FileSystem.createDirectory(roots)
        for p in platforms { try FileSystem.move("\(export)/\(p.folderName)", to: "\(roots)/\(p.folderName)") }
    }
}
