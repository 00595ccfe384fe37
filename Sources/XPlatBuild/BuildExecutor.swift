// Runs a plan: the builds, the exports, verification, smoke tests and output assembly.

import Foundation
import XPlatDocker
import XPlatDockerfile
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Checks one platform's root filesystem (XPlatVerify in the CLI).
public protocol OutputVerifier: Sendable {
    /// Verifies one platform's output root.
    func verify(root: String, platform: Platform) async throws -> VerificationOutcome
    /// Verifies every platform's output root of one build; a verifier that sees them together also
    /// catches a binary copied byte for byte into several platforms' outputs.
    func verify(roots: [(root: String, platform: Platform)]) async throws -> [Platform: VerificationOutcome]
    /// Verifies an image as the registry serves it (after `--push`, by the index digest): every
    /// platform of the index, from its own layers, against exactly `platforms`, read through
    /// `client` (the publisher's, whose lifetime the build owns).
    func verify(image reference: String, platforms: [Platform], client: RegistryClient) async throws
        -> VerificationOutcome
}

extension OutputVerifier {
    /// Root by root, when the verifier has nothing to compare across roots.
    public func verify(roots: [(root: String, platform: Platform)]) async throws -> [Platform: VerificationOutcome] {
        var outcomes: [Platform: VerificationOutcome] = [:]
        for (root, platform) in roots { outcomes[platform] = try await verify(root: root, platform: platform) }
        return outcomes
    }
}

/// A verifier's verdict on one root.
public struct VerificationOutcome: Sendable, Hashable {
    public var passed: Bool
    /// Files checked (ELF files).
    public var checked: Int
    /// The human-readable report (mismatches with file, expected and found).
    public var report: String

    public init(passed: Bool, checked: Int, report: String) {
        self.passed = passed
        self.checked = checked
        self.report = report
    }
}

/// What happened to one platform.
public struct PlatformResult: Sendable, Hashable {
    public var platform: Platform
    public var node: String
    public var mode: BuildMode
    public var seconds: Double
    public var verification: VerificationOutcome?
    /// `--smoke` output (stdout and stderr, trimmed) and exit code.
    public var smoke: CommandOutput?
    /// The per-platform image digest, for image outputs.
    public var digest: String?
    /// BuildKit solves run for this platform (a buildx solve of several platforms counts once, for its first).
    public var solves: Int
    /// Seconds spent reading the built image back and laying out its root (image outputs), part of `seconds`.
    public var exportSeconds: Double

    public init(
        platform: Platform, node: String, mode: BuildMode, seconds: Double, verification: VerificationOutcome? = nil,
        smoke: CommandOutput? = nil, digest: String? = nil, solves: Int = 1, exportSeconds: Double = 0
    ) {
        self.platform = platform
        self.node = node
        self.mode = mode
        self.seconds = seconds
        self.verification = verification
        self.smoke = smoke
        self.digest = digest
        self.solves = solves
        self.exportSeconds = exportSeconds
    }
}

/// The outcome of a build.
public struct BuildResult: Sendable {
    public var plan: Plan
    public var platforms: [PlatformResult]
    /// Where the output went (`./out`, `127.0.0.1:5000/hello:1`).
    public var output: String
    /// The image index digest for `--push`.
    public var indexDigest: String?
    /// The image id as buildx reports it (`--iidfile`, `--quiet`): for one platform its config
    /// digest (what an image store calls the image), for several the index digest. Computed only
    /// when `--iidfile` or `--quiet` asks for it.
    public var imageID: String?
    /// The index's descriptor (media type, digest, size) for `--push` and `type=oci`: the metadata
    /// file's `containerimage.descriptor`, as buildx writes it.
    public var indexDescriptor: Descriptor?
    /// For a one-platform image output, its config's digest (`containerimage.config.digest`).
    public var configDigest: String?
    /// What `-q` prints, as the client it stands in for: the image id (`docker build`, buildx 0.11
    /// and newer), or buildx 0.10's `containerimage.digest` (for one platform pushed or written as
    /// OCI, the manifest's digest: checked, 0.10.5 printed the manifest digest and wrote the config
    /// digest to --iidfile). Computed only with `--quiet`.
    public var quietID: String?
    /// Wall time of each phase: `solve`, `verify` (verification and smoke tests), `publish`.
    public var phases: [String: Double] = [:]
    /// What `--push` moved.
    public var transfer: TransferCounts?
}

