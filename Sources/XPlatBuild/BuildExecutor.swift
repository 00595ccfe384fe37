// Runs a plan: the builds, the exports, verification, smoke tests and output assembly.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatSupport

/// Checks one platform's root filesystem (XPlatVerify in the CLI).
public protocol OutputVerifier: Sendable {
    /// Verifies one platform's output root.
    func verify(root: String, platform: Platform) async throws -> VerificationOutcome
    /// Verifies every platform's output root of one build; a verifier that sees them together also
    /// catches a binary copied byte for byte into several platforms' outputs.
    func verify(roots: [(root: String, platform: Platform)]) async throws -> [Platform: VerificationOutcome]
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

    public init(platform: Platform, node: String, mode: BuildMode, seconds: Double, verification: VerificationOutcome? = nil,
                smoke: CommandOutput? = nil, digest: String? = nil) {
        self.platform = platform
        self.node = node
        self.mode = mode
        self.seconds = seconds
        self.verification = verification
        self.smoke = smoke
        self.digest = digest
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

    public init(runner: any CommandRunner, docker: String, verifier: (any OutputVerifier)?, temporaryDirectory: String = "/tmp") {
        self.runner = runner
        self.docker = docker
        self.verifier = verifier
        self.temporaryDirectory = temporaryDirectory
    }

    /// Runs `plan` for `request`; `dockerfile` is the file BuildKit reads (the rewritten temp file
    /// with `--rewrite`). Throws `BuildError` (`.interrupted` when cancelled). Whatever happens, the
    /// build's temporary folder, builders and images are gone when it returns.
    public func run(_ request: BuildRequest, plan: Plan, dockerfile: String, progress: BuildProgress?) async throws -> BuildResult {
        try request.validate()
        guard plan.buildable else { throw BuildError.impossible(plan.platforms.filter { $0.mode == .impossible }) }
        let strategy = self.strategy(for: plan)
        try strategy.check(request, plan: plan)
        let cleanup = Cleanup()
        let work = try Self.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-build")
        cleanup.remove(work)
        do {
            let job = try await solveJob(request, plan: plan, dockerfile: dockerfile, work: work, cleanup: cleanup, progress: progress)
            let result = try await execute(job, strategy: strategy)
            await cleanup.run()
            return result
        } catch {
            await cleanup.run()
            if Task.isCancelled || error is CancellationError { throw BuildError.interrupted }
            throw error
        }
    }

    /// The temporary folder's random part, lower-cased (`xplat-build-Ab12Cd` -> `ab12cd`): temporary
    /// builders (`xplat-ab12cd-0`) and images are named after it.
    static func runID(work: String) -> String {
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
    func solveJob(_ request: BuildRequest, plan: Plan, dockerfile: String, work: String, cleanup: Cleanup,
                  progress: BuildProgress?) async throws -> SolveJob {
        var buildx: BuildxVersion?
        if plan.driverKind == .buildx {
            buildx = await NodeDiscovery(runner: runner, docker: docker, environment: [:], probe: FixedEmulation([])).buildxVersion()
        }
        let needRoots: Bool
        switch request.output {
        case .local, .tar: needRoots = true
        default: needRoots = request.verify || request.smoke != nil
        }
        return SolveJob(request: request, plan: plan,
                        commands: DriverCommands(docker: docker, request: request, dockerfile: dockerfile, buildx: buildx),
                        work: work, needRoots: needRoots, image: SolveImage(request.output, tags: request.tags),
                        runID: Self.runID(work: work),
                        cleanup: cleanup, progress: progress)
    }

    /// The phases, in order; nothing is published before every platform passed verification.
    func execute(_ job: SolveJob, strategy: any DriverStrategy) async throws -> BuildResult {
        var solved = try await strategy.solve(job)
        try Task.checkCancellation()
        if job.needRoots { try await check(job, &solved) }
        let published = try await publish(job, &solved)
        let ordered = job.request.platforms.compactMap { solved.results[$0] }
        if let metadataFile = job.request.metadataFile {
            try OutputAssembler.writeMetadata(to: metadataFile, results: ordered, request: job.request, indexDigest: published.indexDigest)
        }
        return BuildResult(plan: job.plan, platforms: ordered, output: published.output, indexDigest: published.indexDigest)
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
            for (root, platform) in roots { solved.results[platform]?.smoke = try await smokeTest(smoke, root: root, platform: platform) }
        }
        if !failures.isEmpty { throw BuildError.verificationFailed(failures) }
    }

    /// Where the output went, and the index digest when one was made.
    struct Published: Sendable {
        var output: String
        var indexDigest: String?
    }

    /// The publish phase: turns the verified solve into the output the user asked for.
    func publish(_ job: SolveJob, _ solved: inout SolvedBuild) async throws -> Published {
        let request = job.request, work = job.work
        switch request.output {
        case .local(let dest, let split):
            try await OutputAssembler.placeLocal(roots: "\(work)/roots", platforms: request.platforms,
                                                 split: split ?? (request.platforms.count > 1), dest: dest)
            return Published(output: dest)
        case .tar(let dest):
            try await OutputAssembler.placeTar(runner: runner, roots: "\(work)/roots", platforms: request.platforms, dest: dest)
            return Published(output: dest)
        case .push:
            // Per-platform images were pushed to a staging repository; the target repository gets
            // them by digest (blobs mounted, no upload) and only the requested tags point at the index.
            let target = RegistryClient(registry: request.pushRegistry ?? request.registry)
            let entries = try await manifests(solved.images, registry: target, platforms: request.platforms)
            let data = RegistryClient.index(entries: entries)
            var indexDigest: String?
            for tag in request.tags {
                let (repository, reference) = target.locate(tag)
                for entry in entries { try await target.copy(entry.manifest, from: Self.stagingRepository(job.runID), to: repository) }
                indexDigest = try await target.put(repository: repository, reference: reference,
                                                   mediaType: RegistryClient.indexMediaType(for: entries), data: data)
            }
            for p in request.platforms { solved.results[p]?.digest = entries.first { $0.platform == p }?.manifest.digest }
            return Published(output: request.tags.joined(separator: ", "), indexDigest: indexDigest)
        case .oci(let dest, let asTar):
            let registry = RegistryClient(registry: request.registry)
            let entries = try await manifests(solved.images, registry: registry, platforms: request.platforms)
            let repository = Self.stagingRepository(job.runID)
            let data = RegistryClient.index(entries: entries)
            let digest = try await registry.put(repository: repository, reference: "index",
                                                mediaType: RegistryClient.indexMediaType(for: entries), data: data)
            job.cleanup.add { await registry.remove(repository: repository, reference: digest) }
            // Named like buildx names it: the tag of the first -t, else latest.
            let refName = request.tags.first.flatMap { ImageReference.split($0).tag } ?? "latest"
            let indexDigest = try await OutputAssembler.placeOCI(runner: runner, source: "docker://\(request.registry)/\(repository):index",
                                                                 work: work, dest: dest, asTar: asTar, refName: refName)
            return Published(output: dest, indexDigest: indexDigest)
        case .load:
            return Published(output: request.tags.joined(separator: ", ") + " (loaded into \(job.plan.platforms.first?.node ?? "the engine"))")
        case .none:
            return Published(output: "build cache only")
        }
    }

    // MARK: Helpers

    /// The per-platform manifests behind `images` (a per-platform tag, or a multi-platform index
    /// from a buildx solve, whose entries are picked by platform).
    func manifests(_ images: [Platform: String], registry: RegistryClient, platforms: [Platform]) async throws
        -> [(platform: Platform, manifest: RegistryManifest)] {
        var entries: [(platform: Platform, manifest: RegistryManifest)] = []
        for platform in platforms {
            guard let ref = images[platform] else { throw BuildError.assemblyFailed("no image was pushed for \(platform)") }
            let (repository, reference) = registry.locate(ref)
            var m = try await registry.manifest(repository: repository, reference: reference)
            if m.mediaType.contains("index") || m.mediaType.contains("list") {
                // A buildx solve's index: the platform's own image, never an attestation manifest.
                let index: BuildxImageIndex
                do { index = try BuildxImageIndex.parse(m.data) } catch let error as BuildxImageIndexError {
                    throw BuildError.assemblyFailed("\(ref): \(error)", cause: ErrorCause(error))
                }
                guard let entry = index.image(for: platform) else {
                    throw BuildError.assemblyFailed("\(ref) holds no \(platform) manifest")
                }
                m = try await registry.manifest(repository: repository, reference: entry.digest)
            }
            entries.append((platform, m))
        }
        return entries
    }

    /// The private repository per-platform images go to before the index is assembled: one per
    /// run, so nothing but the requested tags appears in the user's repository.
    static func stagingRepository(_ runID: String) -> String { "xplat-tmp/\(runID)" }

    /// `HOST/xplat-tmp/RUN:TAG` on the registry the output goes to (`--push`: the `-t` host).
    static func stagingImage(_ request: BuildRequest, runID: String, tag: String) -> String {
        let host = request.output == .push ? request.pushRegistry ?? request.registry : request.registry
        return "\(host)/\(stagingRepository(runID)):\(tag)"
    }

    /// Cleanup removing a staging image (and, for an index, its manifests) from its registry.
    static func removeStaging(_ image: String) -> @Sendable () async -> Void {
        let host = RegistryClient.host(of: image) ?? ""
        let client = RegistryClient(registry: host)
        let (repository, reference) = client.locate(image)
        return { await client.remove(repository: repository, reference: reference) }
    }

    /// Maps a failed build's stderr to a `BuildError`, asking the registry which platforms a base
    /// image has when it lacks the requested one.
    static func failure(_ stderr: String, platform: Platform?, registry: String) async -> BuildError {
        var diagnosis = BuildDiagnosis.diagnose(stderr: stderr, platform: platform, registry: registry)
        if diagnosis.kind == .baseLacksPlatform, let image = diagnosis.image,
           let available = try? await RegistryClient(registry: registry).platforms(of: image) {
            diagnosis = diagnosis.adding(availablePlatforms: available)
        }
        return .buildFailed(platform: platform, diagnosis: diagnosis)
    }

    /// Runs `command` (a path inside the root, then arguments) under QEMU user mode with the root as
    /// the library prefix: `qemu-aarch64-static -L ROOT ROOT/usr/local/bin/hello ARGS`.
    func smokeTest(_ command: [String], root: String, platform: Platform) async throws -> CommandOutput {
        guard let info = platform.info else { throw BuildError.verificationError("--smoke: no QEMU known for \(platform)") }
        // The command's program is a path inside the root.
        let program = command[0].hasPrefix("/") ? command[0] : "/" + command[0]
        guard FileManager.default.fileExists(atPath: root + program) else {
            throw BuildError.verificationError("--smoke: \(program) does not exist in the \(platform) output")
        }
        return try await runner.run(Command("\(info.qemuName)-static", ["-L", root, root + program] + command.dropFirst()))
    }

    /// A private folder under `directory`, failures reported as the build's own error.
    static func makeTemporaryDirectory(in directory: String, prefix: String) throws -> String {
        do { return try TemporaryDirectory.make(in: directory, prefix: prefix) } catch let error as FileWriteError {
            throw BuildError.unreadable(directory, "cannot make a temporary folder: \(error.reason)")
        }
    }
}
