// Finding the nodes: buildx builders when `docker buildx` exists, else docker endpoints.

import Foundation
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

/// Discovers nodes through a `CommandRunner`.
public struct NodeDiscovery: Sendable {
    public var runner: any CommandRunner
    /// The docker client (`XPLAT_DOCKER`, default `/usr/bin/docker`).
    public var docker: String
    /// The environment (for `DOCKER_HOST`).
    public var environment: [String: String]
    public var probe: any EmulationProbe

    public init(runner: any CommandRunner, docker: String, environment: [String: String], probe: any EmulationProbe) {
        self.runner = runner
        self.docker = docker
        self.environment = environment
        self.probe = probe
    }

    /// Which driver to use.
    public enum DriverChoice: String, Sendable, CaseIterable {
        /// buildx when the client has it, else the engine.
        case auto
        case buildx
        case engine
    }

    /// The nodes to build on. `builder` names a buildx builder (default: the current one).
    /// - Throws: `BuildError.endpointUnreachable` when an engine endpoint does not answer.
    public func discover(nodes specs: [NodeSpec], builder: String?, driver: DriverChoice) async throws -> [BuilderNode] {
        let useBuildx: Bool
        switch driver {
        case .engine: useBuildx = false
        case .buildx: useBuildx = true
        case .auto: useBuildx = specs.isEmpty ? await hasBuildx() : false
        }
        if useBuildx {
            guard await hasBuildx() else {
                throw BuildError.conflict("--driver buildx: \(docker) has no buildx plugin (`\(docker) buildx version` failed); use --driver engine")
            }
            var args = ["buildx", "inspect"]
            if let builder { args.append(builder) }
            let out = try await runner.run(Command(docker, args))
            guard out.succeeded else {
                let d = BuildDiagnosis.diagnose(stderr: out.stderr, platform: nil)
                throw BuildError.buildFailed(platform: nil, diagnosis: d)
            }
            return try BuildxInspect.parse(out.stdout)
        }
        let targets: [NodeSpec] = specs.isEmpty
            ? [NodeSpec(name: "default", endpoint: environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix:///var/run/docker.sock")]
            : specs
        return try await withThrowingTaskGroup(of: (Int, BuilderNode).self) { group in
            for (i, spec) in targets.enumerated() {
                group.addTask { (i, try await engineNode(spec)) }
            }
            var found: [(Int, BuilderNode)] = []
            for try await item in group { found.append(item) }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// True when `docker buildx version` works.
    public func hasBuildx() async -> Bool {
        guard let out = try? await runner.run(Command(docker, ["buildx", "version"])) else { return false }
        return out.succeeded
    }

    /// Probes one docker endpoint: its native platform from `docker info`, what it emulates from the probe.
    public func engineNode(_ spec: NodeSpec) async throws -> BuilderNode {
        let endpoint = spec.isAddress ? spec.endpoint : try await contextEndpoint(spec.endpoint, node: spec.name)
        let out: CommandOutput
        do {
            out = try await runner.run(Command(docker, ["info", "--format", "{{json .}}"], environment: ["DOCKER_HOST": endpoint]))
        } catch {
            throw BuildError.endpointUnreachable(node: spec.name, endpoint: endpoint, detail: "\(error)")
        }
        guard out.succeeded, let info = EngineInfo.parse(out.stdout) else {
            let detail = EngineInfo.serverErrors(out.stdout).first
                ?? (out.stderr + out.stdout).split(separator: "\n").first.map(String.init) ?? "exit \(out.exitCode)"
            throw BuildError.endpointUnreachable(node: spec.name, endpoint: endpoint, detail: detail)
        }
        guard let native = info.platform else {
            throw BuildError.endpointUnreachable(node: spec.name, endpoint: endpoint,
                                                 detail: "unknown architecture \"\(info.architecture)\" (\(info.osType))")
        }
        let emulated = await probe.emulation(endpoint: endpoint, native: native)
            .filter { !native.canRun($0.platform) }
        return BuilderNode(name: spec.name, endpoint: endpoint, driver: .engine, native: native.runnable.filter { $0.info != nil },
                           emulated: emulated)
    }

    /// The docker endpoint of context `name` (`docker context inspect`).
    func contextEndpoint(_ name: String, node: String) async throws -> String {
        let out = try await runner.run(Command(docker, ["context", "inspect", name, "--format", "{{.Endpoints.docker.Host}}"]))
        let host = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard out.succeeded, !host.isEmpty else {
            throw BuildError.badNode("\(node)=\(name)", "no docker context \"\(name)\" (\(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return host
    }
}

/// The parts of `docker info --format '{{json .}}'` xplat reads.
public struct EngineInfo: Sendable, Hashable {
    public var architecture: String
    public var osType: String
    public var serverVersion: String

    /// Parses the JSON; nil when it is not `docker info` JSON.
    public static func parse(_ json: String) -> EngineInfo? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let arch = object["Architecture"] as? String else { return nil }
        return EngineInfo(architecture: arch, osType: object["OSType"] as? String ?? "linux",
                          serverVersion: object["ServerVersion"] as? String ?? "")
    }

    /// The `ServerErrors` a client prints inside `docker info` JSON when no daemon answers
    /// (newer clients write them to stdout, not stderr).
    public static func serverErrors(_ json: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return object["ServerErrors"] as? [String] ?? []
    }

    /// The engine's native platform (`x86_64` on linux: linux/amd64).
    public var platform: Platform? {
        guard osType == "linux" else { return try? Platform(os: osType, architecture: architecture) }
        return ArchitectureTable.platform(unameMachine: architecture)
    }
}

/// Parses `docker buildx inspect` text into nodes.
public enum BuildxInspect {
    /// Builder-level `Name:`/`Driver:`, then per node `Name:`, `Endpoint:`, `Status:`, `Platforms:`.
    /// Platforms marked `*` are pinned. BuildKit lists a worker's own platform first and the ones
    /// it proved by executing a test binary after it, so the first unpinned one is native and the
    /// rest are proven emulation.
    public static func parse(_ text: String) throws -> [BuilderNode] {
        var builder = "", driver = ""
        var nodes: [BuilderNode] = []
        var inNodes = false
        var current: (name: String, endpoint: String, status: String, platforms: String)?
        func flush() throws {
            guard let c = current else { return }
            current = nil
            guard c.status.isEmpty || c.status == "running" || c.status == "inactive" else { return }
            var pinned: [Platform] = [], detected: [Platform] = []
            for item in c.platforms.split(separator: ",") {
                var word = item.trimmingCharacters(in: .whitespaces)
                let star = word.hasSuffix("*")
                if star { word.removeLast() }
                guard !word.isEmpty, let p = try? Platform(parsing: word) else { continue }
                if star { pinned.append(p) }
                if !detected.contains(p) { detected.append(p) }
            }
            guard let own = detected.first(where: { !pinned.contains($0) }) ?? detected.first else { return }
            // Levels of the same architecture (amd64/v2) are the CPU's own features, not emulation.
            let native = own.runnable.filter { detected.contains($0) || $0 == own }
                + detected.filter { $0.architecture == own.architecture && !own.runnable.contains($0) }
            let emulated = detected.filter { !native.contains($0) && !own.canRun($0) }.map { EmulatedPlatform(platform: $0, proven: true) }
            nodes.append(BuilderNode(name: c.name, endpoint: c.endpoint, driver: .buildx(builder: builder, driver: driver),
                                     native: native, emulated: emulated, pinned: pinned))
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "Nodes": inNodes = true
            case "Name":
                if inNodes {
                    try flush()
                    current = (value, "", "", "")
                } else { builder = value }
            case "Driver" where !inNodes: driver = value
            case "Endpoint": current?.endpoint = value
            case "Status": current?.status = value
            case "Platforms": current?.platforms = value
            default: break
            }
        }
        try flush()
        guard !builder.isEmpty else { throw BuildError.conflict("`docker buildx inspect` printed no builder") }
        return nodes
    }
}
