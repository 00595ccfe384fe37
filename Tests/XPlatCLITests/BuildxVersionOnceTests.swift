// `docker buildx version` is asked once per run: the client choice asks it of the docker found on
// PATH, and node discovery, `bake`'s print and the build take its answer rather than asking again
// (they used to ask two to four times more).

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@Suite("one `docker buildx version` per run (CLI)")
struct BuildxVersionOnceTests {
    /// `xplat ARGS` in `directory` with the recorded remote build's fake docker first on `PATH`
    /// (no `XPLAT_DOCKER`: the client choice asks it), and the calls it got.
    func run(_ arguments: [String], in directory: String) async throws -> (run: CommandOutput, calls: [[String]]) {
        let docker = try FakeBuildxDocker(
            transcript: BakeRecordings.linkedBuildTranscript, realDocker: "/nonexistent/docker")
        defer { docker.remove() }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let environment: [String: String?] = [
            "PATH": "\(docker.dir):\(path)", "XPLAT_DOCKER": nil, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": nil,
            "OUT": "/tmp/xplat-bake-linked",
        ]
        let run = try await XPlatBinary.run(arguments, environment: environment, in: directory)
        return (run, docker.calls)
    }

    @Test("xplat plan on a buildx builder: the client choice's question is the only one")
    func plan() async throws {
        let bake = BakeRecordings.linkedSmall.absoluteDirectory
        let (run, calls) = try await run(
            ["plan", "--builder", "real-remote", "--platform", "linux/amd64", "-f", "ctx/Dockerfile.probe", "ctx"],
            in: bake)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(calls.filter { $0 == ["buildx", "version"] }.count == 1, "\(calls)")
        #expect(calls.contains(["buildx", "inspect", "real-remote"]), "\(calls)")
    }

    @Test("xplat bake --dry-run: the client choice's question serves the print and the nodes")
    func bakeDryRun() async throws {
        let (run, calls) = try await run(
            ["bake", "--dry-run", "--builder", "real-remote", "-f", "linked.hcl", "uses"],
            in: BakeRecordings.linkedSmall.absoluteDirectory)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(calls.filter { $0 == ["buildx", "version"] }.count == 1, "\(calls)")
        #expect(calls.contains(["buildx", "bake", "--print", "--file", "linked.hcl", "uses"]), "\(calls)")
    }
}