/// Executes plans with real commands, in named phases: solve (the driver's strategy), verify and
/// smoke-test the roots, publish the output, write the metadata file.
public struct BuildExecutor: Sendable {
    public var runner: any CommandRunner
    /// The docker client (`XPLAT_DOCKER`, default `/usr/bin/docker`).
    public var docker: String
    public var verifier: (any OutputVerifier)?
    /// Folder for temporary files (default `/tmp`); outputs are staged beside their destination.
    public var temporaryDirectory: String
    /// How `--push` reaches registries (credentials, per-registry CAs); the engine's insecure
    /// registries are added at run time.
    public var registryConfiguration: RegistryConfiguration

    public init(
        runner: any CommandRunner, docker: String, verifier: (any OutputVerifier)?, temporaryDirectory: String = "/tmp",
        registryConfiguration: RegistryConfiguration = RegistryConfiguration()
    ) {
        self.runner = runner
        self.docker = docker
        self.verifier = verifier
        self.temporaryDirectory = temporaryDirectory
        self.registryConfiguration = registryConfiguration
    }

    /// Runs `plan` for `request`; `dockerfile` is the file BuildKit reads (the rewritten temp file
    /// with `--rewrite`). Throws `BuildError` (`.interrupted` when cancelled). Whatever happens, the
    /// build's temporary folder, builders and images are gone when it returns. `buildx`: what node
    /// discovery learned of the client's buildx (asked here only when unasked and needed).
    public func run(
        _ request: BuildRequest, plan: Plan, dockerfile: String, progress: BuildProgress?,
        buildx known: BuildxPlugin = .unasked
    ) async throws -> BuildResult {
        try request.validate()
        guard plan.buildable else { throw BuildError.impossible(plan.platforms.filter { $0.mode == .impossible }) }
        let strategy = self.strategy(for: plan)
        let buildx =
            plan.driverKind == .buildx
            ? await NodeDiscovery.buildxPlugin(of: docker, known: known, runner: runner).version : nil
        try strategy.check(request, plan: plan, buildx: buildx)
        try Self.removeStaleImageIDFile(request.imageIDFile)
        let cleanup = Cleanup()
        let work = try Self.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-build")
        cleanup.remove(work)
        do {
            let job = try await solveJob(
                request, plan: plan, dockerfile: dockerfile, buildx: buildx, work: work, cleanup: cleanup,
                progress: progress)
            let result = try await execute(job, strategy: strategy)
            await cleanup.run()
            return result
        } catch {
            await cleanup.run()
            if Task.isCancelled || error is CancellationError { throw BuildError.interrupted }
            throw error
        }
    }

