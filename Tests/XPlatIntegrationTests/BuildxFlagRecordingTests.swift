// Records what real buildx v0.10.5 (BuildKit v0.11.6 behind `remote` builders, dockerd 20.10's
// BuildKit behind the `docker` driver) and docker 20.10's own `docker build` do with buildx's build
// flags, for the replay tests in XPlatBuildTests (BuildFlagReplayTests). Runs only when
// XPLAT_RECORD_FLAGS names the folder to write into, with the buildx plugin in DOCKER_CONFIG and
// the shared builders (`/work/shared/tools/real-buildx/up`):
//   real-remote   one remote node (buildkitd on XPLAT_RECORD_BKA)
//   real-multi    node real-multi-amd (XPLAT_RECORD_BKA, linux/amd64) and real-multi-arm
//                 (XPLAT_RECORD_BKB, pinned to linux/arm64,linux/arm/v7)
//   dfl-fresh     node dfl-fresh-amd (XPLAT_RECORD_BKA, linux/amd64) and dfl-fresh-arm, a
//                 buildkitd with an empty cache (XPLAT_RECORD_BKC, pinned to linux/arm64,linux/arm/v7):
//                 what it finds cached it can only have from an imported cache
// Every transcript is what the tools printed and wrote; nothing is edited by hand.

import Foundation
import Testing
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatCommands

enum FlagRecording {
    static let environment = ProcessInfo.processInfo.environment
    static let folder = environment["XPLAT_RECORD_FLAGS"] ?? ""
    static let enabled = !folder.isEmpty
    static let docker = "/usr/bin/docker"
    static var context: String { "\(XPlatBinary.packageRoot)/Tests/XPlatBuildTests/Recordings/flags-context" }

    /// The tool versions, as the tools print them.
    static func tools() async throws -> String {
        let runner = SubprocessRunner()
        let buildx = try await runner.run(Command(docker, ["buildx", "version"])).stdout
        let engine = try await runner.run(
            Command(docker, ["version", "--format", "{{.Client.Version}} / {{.Server.Version}}"])
        ).stdout
        let bk =
            try await runner.run(Command(docker, ["buildx", "inspect", "real-remote"])).stdout
            .split(separator: "\n").first { $0.hasPrefix("Buildkit:") } ?? "Buildkit: ?"
        return
            "\(buildx.trimmingCharacters(in: .whitespacesAndNewlines)); remote "
            + "\(bk.replacingOccurrences(of: "  ", with: "")); docker client / dockerd "
            + "\(engine.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    static func placeholders(out: String) -> Placeholders {
        Placeholders([
            ("$OUT", out), ("$CTX", context), ("$CTX0", Recording.context),
            ("$BKA", environment["XPLAT_RECORD_BKA"] ?? "/nonexistent-a"),
            ("$BKB", environment["XPLAT_RECORD_BKB"] ?? "/nonexistent-b"),
            ("$BKC", environment["XPLAT_RECORD_BKC"] ?? "/nonexistent-c"),
            ("$TMP", "/tmp"), ("docker", docker),
        ])
    }

    /// The files every flag recording reads: a secret and an ssh agent's socket (a real `ssh-agent`).
    static func inputs(_ out: String) async throws -> String {
        try "from-a-file".write(toFile: out + "/token", atomically: true, encoding: .utf8)
        let agent = try await SubprocessRunner().run(Command("ssh-agent", ["-a", out + "/agent.sock", "-s"]))
        try #require(agent.succeeded, "\(agent.stderr)")
        return String(
            agent.stdout.split(separator: ";").first { $0.contains("SSH_AGENT_PID=") }?.split(separator: "=").last ?? ""
        )
    }

