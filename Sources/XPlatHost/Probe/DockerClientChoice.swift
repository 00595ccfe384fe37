// Which `docker` client a build runs, found as docker users expect: `XPLAT_DOCKER` when set; else the
// client that ran xplat as a docker CLI plugin; else the first `docker` on `PATH`. xplat needs a
// client that reaches BuildKit: one with the buildx plugin, or a client older than 23 (which builds
// with BuildKit itself under `DOCKER_BUILDKIT=1`). A newer client without buildx cannot
// (`DOCKER_BUILDKIT=1 docker build` fails: "BuildKit is enabled but the buildx component is missing
// or broken"), so the next one on `PATH` that can is taken, and the one passed over is named.

import Foundation
import XPlatDocker
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The docker client xplat builds with.
public struct DockerClientChoice: Sendable, Hashable {
    /// Its path.
    public var path: String
    /// The clients found before it that cannot reach BuildKit, with the reason.
    public var passedOver: [DockerClientFacts]
    /// Its buildx plugin, as the choice asked it (`.unasked` for `XPLAT_DOCKER`): the build hands it
    /// on rather than asking again.
    public var buildx: BuildxPlugin = .unasked

    /// The environment variable docker's CLI sets for a plugin it runs: the path of the `docker`
    /// binary that ran it.
    public static let pluginParent = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"

    /// Finds the client. `XPLAT_DOCKER` is taken as it is (a name without a `/` is looked up on
    /// `PATH`); otherwise the candidates are asked (`docker version`, `docker buildx version`) in
    /// order until one can build.
    public static func find(environment: [String: String], runner: any CommandRunner) async throws(DockerClientError)
        -> DockerClientChoice
    {
        try await find(environment: environment, roots: HostRoots.system(environment: environment)) {
            await probe($0, runner: runner)
        }
    }

    /// The rule, for builds and for `xplat doctor` (which asks every client its own way first):
    /// `XPLAT_DOCKER`'s client as it is; else each candidate in order, `ask`ed what it can do,
    /// until one reaches BuildKit. Paths are `roots`' (a fixture tree's in tests).
    static func find(
        environment: [String: String], roots: HostRoots,
        ask: (String) async -> (facts: DockerClientFacts, buildx: BuildxPlugin)
    ) async throws(DockerClientError) -> DockerClientChoice {
        if let named = try named(environment: environment, roots: roots) {
            return DockerClientChoice(path: named, passedOver: [])
        }
        var passedOver: [DockerClientFacts] = []
        for path in candidates(environment: environment, roots: roots) {
            let (facts, buildx) = await ask(path)
            if facts.buildKitVia != nil {
                return DockerClientChoice(path: path, passedOver: passedOver, buildx: buildx)
            }
            passedOver.append(facts)
        }
        throw DockerClientError(unusable: passedOver, searched: roots.path)
    }

    /// The client `XPLAT_DOCKER` names, nil when it is unset or empty.
    /// - Throws: `DockerClientError` when it names no executable.
    static func named(environment: [String: String], roots: HostRoots) throws(DockerClientError) -> String? {
        guard let named = environment["XPLAT_DOCKER"], !named.isEmpty else { return nil }
        guard let path = lookUp(named, in: roots) else { throw DockerClientError(named: named, searched: roots.path) }
        return path
    }

    /// The client docker's CLI ran xplat from as a plugin, nil when it did not.
    static func pluginParent(environment: [String: String], roots: HostRoots) -> String? {
        environment[pluginParent].flatMap { $0.isEmpty ? nil : lookUp($0, in: roots) }
    }

