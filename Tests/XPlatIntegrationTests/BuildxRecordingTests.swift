// Records what real buildx and BuildKit do, for the replay tests in XPlatBuildTests/Recordings.
// Runs only when XPLAT_RECORD_BUILDX names the folder to write into, on a machine with the buildx
// plugin in DOCKER_CONFIG and the builders named below (see Recordings/README.md):
//   default              buildx's default builder (docker driver, the engine's BuildKit)
//   xplat-rec-remote     one remote node (buildkitd, unix socket XPLAT_RECORD_BKA)
//   xplat-rec-two        node 0 as above, node 1 a second buildkitd (XPLAT_RECORD_BKB) pinned to
//                        linux/arm64,linux/arm/v7
// Every transcript is what the tools printed and wrote; nothing is edited by hand.

import Foundation
import Testing
import XPlatBuild
import XPlatCommands
import XPlatHost
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

private func p(_ platform: String) -> Platform { try! Platform(parsing: platform) }

enum Recording {
    static let environment = ProcessInfo.processInfo.environment
    static let folder = environment["XPLAT_RECORD_BUILDX"] ?? ""
    static let enabled = !folder.isEmpty
    static let docker = "/usr/bin/docker"
    static var context: String { "\(XPlatBinary.packageRoot)/Tests/XPlatBuildTests/Recordings/context" }

    /// The tool versions, as the tools print them.
    static func tools() async throws -> String {
        let runner = SubprocessRunner()
        let buildx = try await runner.run(Command(docker, ["buildx", "version"])).stdout
        let engine = try await runner.run(Command(docker, ["version", "--format", "{{.Server.Version}}"])).stdout
        let bk =
            try await runner.run(Command(docker, ["buildx", "inspect", "xplat-rec-remote"])).stdout
            .split(separator: "\n").first { $0.hasPrefix("Buildkit:") } ?? "Buildkit: ?"
        return
            "\(buildx.trimmingCharacters(in: .whitespacesAndNewlines)); remote "
            + "\(bk.replacingOccurrences(of: "  ", with: "")); dockerd "
            + "\(engine.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    static func placeholders(out: String) -> Placeholders {
        Placeholders([
            ("$OUT", out), ("$CTX", context), ("$BKA", environment["XPLAT_RECORD_BKA"] ?? "/nonexistent-a"),
            ("$BKB", environment["XPLAT_RECORD_BKB"] ?? "/nonexistent-b"), ("$TMP", "/tmp"), ("docker", docker),
        ])
    }

    /// Runs xplat's build through a recorder, then `after` (what the build made, seen by other
    /// tools: `skopeo inspect --raw` of a pushed index), and saves the transcript as NAME.json.
    static func build(
        _ name: String, _ request: (String) -> BuildRequest, selection: NodeSelection,
        after: (String) -> [Command] = { _ in [] }
    ) async throws -> Result<BuildResult, any Error> {
        let out = try makeTemporaryDirectory("xplat-rec")
        defer { removeTree(out) }
        let recorder = TranscriptRecorder(
            SubprocessRunner(), tools: try await tools(), placeholders: placeholders(out: out))
        let service = BuildService(
            runner: recorder, docker: docker, environment: environment,
            probe: HostEmulationProbe(
                roots: .system(environment: environment), environment: environment,
                runner: SubprocessRunner(), prover: ProbeExecProver()),
            verifier: nil, rewriter: nil)
        let result: Result<BuildResult, any Error>
        do { result = .success(try await service.build(request(out), selection: selection, tty: false)) } catch {
            result = .failure(error)
        }
        for command in after(out) { _ = try await recorder.run(command) }
        try recorder.transcript.save("\(folder)/\(name).json")
        return result
    }

    /// `skopeo inspect --raw` of a reference on the plain-HTTP registry.
    static func skopeo(_ reference: String) -> Command {
        Command("skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(reference)"])
    }

    /// Runs raw commands (buildx's own behaviour, without xplat) and saves the transcript.
    static func raw(_ name: String, _ commands: (String) -> [Command]) async throws {
        let out = try makeTemporaryDirectory("xplat-rec")
        defer { removeTree(out) }
        let recorder = TranscriptRecorder(
            SubprocessRunner(), tools: try await tools(), placeholders: placeholders(out: out))
        for command in commands(out) { _ = try await recorder.run(command) }
        try recorder.transcript.save("\(folder)/\(name).json")
    }

    static func request(_ platforms: String, output: OutputSpec, registry: String = "127.0.0.1:5000") -> BuildRequest {
        BuildRequest(
            dockerfile: "\(context)/Dockerfile", context: context, platforms: try! Platform.parseList(platforms),
            output: output, network: .none, verify: false, progress: .plain, registry: registry)
    }

    static func buildx(_ builder: String, _ platforms: String, _ extra: [String]) -> Command {
        Command(
            docker,
            [
                "buildx", "build", "--builder", builder, "--platform", platforms, "--file", "\(context)/Dockerfile",
                "--network=none", "--progress=plain",
            ] + extra + [context])
    }
}

