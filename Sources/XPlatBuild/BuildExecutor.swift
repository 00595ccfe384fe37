// Runs a plan: the builds, the exports, verification, smoke tests and output assembly.

import Foundation
import Synchronization
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

/// Executes plans with real commands.
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
        let registry = RegistryClient(registry: request.registry)
        var results: [Platform: PlatformResult] = [:]
        var images: [Platform: String] = [:]  // per-platform image refs in the registry

        if plan.driverName == "buildx" {
            (results, images) = try await runBuildx(request, plan: plan, commands: commands, work: work, needRoots: needRoots,
                                                    runID: runID, cleanup: cleanup, progress: progress)
        } else {
            (results, images) = try await runEngine(request, plan: plan, commands: commands, work: work, needRoots: needRoots,
                                                    runID: runID, cleanup: cleanup, progress: progress)
        }
        try Task.checkCancellation()

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
            // Per-platform images were pushed to a staging repository; the target repository gets
            // them by digest (blobs mounted, no upload) and only the requested tags point at the index.
            let target = RegistryClient(registry: request.pushRegistry ?? request.registry)
            let entries = try await manifests(images, registry: target, platforms: request.platforms)
            let data = RegistryClient.index(entries: entries)
            for tag in request.tags {
                let (repository, reference) = target.locate(tag)
                for entry in entries { try await target.copy(entry.manifest, from: Self.stagingRepository(runID), to: repository) }
                indexDigest = try await target.put(repository: repository, reference: reference,
                                                   mediaType: RegistryClient.indexMediaType(for: entries), data: data)
            }
            for p in request.platforms { results[p]?.digest = entries.first { $0.platform == p }?.manifest.digest }
            outputText = request.tags.joined(separator: ", ")
        case .oci(let dest, let asTar):
            let entries = try await manifests(images, registry: registry, platforms: request.platforms)
            let repository = Self.stagingRepository(runID)
            let data = RegistryClient.index(entries: entries)
            let digest = try await registry.put(repository: repository, reference: "index",
                                                mediaType: RegistryClient.indexMediaType(for: entries), data: data)
            cleanup.add { await registry.remove(repository: repository, reference: digest) }
            // Named like buildx names it: the tag of the first -t, else latest.
            let refName = request.tags.first.flatMap { ImageReference.split($0).tag } ?? "latest"
            indexDigest = try await OutputAssembler.placeOCI(runner: runner, source: "docker://\(request.registry)/\(repository):index",
                                                             work: work, dest: dest, asTar: asTar, refName: refName)
            outputText = dest
        case .load:
            outputText = request.tags.joined(separator: ", ") + " (loaded into \(plan.platforms.first?.node ?? "the engine"))"
        case .none:
            outputText = "build cache only"
        }

        let ordered = request.platforms.compactMap { results[$0] }
        if let metadataFile = request.metadataFile {
            try OutputAssembler.writeMetadata(to: metadataFile, results: ordered, request: request, indexDigest: indexDigest)
        }
        return BuildResult(plan: plan, platforms: ordered, output: outputText, indexDigest: indexDigest)
    }

    // MARK: Engine driver: one build per platform, concurrently, over the nodes.

    func runEngine(_ request: BuildRequest, plan: Plan, commands: DriverCommands, work: String, needRoots: Bool,
                   runID: String, cleanup: Cleanup, progress: BuildProgress?) async throws -> ([Platform: PlatformResult], [Platform: String]) {
        try await withThrowingTaskGroup(of: (PlatformResult, String?).self) { group in
            for entry in plan.platforms {
                guard let node = plan.node(named: entry.node) else { continue }
                group.addTask {
                    let platform = entry.platform
                    let clock = ContinuousClock()
                    let start = clock.now
                    progress?.state(platform, "building")
                    var imageRef: String?
                    do {
                        var exports: [(Export, Bool)] = []  // (export, inline cache)
                        if needRoots { exports.append((.local(dest: "\(work)/roots/\(platform.folderName)", split: false), false)) }
                        switch request.output {
                        case .push, .oci:
                            imageRef = Self.stagingImage(request, runID: runID, tag: platform.folderName)
                        case .load:
                            exports.append((.image(tags: request.tags), false))
                        default: break
                        }
                        if let imageRef { exports.append((.image(tags: [imageRef]), false)) }
                        for ref in commands.engineCacheTags(platform: platform) { exports.append((.image(tags: [ref]), true)) }
                        if exports.isEmpty { exports.append((.image(tags: []), false)) }
                        for (n, (export, inline)) in exports.enumerated() {
                            let command = commands.engineBuild(platform: platform, node: node, export: export, inlineCache: inline)
                            // Later exports re-run the same solve from BuildKit's cache: their step
                            // lines would only repeat the first build's.
                            let feed = n == 0 ? progress : nil
                            let out = try await runner.stream(command) { _, line in feed?.line(line, platform: platform) }
                            try Task.checkCancellation()
                            guard out.succeeded else {
                                throw await Self.failure(out.stderr, platform: platform, registry: request.registry)
                            }
                            if case .image(let tags) = export, !tags.isEmpty, !(request.output == .load && tags == request.tags) {
                                for tag in tags {
                                    let pushed = try await runner.run(commands.push(tag, node: node))
                                    guard pushed.succeeded else {
                                        throw await Self.failure(pushed.stderr, platform: platform, registry: request.registry)
                                    }
                                    if tag == imageRef { cleanup.add(Self.removeStaging(tag)) }
                                }
                                let rmi = commands.removeImages(tags, node: node)
                                let runner = self.runner
                                cleanup.add { _ = try? await runner.run(rmi) }
                            }
                        }
                        progress?.state(platform, "done")
                    } catch {
                        progress?.state(platform, Task.isCancelled ? "cancelled" : "failed")
                        throw error
                    }
                    let elapsed = clock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    return (PlatformResult(platform: platform, node: node.name, mode: entry.mode, seconds: seconds), imageRef)
                }
            }
            var results: [Platform: PlatformResult] = [:]
            var images: [Platform: String] = [:]
            for try await (result, image) in group {
                results[result.platform] = result
                if let image { images[result.platform] = image }
            }
            return (results, images)
        }
    }

    // MARK: buildx driver: one solve per node.

    func runBuildx(_ request: BuildRequest, plan: Plan, commands: DriverCommands, work: String, needRoots: Bool,
                   runID: String, cleanup: Cleanup, progress: BuildProgress?) async throws -> ([Platform: PlatformResult], [Platform: String]) {
        let builders = Set(plan.nodes.compactMap { node -> String? in
            if case .buildx(let b, _) = node.driver { return b } else { return nil }
        })
        let multiNode = plan.nodes.count > 1 || builders.count > 1
        return try await withThrowingTaskGroup(of: ([PlatformResult], [Platform: String]).self) { group in
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
                    var exports: [Export] = []
                    if needRoots { exports.append(.local(dest: "\(work)/solve-\(i)", split: true)) }
                    var images: [Platform: String] = [:]
                    switch request.output {
                    case .push, .oci:
                        let ref = Self.stagingImage(request, runID: runID, tag: "solve-\(i)")
                        cleanup.add(Self.removeStaging(ref))
                        exports.append(.push(tags: [ref]))
                        for p in solve.platforms { images[p] = ref }
                    case .load:
                        exports.append(.load(tags: request.tags))
                    default: break
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
                        guard out.succeeded else { throw await Self.failure(out.stderr, platform: single, registry: request.registry) }
                    }
                    if needRoots {
                        try FileManager.default.createDirectory(atPath: "\(work)/roots", withIntermediateDirectories: true)
                        for p in solve.platforms {
                            try FileManager.default.moveItem(atPath: "\(work)/solve-\(i)/\(p.folderName)", toPath: "\(work)/roots/\(p.folderName)")
                        }
                    }
                    for p in solve.platforms { progress?.state(p, "done") }
                    let d = ContinuousClock.now - start
                    let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                    let results = solve.platforms.map { p in
                        PlatformResult(platform: p, node: node.name, mode: plan.platforms.first { $0.platform == p }?.mode ?? .native, seconds: seconds)
                    }
                    return (results, images)
                }
            }
            var results: [Platform: PlatformResult] = [:]
            var images: [Platform: String] = [:]
            for try await (list, imgs) in group {
                for r in list { results[r.platform] = r }
                images.merge(imgs) { a, _ in a }
            }
            return (results, images)
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
            if m.mediaType.contains("index") || m.mediaType.contains("list"),
               let object = try JSONSerialization.jsonObject(with: m.data) as? [String: Any],
               let list = object["manifests"] as? [[String: Any]] {
                guard let entry = list.first(where: { e in
                    guard let p = e["platform"] as? [String: Any] else { return false }
                    let text = [p["os"] as? String, p["architecture"] as? String, p["variant"] as? String].compactMap { $0 }.joined(separator: "/")
                    return (try? Platform(parsing: text)) == platform
                }), let digest = entry["digest"] as? String else {
                    throw BuildError.assemblyFailed("\(ref) holds no \(platform) manifest")
                }
                m = try await registry.manifest(repository: repository, reference: digest)
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
