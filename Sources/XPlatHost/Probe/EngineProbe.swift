import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Reads the engine's state through a `CommandRunner` and the roots' sockets.
enum EngineProbe {
    static func probe(roots: HostRoots, environment: [String: String], runner: CommandRunner) async -> EngineFacts {
        // The clients a build may take (`DockerClientChoice`), and XPLAT_DOCKER's when it is none of them.
        let named: String?
        var namedError: DockerClientError?
        do { named = try DockerClientChoice.named(environment: environment, roots: roots) } catch {
            named = nil
            namedError = error
        }
        var paths = DockerClientChoice.candidates(environment: environment, roots: roots)
        if let named, !paths.contains(named) { paths.append(named) }
        let preferred = named ?? DockerClientChoice.pluginParent(environment: environment, roots: roots)

        async let daemon = probeDaemon(roots: roots)
        async let registry = probeRegistry(environment: environment)
        let clients = await probeClients(at: paths, roots: roots, preferred: preferred, runner: runner)
        let daemonFacts = await daemon
        let buildClient = await buildClient(environment: environment, roots: roots, asked: paths, facts: clients)
        let (builders, buildxSource) = await listBuilders(clients: clients, roots: roots, runner: runner)
        return EngineFacts(
            clients: clients, daemon: daemonFacts, buildClient: buildClient, buildxSource: buildxSource,
            builders: builders, registry: await registry, namedClientError: namedError)
    }

    /// The client a build takes, by the build's own rule over what doctor asked: XPLAT_DOCKER as it
    /// is (even one that cannot reach BuildKit), else the first candidate that can; nil when none.
    private static func buildClient(
        environment: [String: String], roots: HostRoots, asked paths: [String], facts: [DockerClientFacts]
    ) async -> String? {
        let byPath = Dictionary(zip(paths, facts), uniquingKeysWith: { first, _ in first })
        let choice = try? await DockerClientChoice.find(environment: environment, roots: roots) { path in
            (byPath[path] ?? DockerClientFacts(path: path, builtInBuildKit: false, preferred: false), .unasked)
        }
        return choice.map { roots.unresolve($0.path) }
    }