    /// Runs raw commands (the tools' own behaviour, without xplat) and saves the transcript.
    static func raw(_ name: String, _ commands: (String) -> [Command]) async throws {
        let out = try makeTemporaryDirectory("xplat-rec")
        let agent = try await inputs(out)
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/bin/kill"), arguments: [agent])
            removeTree(out)
        }
        let recorder = TranscriptRecorder(
            SubprocessRunner(), tools: try await tools(), placeholders: placeholders(out: out))
        for command in commands(out) { _ = try await recorder.run(command) }
        try recorder.transcript.save("\(folder)/\(name).json")
    }

    /// Runs xplat's builds (through the CLI's `BuildFlagOptions`, as a user gives the flags) with a
    /// recorder, then `after`, and saves the transcript.
    static func build(
        _ name: String, _ requests: (String) throws -> [(BuildRequest, NodeSelection)],
        after: (String) -> [Command] = { _ in [] }
    ) async throws -> [Result<BuildResult, any Error>] {
        let out = try makeTemporaryDirectory("xplat-rec")
        let agent = try await inputs(out)
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/bin/kill"), arguments: [agent])
            removeTree(out)
        }
        let recorder = TranscriptRecorder(
            SubprocessRunner(), tools: try await tools(), placeholders: placeholders(out: out))
        let service = BuildService(
            runner: recorder, docker: docker,
            environment: environment.merging(["SSH_AUTH_SOCK": out + "/agent.sock"]) { $1 },
            probe: HostEmulationProbe(
                roots: .system(environment: environment), environment: environment,
                runner: SubprocessRunner(), prover: ProbeExecProver()),
            verifier: nil, rewriter: nil)
        var results: [Result<BuildResult, any Error>] = []
        for (request, selection) in try requests(out) {
            do { results.append(.success(try await service.build(request, selection: selection, tty: false))) } catch {
                results.append(.failure(error))
            }
        }
        for command in after(out) { _ = try await recorder.run(command) }
        try recorder.transcript.save("\(folder)/\(name).json")
        return results
    }

    /// A request of the flags context with the flags every recording gives.
    static func request(_ platforms: String, output: OutputSpec, out: String, extra: [String] = []) throws
        -> BuildRequest
    {
        var request = BuildRequest(
            dockerfile: "\(context)/Dockerfile", context: context, platforms: try Platform.parseList(platforms),
            output: output, network: .none, verify: false, progress: .plain)
        let flags =
            [
                "--secret", "id=token,src=\(out)/token", "--ssh", "default", "--add-host", "db.internal:10.1.2.3",
                "--ulimit", "nofile=1024:2048", "--shm-size", "128m", "--label", "org.example.flavour=flags",
                "--build-context", "extra=\(context)/extra",
            ] + extra
        let options = try BuildFlagOptions.parse(flags)
        try options.apply(to: &request, environment: ["SSH_AUTH_SOCK": out + "/agent.sock"])
        request.network = .none
        return request
    }

    /// `docker buildx build` of the flags context on `builder` with `extra` flags.
    static func buildx(
        _ builder: String, _ platforms: String, _ out: String, _ extra: [String], progress: String = "plain"
    ) -> Command {
        Command(
            docker,
            [
                "buildx", "build", "--builder", builder, "--platform", platforms, "--network=none",
                "--progress=\(progress)",
                "--secret", "id=token,src=\(out)/token", "--ssh", "default=\(out)/agent.sock",
                "--add-host", "db.internal:10.1.2.3", "--ulimit", "nofile=1024:2048", "--shm-size", "134217728",
                "--label", "org.example.flavour=flags", "--build-context", "extra=\(context)/extra",
            ] + extra + [context])
    }

    /// The manifest of entry `n` (1-based) of the index under `reference`, as the registry serves it.
    static func indexEntry(_ reference: String, _ n: Int) -> Command {
        let inspect = "skopeo inspect --raw --tls-verify=false"
        let repository = ImageReference.split(reference).repository
        return Command(
            "sh",
            [
                "-c",
                "\(inspect) docker://\(repository)@$(\(inspect) docker://\(reference) | grep -o 'sha256:[0-9a-f]*' | "
                    + "sed -n \(n)p)",
            ])
    }

    static func skopeo(_ reference: String, config: Bool = false, arch: String? = nil) -> Command {
        Command(
            "skopeo",
            ["inspect", "--raw", "--tls-verify=false"] + (config ? ["--config"] : [])
                + (arch.map { ["--override-arch", $0] } ?? [])
                + ["docker://\(reference)"])
    }
}

@Suite(
    "buildx flag recordings", .serialized,
    .enabled(if: FlagRecording.enabled, "XPLAT_RECORD_FLAGS is not set (recording needs real buildx)"))
