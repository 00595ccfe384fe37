// The two entry points the CLI calls: `plan` (xplat plan, build --dry-run) and `build`.

import Foundation
import XPlatDocker
import XPlatDockerfile
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Rewrites a Dockerfile for cross-compilation for `target` with these build args: the new text and
/// a unified diff, empty when nothing changes (`CrossRewrite.rewriter`: XPlatDockerfile's rewriter).
public typealias DockerfileRewriter =
    @Sendable (
        _ dockerfile: Dockerfile, _ target: String?, _ buildArgs: [String: String],
        _ context: String, _ platforms: [Platform]
    ) throws
    -> (text: String, diff: String)

/// `--rewrite`: XPlatDockerfile's `Rewriter` (build stages moved to `$BUILDPLATFORM`, wired to
/// cross-compile) and its unified diff.
public enum CrossRewrite {
    public static let rewriter: DockerfileRewriter = { dockerfile, target, buildArgs, context, platforms in
        let result: RewriteResult
        let options = RewriteOptions(
            target: target, buildArgs: buildArgs,
            platforms: platforms.isEmpty ? RewriteOptions.defaultPlatforms : platforms,
            context: BuildContext.load(directory: context))
        do { result = try Rewriter.rewrite(dockerfile, options: options) } catch {
            throw BuildError.dockerfile("--rewrite: \(error)", cause: ErrorCause(error))
        }
        guard result.changed else { return (result.text, "") }
        return (result.text, UnifiedDiff.render(old: result.original, new: result.text, fileName: result.fileName))
    }
}

/// Where and how to build.
public struct NodeSelection: Sendable {
    public var nodes: [NodeSpec]
    public var builder: String?
    public var driver: DriverChoice
    /// Nodes already discovered for this selection (`xplat bake` probes once for all targets);
    /// nil: discover them.
    public var discovered: [BuilderNode]?

    public init(
        nodes: [NodeSpec] = [], builder: String? = nil, driver: DriverChoice = .auto, discovered: [BuilderNode]? = nil
    ) {
        self.nodes = nodes
        self.builder = builder
        self.driver = driver
        self.discovered = discovered
    }
}

/// A plan with the Dockerfile it will build (a temp file with `--rewrite`) and the request as it
/// is built (standard input written to files); `discard()` removes the temporary files.
public struct PreparedBuild: Sendable {
    public var plan: Plan
    public var dockerfileToBuild: String
    public var temporaryDockerfile: String?
    /// The request with `-f -` and context `-` replaced by the files standard input was written to.
    public var request: BuildRequest
    /// Folders of this build's own (standard input's files), removed by `discard()`.
    public var temporaryFolders: [String] = []
    /// What node discovery learned of the client's buildx, handed on to the build.
    public var buildx: BuildxPlugin = .unasked

    /// Removes the rewritten temp Dockerfile and standard input's files.
    public func discard() {
        if let t = temporaryDockerfile { try? FileManager.default.removeItem(atPath: PathText.parent(of: t)) }
        for folder in temporaryFolders { try? FileManager.default.removeItem(atPath: folder) }
    }
}