    /// Probes the clients at `paths` concurrently; the facts keep the order of `paths`.
    private static func probeClients(at paths: [String], roots: HostRoots, preferred: String?, runner: CommandRunner)
        async -> [DockerClientFacts]
    {
        await withTaskGroup(of: (Int, DockerClientFacts).self) { group in
            for (index, path) in paths.enumerated() {
                group.addTask {
                    (
                        index,
                        await probeClient(
                            path: path, shownAs: roots.unresolve(path),
                            preferred: path == preferred, runner: runner)
                    )
                }
            }
            var out = [(Int, DockerClientFacts)]()
            for await item in group { out.append(item) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The builders `buildx ls` lists (JSON first, else text) through the preferred client that has buildx, and
    /// the command that listed them; none when no client has buildx or both listings fail.
    private static func listBuilders(clients: [DockerClientFacts], roots: HostRoots, runner: CommandRunner) async
        -> (builders: [BuilderFacts], source: String?)
    {
        guard
            let withBuildx =
                (clients.first { $0.buildxVersion != nil && $0.preferred } ?? clients.first { $0.buildxVersion != nil })
        else { return ([], nil) }
        let exe = roots.resolve(withBuildx.path)
        if let out = try? await runner.run(Command(exe, ["buildx", "ls", "--format", "json"])), out.succeeded,
            let parsed = try? BuildxListing.parseJSON(out.stdout)
        {
            return (parsed, "\(withBuildx.path) buildx ls --format json")
        } else if let out = try? await runner.run(Command(exe, ["buildx", "ls"])), out.succeeded {
            return (BuildxListing.parseText(out.stdout), "\(withBuildx.path) buildx ls")
        }
        return ([], nil)
    }

    private static func probeClient(path: String, shownAs: String, preferred: Bool, runner: CommandRunner) async
        -> DockerClientFacts
    {
        var facts = DockerClientFacts(path: shownAs, builtInBuildKit: false, preferred: preferred)
        async let versionRun = try? runner.run(Command(path, ["version", "--format", "{{json .}}"]))
        async let buildxRun = try? runner.run(Command(path, ["buildx", "version"]))
        let (version, buildx) = await (versionRun, buildxRun)
        if let version {
            // `docker version` exits 1 when the daemon is unreachable but still prints the client part.
            let firstJSON = version.stdout.split(separator: "\n").first { $0.hasPrefix("{") }
            if let firstJSON,
                let object = try? JSONSerialization.jsonObject(with: Data(firstJSON.utf8)) as? [String: Any],
                let client = object["Client"] as? [String: Any]
            {
                facts.version = client["Version"] as? String
                facts.apiVersion = client["ApiVersion"] as? String
            } else {
                facts.note = "`docker version` printed no client version: \(firstLine(version.stderr) ?? "no output")"
            }
        } else {
            facts.note = "could not run \(shownAs)"
        }
        if let buildx, buildx.succeeded {
            facts.buildxVersion = BuildxVersion.parse(buildx.stdout)?.text ?? "unknown"
        }
        let major = facts.version.flatMap { Int($0.prefix { $0.isNumber }) }
        facts.builtInBuildKit = (major.map { $0 >= 18 && $0 < 23 }) ?? false
        if facts.buildxVersion != nil {
            facts.buildKitVia = "buildx"
        } else if facts.builtInBuildKit {
            facts.buildKitVia = "built-in"
            facts.note = "no buildx plugin; built-in BuildKit client (DOCKER_BUILDKIT=1), one platform per build"
        } else if let major {
            facts.note = "Docker \(major) client without the buildx plugin: `docker build` cannot use BuildKit"
        }
        return facts
    }

    private static func probeDaemon(roots: HostRoots) async -> DaemonFacts {
        let socket = roots.dockerSockets.first { HostFiles.exists($0) } ?? roots.dockerSockets.first
        guard let socket else {
            return DaemonFacts(socket: nil, socketExists: false, reachable: false, error: "no docker socket configured")
        }
        let shown = roots.unresolve(socket)
        guard HostFiles.isSocket(socket) else {
            return DaemonFacts(
                socket: shown, socketExists: false, reachable: false,
                error: HostFiles.exists(socket)
                    ? "\(shown) is not a socket" : "\(shown) does not exist (dockerd not running?)")
        }
        var facts = DaemonFacts(socket: shown, socketExists: true, reachable: false)
        switch HTTPProbe.get(.unix(socket), path: "/_ping") {
        case .failure(let error):
            facts.error = error.description
            return facts
        case .success(let response):
            facts.reachable = response.status == 200
            if !facts.reachable { facts.error = "GET /_ping answered HTTP \(response.status)" }
        }
        if case .success(let response) = HTTPProbe.get(.unix(socket), path: "/version"), response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        {
            facts.version = object["Version"] as? String
            facts.apiVersion = object["ApiVersion"] as? String
            if let os = object["Os"] as? String, let arch = object["Arch"] as? String {
                facts.platform = "\(os)/\(arch)"
            }
        }
        return facts
    }

    static func probeRegistry(environment: [String: String]) async -> RegistryFacts {
        let configured = environment["XPLAT_REGISTRY"].map { !$0.isEmpty } ?? false
        let address = configured ? environment["XPLAT_REGISTRY"]! : "127.0.0.1:5000"
        var facts = RegistryFacts(address: address, configured: configured, reachable: false)
        let hostPort = address.split(separator: "/").first.map(String.init) ?? address
        let host: String
        let port: UInt16
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            port = UInt16(hostPort[hostPort.index(after: close)...].dropFirst()) ?? 80
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            port = UInt16(hostPort[hostPort.index(after: colon)...]) ?? 0
        } else {
            host = hostPort
            port = 80
        }
        guard port != 0 else {
            facts.error = "bad port in \(address)"
            return facts
        }
        guard RegistryConfiguration.isLoopback(host) else {
            facts.error = "not probed: \(host) is not a loopback address (xplat only contacts loopback)"
            return facts
        }
        // Through the registry client: HTTPS first (docker's CA files for this host), plain HTTP
        // for loopback; no credentials, no retries, short timeouts: doctor only asks "is it a registry?".
        let configuration = RegistryConfiguration(
            credentials: NoCredentials(), retry: .none,
            connectTimeout: .seconds(1), readTimeout: .seconds(2), userAgent: "xplat-doctor")
        do {
            let status = try await RegistryClient.with(configuration: configuration) { try await $0.ping(hostPort) }
            facts.status = status
            facts.reachable = true
        } catch let error as RegistryError {
            if case .status(_, let code, _) = error {
                facts.status = code
                facts.error = "GET /v2/ answered HTTP \(code): not a registry"
            } else {
                facts.error = Self.registryReason(error)
            }
        } catch {
            facts.error = "no answer"
        }
        return facts
    }

    /// The reason part of a registry error, for doctor's one-line finding.
    private static func registryReason(_ error: RegistryError) -> String {
        switch error {
        case .unreachable(let op, let reason): return "\(op.registry): \(reason)"
        case .tls(let op, let reason): return "\(op.registry): TLS: \(reason)"
        default: return error.description.split(separator: "\n").first.map(String.init) ?? "no answer"
        }
    }

    static func firstLine(_ text: String) -> String? {
        text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
    }
}
