// `xplat bake`'s plan and run: buildx's definition read once, the nodes probed once, one plan per
// target on them, the targets solved and verified in dependency order, then published.

import Foundation
import XPlatDocker
import XPlatJSON
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// The plan of every target of a bake, in build order, on one set of nodes.
public struct BakePlan: Sendable {
    /// The JSON schema name.
    public static let schema = "xplat.bake-plan/v1"

    /// The buildx that printed the definition (`v0.10.5`).
    public var buildx: String
    public var targets: [BakeTargetPlan]

    /// True when every platform of every target has a node.
    public var buildable: Bool { targets.allSatisfy(\.plan.buildable) }
}

/// One target's plan.
public struct BakeTargetPlan: Sendable {
    public var name: String
    public var links: [BakeLink]
    public var request: BuildRequest
    public var plan: Plan
    /// The Dockerfile BuildKit reads (the rewritten temp file with `--rewrite`).
    public var dockerfileToBuild: String
}

/// A bake, planned and ready to run; `discard()` removes its temporary files.
public struct PreparedBake: Sendable {
    public var print: BakePrint
    public var plan: BakePlan
    /// Inline Dockerfiles and rewritten Dockerfiles.
    var temporary: [String]

    public func discard() { for path in temporary { try? FileManager.default.removeItem(atPath: path) } }
}

/// What a bake did: each target's result, in build order.
public struct BakeResult: Sendable {
    public var buildx: String
    public var targets: [(name: String, result: BuildResult)]
}

extension BuildService {
    /// `docker buildx version` (unless the client choice knows it), then `docker buildx bake --print
    /// ...`: buildx's JSON, parsed. A client without buildx: `.noBuildx`; a buildx without bake, or a
    /// file buildx rejects: `.bake` with buildx's own message.
    public func printBake(_ invocation: BakeInvocation, in directory: String? = nil) async throws -> BakePrint {
        let plugin = await NodeDiscovery.buildxPlugin(of: docker, known: buildx, runner: runner)
        guard case .present(let version) = plugin else {
            var said = ""
            if case .absent(let text) = plugin { said = text }
            throw BuildError.noBuildx(client: docker, said: said)
        }
        let buildx = version.text
        let printed = try await runner.run(Command(docker, invocation.printArguments, workingDirectory: directory))
        guard printed.succeeded else { throw BuildError.bake(Self.message(printed)) }
        do {
            return BakePrint(json: printed.stdout, definition: try BakeDefinition.parse(printed.stdout), buildx: buildx)
        } catch let error as BakeDefinitionError {
            throw BuildError.bake("\(error) (buildx \(buildx))")
        }
    }

    /// What a failed buildx command said: stderr, else stdout, else its exit status.
    static func message(_ out: CommandOutput) -> String {
        let text = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { return text }
        let stdout = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return stdout.isEmpty ? "exit \(out.exitCode)" : stdout
    }