/// Plans and builds.
public struct BuildService: Sendable {
    public var runner: any CommandRunner
    public var docker: String
    public var environment: [String: String]
    public var probe: any EmulationProbe
    public var verifier: (any OutputVerifier)?
    public var rewriter: DockerfileRewriter?
    /// Where temp files go (the rewritten Dockerfile, staged outputs): `$TMPDIR`, else `/tmp`.
    public var temporaryDirectory: String
    /// What the client choice learned of the client's buildx (`docker buildx version` is asked once
    /// per run); `.unasked`: discovery asks when it needs it.
    public var buildx: BuildxPlugin = .unasked
    /// Reads all of standard input (`-f -`, context `-`), once.
    public var standardInput: @Sendable () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }

    public init(
        runner: any CommandRunner, docker: String, environment: [String: String], probe: any EmulationProbe,
        verifier: (any OutputVerifier)?, rewriter: DockerfileRewriter?
    ) {
        self.temporaryDirectory = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        self.runner = runner
        self.docker = docker
        self.environment = environment
        self.probe = probe
        self.verifier = verifier
        self.rewriter = rewriter
    }

    /// Reads and parses the Dockerfile, rewrites it with `--rewrite`, discovers nodes and plans.
    /// Standard input (`-f -`, context `-`) is read first, into files of the build's own.
    public func prepare(_ original: BuildRequest, selection: NodeSelection) async throws -> PreparedBuild {
        try original.validate()
        let (request, folders) = try await StandardInput(service: self).materialize(original)
        var prepared = PreparedBuild(
            plan: Plan(
                dockerfile: original.dockerfile, context: original.context, nodes: [], platforms: [], solves: []),
            dockerfileToBuild: request.dockerfile, temporaryDockerfile: nil, request: request, temporaryFolders: folders
        )
        do {
            let parsed = try readDockerfile(request)
            let rewritten = request.rewrite ? try rewrite(parsed, request) : nil
            prepared.temporaryDockerfile = rewritten?.file?.path
            prepared.dockerfileToBuild = rewritten?.file?.path ?? request.dockerfile
            let graph = try BuildGraph(dockerfile: rewritten?.file?.dockerfile ?? parsed).targeting(request.target)
            var nodes = selection.discovered ?? []
            prepared.buildx = buildx
            if selection.discovered == nil { (nodes, prepared.buildx) = try await discoverWithBuildx(selection) }
            prepared.plan = Plan(
                dockerfile: original.dockerfile, context: original.context, target: request.target,
                platforms: request.platforms, nodes: nodes, graph: graph, rewriteDiff: rewritten?.diff)
            return prepared
        } catch {
            prepared.discard()
            throw error
        }
    }

    /// The nodes `selection` names, each probed (buildx builders, engine endpoints).
    public func discover(_ selection: NodeSelection) async throws -> [BuilderNode] {
        try await discoverWithBuildx(selection).nodes
    }

    /// `discover`, and what is then known of the client's buildx.
    func discoverWithBuildx(_ selection: NodeSelection) async throws -> (nodes: [BuilderNode], buildx: BuildxPlugin) {
        let discovery = NodeDiscovery(
            runner: runner, docker: docker, environment: environment, probe: probe, buildx: buildx)
        return try await discovery.discoverWithBuildx(
            nodes: selection.nodes, builder: selection.builder, driver: selection.driver)
    }

    /// The request's Dockerfile, read and parsed; the build context must be a folder.
    func readDockerfile(_ request: BuildRequest) throws -> Dockerfile {
        let data: Data
        do { data = try UserFile.read(request.dockerfile) } catch let error as FileReadError {
            throw BuildError.unreadable(request.dockerfile, "cannot read the Dockerfile: \(error.reason)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.context, isDirectory: &isDir), isDir.boolValue else {
            throw BuildError.unreadable(request.context, "the build context is not a folder")
        }
        // A Dockerfile read from standard input is named as the user knows it (`<stdin>`), not by
        // xplat's copy, which is gone when the build ends.
        return try Self.parse(Array(data), fileName: FailedStepSource.userName(of: request.dockerfile))
    }

    /// `--rewrite`: the diff, and when there is one, the rewritten Dockerfile written to a
    /// temporary file and parsed.
    func rewrite(_ parsed: Dockerfile, _ request: BuildRequest) throws
        -> (diff: String, file: (path: String, dockerfile: Dockerfile)?)
    {
        guard let rewriter else {
            throw BuildError.conflict("--rewrite: this build of xplat has no Dockerfile rewriter")
        }
        var args: [String: String] = [:]
        for arg in request.buildArgs {
            guard let kv = KeyValue(arg) else { throw BuildError.badBuildArg(arg) }
            args[kv.key] = kv.value ?? environment[kv.key] ?? ""
        }
        let (text, diff) = try rewriter(parsed, request.target, args, request.context, request.platforms)
        guard !diff.isEmpty else { return (diff, nil) }
        // Outside the context and beside nothing of the user's: BuildKit reads --file from
        // anywhere, and the context is sent unchanged (the user's Dockerfile untouched).
        let dir = try BuildExecutor.makeTemporaryDirectory(in: temporaryDirectory, prefix: "xplat-rewrite")
        let path = "\(dir)/Dockerfile"
        do {
            try AtomicFile.write(text, to: path)
            return (
                diff,
                (
                    path,
                    try Self.parse(
                        Array(text.utf8), fileName: FailedStepSource.userName(of: request.dockerfile) + " (rewritten)")
                )
            )
        } catch {
            try? FileManager.default.removeItem(atPath: dir)  // cleanup; the error that matters is thrown
            throw error
        }
    }

    /// Parses a Dockerfile; a syntax error keeps its cause.
    static func parse(_ bytes: [UInt8], fileName: String) throws -> Dockerfile {
        do { return try DockerfileParser.parse(bytes: bytes, fileName: fileName) } catch {
            throw BuildError.dockerfile("\(error)", cause: ErrorCause(error))
        }
    }

    /// Plans only (`xplat plan`).
    public func plan(_ request: BuildRequest, selection: NodeSelection) async throws -> Plan {
        let prepared = try await prepare(request, selection: selection)
        prepared.discard()
        return prepared.plan
    }

    /// Plans and builds; `tty` chooses the progress display. Throws `BuildError`.
    public func build(_ request: BuildRequest, selection: NodeSelection, tty: Bool) async throws -> BuildResult {
        let prepared = try await prepare(request, selection: selection)
        defer { prepared.discard() }
        switch request.output {
        case .local(let dest, _), .tar(let dest), .oci(let dest, _):
            if dest != OutputSpec.standardOutput { try OutputAssembler.ensureParent(of: dest) }
        default: break
        }
        let progress = BuildProgress(plan: prepared.plan, style: ProgressStyle(request.progress, terminal: tty))
        let executor = BuildExecutor(
            runner: runner, docker: docker, verifier: verifier, temporaryDirectory: temporaryDirectory,
            registryConfiguration: Self.registryConfiguration(environment: environment))
        return try await executor.run(
            prepared.request, plan: prepared.plan, dockerfile: prepared.dockerfileToBuild, progress: progress,
            buildx: prepared.buildx)
    }
}

