// Runs a plan: the builds, the exports, verification, smoke tests and output assembly.

import Foundation
import Synchronization
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
    /// BuildKit solves run for this platform (1 unless cache exports add more; a buildx solve of
    /// several platforms counts once, for its first platform).
    public var solves: Int = 1
}

/// The outcome of a build.
public struct BuildResult: Sendable {
    public var plan: Plan
    public var platforms: [PlatformResult]
    /// Where the output went (`./out`, `127.0.0.1:5000/hello:1`).
    public var output: String
    /// The image index digest for `--push`.
    public var indexDigest: String?
    /// Wall time of each phase: `solve`, `verify` (verification and smoke tests), `publish`.
    public var phases: [String: Double] = [:]
    /// What `--push` moved.
    public var transfer: TransferCounts?
}

/// Executes plans with real commands.
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

    public init(runner: any CommandRunner, docker: String, verifier: (any OutputVerifier)?, temporaryDirectory: String = "/tmp",
                registryConfiguration: RegistryConfiguration = RegistryConfiguration()) {
        self.runner = runner
        self.docker = docker
        self.verifier = verifier
        self.temporaryDirectory = temporaryDirectory
        self.registryConfiguration = registryConfiguration
    }

    /// Cleanup actions, run once whatever happens (also after cancellation).
    final class Cleanup: Sendable {
        let actions = Mutex<[@Sendable () async -> Void]>([])
        func add(_ action: @escaping @Sendable () async -> Void) { actions.withLock { $0.append(action) } }
        func run() async {
            let list = actions.withLock { a -> [@Sendable () async -> Void] in
                defer { a = [] }
                return a.reversed()
            }
            // Unstructured: a cancelled build still removes its leftovers (a child of a cancelled
            // task would have its own commands killed at once).
            await Task { for action in list { await action() } }.value
        }
    }

    /// Runs `plan` for `request`; `dockerfile` is the file BuildKit reads (the rewritten temp file
    /// with `--rewrite`). Throws `BuildError` (`.interrupted` when cancelled).
    public func run(_ request: BuildRequest, plan: Plan, dockerfile: String, progress: BuildProgress?) async throws -> BuildResult {
        try request.validate()
        guard plan.buildable else { throw BuildError.impossible(plan.platforms.filter { $0.mode == .impossible }) }
        let cleanup = Cleanup()
        let work = try Self.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-build")
        cleanup.add { try? FileManager.default.removeItem(atPath: work) }
        do {
            let result = try await execute(request, plan: plan, dockerfile: dockerfile, work: work, cleanup: cleanup, progress: progress)
            await cleanup.run()
            return result
        } catch {
            await cleanup.run()
            if Task.isCancelled || error is CancellationError { throw BuildError.interrupted }
            throw error
        }
    }

    func execute(_ request: BuildRequest, plan: Plan, dockerfile: String, work: String, cleanup: Cleanup,
                 progress: BuildProgress?) async throws -> BuildResult {
        let commands = DriverCommands(docker: docker, request: request, dockerfile: dockerfile)
        let needRoots: Bool = {
            switch request.output {
            case .local, .tar: return true
            default: return request.verify || request.smoke != nil
            }
        }()
        let runID = (work as NSString).lastPathComponent.lowercased().replacingOccurrences(of: "_", with: "-")
        // --push: the registry client lives for this build; the login is checked before building.
        var publisher: ImagePublisher?
        var targets: [RegistryReference] = []
        if request.output == .push {
            targets = try ImagePublisher.targets(request.tags)
            var configuration = registryConfiguration
            configuration.insecureRegistries.formUnion(
                await ImagePublisher.insecureRegistries(runner: runner, docker: docker, endpoint: plan.nodes.first?.endpoint ?? ""))
            let client = RegistryClient(configuration: configuration)
            cleanup.add { try? await client.shutdown() }
            publisher = ImagePublisher(client: client)
            try await publisher?.checkAccess(targets)
        }
        var results: [Platform: PlatformResult] = [:]
        var images: [Platform: LocalImage] = [:]  // each platform's image as files (image outputs)
        let clock = ContinuousClock()
        var phases: [String: Double] = [:]
        var phaseStart = clock.now
        func endPhase(_ name: String) {
            let d = clock.now - phaseStart
            phases[name] = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            phaseStart = clock.now
        }

        if plan.driverName == "buildx" {
            (results, images) = try await runBuildx(request, plan: plan, commands: commands, work: work, needRoots: needRoots,
                                                    runID: runID, cleanup: cleanup, progress: progress)
        } else {
            (results, images) = try await runEngine(request, plan: plan, commands: commands, work: work, needRoots: needRoots,
                                                    runID: runID, cleanup: cleanup, progress: progress)
        }
        try Task.checkCancellation()
        endPhase("solve")

        // Verify and smoke-test before anything is published.
        if needRoots {
            var failures: [Platform: String] = [:]
            let roots = request.platforms.map { (root: "\(work)/roots/\($0.folderName)", platform: $0) }
            if request.verify, let verifier {
                let outcomes = try await verifier.verify(roots: roots)
                for (platform, outcome) in outcomes {
                    results[platform]?.verification = outcome
                    if !outcome.passed { failures[platform] = outcome.report }
                }
            }
            if let smoke = request.smoke {
                for (root, platform) in roots {
                    results[platform]?.smoke = try await smokeTest(smoke, root: root, platform: platform)
                }
            }
            if !failures.isEmpty { throw BuildError.verificationFailed(failures) }
        }
        endPhase("verify")

        var indexDigest: String?
        var outputText = request.output.description
        switch request.output {
        case .local(let dest, let split):
            try await OutputAssembler.placeLocal(roots: "\(work)/roots", platforms: request.platforms,
                                                 split: split ?? (request.platforms.count > 1), dest: dest)
            outputText = dest
        case .tar(let dest):
            try await OutputAssembler.placeTar(runner: runner, roots: "\(work)/roots", platforms: request.platforms, dest: dest)
            outputText = dest
        case .push:
            let pushed = try await publisher!.push(images, platforms: request.platforms, to: targets)
            indexDigest = pushed.index
            for p in request.platforms { results[p]?.digest = pushed.manifests[p] }
            outputText = request.tags.joined(separator: ", ")
        case .oci(let dest, let asTar):
            // Named like buildx names it: the tag of the first -t, else latest.
            let refName = request.tags.first.flatMap { ImageReference.split($0).tag } ?? "latest"
            indexDigest = try await ImagePublisher.writeOCI(images, platforms: request.platforms, dest: dest, asTar: asTar,
                                                            refName: refName, work: work, runner: runner)
            for p in request.platforms { results[p]?.digest = images[p]?.manifest.digest }
            outputText = dest
        case .load:
            outputText = request.tags.joined(separator: ", ") + " (loaded into \(plan.platforms.first?.node ?? "the engine"))"
        case .none:
            outputText = "build cache only"
        }

        endPhase("publish")
        let ordered = request.platforms.compactMap { results[$0] }
        let result = BuildResult(plan: plan, platforms: ordered, output: outputText, indexDigest: indexDigest, phases: phases,
                                 transfer: publisher?.client.transferCounts)
        if let metadataFile = request.metadataFile { try OutputAssembler.writeMetadata(to: metadataFile, result: result, request: request) }
        return result
    }

    // MARK: Engine driver: one build per platform, concurrently, over the nodes.

    func runEngine(_ request: BuildRequest, plan: Plan, commands: DriverCommands, work: String, needRoots: Bool,
                   runID: String, cleanup: Cleanup, progress: BuildProgress?) async throws -> ([Platform: PlatformResult], [Platform: LocalImage]) {
        try await withThrowingTaskGroup(of: (PlatformResult, LocalImage?).self) { group in
            for entry in plan.platforms {
                guard let node = plan.node(named: entry.node) else { continue }
                group.addTask {
                    let platform = entry.platform
                    let start = ContinuousClock.now
                    progress?.state(platform, "building")
                    let image: LocalImage?
                    let solves: Int
                    do {
                        (image, solves) = try await engineSolve(request, platform: platform, node: node, commands: commands, work: work,
                                                      needRoots: needRoots, runID: runID, cleanup: cleanup, progress: progress)
                        progress?.state(platform, "done")
                    } catch {
                        progress?.state(platform, Task.isCancelled ? "cancelled" : "failed")
                        throw error
                    }
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    return (PlatformResult(platform: platform, node: node.name, mode: entry.mode, seconds: seconds, solves: solves), image)
                }
            }
            var results: [Platform: PlatformResult] = [:]
            var images: [Platform: LocalImage] = [:]
            for try await (result, image) in group {
                results[result.platform] = result
                if let image { images[result.platform] = image }
            }
            return (results, images)
        }
    }

    /// One platform on the engine, built once: `local`/`tar` outputs export the root; image
    /// outputs (`--push`, `oci`, `--load`) build an image in the engine's store, read it back with
    /// `docker save`, and lay its layers out as the root that verification reads. Cache exports
    /// (`--cache-to`) are further builds from BuildKit's cache.
    func engineSolve(_ request: BuildRequest, platform: Platform, node: BuilderNode, commands: DriverCommands, work: String,
                     needRoots: Bool, runID: String, cleanup: Cleanup, progress: BuildProgress?) async throws -> (LocalImage?, Int) {
        let root = "\(work)/roots/\(platform.folderName)"
        var imageTags: [String] = []
        switch request.output {
        case .push, .oci: imageTags = ["xplat-\(runID):\(platform.folderName)"]
        case .load: imageTags = request.tags
        default: break
        }
        var exports: [(Export, Bool)] = []  // (export, inline cache)
        if !imageTags.isEmpty {
            exports.append((.image(tags: imageTags), false))
        } else if needRoots {
            exports.append((.local(dest: root, split: false), false))
        }
        for ref in commands.engineCacheTags(platform: platform) { exports.append((.image(tags: [ref]), true)) }
        if exports.isEmpty { exports.append((.image(tags: []), false)) }
        for (n, (export, inline)) in exports.enumerated() {
            let command = commands.engineBuild(platform: platform, node: node, export: export, inlineCache: inline)
            // Later exports re-run the same solve from BuildKit's cache: their step lines would
            // only repeat the first build's.
            let feed = n == 0 ? progress : nil
            let out = try await runner.stream(command) { _, line in feed?.line(line, platform: platform) }
            try Task.checkCancellation()
            guard out.succeeded else { throw await failure(out.stderr, platform: platform, registry: request.registry) }
            guard case .image(let tags) = export, !tags.isEmpty else { continue }
            if tags != request.tags || request.output != .load {
                let rmi = commands.removeImages(tags, node: node)
                let runner = self.runner
                cleanup.add { _ = try? await runner.run(rmi) }
            }
            if inline {
                for tag in tags {
                    let pushed = try await runner.run(commands.push(tag, node: node))
                    guard pushed.succeeded else { throw await failure(pushed.stderr, platform: platform, registry: request.registry) }
                }
            }
        }
        guard let tag = imageTags.first else { return (nil, exports.count) }
        let export = ImageExport(runner: runner, docker: docker)
        let image = try await export.saveFromEngine(tag, node: node, platform: platform, into: "\(work)/images/\(platform.folderName)")
        if needRoots { try await export.extractRoot(image, to: root) }
        return (image, exports.count)
    }

    // MARK: buildx driver: one solve per node.

    func runBuildx(_ request: BuildRequest, plan: Plan, commands: DriverCommands, work: String, needRoots: Bool,
                   runID: String, cleanup: Cleanup, progress: BuildProgress?) async throws -> ([Platform: PlatformResult], [Platform: LocalImage]) {
        let builders = Set(plan.nodes.compactMap { node -> String? in
            if case .buildx(let b, _) = node.driver { return b } else { return nil }
        })
        let multiNode = plan.nodes.count > 1 || builders.count > 1
        return try await withThrowingTaskGroup(of: ([PlatformResult], [Platform: LocalImage]).self) { group in
            for (i, solve) in plan.solves.enumerated() {
                guard let node = plan.node(named: solve.node), case .buildx(let builderName, _) = node.driver else { continue }
                group.addTask {
                    var builder = builderName
                    if multiNode {
                        // A builder of its own per node: xplat, not buildx's resolver, places platforms.
                        builder = "xplat-\(runID)-\(i)"
                        let created = try await runner.run(commands.buildxCreate(name: builder, node: node, platforms: solve.platforms))
                        let remove = commands.buildxRemove(name: builder)
                        let runner = self.runner
                        cleanup.add { _ = try? await runner.run(remove) }
                        guard created.succeeded else {
                            throw BuildError.buildFailed(platform: nil, diagnosis: BuildDiagnosis.diagnose(stderr: created.stderr, platform: nil))
                        }
                    }
                    let start = ContinuousClock.now
                    for p in solve.platforms { progress?.state(p, "building") }
                    // Image outputs: the builder's own OCI export, read here (one solve; the roots
                    // come from its layers). Others: the roots themselves.
                    var exports: [Export] = []
                    let ociExport = "\(work)/solve-\(i).oci.tar"
                    switch request.output {
                    case .push, .oci: exports.append(.oci(dest: ociExport))
                    case .load:
                        if needRoots { exports.append(.local(dest: "\(work)/solve-\(i)", split: true)) }
                        exports.append(.load(tags: request.tags))
                    default: if needRoots { exports.append(.local(dest: "\(work)/solve-\(i)", split: true)) }
                    }
                    if exports.isEmpty { exports.append(.local(dest: "\(work)/solve-\(i)", split: true)) }
                    for export in exports {
                        let command = commands.buildxBuild(builder: builder, platforms: solve.platforms, export: export,
                                                           metadataFile: nil)
                        let single = solve.platforms.count == 1 ? solve.platforms[0] : nil
                        let out = try await runner.stream(command) { _, line in
                            for p in solve.platforms where single != nil || line.contains(p.description) { progress?.line(line, platform: p) }
                        }
                        try Task.checkCancellation()
                        guard out.succeeded else { throw await failure(out.stderr, platform: single, registry: request.registry) }
                    }
                    var images: [Platform: LocalImage] = [:]
                    let export = ImageExport(runner: runner, docker: docker)
                    if case .oci = exports[0] {
                        let all = try await export.readOCIExport(ociExport, into: "\(work)/images/solve-\(i)")
                        for p in solve.platforms {
                            guard let image = all[p] else { throw BuildError.assemblyFailed("the builder's OCI export holds no \(p) image") }
                            images[p] = image
                            if needRoots { try await export.extractRoot(image, to: "\(work)/roots/\(p.folderName)") }
                        }
                    } else if needRoots {
                        try FileManager.default.createDirectory(atPath: "\(work)/roots", withIntermediateDirectories: true)
                        for p in solve.platforms {
                            try FileManager.default.moveItem(atPath: "\(work)/solve-\(i)/\(p.folderName)", toPath: "\(work)/roots/\(p.folderName)")
                        }
                    }
                    for p in solve.platforms { progress?.state(p, "done") }
                    let d = ContinuousClock.now - start
                    let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    let results = solve.platforms.enumerated().map { n, p in
                        PlatformResult(platform: p, node: node.name, mode: plan.platforms.first { $0.platform == p }?.mode ?? .native,
                                       seconds: seconds, solves: n == 0 ? exports.count : 0)
                    }
                    return (results, images)
                }
            }
            var results: [Platform: PlatformResult] = [:]
            var images: [Platform: LocalImage] = [:]
            for try await (list, imgs) in group {
                for r in list { results[r.platform] = r }
                images.merge(imgs) { a, _ in a }
            }
            return (results, images)
        }
    }

    // MARK: Helpers

    /// Maps a failed build's stderr to a `BuildError`, asking the registry (`registry`, the
    /// engine's mirror, for a name without a host) which platforms a base image has when it lacks
    /// the requested one.
    func failure(_ stderr: String, platform: Platform?, registry: String) async -> BuildError {
        var diagnosis = BuildDiagnosis.diagnose(stderr: stderr, platform: platform, registry: registry)
        if diagnosis.kind == .baseLacksPlatform, let image = diagnosis.image,
           var reference = try? RegistryReference(parsing: image) {
            if reference.registry == RegistryReference.dockerHub && !registry.isEmpty { reference.registry = registry }
            let available = try? await RegistryClient.with(configuration: registryConfiguration) { client in
                try await client.platforms(of: reference).map(\.description)
            }
            if let available { diagnosis = diagnosis.adding(availablePlatforms: available) }
        }
        return .buildFailed(platform: platform, diagnosis: diagnosis)
    }

    /// Runs `command` (a path inside the root, then arguments) under QEMU user mode with the root as
    /// the library prefix: `qemu-aarch64-static -L ROOT ROOT/usr/local/bin/hello ARGS`.
    func smokeTest(_ command: [String], root: String, platform: Platform) async throws -> CommandOutput {
        guard let info = platform.info else { throw BuildError.verificationError("--smoke: no QEMU known for \(platform)") }
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