@Suite(
    "buildx recordings", .serialized,
    .enabled(if: Recording.enabled, "XPLAT_RECORD_BUILDX is not set (recording needs real buildx)"))
struct BuildxRecordingTests {
    @Test("docker driver: xplat fans two platforms out, one flat local export each")
    func dockerDriverFanOut() async throws {
        let r = try await Recording.build(
            "docker-driver-fan-out",
            { Recording.request("linux/amd64,linux/arm64", output: .local(dest: "\($0)/out", split: nil)) },
            selection: NodeSelection(builder: "default", driver: .buildx))
        _ = try r.get()
    }

    @Test("docker driver: one platform's build fails; xplat reports it and leaves nothing behind")
    func dockerDriverFailure() async throws {
        let r = try await Recording.build(
            "docker-driver-fan-out-fails",
            {
                var request = Recording.request(
                    "linux/amd64,linux/arm64", output: .local(dest: "\($0)/out", split: nil))
                request.buildArgs = ["FAIL_ON=aarch64"]
                return request
            }, selection: NodeSelection(builder: "default", driver: .buildx))
        #expect(throws: BuildError.self) { try r.get() }
    }

    @Test(
        """
        docker driver: buildx's own refusals (several platforms, --load of a list, cache export, OCI export), \
        one-platform local and load
        """
    )
    func dockerDriverRaw() async throws {
        try await Recording.raw("docker-driver-raw") { out in
            [
                Command(Recording.docker, ["buildx", "version"]),
                Command(Recording.docker, ["buildx", "inspect", "default"]),
                Recording.buildx("default", "linux/amd64,linux/arm64", ["--output", "type=local,dest=\(out)/two"]),
                Recording.buildx("default", "linux/amd64,linux/arm64", ["--tag", "xplat-rec:two", "--load"]),
                Recording.buildx(
                    "default", "linux/arm64",
                    [
                        "--cache-to", "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:c,mode=max",
                        "--output", "type=local,dest=\(out)/cache",
                    ]),
                Recording.buildx(
                    "default", "linux/arm64",
                    [
                        "--provenance=false", "--output", "type=local,dest=\(out)/one",
                        "--metadata-file", "\(out)/one.json",
                    ]),
                Recording.buildx(
                    "default", "linux/arm64",
                    [
                        "--provenance=false", "--tag", "xplat-rec:arm64", "--load",
                        "--metadata-file", "\(out)/load.json",
                    ]),
                Recording.buildx(
                    "default", "linux/arm64", ["--provenance=false", "--output", "type=oci,dest=\(out)/image.oci.tar"]),
            ]
        }
    }

    @Test("remote builder: one solve of three platforms, per-platform folders; attestations on and off; push metadata")
    func remoteRaw() async throws {
        try await Recording.raw("remote-raw") { out in
            [
                Command(Recording.docker, ["buildx", "inspect", "xplat-rec-remote"]),
                Recording.buildx(
                    "xplat-rec-remote", "linux/amd64,linux/arm64,linux/arm/v7",
                    ["--provenance=false", "--output", "type=local,dest=\(out)/three"]),
                Recording.buildx(
                    "xplat-rec-remote", "linux/amd64,linux/arm64", ["--output", "type=local,dest=\(out)/attested"]),
                Recording.buildx(
                    "xplat-rec-remote", "linux/arm64", ["--output", "type=local,dest=\(out)/attested-one"]),
                Recording.buildx(
                    "xplat-rec-remote", "linux/amd64,linux/arm64",
                    [
                        "--tag", "127.0.0.1:5000/xplat-rec/hello:attested", "--push",
                        "--metadata-file", "\(out)/attested.json",
                    ]),
                Command(
                    "skopeo",
                    ["inspect", "--raw", "--tls-verify=false", "docker://127.0.0.1:5000/xplat-rec/hello:attested"]),
                Recording.buildx(
                    "xplat-rec-remote", "linux/amd64,linux/arm64",
                    [
                        "--provenance=false", "--tag", "127.0.0.1:5000/xplat-rec/hello:plain",
                        "--push", "--metadata-file", "\(out)/plain.json",
                    ]),
                Command(
                    "skopeo",
                    ["inspect", "--raw", "--tls-verify=false", "docker://127.0.0.1:5000/xplat-rec/hello:plain"]),
            ]
        }
    }

    @Test("remote builder through xplat: three platforms in one solve, local output")
    func remoteLocal() async throws {
        _ = try await Recording.build(
            "remote-three-platforms",
            {
                Recording.request("linux/amd64,linux/arm64,linux/arm/v7", output: .local(dest: "\($0)/out", split: nil))
            },
            selection: NodeSelection(builder: "xplat-rec-remote", driver: .buildx)
        ).get()
    }

