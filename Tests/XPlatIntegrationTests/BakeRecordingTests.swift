// Records what real `docker buildx bake --print` prints for the bake files of Dockerfiles/bake and
// Dockerfiles/bake-project (BakeRecordings.all), for the replays of the bake tests. Runs only when
// XPLAT_RECORD_BAKE=1, on a machine whose docker client has the buildx plugin (DOCKER_CONFIG):
//   XPLAT_RECORD_BAKE=1 DOCKER_CONFIG=/path/with/cli-plugins swift test --filter BakeRecordingTests
// Each transcript holds `buildx version` and the case's command, as buildx answered them.

import Foundation
import Testing
import XPlatBuild
import XPlatCommands
import XPlatHost
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@Suite(
    "bake --print recordings",
    .enabled(
        if: ProcessInfo.processInfo.environment["XPLAT_RECORD_BAKE"] == "1",
        "records only with XPLAT_RECORD_BAKE=1 and real buildx"))
struct BakeRecordingTests {
    @Test("records every case", arguments: BakeRecordings.all.map(\.name))
    func record(_ name: String) async throws {
        let bakeCase = try #require(BakeRecordings.all.first { $0.name == name })
        let runner = SubprocessRunner()
        let docker = "/usr/bin/docker"
        // Bake variables come from the environment: only the case's own reach buildx.
        var environment: [String: String?] = [:]
        for key in ["REGISTRY", "TAG", "VERSION", "PLATFORMS", "OUT"] { environment[key] = .some(nil) }
        for (key, value) in bakeCase.environment { environment[key] = value }
        let version = try await runner.run(Command(docker, ["buildx", "version"]))
        try #require(version.succeeded, "no buildx plugin: \(version.stderr)")
        let printed = try await runner.run(
            Command(
                docker, bakeCase.commandLine, environment: environment,
                workingDirectory: bakeCase.absoluteDirectory))
        let tools =
            version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "; docker client "
            + (try await runner.run(Command(docker, ["version", "--format", "{{.Client.Version}}"]))).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let transcript = Transcript(
            tools: tools,
            entries: [
                TranscriptEntry(
                    arguments: ["docker", "buildx", "version"], environment: [:], exitCode: version.exitCode,
                    stdout: version.stdout, stderr: version.stderr, files: [:]),
                TranscriptEntry(
                    arguments: ["docker"] + bakeCase.commandLine, environment: bakeCase.environment,
                    exitCode: printed.exitCode,
                    stdout: printed.stdout, stderr: printed.stderr, files: [:]),
            ])
        try FileManager.default.createDirectory(atPath: BakeRecordings.folder, withIntermediateDirectories: true)
        try transcript.save(bakeCase.transcriptPath)
    }

