// Finding the nodes: buildx builders when `docker buildx` exists, else docker endpoints.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatSupport

/// Which platforms a node at an endpoint can emulate. The real one is XPlatHost's probe (binfmt
/// handlers proven by executing a tiny binary); tests pass a table.
public protocol EmulationProbe: Sendable {
    /// The foreign platforms `native` machines at `endpoint` run under QEMU.
    func emulation(endpoint: String, native: Platform) async -> [EmulatedPlatform]
}

/// A probe answering from a fixed table (tests, and endpoints that cannot be probed).
public struct FixedEmulation: EmulationProbe {
    public var platforms: [EmulatedPlatform]
    public init(_ platforms: [EmulatedPlatform]) { self.platforms = platforms }
    public func emulation(endpoint: String, native: Platform) async -> [EmulatedPlatform] { platforms }
}

/// A `--node NAME=ENDPOINT` request.
public struct NodeSpec: Sendable, Hashable {
    public var name: String
    /// `unix:///path`, `tcp://host:port`, `ssh://...`, or a docker context name.
    public var endpoint: String

    /// Parses `NAME=ENDPOINT`.
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw BuildError.badNode(text, "missing NAME=")
        }
        let name = String(text[..<eq]), endpoint = String(text[text.index(after: eq)...])
        guard !endpoint.isEmpty else { throw BuildError.badNode(text, "empty endpoint") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw BuildError.badNode(text, "node name \"\(name)\" may hold only letters, digits, - _ .")
        }
        self.name = name
        self.endpoint = endpoint
    }

    public init(name: String, endpoint: String) {
        self.name = name
        self.endpoint = endpoint
    }

    /// True when the endpoint is an address rather than a docker context name.
    public var isAddress: Bool { endpoint.contains("://") }
}

/// Which driver `--driver` asks for.
public enum DriverChoice: String, Sendable, CaseIterable {
    /// buildx when the client has it (and no `--node` is given), else the engine.
    case auto
    case buildx
    case engine
}

/// Discovers nodes through a `CommandRunner`.
public struct NodeDiscovery: Sendable {
    public var runner: any CommandRunner
    /// The docker client (`XPLAT_DOCKER`, default `/usr/bin/docker`).
    public var docker: String
    /// The environment (for `DOCKER_HOST`).
    public var environment: [String: String]
    public var probe: any EmulationProbe
    /// What is already known of the client's buildx (the client choice asked); `.unasked`: ask it.
    public var buildx: BuildxPlugin

    public init(
        runner: any CommandRunner, docker: String, environment: [String: String], probe: any EmulationProbe,
        buildx: BuildxPlugin = .unasked
    ) {
        self.runner = runner
        self.docker = docker
        self.environment = environment
        self.probe = probe
        self.buildx = buildx
    }

    /// The nodes to build on. `builder` names a buildx builder (default: the current one).
    /// - Throws: `BuildError.endpointUnreachable` when an engine endpoint does not answer.
    public func discover(nodes specs: [NodeSpec], builder: String?, driver: DriverChoice) async throws -> [BuilderNode]
    {
        try await discoverWithBuildx(nodes: specs, builder: builder, driver: driver).nodes
    }

    /// `discover`, and what it then knows of buildx, to hand on to the build: `docker buildx version`
    /// is asked at most once, and not at all when `buildx` is known or the nodes are docker
    /// endpoints (`--driver engine`, `--node`).
    public func discoverWithBuildx(nodes specs: [NodeSpec], builder: String?, driver: DriverChoice) async throws
        -> (nodes: [BuilderNode], buildx: BuildxPlugin)
    {
        let mayUseBuildx = driver == .buildx || (driver == .auto && specs.isEmpty)
        let known = mayUseBuildx ? await buildxPlugin() : buildx
        if driver == .buildx, known.version == nil {
            throw BuildError.conflict(
                "--driver buildx: \(docker) has no buildx plugin (`\(docker) buildx version` failed); use --driver "
                    + "engine"
            )
        }
        if mayUseBuildx, known.version != nil { return (try await buildxNodes(builder: builder), known) }
        return (try await engineNodes(specs, builder: builder, driver: driver), known)
    }

