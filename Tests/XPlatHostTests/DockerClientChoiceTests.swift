// Which docker client builds: XPLAT_DOCKER, else the plugin's parent, else the first on PATH that
// reaches BuildKit. The clients here are scripts answering `--version` and `buildx version` as
// docker 28.2 without buildx and docker 20.10 do (checked on both); the engine tests use the real ones.
// `xplat doctor` names the client a build takes by the same rule.

import Foundation
import Testing
import XPlatSupport

@testable import XPlatHost

struct DockerClientChoiceTests {
    /// `dir/NAME/docker` answering `--version` with `version`, `version --format ...` as a client
    /// without a daemon does (its part, exit 1), and `buildx version` only when `buildx`.
    static func client(_ dir: String, _ name: String, version: String, buildx: Bool) throws -> String {
        try FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
        let path = "\(dir)/\(name)/docker"
        let script = """
            #!/bin/sh
            case "$1" in
              --version) echo "Docker version \(version), build 0000000" ;;
              version) echo '{"Client":{"Version":"\(version)","ApiVersion":"1.41"},"Server":null}'; exit 1 ;;
              buildx) \(buildx ? "echo 'github.com/docker/buildx v0.10.5 86bdced'" : "echo \"docker: 'buildx' is not a docker command.\" >&2; exit 1") ;;
              *) exit 1 ;;
            esac
            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("the first client on PATH that reaches BuildKit; one passed over is named with its reason")
    func firstUsable() async throws {
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-clients")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let new = try Self.client(dir, "new", version: "28.2.2", buildx: false)
        let old = try Self.client(dir, "old", version: "20.10.24+dfsg1", buildx: false)
        let withBuildx = try Self.client(dir, "bx", version: "28.2.2", buildx: true)
        let runner = SubprocessRunner()

        let skip = try await DockerClientChoice.find(environment: ["PATH": "\(dir)/new:\(dir)/old"], runner: runner)
        #expect(skip.path == old)
        #expect(
            skip.note
                == "using \(old): \(new) (28.2.2): Docker 28 client without the buildx plugin: `docker build` cannot "
                + "use BuildKit (set XPLAT_DOCKER to choose the client)"
        )
        let plugin = try await DockerClientChoice.find(environment: ["PATH": "\(dir)/old:\(dir)/bx"], runner: runner)
        #expect(plugin.path == old && plugin.note == nil, "a client older than 23 builds with BuildKit itself")
        let parent = try await DockerClientChoice.find(
            environment: ["PATH": "\(dir)/old", DockerClientChoice.pluginParent: withBuildx],
            runner: runner)
        #expect(parent.path == withBuildx, "run as a plugin, the docker that ran xplat comes first")
        let named = try await DockerClientChoice.find(
            environment: ["PATH": "\(dir)/old", "XPLAT_DOCKER": new], runner: runner)
        #expect(named.path == new, "XPLAT_DOCKER is taken as it is")
    }

    @Test("no client that reaches BuildKit, or none at all: an error naming what was found and what to do")
    func noneUsable() async throws {
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-clients")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let new = try Self.client(dir, "new", version: "28.2.2", buildx: false)
        let runner = SubprocessRunner()
        await #expect(throws: DockerClientError.self) {
            try await DockerClientChoice.find(environment: ["PATH": "\(dir)/new"], runner: runner)
        }
        do {
            _ = try await DockerClientChoice.find(environment: ["PATH": "\(dir)/new"], runner: runner)
        } catch {
            #expect(error.message.contains("\(new) (28.2.2): Docker 28 client without the buildx plugin"))
            #expect(error.action.contains("docker-buildx"))
        }
        do {
            _ = try await DockerClientChoice.find(environment: ["PATH": "\(dir)/empty"], runner: runner)
            Issue.record("no client at all must fail")
        } catch {
            #expect(error.message == "no docker client on PATH (\(dir)/empty)")
        }
        do {
            _ = try await DockerClientChoice.find(
                environment: ["PATH": "\(dir)/new", "XPLAT_DOCKER": "nosuch-docker"], runner: runner)
            Issue.record("XPLAT_DOCKER naming nothing must fail")
        } catch {
            #expect(error.message.hasPrefix("XPLAT_DOCKER=nosuch-docker: no such executable on PATH"))
        }
    }

    @Test(
        """
        xplat doctor marks the client a build takes, by the build's own rule: the plugin's parent off PATH, \
        XPLAT_DOCKER as a name on PATH, XPLAT_DOCKER naming nothing (no client builds)
        """)
    func doctorNamesTheBuildClient() async throws {
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-clients")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let new = try Self.client(dir, "new", version: "28.2.2", buildx: false)
        let old = try Self.client(dir, "old", version: "20.10.24+dfsg1", buildx: false)
        let withBuildx = try Self.client(dir, "bx", version: "28.2.2", buildx: true)
        let runner = SubprocessRunner()
        let path = "\(dir)/new:\(dir)/old"
        let cases: [([String: String], String?)] = [
            (["PATH": path], old),
            (["PATH": path, DockerClientChoice.pluginParent: withBuildx], withBuildx),
            (["PATH": path, "XPLAT_DOCKER": "docker"], new),
            (["PATH": path, "XPLAT_DOCKER": "\(dir)/nosuch/docker"], nil),
        ]
        for (environment, expected) in cases {
            let env = environment.merging(["XPLAT_REGISTRY": "127.0.0.1:1"]) { first, _ in first }
            let build = try? await DockerClientChoice.find(environment: env, runner: runner)
            let doctor = await EngineProbe.probe(roots: .system(environment: env), environment: env, runner: runner)
            #expect(build?.path == expected, "\(environment)")
            #expect(doctor.buildClient == expected, "\(environment): doctor marks \(doctor.buildClient ?? "none")")
            #expect(doctor.clients.map(\.path).contains(expected ?? new), "\(doctor.clients.map(\.path))")
            // Doctor says why no client builds in the build's own words.
            #expect(
                doctor.namedClientError?.message
                    == (expected == nil ? "XPLAT_DOCKER=\(dir)/nosuch/docker: no such executable" : nil))
        }
    }
}