    /// `linked.hcl`'s `probe` with `--push` to the TLS registry (Scripts/secure-registry-up; the login
    /// in DOCKER_CONFIG, its CA trusted by buildkitd), on XPLAT_RECORD_BUILDER (default
    /// `real-remote`): real `docker buildx bake` first, then xplat's, each index read back by skopeo.
    @Test("records docker buildx bake --push and xplat bake --push side by side")
    func recordPush() async throws {
        let environment = ProcessInfo.processInfo.environment
        let builder = environment["XPLAT_RECORD_BUILDER"] ?? "real-remote"
        let bakeCase = BakeRecordings.push
        let config = environment["DOCKER_CONFIG"] ?? "\(NSHomeDirectory())/.docker"
        let docker = "/usr/bin/docker"
        let runner = SubprocessRunner()
        let tools =
            (try await runner.run(Command(docker, ["buildx", "version"]))).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            + "; "
            + ((try await runner.run(Command(docker, ["buildx", "inspect", builder]))).stdout.split(separator: "\n")
                .first { $0.hasPrefix("Buildkit:") }.map { $0.replacingOccurrences(of: "  ", with: "") }
                ?? "Buildkit: ?")
        let recorder = TranscriptRecorder(
            runner, tools: tools,
            placeholders: Placeholders([
                ("$CTX", bakeCase.absoluteDirectory), ("$TMP", "/tmp"), ("$DOCKER_CONFIG", config), ("docker", docker),
            ]))
        let service = BuildService(
            runner: recorder, docker: docker, environment: environment,
            probe: HostEmulationProbe(
                roots: .system(environment: environment), environment: environment,
                runner: runner, prover: ProbeExecProver()),
            verifier: nil, rewriter: nil)
        // Both platforms (tag `rec`), then linux/amd64 alone (tag `one`).
        for (name, sets) in [("rec", [String]()), ("one", ["probe.platform=linux/amd64"])] {
            func tag(_ who: String) -> String { "\(BakeRecordings.pushRegistry)/\(who)/probe:\(name)" }
            func skopeo(_ who: String) -> Command {
                Command("skopeo", ["inspect", "--raw", "--authfile", "\(config)/config.json", "docker://\(tag(who))"])
            }
            let real = try await recorder.run(
                Command(
                    docker,
                    ["buildx", "bake", "--builder", builder, "--progress", "plain", "--file", "linked.hcl"]
                        + (sets + ["probe.tags=\(tag("buildx"))"]).flatMap { ["--set", $0] } + ["--push", "probe"],
                    workingDirectory: bakeCase.absoluteDirectory))
            try #require(real.succeeded, "\(real.stderr)")
            try #require((try await recorder.run(skopeo("buildx"))).succeeded)
            let print = try await service.printBake(
                BakeInvocation(
                    files: ["linked.hcl"], sets: sets + ["probe.tags=\(tag("xplat"))"], targets: ["probe"],
                    push: true), in: bakeCase.absoluteDirectory)
            var options = BakeOptions(
                defaultPlatforms: [try Platform(parsing: "linux/amd64")], verify: false, progress: .plain)
            options.directory = bakeCase.absoluteDirectory
            let prepared = try await service.prepareBake(
                print, options: options, selection: NodeSelection(builder: builder, driver: .buildx))
            defer { prepared.discard() }
            _ = try await service.bake(prepared, options: options, tty: false)
            try #require((try await recorder.run(skopeo("xplat"))).succeeded)
        }
        try recorder.transcript.save(BakeRecordings.pushTranscript)
    }

    /// xplat's bake of `linked.hcl`'s `uses` (built on `probe`) on the remote builder named by
    /// XPLAT_RECORD_BUILDER (default `real-remote`), through the recorder: what BakeTests replays.
    @Test("records xplat bake of a target: context on a remote builder")
    func recordLinkedBuild() async throws {
        let environment = ProcessInfo.processInfo.environment
        let builder = environment["XPLAT_RECORD_BUILDER"] ?? "real-remote"
        let bakeCase = BakeRecordings.linkedSmall
        let out = bakeCase.environment["OUT"]!
        try? FileManager.default.removeItem(atPath: out)
        defer { try? FileManager.default.removeItem(atPath: out) }
        setenv("OUT", out, 1)  // the bake variable, read by buildx from its environment
        defer { unsetenv("OUT") }
        let docker = "/usr/bin/docker"
        let runner = SubprocessRunner()
        let tools =
            (try await runner.run(Command(docker, ["buildx", "version"]))).stdout.trimmingCharacters(
                in: .whitespacesAndNewlines)
            + "; "
            + ((try await runner.run(Command(docker, ["buildx", "inspect", builder]))).stdout.split(separator: "\n")
                .first { $0.hasPrefix("Buildkit:") }.map { $0.replacingOccurrences(of: "  ", with: "") }
                ?? "Buildkit: ?")
        let recorder = TranscriptRecorder(
            runner, tools: tools,
            placeholders: Placeholders([
                ("$OUT", out), ("$CTX", bakeCase.absoluteDirectory), ("$TMP", "/tmp"), ("docker", docker),
            ]))
        let service = BuildService(
            runner: recorder, docker: docker, environment: environment,
            probe: HostEmulationProbe(
                roots: .system(environment: environment), environment: environment,
                runner: runner, prover: ProbeExecProver()),
            verifier: nil, rewriter: nil)
        let print = try await service.printBake(
            BakeInvocation(files: ["linked.hcl"], targets: ["uses"]), in: bakeCase.absoluteDirectory)
        var options = BakeOptions(defaultPlatforms: [try Platform(parsing: "linux/amd64")], progress: .quiet)
        options.directory = bakeCase.absoluteDirectory
        let prepared = try await service.prepareBake(
            print, options: options, selection: NodeSelection(builder: builder, driver: .buildx))
        defer { prepared.discard() }
        _ = try await service.bake(prepared, options: options, tty: false)
        try recorder.transcript.save(BakeRecordings.linkedBuildTranscript)
    }
}