    /// Maps every target, probes the nodes once, and plans each target on them (with `--rewrite`,
    /// from its rewritten Dockerfile). Refusals come here, before anything builds.
    public func prepareBake(_ print: BakePrint, options: BakeOptions, selection: NodeSelection) async throws
        -> PreparedBake
    {
        var temporary: [String] = []
        do {
            let order = try BakeMapping.order(print.definition)
            var inline: String?
            let inlineDirectory: () throws -> String = {
                if let inline { return inline }
                let dir = try BuildExecutor.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-bake")
                temporary.append(dir)
                inline = dir
                return dir
            }
            let mapped = try order.map { name in
                let target = print.definition.targets[name]!
                return BakeTargetRequest(
                    name: name,
                    request: try BakeMapping.request(for: target, options: options, inlineDirectory: inlineDirectory),
                    links: target.targetContexts.map { BakeLink(context: $0.context, target: $0.target) })
            }
            try checkLinks(mapped)
            var discovered = selection
            if discovered.discovered == nil {
                var known = self
                known.buildx = print.plugin
                discovered.discovered = try await known.discover(selection)
            }
            var targets: [BakeTargetPlan] = []
            for t in mapped {
                let prepared: PreparedBuild
                do { prepared = try await prepare(t.request, selection: discovered) } catch let error as BuildError {
                    throw BuildError.target(t.name, error)
                }
                if let file = prepared.temporaryDockerfile { temporary.append(PathText.parent(of: file)) }
                temporary += prepared.temporaryFolders
                targets.append(
                    BakeTargetPlan(
                        name: t.name, links: t.links, request: prepared.request, plan: prepared.plan,
                        dockerfileToBuild: prepared.dockerfileToBuild))
            }
            return PreparedBake(
                print: print, plan: BakePlan(buildx: print.buildx, targets: targets), temporary: temporary)
        } catch {
            for path in temporary { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    /// buildx's rule for a target used by another: both with several platforms must have the same
    /// ones ("can't be used by ... because it is defined for different platforms"); xplat's: the
    /// target built on must build every platform of the dependent (its image is passed per
    /// platform), and can be loaded nowhere but into the dependent solve.
    func checkLinks(_ targets: [BakeTargetRequest]) throws {
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) })
        for t in targets {
            for link in t.links {
                guard let base = byName[link.target] else { continue }
                let a = Set(t.request.platforms), b = Set(base.request.platforms)
                if a.count > 1, b.count > 1, a != b {
                    throw BuildError.target(
                        t.name,
                        .conflict(
                            "context \(link.context) = target:\(link.target): \(link.target) is defined for different "
                                + "platforms (\(base.request.platforms.map(\.description).joined(separator: ","))) "
                                + "than \(t.name) (\(t.request.platforms.map(\.description).joined(separator: ",")))"))
                }
                // Each platform's solve reads the base's image of that platform: one the base
                // does not build would fail in BuildKit ("no match for platform"), after the base
                // was built. (buildx 0.10.5 hands a one-platform base to every platform instead.)
                if !a.isSubset(of: b) {
                    let missing = t.request.platforms.filter { !b.contains($0) }.map(\.description).joined(
                        separator: ",")
                    throw BuildError.target(
                        t.name,
                        .conflict(
                            "context \(link.context) = target:\(link.target): \(link.target) is built for "
                                + "\(base.request.platforms.map(\.description).joined(separator: ",")), not for "
                                + "\(missing), and xplat passes a target's image per platform; give \(link.target) the "
                                + "platforms of \(t.name)"
                        ))
                }
                if base.request.output == .load {
                    throw BuildError.target(
                        link.target,
                        .conflict(
                            "--load: \(t.name) builds on this target (context \(link.context)); xplat passes its image "
                                + "to \(t.name) as an OCI layout, which a loaded image is not; use another output for "
                                + "\(link.target)"
                        ))
                }
            }
        }
    }

    /// Runs a prepared bake: every target solved and verified in order (a target's image reaching
    /// the targets built on it), then every output published, then the metadata file. A failure
    /// in any target (a wrong-architecture binary included) stops the bake before anything is
    /// published. Throws `BuildError` (`.target(NAME, ...)` for a target's own failure).
    public func bake(_ prepared: PreparedBake, options: BakeOptions, tty: Bool) async throws -> BakeResult {
        let executor = BuildExecutor(
            runner: runner, docker: docker, verifier: verifier, temporaryDirectory: temporaryDirectory,
            registryConfiguration: Self.registryConfiguration(environment: environment))
        let targets = prepared.plan.targets
        // The buildx that printed the definition is the one that builds: not asked again.
        let buildx = targets.contains { $0.plan.driverKind == .buildx } ? prepared.print.plugin.version : nil
        for t in targets {
            guard t.plan.buildable else {
                throw BuildError.target(t.name, .impossible(t.plan.platforms.filter { $0.mode == .impossible }))
            }
            do { try executor.strategy(for: t.plan).check(t.request, plan: t.plan, buildx: buildx) } catch let error
                as BuildError
            {
                throw BuildError.target(t.name, error)
            }
        }
        for t in targets {
            switch t.request.output {
            case .local(let dest, _), .tar(let dest), .oci(let dest, _): try OutputAssembler.ensureParent(of: dest)
            default: break
            }
        }
        let cleanup = Cleanup()
        do {
            let staged = try await stageAll(
                targets, executor: executor, buildx: buildx, cleanup: cleanup, options: options, tty: tty)
            var results: [(name: String, result: BuildResult)] = []
            for (name, build) in staged {
                do { results.append((name, try await executor.finish(build))) } catch let error as BuildError {
                    throw BuildError.target(name, error)
                }
            }
            if let file = options.metadataFile {
                try Self.writeBakeMetadata(to: file, results, targets: targets, buildx: prepared.print.buildx)
            }
            await cleanup.run()
            return BakeResult(buildx: prepared.print.buildx, targets: results)
        } catch {
            await cleanup.run()
            if Task.isCancelled || error is CancellationError { throw BuildError.interrupted }
            throw error
        }
    }