struct BuildxFlagRecordingTests {
    @Test(
        """
        remote builder: every flag's effect in a RUN; labels in each config; -q, --iidfile and --metadata-file \
        of a push; annotations as exporter attributes; --annotation unknown to 0.10
        """
    )
    func remoteRaw() async throws {
        let repo = "127.0.0.1:5000/xplat-rec/flags"
        try await FlagRecording.raw("flags-remote-raw") { out in
            [
                FlagRecording.buildx(
                    "real-remote", "linux/amd64,linux/arm64", out,
                    [
                        "--provenance=false", "--cgroup-parent", "xplat-rec",
                        "--output", "type=local,dest=\(out)/local",
                    ]),
                FlagRecording.buildx(
                    "real-remote", "linux/amd64,linux/arm64", out,
                    [
                        "--provenance=false", "-q", "--tag", "\(repo):two", "--push",
                        "--iidfile", "\(out)/two.iid", "--metadata-file", "\(out)/two.json",
                    ],
                    progress: "auto"),
                FlagRecording.skopeo("\(repo):two"),
                FlagRecording.skopeo("\(repo):two", config: true, arch: "arm64"),
                FlagRecording.buildx(
                    "real-remote", "linux/arm64", out,
                    [
                        "--provenance=false", "-q", "--tag", "\(repo):one", "--push",
                        "--iidfile", "\(out)/one.iid", "--metadata-file", "\(out)/one.json",
                    ],
                    progress: "auto"),
                FlagRecording.skopeo("\(repo):one"),
                FlagRecording.buildx(
                    "real-remote", "linux/amd64,linux/arm64", out,
                    [
                        "--provenance=false", "--output",
                        "type=image,name=\(repo):annotated,push=true,annotation.org.example.manifest=yes,"
                            + "annotation-index.org.example.index=yes,"
                            + "annotation-manifest-descriptor[linux/arm64].org.example.arm=yes",
                    ]),
                FlagRecording.skopeo("\(repo):annotated"),
                FlagRecording.indexEntry("\(repo):annotated", 2),
                FlagRecording.buildx(
                    "real-remote", "linux/arm64", out,
                    ["--annotation", "org.example.k=v", "--output", "type=local,dest=\(out)/annotation"]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "real-remote", "--platform", "linux/arm64", "--network=none",
                        "--add-host", "gw:host-gateway", "--output", "type=local,dest=\(out)/gateway",
                        "\(Recording.context)",
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "real-remote", "--platform", "linux/arm64", "--network=host",
                        "--output", "type=local,dest=\(out)/host", "\(Recording.context)",
                    ]),
            ]
        }
    }

    @Test("remote builder: two local cache exports under two tags share one folder; a third build imports one tag")
    func localCacheRaw() async throws {
        try await FlagRecording.raw("flags-local-cache-raw") { out in
            [
                FlagRecording.buildx(
                    "real-remote", "linux/amd64", out,
                    [
                        "--provenance=false", "--cache-to", "type=local,dest=\(out)/cache,tag=amd",
                        "--output", "type=local,dest=\(out)/a",
                    ]),
                FlagRecording.buildx(
                    "real-remote", "linux/arm64", out,
                    [
                        "--provenance=false", "--cache-to", "type=local,dest=\(out)/cache,tag=arm",
                        "--output", "type=local,dest=\(out)/b",
                    ]),
                FlagRecording.buildx(
                    "real-multi", "linux/arm64", out,
                    [
                        "--provenance=false", "--cache-from", "type=local,src=\(out)/cache,tag=arm",
                        "--output", "type=local,dest=\(out)/c",
                    ]),
            ]
        }
    }

    @Test(
        """
        docker driver (dockerd 20.10's BuildKit): named context, ignored flags, per-stage --no-cache, local \
        cache import, inline cache export, entitlements, env secret
        """
    )
    func dockerDriverRaw() async throws {
        try await FlagRecording.raw("flags-docker-driver-raw") { out in
            [
                FlagRecording.buildx("default", "linux/amd64", out, ["--output", "type=local,dest=\(out)/named"]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--progress=plain",
                        "--secret", "id=token,src=\(out)/token", "--ssh", "default=\(out)/agent.sock",
                        "--add-host", "db.internal:10.1.2.3", "--ulimit", "nofile=1024:2048", "--shm-size", "134217728",
                        "--cgroup-parent", "xplat-rec", "-f", "\(FlagRecording.context)/Dockerfile.engine",
                        "--output", "type=local,dest=\(out)/ignored", FlagRecording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--no-cache-filter", "probe",
                        "--output", "type=local,dest=\(out)/filter", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--cache-from",
                        "type=local,src=\(out)/nocache",
                        "--output", "type=local,dest=\(out)/localcache", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--cache-to", "type=inline",
                        "--tag", "xplat-rec:inline", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--add-host", "gw:host-gateway",
                        "--output", "type=local,dest=\(out)/gateway", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=host", "--allow", "network.host",
                        "--output", "type=local,dest=\(out)/host", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--allow", "security.insecure",
                        "--output", "type=local,dest=\(out)/insecure", Recording.context,
                    ]),
                Command(
                    FlagRecording.docker,
                    [
                        "buildx", "build", "--builder", "default", "--network=none", "--secret",
                        "id=token,env=XPLAT_REC_TOKEN",
                        "--output", "type=local,dest=\(out)/envsecret", Recording.context,
                    ], environment: ["XPLAT_REC_TOKEN": "t"]),
            ]
        }
    }

    @Test("docker 20.10's own docker build (no buildx): which flags it takes and what they do")
    func engineRaw() async throws {
        let engine: [String: String?] = ["DOCKER_BUILDKIT": "1"]
        try await FlagRecording.raw("flags-engine-raw") { out in
            [
                Command(FlagRecording.docker, ["build", "--help"], environment: engine),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--platform", "linux/arm64", "--secret", "id=token,src=\(out)/token",
                        "--ssh", "default=\(out)/agent.sock", "--add-host", "db.internal:10.1.2.3", "--ulimit",
                        "nofile=1024:2048",
                        "--shm-size", "134217728", "--cgroup-parent", "xplat-rec",
                        "-o", "type=local,dest=\(out)/engine", "-f", "\(FlagRecording.context)/Dockerfile.engine",
                        FlagRecording.context,
                    ],
                    environment: engine),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--label", "org.example.flavour=flags", "--iidfile",
                        "\(out)/engine.iid",
                        "-q", "--tag", "xplat-rec:engine-flags", Recording.context,
                    ], environment: engine),
                Command(
                    FlagRecording.docker,
                    ["image", "inspect", "--format", "{{.Id}} {{json .Config.Labels}}", "xplat-rec:engine-flags"],
                    environment: engine),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--secret", "id=token,env=XPLAT_REC_TOKEN", "--ssh",
                        "default=\(out)/agent.sock",
                        "-o", "type=local,dest=\(out)/env", "-f", "\(FlagRecording.context)/Dockerfile.engine",
                        FlagRecording.context,
                    ],
                    environment: engine.merging(["XPLAT_REC_TOKEN": "from-the-environment"]) { $1 }),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--cache-from", "type=local,src=\(out)", "-o",
                        "type=local,dest=\(out)/cache",
                        Recording.context,
                    ], environment: engine),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--add-host", "gw:host-gateway", "-o",
                        "type=local,dest=\(out)/gateway",
                        Recording.context,
                    ], environment: engine),
                Command(
                    FlagRecording.docker,
                    [
                        "build", "--network=none", "--build-arg", "BUILDKIT_INLINE_CACHE=1", "--tag",
                        "127.0.0.1:5000/xplat-rec/inline:engine",
                        Recording.context,
                    ], environment: engine),
            ]
        }
    }

    @Test("xplat on the remote builder: every flag reaches the solve of both platforms")
    func xplatRemote() async throws {
        _ = try await FlagRecording.build("flags-xplat-remote") { out in
            [
                (
                    try FlagRecording.request(
                        "linux/amd64,linux/arm64", output: .local(dest: "\(out)/out", split: nil), out: out),
                    NodeSelection(builder: "real-remote", driver: .buildx)
                )
            ]
        }.map { try $0.get() }
    }

    @Test(
        """
        xplat on two-node builders: a local cache from two solves under two keyed tags, read back by a builder \
        whose arm node starts empty
        """
    )
    func xplatLocalCache() async throws {
        let nonce = "nonce-\(UInt32.random(in: 0...UInt32.max))"
        _ = try await FlagRecording.build(
            "flags-xplat-local-cache",
            { out in
                var export = try FlagRecording.request(
                    "linux/amd64,linux/arm64", output: .local(dest: "\(out)/first", split: nil), out: out,
                    extra: ["--cache-to", "type=local,dest=\(out)/cache"])
                export.buildArgs = ["NONCE=\(nonce)"]
                var reuse = try FlagRecording.request(
                    "linux/amd64,linux/arm64", output: .local(dest: "\(out)/second", split: nil), out: out,
                    extra: ["--cache-from", "type=local,src=\(out)/cache"])
                reuse.buildArgs = ["NONCE=\(nonce)"]
                return [
                    (export, NodeSelection(builder: "real-multi", driver: .buildx)),
                    (reuse, NodeSelection(builder: "dfl-fresh", driver: .buildx)),
                ]
            }, after: { out in [Command("cat", ["\(out)/cache/index.json"])] }
        ).map { try $0.get() }
    }

    @Test(
        """
        xplat --push on the remote builder with --iidfile, -q and annotations: the index digest, labels and \
        annotations where buildx puts them
        """
    )
    func xplatPush() async throws {
        let tag = "127.0.0.1:5000/xplat-rec/flags:xplat"
        _ = try await FlagRecording.build(
            "flags-xplat-push",
            { out in
                var request = try FlagRecording.request(
                    "linux/amd64,linux/arm64", output: .push, out: out,
                    extra: [
                        "--iidfile", "\(out)/iid", "-q", "--annotation", "index:org.example.index=yes", "--annotation",
                        "org.example.manifest=yes",
                        "--annotation", "manifest-descriptor[linux/arm64]:org.example.arm=yes",
                    ])
                request.tags = [tag]
                request.metadataFile = "\(out)/metadata.json"
                return [(request, NodeSelection(builder: "real-remote", driver: .buildx))]
            },
            after: { out in
                [
                    Command("cat", ["\(out)/iid"]), FlagRecording.skopeo(tag), FlagRecording.indexEntry(tag, 2),
                    FlagRecording.skopeo(tag, config: true, arch: "arm64"),
                ]
            }
        ).map { try $0.get() }
    }
}
