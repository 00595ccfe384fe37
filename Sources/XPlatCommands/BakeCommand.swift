// `xplat bake`: a bake file's targets (read by `docker buildx bake --print`), planned together,
// built in dependency order, verified before anything is published.

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

struct BakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bake",
        abstract:
            "Build the targets of a bake file (HCL, JSON, compose) as buildx reads it, planned and verified as one "
            + "build.",
        discussion: ErrorMap.buildDiscussion(
            """
            The file is read by `docker buildx bake --print` (variables, functions, inherits, groups, --set: what buildx \
            makes of them). Every target is planned on the same nodes as `xplat build`, built after the targets it builds \
            on (contexts = { NAME = "target:OTHER" }), and verified; nothing is pushed, loaded or written before every \
            target passed.
            """,
            usage:
                "bad usage, a flag or target field the chosen driver cannot do (refused before building), a file "
                + "buildx rejects (its message), or a client without buildx"))

    @Option(
        name: [.short, .customLong("file")],
        help: "Build definition file, repeatable (default: buildx's: docker-bake.hcl, compose files...).")
    var files: [String] = []

    @Option(
        name: .customLong("set"),
        help: "Override a target value (TARGETPATTERN.KEY=VALUE), repeatable; passed to buildx.")
    var sets: [String] = []

    @Flag(name: .long, help: "Push every image target (buildx: --set *.output=type=registry).")
    var push = false

    @Flag(name: .long, help: "Load every target into the engine (buildx: --set *.output=type=docker).")
    var load = false

    @Flag(name: .customLong("no-cache"), help: "Do not use BuildKit's cache (every target).")
    var noCache = false

    @Flag(name: .long, help: "Always look up base images in their registry (every target).")
    var pull = false

    @Option(name: .long, help: "buildx attestation for every target: provenance value, passed to buildx.")
    var provenance: String?

    @Option(name: .long, help: "buildx attestation for every target: SBOM value, passed to buildx.")
    var sbom: String?

    @Option(
        name: .customLong("metadata-file"), help: "Write one object per target (buildx's keys and xplat's) as JSON.")
    var metadataFile: String?

    @Flag(name: .long, help: "Print buildx's resolved definition and stop (with --json: xplat's plan beside it).")
    var print = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan of every target and stop.")
    var dryRun = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "With --dry-run: the plan as JSON (xplat.bake-plan/v1); with --print: definition and plan "
                + "(xplat.bake-print/v1).")
    )
    var json = false

    @Flag(
        name: .long,
        help: "Build each target from the cross-compiling rewrite of its Dockerfile (your files are untouched).")
    var rewrite = false

    @Flag(name: .customLong("no-verify"), help: "Skip verifying each platform's binaries.")
    var noVerify = false

    @Option(
        name: .long,
        help:
            "Network for RUN steps of targets that set none: default, host or none (default: the builder's, as buildx)."
    )
    var network: String?

    @Option(name: .long, help: "Progress: auto, plain, tty, quiet.")
    var progress: ProgressMode = .auto

    @OptionGroup var location: NodeOptions

    @Argument(help: "Targets or groups (default: buildx's \"default\").")
    var targets: [String] = []

    func validate() throws {
        if push && load { throw ValidationError("--push and --load cannot go together") }
        if json && !dryRun && !print { throw ValidationError("--json goes with --dry-run or --print") }
    }

    func run() async throws {
        let service = try await BuildEnvironment.service()
        let invocation = BakeInvocation(
            files: files, sets: sets, targets: targets, push: push, load: load,
            noCache: noCache ? true : nil, pull: pull ? true : nil, provenance: provenance, sbom: sbom)
        let options = try makeOptions()
        let selected = try location.selection()
        let printed: BakePrint
        do { printed = try await service.printBake(invocation) } catch { throw ErrorMap.failure(for: error) }
        if print && !json {
            emit(printed.json)
            return
        }
        let prepared: PreparedBake
        do { prepared = try await service.prepareBake(printed, options: options, selection: selected) } catch {
            throw ErrorMap.failure(for: error)
        }
        if print || dryRun {
            defer { prepared.discard() }
            let style = Style.detect(fd: 1, environment: BuildEnvironment.environment)
            emit(
                print
                    ? try BakeRenderer.printJSON(printed, plan: prepared.plan)
                    : json ? try BakeRenderer.json(prepared.plan) : BakeRenderer.text(prepared.plan, style: style))
            if !prepared.plan.buildable { throw ErrorMap.checkFailed("some platforms cannot be built (see the plan)") }
            return
        }
        let tty = isatty(2) == 1
        let (result, interrupted) = try await Interrupts.cancellingOnSignals {
            defer { prepared.discard() }
            return try await service.bake(prepared, options: options, tty: tty)
        }
        switch result {
        case .success(let built): emit(BakeRenderer.text(built))
        case .failure(let error):
            if interrupted { throw ErrorMap.interrupted() }
            throw ErrorMap.failure(for: error)
        }
    }

    private func makeOptions() throws -> BakeOptions {
        let platforms: [Platform]
        do {
            platforms = try DefaultPlatform.resolve(
                environment: BuildEnvironment.environment, unameMachine: HostProbe.unameMachine())
        } catch { throw ValidationError("\(error)") }
        let local = try? DefaultPlatform.resolve(environment: [:], unameMachine: HostProbe.unameMachine()).first
        let mode: NetworkMode?
        do { mode = try network.map(NetworkMode.init(parsing:)) } catch { throw ValidationError("\(error)") }
        var options = BakeOptions(
            defaultPlatforms: platforms, rewrite: rewrite, verify: !noVerify, progress: progress, network: mode,
            registry: BuildEnvironment.registry, metadataFile: metadataFile)
        options.localPlatform = local
        options.environment = BuildEnvironment.environment
        return options
    }
}