    /// Solves and verifies every target, in waves: the targets whose bases are done run
    /// together (as buildx runs independent targets at once), each wave after the one before.
    /// A wave of several targets reports in plain lines, also on a terminal. The first failure
    /// cancels the rest.
    func stageAll(
        _ targets: [BakeTargetPlan], executor: BuildExecutor, buildx: BuildxVersion?, cleanup: Cleanup,
        options: BakeOptions,
        tty: Bool
    ) async throws
        -> [(String, BuildExecutor.StagedBuild)]
    {
        let used = Set(targets.flatMap { $0.links.map(\.target) })
        var staged: [String: BuildExecutor.StagedBuild] = [:]
        var remaining = targets
        while !remaining.isEmpty {
            let wave = remaining.filter { $0.links.allSatisfy { staged[$0.target] != nil } }
            guard !wave.isEmpty else {
                throw BuildError.bake(
                    "target: contexts form a cycle among \(remaining.map(\.name).joined(separator: ", "))")
            }
            remaining.removeAll { t in wave.contains { $0.name == t.name } }
            let bases = staged
            // One redrawn block per target would overwrite another's: several at once report in lines.
            let terminal = wave.count == 1 && (options.progress == .tty || (options.progress == .auto && tty))
            try await withThrowingTaskGroup(of: (String, BuildExecutor.StagedBuild).self) { group in
                for t in wave {
                    group.addTask {
                        do {
                            return (
                                t.name,
                                try await stage(
                                    t, bases: bases, needsImage: used.contains(t.name), executor: executor,
                                    buildx: buildx,
                                    cleanup: cleanup, options: options, tty: terminal)
                            )
                        } catch let error as BuildError {
                            throw BuildError.target(t.name, error)
                        }
                    }
                }
                for try await (name, build) in group { staged[name] = build }
            }
        }
        return targets.map { ($0.name, staged[$0.name]!) }
    }

    /// One target solved and verified. Each target it builds on reaches it as an OCI layout in
    /// this target's own folder, passed as `--build-context NAME=oci-layout://DIR@DIGEST`: per
    /// platform, its filesystem and image config, as buildx passes a `target:` context's result
    /// to the dependent solve. A target others build on is exported as an image too.
    func stage(
        _ target: BakeTargetPlan, bases: [String: BuildExecutor.StagedBuild], needsImage: Bool, executor: BuildExecutor,
        buildx: BuildxVersion?, cleanup: Cleanup, options: BakeOptions, tty: Bool
    ) async throws -> BuildExecutor.StagedBuild {
        var request = target.request
        // A target others build on whose own output is no image: its image is an input, not a
        // publication, and carries no attestation unless asked for.
        let inputImage = needsImage && SolveImage(request.output, tags: request.tags) == .none
        if inputImage, request.attests.isEmpty, request.provenance == nil, request.sbom == nil {
            request.provenance = "false"
        }
        let work = try BuildExecutor.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-build")
        cleanup.remove(work)
        for (i, context) in request.buildContexts.enumerated() {
            guard case .target(let other) = context.source, let base = bases[other] else { continue }
            let dir = "\(work)/context-\(i)"
            let index = try await ImagePublisher.writeOCI(
                base.solved.images, attestations: [:], platforms: base.job.request.platforms,
                dest: dir, asTar: false, refName: "latest", work: work, runner: runner)
            request.buildContexts[i] = NamedContext(name: context.name, source: .ociLayout("\(dir)@\(index.digest)"))
        }
        let progress = BuildProgress(
            plan: target.plan, style: ProgressStyle(options.progress, terminal: tty), label: target.name)
        var job = try await executor.solveJob(
            request, plan: target.plan, dockerfile: target.dockerfileToBuild, buildx: buildx, work: work,
            cleanup: cleanup, progress: progress)
        if inputImage {
            job.image = .staged
            job.needRoots = true
        }
        return try await executor.stage(job, strategy: executor.strategy(for: target.plan))
    }

    /// `--metadata-file` in bake's shape: one object per target, buildx's keys where they apply
    /// (`containerimage.digest`, `image.name` for image outputs) and xplat's (`xplat.platforms`,
    /// ...), plus `xplat.buildx`, the buildx that printed the definition.
    static func writeBakeMetadata(
        to path: String, _ results: [(name: String, result: BuildResult)], targets: [BakeTargetPlan],
        buildx: String
    ) throws {
        var object: [String: Any] = [:]
        for (name, result) in results {
            guard let request = targets.first(where: { $0.name == name })?.request else { continue }
            var entry = OutputAssembler.metadata(result: result, request: request)
            // A target's tags name an image only when one is made (buildx writes no image.name
            // for a local, tar or cache-only output).
            switch request.output {
            case .push, .load, .oci: break
            case .local, .tar, .none: entry["image.name"] = nil
            }
            entry["xplat.buildx"] = buildx
            object[name] = entry
        }
        try OutputAssembler.writeJSON(object, to: path)
    }
}