extension BuildService {
    /// How builds reach registries: docker's credentials (`$DOCKER_CONFIG`), docker's per-registry
    /// CAs (`/etc/docker/certs.d`, or `XPLAT_CERTS_D`).
    public static func registryConfiguration(environment: [String: String]) -> RegistryConfiguration {
        RegistryConfiguration(
            certsDirectory: environment["XPLAT_CERTS_D"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/docker/certs.d",
            credentials: DockerCredentials(environment: environment))
    }
}

/// Renders a finished build.
public enum BuildResultRenderer {
    /// One line per platform (mode, node, time, verification), then where the output went.
    public static func text(_ result: BuildResult) -> String {
        var out = ""
        for r in result.platforms {
            out += "\(r.platform): \(r.mode.rawValue) on \(r.node), \(String(format: "%.1f", r.seconds))s"
            if let v = r.verification {
                out += v.passed ? ", verified (\(v.checked) ELF files)" : ", VERIFICATION FAILED"
            }
            if let d = r.digest { out += ", \(d)" }
            out += "\n"
            if let s = r.smoke {
                let text = (s.stdout + s.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
                out += "  smoke (exit \(s.exitCode)): \(text.replacingOccurrences(of: "\n", with: "\n    "))\n"
            }
        }
        out += "output: \(result.output)\n"
        if let d = result.indexDigest { out += "index: \(d)\n" }
        if let t = result.transfer {
            out +=
                "pushed: \(t.blobsUploaded) blobs uploaded (\(t.bytesUploaded) bytes), \(t.blobsMounted) mounted, "
                + "\(t.blobsAlreadyThere) already there\n"
        }
        return out
    }
}