    /// A failed build leaves no image id of an earlier one behind (as buildx removes it first).
    static func removeStaleImageIDFile(_ path: String?) throws {
        guard let path, FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw BuildError.fileSystem(
                path: path, action: "remove the old image id file", reason: SystemError.reason(error))
        }
    }

    /// The temporary folder's random part, lower-cased (`xplat-build-Ab12Cd` -> `ab12cd`): temporary
    /// builders (`xplat-ab12cd-0`) and images are named after it.
    private static func runID(work: String) -> String {
        let name = (work as NSString).lastPathComponent
        return String(name.split(separator: "-").last ?? Substring(name)).lowercased()
    }

    /// The strategy of the plan's driver.
    func strategy(for plan: Plan) -> any DriverStrategy {
        switch plan.driverKind {
        case .engine: return EngineStrategy(runner: runner)
        case .buildx: return BuildxStrategy(runner: runner)
        }
    }

    /// Everything the phases share. buildx's version decides which flags it is given.
    func solveJob(
        _ request: BuildRequest, plan: Plan, dockerfile: String, buildx: BuildxVersion?, work: String, cleanup: Cleanup,
        progress: BuildProgress?
    ) async throws -> SolveJob {
        let needRoots: Bool
        switch request.output {
        case .local, .tar: needRoots = true
        default: needRoots = request.verify || request.smoke != nil
        }
        var commands = DriverCommands(docker: docker, request: request, dockerfile: dockerfile, buildx: buildx)
        commands.localCacheTags = LocalCacheIndex.tags(of: request.cacheFrom)
        return SolveJob(
            request: request, plan: plan,
            commands: commands,
            work: work, needRoots: needRoots, image: SolveImage(request.output, tags: request.tags),
            runID: Self.runID(work: work),
            cleanup: cleanup, progress: progress, registryConfiguration: registryConfiguration)
    }

    /// The phases, in order; nothing is published before every platform passed verification.
    /// For `--push` the login is checked before anything is built.
    func execute(_ job: SolveJob, strategy: any DriverStrategy) async throws -> BuildResult {
        try await finish(try await stage(job, strategy: strategy))
    }

    /// A build solved and verified, not yet published (what `xplat bake` holds for every target
    /// before it publishes any).
    struct StagedBuild: Sendable {
        var job: SolveJob
        var solved: SolvedBuild
        var publisher: ImagePublisher?
        var phases: [String: Double]
    }

    /// The login check (`--push`), the solve and the verification of every platform's root.
    func stage(_ job: SolveJob, strategy: any DriverStrategy) async throws -> StagedBuild {
        let publisher = try await pushPublisher(job)
        var phases: [String: Double] = [:]
        var start = ContinuousClock.now
        var solved = try await strategy.solve(job)
        try Task.checkCancellation()
        phases["solve"] = (ContinuousClock.now - start).seconds
        start = ContinuousClock.now
        if job.needRoots { try await check(job, &solved) }
        phases["verify"] = (ContinuousClock.now - start).seconds
        return StagedBuild(job: job, solved: solved, publisher: publisher, phases: phases)
    }

    /// Publishes a staged build, verifies what the registry serves (`--push`) and writes the
    /// request's metadata file.
    func finish(_ staged: StagedBuild) async throws -> BuildResult {
        let job = staged.job, publisher = staged.publisher
        var solved = staged.solved, phases = staged.phases
        var start = ContinuousClock.now
        let published = try await publish(job, &solved, publisher: publisher)
        phases["publish"] = (ContinuousClock.now - start).seconds
        // The push's own requests: taken before the verification's GETs go through the same client.
        let transfer = publisher?.client.transferCounts
        start = ContinuousClock.now
        if let publisher, let index = published.indexDigest,
            try await verifyPushed(job, index: index, publisher: publisher)
        {
            // Recorded only when the registry's copy was really verified (the phase is the evidence).
            phases["verify-pushed"] = (ContinuousClock.now - start).seconds
        }
        let ordered = job.request.platforms.compactMap { solved.results[$0] }
        var result = BuildResult(
            plan: job.plan, platforms: ordered, output: published.output, indexDigest: published.indexDigest,
            phases: phases, transfer: transfer)
        if let digest = published.indexDigest, let index = published.indexDescriptor {
            result.indexDescriptor = Descriptor(mediaType: index.mediaType, digest: digest, size: index.size)
        }
        if job.request.platforms.count == 1, solved.attestations.isEmpty {
            result.configDigest = solved.images[job.request.platforms[0]]?.decoded.config.digest
        }
        if job.request.imageIDFile != nil || job.request.quiet {
            result.imageID = try await imageID(
                job, configDigest: result.configDigest, indexDigest: published.indexDigest)
        }
        if job.request.quiet {
            result.quietID = Self.quietID(
                imageID: result.imageID, buildx: job.commands.buildx, request: job.request, solved: solved)
        }
        // A build without an image output leaves the file empty, as buildx does (checked: 0.10.5 on
        // a remote builder, no output, `--iidfile`: exit 0 and an empty file).
        if let file = job.request.imageIDFile {
            do { try AtomicFile.write(Data((result.imageID ?? "").utf8), to: file) } catch {
                throw BuildError.fileSystem(path: file, action: "write the image id", reason: SystemError.reason(error))
            }
        }
        if let metadataFile = job.request.metadataFile {
            try OutputAssembler.writeMetadata(to: metadataFile, result: result, request: job.request)
        }
        return result
    }

    /// What `-q` prints, as the client xplat stands in for: the image id (`docker build`, buildx
    /// 0.11 and newer), or buildx 0.10's `containerimage.digest` of a one-platform image without
    /// attestations, the manifest's digest for one it pushed, wrote as OCI or loaded through a
    /// driver other than `docker` (checked on 0.10.5, remote driver, `--load -q`: the manifest
    /// digest printed, the image id in --iidfile; the `docker` driver's digest is the image id).
    static func quietID(imageID: String?, buildx: BuildxVersion?, request: BuildRequest, solved: SolvedBuild) -> String?
    {
        let platforms = request.platforms
        guard let buildx, !buildx.printsImageID, platforms.count == 1, solved.attestations.isEmpty,
            request.output == .push || request.output == .load || request.output.mode == "oci"
        else { return imageID }
        return solved.results[platforms[0]]?.digest ?? imageID
    }

    /// The image id buildx writes to `--iidfile` and prints with `--quiet`: one platform's config
    /// digest, or the index digest of several; for `--load`, the id the engine gives the loaded image.
    func imageID(_ job: SolveJob, configDigest: String?, indexDigest: String?) async throws -> String? {
        switch job.request.output {
        case .push, .oci:
            // One image without attestations is an image (its id: the config digest, `configDigest`);
            // with them, as with several platforms, buildx's result is an index.
            return configDigest ?? indexDigest
        case .load:
            guard let tag = job.request.tags.first, let entry = job.plan.platforms.first,
                let node = job.plan.node(named: entry.node)
            else { return nil }
            let out = try await runner.run(job.commands.imageID(of: tag, engine: .of(node)))
            guard out.succeeded else {
                throw BuildError.assemblyFailed(
                    "cannot read the id of the loaded image \(tag) from \(EngineAccess.name(of: node)): "
                        + "\(ImageExport.firstLine(out.stderr))"
                )
            }
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        case .local, .tar, .none:
            return nil
        }
    }

    /// For `--push`: a publisher whose registry client lives for this build (shut down at
    /// cleanup), the login checked for every target. Nil for other outputs.
    private func pushPublisher(_ job: SolveJob) async throws -> ImagePublisher? {
        guard job.request.output == .push else { return nil }
        let targets = try ImagePublisher.targets(job.request.tags)
        var configuration = registryConfiguration
        configuration.insecureRegistries.formUnion(
            await ImagePublisher.insecureRegistries(runner: runner, docker: docker, nodes: job.plan.nodes))
        let client = RegistryClient(configuration: configuration)
        job.cleanup.add { try? await client.shutdown() }
        let publisher = ImagePublisher(client: client, targets: targets)
        try await publisher.checkAccess()
        return publisher
    }

    /// Verifies every platform's root (together, so copies across platforms show) and runs `--smoke`.
    func check(_ job: SolveJob, _ solved: inout SolvedBuild) async throws {
        let roots = job.request.platforms.map { (root: job.root($0), platform: $0) }
        var failures: [Platform: String] = [:]
        if job.request.verify, let verifier {
            for (platform, outcome) in try await verifier.verify(roots: roots) {
                solved.results[platform]?.verification = outcome
                if !outcome.passed { failures[platform] = outcome.report }
            }
        }
        if let smoke = job.request.smoke {
            for (root, platform) in roots {
                solved.results[platform]?.smoke = try await smokeTest(smoke, root: root, platform: platform)
            }
        }
        if !failures.isEmpty { throw BuildError.verificationFailed(failures) }
    }

    /// After `--push`: what the registry now serves under the index digest is verified again,
    /// through the same image path as `xplat verify REFERENCE` (its layers, not the local files).
    /// Returns false when verification is off (`--no-verify`, no verifier).
    private func verifyPushed(_ job: SolveJob, index: String, publisher: ImagePublisher) async throws -> Bool {
        guard job.request.verify, let verifier, let target = publisher.targets.first else { return false }
        let reference = "\(target.registry)/\(target.repository)@\(index)"
        let outcome = try await verifier.verify(
            image: reference, platforms: job.request.platforms, client: publisher.client)
        guard outcome.passed else {
            throw BuildError.verificationError("the pushed image \(reference) fails verification:\n\(outcome.report)")
        }
        return outcome.checked > 0
    }

    /// Where the output went, and the index digest when one was made.
    struct Published: Sendable {
        var output: String
        var indexDigest: String?
        /// The pushed index's media type and size (for the metadata file's descriptor).
        var indexDescriptor: (mediaType: String, size: Int64)?
    }

    /// `--annotation manifest-descriptor:...`: on the index's entry of each platform's manifest.
    func annotateDescriptors(_ solved: inout SolvedBuild, _ request: BuildRequest) {
        for p in request.platforms {
            guard let extra = request.annotations(at: .manifestDescriptor, for: p), var image = solved.images[p] else {
                continue
            }
            image.annotations = (image.annotations ?? [:]).merging(extra) { $1 }
            solved.images[p] = image
        }
    }

    /// The publish phase: turns the verified solve into the output the user asked for. Image
    /// outputs come from each platform's image as files (`solved.images`), never via a registry.
    func publish(_ job: SolveJob, _ solved: inout SolvedBuild, publisher: ImagePublisher?) async throws -> Published {
        let request = job.request, work = job.work
        switch request.output {
        case .local(let dest, let split):
            try await OutputAssembler.placeLocal(
                roots: "\(work)/roots", platforms: request.platforms,
                split: split ?? (request.platforms.count > 1), dest: dest)
            return Published(output: dest)
        case .tar(let dest):
            try await OutputAssembler.placeTar(
                runner: runner, roots: "\(work)/roots", platforms: request.platforms, dest: dest)
            return Published(output: dest)
        case .push:
            guard let publisher else { return Published(output: request.tags.joined(separator: ", ")) }
            annotateDescriptors(&solved, request)
            let pushed = try await publisher.push(
                solved.images, attestations: solved.attestations, platforms: request.platforms,
                indexAnnotations: request.annotations(at: .index))
            for p in request.platforms { solved.results[p]?.digest = pushed.manifests[p] }
            return Published(
                output: request.tags.joined(separator: ", "), indexDigest: pushed.index.indexDigest,
                indexDescriptor: (pushed.index.indexMediaType, pushed.index.indexSize))
        case .oci(let dest, let asTar):
            // Named like buildx names it: the tag of the first -t, else latest.
            let refName = request.tags.first.flatMap { ImageReference.split($0).tag } ?? "latest"
            annotateDescriptors(&solved, request)
            let index = try await ImagePublisher.writeOCI(
                solved.images, attestations: solved.attestations, platforms: request.platforms,
                dest: dest, asTar: asTar, refName: refName, work: work, runner: runner,
                indexAnnotations: request.annotations(at: .index),
                descriptorAnnotations: request.annotations(at: .indexDescriptor) ?? [:])
            for p in request.platforms { solved.results[p]?.digest = solved.images[p]?.manifest.digest }
            return Published(output: dest, indexDigest: index.digest, indexDescriptor: (index.mediaType, index.size))
        case .load:
            // buildx's drivers other than `docker` load into the current docker context's engine, not the node.
            let node = job.plan.platforms.first.flatMap { job.plan.node(named: $0.node) }
            let engine = node.map(EngineAccess.name(of:)) ?? job.plan.platforms.first?.node ?? "the engine"
            return Published(output: request.tags.joined(separator: ", ") + " (loaded into \(engine))")
        case .none:
            return Published(output: "build cache only")
        }
    }

    // MARK: Helpers

    /// Maps a failed build's stderr to a `BuildError`, asking the registry (`registry`, the
    /// engine's mirror, for a name without a host) which platforms a base image has when it lacks
    /// the requested one.
    /// The steps that failed (`output`) come with their last lines and the Dockerfile lines they
    /// come from.
    static func failure(_ stderr: String, output: SolveOutput, job: SolveJob) async -> BuildError {
        let steps = output.failed.map { FailedStepSource.placing($0, job: job) }
        let platform: Platform? = output.platforms.count == 1 ? output.platforms[0] : steps.first?.platform
        let registry = job.request.registry
        var diagnosis = BuildDiagnosis.diagnose(stderr: stderr, platform: platform, registry: registry).adding(
            failedSteps: steps)
        if diagnosis.kind == .baseLacksPlatform, let image = diagnosis.image,
            var reference = try? RegistryReference(parsing: image)
        {
            if reference.registry == RegistryReference.dockerHub && !registry.isEmpty { reference.registry = registry }
            let available = try? await RegistryClient.with(configuration: job.registryConfiguration) { client in
                try await client.platforms(of: reference).map(\.description)
            }
            if let available { diagnosis = diagnosis.adding(availablePlatforms: available) }
        }
        return .buildFailed(platform: platform, diagnosis: diagnosis)
    }

    /// Runs `command` (a path inside the root, then arguments) under QEMU user mode with the root as
    /// the library prefix: `qemu-aarch64-static -L ROOT ROOT/usr/local/bin/hello ARGS`.
    private func smokeTest(_ command: [String], root: String, platform: Platform) async throws -> CommandOutput {
        guard let info = platform.info else {
            throw BuildError.verificationError("--smoke: no QEMU known for \(platform)")
        }
        // The command's program is a path inside the root.
        let program = command[0].hasPrefix("/") ? command[0] : "/" + command[0]
        guard FileManager.default.fileExists(atPath: root + program) else {
            throw BuildError.verificationError("--smoke: \(program) does not exist in the \(platform) output")
        }
        return try await runner.run(
            Command("\(info.qemuName)-static", ["-L", root, root + program] + command.dropFirst()))
    }

    /// A private folder under `directory`, failures reported as the build's own error.
    static func makeTemporaryDirectory(in directory: String, prefix: String) throws -> String {
        do { return try TemporaryDirectory.make(in: directory, prefix: prefix) } catch let error as FileWriteError {
            throw BuildError.unreadable(directory, "cannot make a temporary folder: \(error.reason)")
        }
    }
}
