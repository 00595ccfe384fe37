// `xplat build`: plan, build every platform for real, verify, assemble the output.

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatSupport

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract:
            "Build a Dockerfile for several platforms (native, cross or emulated per platform) and verify the result.",
        discussion: ErrorMap.buildDiscussion(
            """
            Outputs as buildx: -o type=local,dest=DIR (DIR/linux_arm64/... per platform), type=tar,dest=F, \
            type=oci,dest=F[,tar=false], --push -t NAME:TAG (image index for all platforms), --load -t NAME (one platform).
            """,
            usage: "bad usage, or a flag the chosen driver cannot do (refused before building)"))

    @OptionGroup var input: BuildInputOptions

    @OptionGroup var flags: BuildFlagOptions

    @Option(
        name: [.short, .customLong("output")],
        help: "type=local,dest=DIR | type=tar,dest=F | type=oci,dest=F | type=registry | DIR")
    var output: [String] = []

    @Option(name: [.short, .customLong("tag")], help: "Image name, repeatable (with --push or --load).")
    var tags: [String] = []

    @Flag(name: .long, help: "Push an image index for all platforms to the registry (needs -t).")
    var push = false

    @Flag(name: .long, help: "Load the image (one platform) into the engine (needs -t).")
    var load = false

    @Option(
        name: .customLong("metadata-file"),
        help: "Write build metadata (digests, per-platform node, mode, time) as JSON.")
    var metadataFile: String?

    @Flag(name: .customLong("no-cache"), help: "Do not use BuildKit's cache.")
    var noCache = false

    @Flag(name: .customLong("no-verify"), help: "Skip verifying each platform's binaries.")
    var noVerify = false

    @Option(name: .long, help: "Run 'CMD ARGS' from each platform's output under QEMU and show what it printed.")
    var smoke: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and stop.")
    var dryRun = false

    @Flag(name: .long, help: "With --dry-run: the plan as JSON (xplat.plan/v1).")
    var json = false

    @Option(name: .long, help: "Progress: auto, plain, tty, quiet.")
    var progress: ProgressMode = .auto

    @Option(name: .long, help: "buildx attestation: provenance (e.g. mode=max), passed through; default none.")
    var provenance: String?

    @Option(name: .long, help: "buildx attestation: SBOM (e.g. true), passed through; default none.")
    var sbom: String?

    func validate() throws {
        if push && load { throw ValidationError("--push and --load cannot go together") }
        if output.count > 1 { throw ValidationError("-o/--output: multiple outputs currently unsupported (as buildx)") }
        // buildx: --push adds push=true to an image output (`registry` is one), --load is
        // `type=docker`; any other output with them is refused.
        if let first = output.first, push || load, let type = try? OutputSpec.exporterType(first),
            push ? type != "image" && type != "registry" : type != "docker"
        {
            throw ValidationError(
                "--\(push ? "push" : "load") and \"\(type)\" output can't be used together (as buildx)")
        }
        if let first = output.first, (try? OutputSpec.parse(first))?.isStandardOutput == true, isatty(1) == 1 {
            throw ValidationError(
                "-o \(first): dest file is required for this exporter; refusing to write to console (as buildx)")
        }
        if flags.quiet && progress != .auto && progress != .quiet {
            throw ValidationError("--progress \(progress.rawValue) and --quiet cannot be used together (as buildx)")
        }
        if json && !dryRun { throw ValidationError("--json goes with --dry-run") }
    }

    func run() async throws {
        let request = try makeRequest()
        let service = try await BuildEnvironment.service(quiet: progress == .quiet || flags.quiet)
        let selection = try input.selection()
        if dryRun {
            let plan: Plan
            do { plan = try await service.plan(request, selection: selection) } catch {
                throw ErrorMap.failure(for: error)
            }
            emit(
                json
                    ? try PlanRenderer.json(plan)
                    : PlanRenderer.text(plan, style: Style.detect(fd: 1, environment: BuildEnvironment.environment)))
            if !plan.buildable { throw ErrorMap.checkFailed("some platforms cannot be built (see the plan)") }
            return
        }
        if let warning = flags.ignoredWarning { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        let tty = isatty(2) == 1
        let (result, interrupted) = try await Interrupts.cancellingOnSignals {
            try await service.build(request, selection: selection, tty: tty)
        }
        switch result {
        // buildx -q prints the image id alone (an empty line when the build made no image).
        case .success(let built):
            let text = request.quiet ? (built.quietID ?? "") + "\n" : BuildResultRenderer.text(built)
            // With the output itself on stdout (`-o -`), what xplat says goes to stderr.
            if request.output.isStandardOutput { FileHandle.standardError.write(Data(text.utf8)) } else { emit(text) }
        case .failure(let error):
            if interrupted { throw ErrorMap.interrupted() }
            throw ErrorMap.failure(for: error)
        }
    }

    /// The validated request; a bad value exits with the build's usage code.
    private func makeRequest() throws -> BuildRequest {
        do {
            // Parsed with --push/--load too: its attributes are checked, none dropped.
            let parsed = try output.first.map(OutputSpec.parse)
            let spec: OutputSpec = push ? .push : load ? .load : parsed ?? .none
            var request = BuildRequest(
                dockerfile: input.dockerfile, context: input.context, platforms: try input.parsePlatforms(),
                target: input.target, buildArgs: input.buildArgs, output: spec, tags: tags,
                metadataFile: metadataFile, noCache: noCache, verify: !noVerify,
                smoke: try smoke.map { line in
                    do { return try ShellQuote.split(line) } catch { throw BuildError.conflict("--smoke: \(error)") }
                }, rewrite: input.rewrite,
                progress: flags.quiet ? .quiet : progress, registry: BuildEnvironment.registry)
            try flags.apply(to: &request, environment: BuildEnvironment.environment)
            if let first = output.first {
                let extra = try OutputSpec.imageAttributes(first)
                request.tags += extra.names.filter { !request.tags.contains($0) }
                request.annotations += extra.annotations
            }
            request.provenance = provenance
            request.sbom = sbom
            try request.validate()
            return request
        } catch { throw ErrorMap.failure(for: error) }
    }
}

extension ProgressMode: ExpressibleByArgument {}
