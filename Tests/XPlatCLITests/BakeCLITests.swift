// `xplat bake` end to end without an engine: the built binary, a `docker` answering `buildx`
// from real buildx v0.10.5's recordings (Recordings/bake), and a `docker` without buildx.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@Suite("xplat bake (CLI)")
struct BakeCLITests {
    /// `xplat bake ARGS` in the case's folder through a fake docker replaying its transcript.
    func bake(_ bakeCase: BakeCase, _ arguments: [String]) async throws -> (run: CommandOutput, calls: [[String]]) {
        let docker = try FakeBuildxDocker(transcript: bakeCase.transcriptPath, realDocker: "/nonexistent/docker")
        defer { docker.remove() }
        var env: [String: String?] = ["XPLAT_DOCKER": docker.path]
        for key in ["REGISTRY", "TAG", "VERSION", "PLATFORMS", "OUT"] { env[key] = .some(nil) }
        for (key, value) in bakeCase.environment { env[key] = value }
        let run = try await XPlatBinary.run(
            ["bake"] + arguments + bakeCase.arguments.map { $0 == "--file" ? "-f" : $0 },
            environment: env, in: bakeCase.absoluteDirectory)
        return (run, docker.calls)
    }

    @Test("--print passes buildx's JSON through byte for byte, and asks nothing else")
    func printPassesThrough() async throws {
        let transcript = try Transcript.load(BakeRecordings.group.transcriptPath)
        let (run, calls) = try await bake(BakeRecordings.group, ["--print"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == transcript.entries[1].stdout)
        #expect(calls == [["buildx", "version"], BakeRecordings.group.commandLine], "\(calls)")
    }

    @Test("--json alone is refused (it goes with --dry-run or --print), exit 64, before buildx is asked")
    func jsonAlone() async throws {
        let (run, calls) = try await bake(BakeRecordings.group, ["--json"])
        #expect(calls.isEmpty)
        #expect(run.exitCode == 64, "\(run.stderr)")
        #expect(run.stderr.contains("--json goes with --dry-run or --print"), "\(run.stderr)")
    }

    @Test("a docker client without buildx: why bake needs it, docker's own message, the action, and exit 64")
    func noBuildx() async throws {
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-bake-nobuildx")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // An empty DOCKER_CONFIG: the client finds no buildx plugin (real docker 20.10).
        let run = try await XPlatBinary.run(
            ["bake", "--dry-run"], environment: ["XPLAT_DOCKER": "/usr/bin/docker", "DOCKER_CONFIG": dir],
            in: dir)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/docker"), "needs Debian's docker client")
        #expect(run.exitCode == 64, "\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "xplat: bake needs docker buildx to read the bake file (`docker buildx bake --print`): /usr/bin/docker "
                    + "cannot run it (`docker buildx version`: docker: 'buildx' is not a docker command. See 'docker "
                    + "--help')\n"),
            "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "\n  action: install the docker-buildx plugin (docker-buildx-plugin, or into ~/.docker/cli-plugins), "
                    + "or set XPLAT_DOCKER to a docker client that has it\n"), "\(run.stderr)")
    }

    @Test("a target buildx does not find: buildx's own message and exit 64")
    func missingTarget() async throws {
        let transcript = try Transcript.load(BakeRecordings.missingTarget.transcriptPath)
        let (run, _) = try await bake(BakeRecordings.missingTarget, ["--dry-run"])
        #expect(run.exitCode == 64)
        #expect(
            run.stderr == "xplat: " + transcript.entries[1].stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                + "\n", "\(run.stderr)")
    }
}