    /// The docker endpoints `specs` name (the default engine when none), each probed.
    private func engineNodes(_ specs: [NodeSpec], builder: String?, driver: DriverChoice) async throws
        -> [BuilderNode]
    {
        if let builder {
            // A builder name is never dropped: without buildx there is no builder to give it to.
            throw BuildError.conflict(
                driver == .engine || !specs.isEmpty
                    ? "--builder \(builder): \(driver == .engine ? "--driver engine" : "--node") builds on docker "
                        + "endpoints, not buildx builders; drop one of them"
                    : "--builder \(builder): \(docker) has no buildx plugin (`\(docker) buildx version` failed), and "
                        + "buildx builders need it; install docker-buildx, or drop --builder to build on the engine"
            )
        }
        let targets: [NodeSpec] = specs.isEmpty ? [Self.defaultEngine(environment: environment)] : specs
        return try await withThrowingTaskGroup(of: (Int, BuilderNode).self) { group in
            for (i, spec) in targets.enumerated() {
                group.addTask { (i, try await engineNode(spec)) }
            }
            var found: [(Int, BuilderNode)] = []
            for try await item in group { found.append(item) }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The engine a build without `--node` runs on, as docker's CLI picks it: `DOCKER_HOST`; else the
    /// context `DOCKER_CONTEXT` names (docker's `--context`, which `docker xplat` passes on that way),
    /// resolved by `docker context inspect`; else the local socket. Without this the context was
    /// dropped: every engine command is given the node's endpoint as `DOCKER_HOST`, which docker
    /// puts before `DOCKER_CONTEXT`.
    static func defaultEngine(environment: [String: String]) -> NodeSpec {
        if let host = environment["DOCKER_HOST"], !host.isEmpty { return NodeSpec(name: "default", endpoint: host) }
        if let context = environment["DOCKER_CONTEXT"], !context.isEmpty, context != "default" {
            return NodeSpec(name: "default", endpoint: context)
        }
        return NodeSpec(name: "default", endpoint: "unix:///var/run/docker.sock")
    }

    /// The client's buildx plugin: `buildx` when known, else `docker buildx version` asked.
    public func buildxPlugin() async -> BuildxPlugin {
        await Self.buildxPlugin(of: docker, known: buildx, runner: runner)
    }

    /// `docker`'s buildx plugin: `known` unless `.unasked`, else `docker buildx version` asked.
    static func buildxPlugin(of docker: String, known: BuildxPlugin, runner: any CommandRunner) async -> BuildxPlugin {
        guard known == .unasked else { return known }
        do {
            let out = try await runner.run(Command(docker, ["buildx", "version"]))
            return BuildxPlugin(
                succeeded: out.succeeded, exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr)
        } catch {
            return .absent(said: "\(error)")
        }
    }

    /// The nodes of buildx builder `builder` (the current one when nil), from `docker buildx inspect`.
    func buildxNodes(builder: String?) async throws -> [BuilderNode] {
        let out = try await runner.run(Command(docker, ["buildx", "inspect"] + (builder.map { [$0] } ?? [])))
        guard out.succeeded else {
            throw BuildError.buildFailed(
                platform: nil, diagnosis: BuildDiagnosis.diagnose(stderr: out.stderr, platform: nil))
        }
        let inspection: BuildxInspection
        do { inspection = try BuildxInspection.parse(out.stdout) } catch let error as BuildxInspectError {
            throw BuildError.toolOutput(error.description)
        }
        return inspection.nodes.filter(\.usable).compactMap { Self.node(inspection, $0) }
    }

    /// A buildx node's capabilities. BuildKit lists a worker's own platform first and the ones it
    /// proved by executing a test binary after it; platforms pinned with `create --platform` come
    /// first of all, marked `*`. So the first unpinned platform is the CPU's own, the rest proven
    /// emulation; levels of the same architecture (amd64/v2) are the CPU's own features.
    static func node(_ builder: BuildxInspection, _ node: BuildxInspection.Node) -> BuilderNode? {
        let list = node.platforms
        guard let own = list.platforms.first(where: { !list.pinned.contains($0) }) ?? list.platforms.first else {
            return nil
        }
        let native =
            own.runnable.filter { list.platforms.contains($0) || $0 == own }
            + list.platforms.filter { $0.architecture == own.architecture && !own.runnable.contains($0) }
        let emulated = list.platforms.filter { !native.contains($0) && !own.canRun($0) }
            .map { EmulatedPlatform(platform: $0, proven: true) }
        let driver = BuildxDriver(name: builder.driver)
        return BuilderNode(
            name: node.name, endpoint: node.endpoint, driver: .buildx(builder: builder.name, driver: driver),
            native: native, emulated: emulated, pinned: list.pinned, unparsed: list.unparsed,
            engineVersion: driver == .docker ? node.buildkit : nil)
    }

    /// Probes one docker endpoint: its native platform from `docker info`, what it emulates from the probe.
    public func engineNode(_ spec: NodeSpec) async throws -> BuilderNode {
        let endpoint = spec.isAddress ? spec.endpoint : try await contextEndpoint(spec.endpoint, node: spec.name)
        let out: CommandOutput
        do {
            out = try await runner.run(
                Command(docker, ["info", "--format", "{{json .}}"], environment: ["DOCKER_HOST": endpoint]))
        } catch {
            throw BuildError.endpointUnreachable(node: spec.name, endpoint: endpoint, detail: "\(error)")
        }
        guard out.succeeded, let info = EngineInfo.parse(out.stdout) else {
            let detail =
                EngineInfo.serverErrors(out.stdout).first
                ?? (out.stderr + out.stdout).split(separator: "\n").first.map(String.init) ?? "exit \(out.exitCode)"
            throw BuildError.endpointUnreachable(node: spec.name, endpoint: endpoint, detail: detail)
        }
        guard let native = info.platform else {
            throw BuildError.endpointUnreachable(
                node: spec.name, endpoint: endpoint,
                detail: "unknown architecture \"\(info.architecture)\" (\(info.osType))")
        }
        let emulated = await probe.emulation(endpoint: endpoint, native: native)
            .filter { !native.canRun($0.platform) }
        return BuilderNode(
            name: spec.name, endpoint: endpoint, driver: .engine, native: native.runnable.filter { $0.info != nil },
            emulated: emulated, insecureRegistries: info.insecureRegistries, engineVersion: info.serverVersion)
    }

    /// The docker endpoint of context `name` (`docker context inspect`).
    func contextEndpoint(_ name: String, node: String) async throws -> String {
        let out = try await runner.run(
            Command(docker, ["context", "inspect", name, "--format", "{{.Endpoints.docker.Host}}"]))
        let host = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard out.succeeded, !host.isEmpty else {
            throw BuildError.badNode(
                "\(node)=\(name)",
                "no docker context \"\(name)\" (\(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return host
    }
}