    @Test("two-node builder through xplat: arm platforms to the pinned node, through temporary one-node builders")
    func twoNodes() async throws {
        _ = try await Recording.build(
            "two-node",
            {
                Recording.request("linux/amd64,linux/arm64,linux/arm/v7", output: .local(dest: "\($0)/out", split: nil))
            },
            selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx)
        ).get()
    }

    @Test("registry cache: buildx exports it (mode=max), the engine imports it")
    func cache() async throws {
        var exported = Recording.request("linux/arm64", output: .none)
        exported.cacheTo = [try CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:main,mode=max")]
        exported.cacheFrom = [try CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:main")]
        _ = try await Recording.build(
            "cache-export-remote", { _ in exported },
            selection: NodeSelection(builder: "xplat-rec-remote", driver: .buildx)
        ).get()
        var imported = exported
        imported.cacheTo = []
        _ = try await Recording.build(
            "cache-import-engine", { _ in imported }, selection: NodeSelection(driver: .engine)
        ).get()
    }

    @Test("docker driver: attestations asked for are refused by dockerd 20.10's BuildKit, whatever the output")
    func dockerDriverAttestationsRaw() async throws {
        try await Recording.raw("docker-driver-attestations-raw") { out in
            [
                Recording.buildx(
                    "default", "linux/arm64",
                    ["--provenance=true", "--tag", "127.0.0.1:5000/xplat-rec/hello:dd-attested", "--push"]),
                Recording.buildx(
                    "default", "linux/arm64", ["--provenance=true", "--tag", "xplat-rec:dd-attested", "--load"]),
                Recording.buildx(
                    "default", "linux/arm64", ["--provenance=true", "--output", "type=local,dest=\(out)/attested"]),
            ]
        }
    }

    @Test("remote builder: --sbom needs BuildKit's scanner image, which an offline builder cannot pull")
    func sbomRaw() async throws {
        try await Recording.raw("remote-sbom-raw") { out in
            [
                Recording.buildx(
                    "xplat-rec-remote", "linux/arm64", ["--sbom=true", "--output", "type=local,dest=\(out)/sbom"])
            ]
        }
    }

    @Test("remote builder: --load with attestations is refused by buildx, with its manifest-list message")
    func loadAttestedRaw() async throws {
        try await Recording.raw("remote-load-attested-raw") { _ in
            [
                Recording.buildx(
                    "xplat-rec-remote", "linux/arm64",
                    ["--provenance=true", "--tag", "xplat-rec:load-attested", "--load"])
            ]
        }
    }

    @Test("docker driver through xplat: --push, one --load per platform read back with docker save, one index pushed")
    func dockerDriverPush() async throws {
        let tag = "127.0.0.1:5000/xplat-rec/hello:docker-driver"
        _ = try await Recording.build(
            "docker-driver-push",
            { _ in
                var request = Recording.request("linux/amd64,linux/arm64", output: .push)
                request.tags = [tag]
                request.verify = true
                return request
            }, selection: NodeSelection(builder: "default", driver: .buildx), after: { _ in [Recording.skopeo(tag)] }
        ).get()
    }

    @Test("--load through xplat (docker driver and remote builder): one solve, the root read from the loaded image")
    func loadOnce() async throws {
        for (name, builder) in [("docker-driver-load", "default"), ("remote-load", "xplat-rec-remote")] {
            _ = try await Recording.build(
                name,
                { _ in
                    var request = Recording.request("linux/arm64", output: .load)
                    request.tags = ["xplat-rec:\(name)"]
                    request.verify = true
                    return request
                }, selection: NodeSelection(builder: builder, driver: .buildx)
            ).get()
        }
    }

    @Test(
        "two-node builder through xplat with --provenance: --push and -o type=oci keep each attestation with its image")
    func twoNodeAttestations() async throws {
        let tag = "127.0.0.1:5000/xplat-rec/attested:xplat"
        _ = try await Recording.build(
            "two-node-attested-push",
            { _ in
                var request = Recording.request("linux/amd64,linux/arm64,linux/arm/v7", output: .push)
                request.tags = [tag]
                request.provenance = "true"
                return request
            }, selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx),
            after: { _ in [Recording.skopeo(tag)] }
        ).get()
        _ = try await Recording.build(
            "two-node-attested-oci",
            {
                var request = Recording.request(
                    "linux/amd64,linux/arm64,linux/arm/v7", output: .oci(dest: "\($0)/image.oci.tar", tar: true))
                request.provenance = "true"
                return request
            }, selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx),
            after: { [Command("skopeo", ["inspect", "--raw", "oci-archive:\($0)/image.oci.tar"])] }
        ).get()
    }
}