    /// What a client can do, asked without the daemon (`docker --version`, `docker buildx version`):
    /// this runs before every build, so it must be quick.
    private static func probe(_ path: String, runner: any CommandRunner) async
        -> (DockerClientFacts, BuildxPlugin)
    {
        async let versionRun = try? runner.run(Command(path, ["--version"]))
        async let buildxRun = try? runner.run(Command(path, ["buildx", "version"]))
        let (version, buildx) = await (versionRun, buildxRun)
        var facts = DockerClientFacts(path: path, builtInBuildKit: false, preferred: false)
        // `Docker version 28.2.2, build e6534b4`
        facts.version = version.flatMap { $0.succeeded ? $0.stdout.split(separator: " ").dropFirst(2).first : nil }
            .map { String($0.prefix { $0 != "," }) }
        let plugin =
            buildx.map {
                BuildxPlugin(succeeded: $0.succeeded, exitCode: $0.exitCode, stdout: $0.stdout, stderr: $0.stderr)
            } ?? .absent(said: "could not run it")
        facts.buildxVersion = plugin.version?.text
        let major = facts.version.flatMap { Int($0.prefix { $0.isNumber }) }
        facts.builtInBuildKit = major.map { $0 >= 18 && $0 < 23 } ?? false
        facts.buildKitVia = facts.buildxVersion != nil ? "buildx" : facts.builtInBuildKit ? "built-in" : nil
        if facts.buildKitVia == nil {
            facts.note =
                version == nil
                ? "could not run it"
                : major.map { "Docker \($0) client without the buildx plugin: `docker build` cannot use BuildKit" }
                    ?? "`docker --version` printed no version"
        }
        return (facts, plugin)
    }

    /// A note on the clients passed over, nil when there were none.
    public var note: String? {
        guard !passedOver.isEmpty else { return nil }
        let skipped = passedOver.map {
            "\($0.path)\($0.version.map { " (\($0))" } ?? ""): \($0.note ?? "cannot use BuildKit")"
        }
        return "using \(path): " + skipped.joined(separator: "; ") + " (set XPLAT_DOCKER to choose the client)"
    }

    /// The plugin's parent client, then every `docker` on `PATH`, each real file once.
    static func candidates(environment: [String: String], roots: HostRoots) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        let parent = pluginParent(environment: environment, roots: roots)
        let onPath = roots.path.map { inDirectory($0, name: "docker") }
        for candidate in [parent].compactMap({ $0 }) + onPath where HostFiles.isExecutableFile(candidate) {
            // /bin is /usr/bin on merged-/usr systems: one client, not two.
            if seen.insert(realPath(candidate)).inserted { found.append(candidate) }
        }
        return found
    }

    /// `name` itself (under `roots`) when it holds a `/`, else the first executable `name` in its `PATH`.
    private static func lookUp(_ name: String, in roots: HostRoots) -> String? {
        if name.contains("/") { return HostFiles.isExecutableFile(roots.resolve(name)) ? roots.resolve(name) : nil }
        return roots.path.map { inDirectory($0, name: name) }.first(where: HostFiles.isExecutableFile)
    }

    private static func inDirectory(_ directory: String, name: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + name
    }

    private static func realPath(_ path: String) -> String {
        realpath(path, nil).map { p in
            defer { free(p) }; return String(cString: p)
        } ?? path
    }
}

/// No docker client xplat can build with.
public struct DockerClientError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// What to do.
    public var action: String

    init(named: String, searched: [String]) {
        message =
            "XPLAT_DOCKER=\(named): no such executable"
            + (named.contains("/") ? "" : " on PATH (\(searched.joined(separator: ":")))")
        action = "set XPLAT_DOCKER to the docker client's path, or unset it to use the docker on PATH"
    }

    init(unusable clients: [DockerClientFacts], searched: [String]) {
        if clients.isEmpty {
            message = "no docker client on PATH (\(searched.joined(separator: ":")))"
            action = "install a docker client (Debian: apt-get install docker.io), or set XPLAT_DOCKER to one"
        } else {
            let listed = clients.map {
                "\($0.path)\($0.version.map { " (\($0))" } ?? ""): \($0.note ?? "cannot use BuildKit")"
            }
            message = "no docker client here can build with BuildKit: " + listed.joined(separator: "; ")
            action =
                "install the docker-buildx plugin (docker-buildx-plugin, or into ~/.docker/cli-plugins), or set "
                + "XPLAT_DOCKER to a docker client older than 23 (it builds with BuildKit itself)"
        }
    }

    /// The message and, on its own line, the action.
    public var description: String { "\(message)\n  action: \(action)" }
}
