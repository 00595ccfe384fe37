// buildx's build flags through xplat, replayed from real buildx v0.10.5 / BuildKit v0.11.6 runs
// (Recordings/flags-*.json, see its README): every flag must reach the `docker buildx build` of
// every solve exactly as recorded (the replayer matches whole command lines), and what the real
// builders did with them is what the recordings show: the RUN step's report, the keyed local cache,
// the index xplat pushed. The raw recordings (buildx alone, docker build alone) are the evidence
// for xplat's refusals; their checks here keep the evidence and the refusal together.

import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// One replayed build of the flags context: its own TMPDIR and output folder.
private struct FlagReplay {
    static var recordings: String { Bundle.module.resourcePath! + "/Recordings" }
    static var context: String { recordings + "/flags-context" }

    let run: ReplayRun
    var transcript: Transcript { run.transcript }
    var tmp: String { run.tmp }
    var out: String { run.out }
    var replayer: TranscriptReplayer { run.replayer }

    /// `tag`: the image name the recording built under, and the one this replay uses instead
    /// (it reaches buildx as the export's `name=`).
    init(_ name: String, tag: (recorded: String, replayed: String)? = nil) throws {
        run = try ReplayRun(
            "\(Self.recordings)/\(name).json", prefix: "xplat-flag-replay",
            contexts: [("$CTX0", Self.recordings + "/context"), ("$CTX", Self.context)],
            substitutions: tag.map { [($0.recorded, $0.replayed)] } ?? [])
    }

    func remove() { run.remove() }

    /// The request every flag recording made: a secret file, the ssh agent, a host, a ulimit,
    /// /dev/shm's size, a label and the named context `extra`, on two platforms.
    func request(_ output: OutputSpec) -> BuildRequest {
        var request = BuildRequest(
            dockerfile: "\(Self.context)/Dockerfile", context: Self.context,
            platforms: [p("linux/amd64"), p("linux/arm64")], output: output, network: .none, verify: false,
            progress: .plain)
        request.secrets = [SecretSpec(id: "token", source: .file("\(out)/token"))]
        request.ssh = [SSHSpec(id: "default", paths: ["\(out)/agent.sock"])]
        request.extraHosts = [ExtraHost(host: "db.internal", ip: "10.1.2.3")]
        request.ulimits = [Ulimit(name: "nofile", soft: 1024, hard: 2048)]
        request.shmSize = 128 << 20
        request.labels = ["org.example.flavour": "flags"]
        request.buildContexts = [NamedContext(name: "extra", source: .directory("\(Self.context)/extra"))]
        return request
    }

    func build(_ request: BuildRequest, builder: String) async throws -> BuildResult {
        let emulation = FixedEmulation(
            ["linux/arm64", "linux/arm/v7"].map { EmulatedPlatform(platform: p($0), proven: true) })
        let service = BuildService(
            runner: replayer, docker: "docker", environment: ["TMPDIR": tmp], probe: emulation,
            verifier: nil, rewriter: nil)
        return try await service.build(request, selection: NodeSelection(builder: builder, driver: .buildx), tty: false)
    }

    func read(_ path: String) -> String {
        (try? String(contentsOfFile: "\(out)/\(path)", encoding: .utf8)) ?? "<missing \(path)>"
    }

    /// The `docker buildx build` argument lists run, in order.
    var builds: [[String]] { replayer.commands.map(\.arguments).filter { $0.starts(with: ["buildx", "build"]) } }

    /// The recorded entry whose arguments contain all of `words`.
    func entry(_ words: [String]) throws -> TranscriptEntry {
        try #require(
            transcript.entries.first { e in words.allSatisfy { w in e.arguments.contains { $0.contains(w) } } })
    }
}

/// The flags every solve of the recordings must carry, as buildx takes them.
private func flagsOfEverySolve(out: String, context: String) -> [[String]] {
    [
        ["--secret", "id=token,src=\(out)/token"], ["--ssh", "default=\(out)/agent.sock"],
        ["--add-host", "db.internal:10.1.2.3"],
        ["--ulimit", "nofile=1024:2048"], ["--shm-size", "134217728"], ["--label", "org.example.flavour=flags"],
        ["--build-context", "extra=\(context)/extra"], ["--network=none"],
    ]
}

private func contains(_ arguments: [String], _ pair: [String]) -> Bool {
    pair.count == 1
        ? arguments.contains(pair[0])
        : arguments.indices.dropLast().contains { arguments[$0] == pair[0] && arguments[$0 + 1] == pair[1] }
}

@Suite("buildx flags, replayed")
struct BuildFlagReplayTests {
    @Test(
        """
        remote builder: one solve carries every flag; the RUN saw the secret, the agent, the host, the ulimit, \
        /dev/shm's size; the named context was read
        """
    )
    func remoteEveryFlag() async throws {
        let replay = try FlagReplay("flags-xplat-remote")
        defer { replay.remove() }
        _ = try await replay.build(
            replay.request(.local(dest: "\(replay.out)/out", split: nil)), builder: "real-remote")
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        let build = try #require(replay.builds.first)
        for pair in flagsOfEverySolve(out: replay.out, context: FlagReplay.context) {
            #expect(contains(build, pair), "\(pair) reaches the solve: \(build)")
        }
        for folder in ["linux_amd64", "linux_arm64"] {
            let report = replay.read("out/\(folder)/report.txt")
            #expect(
                report.contains("token=from-a-file") && report.contains("ssh=socket")
                    && report.contains("10.1.2.3\tdb.internal"), "\(report)")
            #expect(report.contains("nofile=1024") && report.contains("shm=131072"), "\(report)")
            #expect(replay.read("out/\(folder)/extra-note.txt") == "from the named context extra\n")
        }
    }

    @Test("--iidfile without an image output: the build runs and leaves the file empty, as buildx 0.10.5 does")
    func imageIDFileWithoutImage() async throws {
        let replay = try FlagReplay("flags-xplat-remote")
        defer { replay.remove() }
        var request = replay.request(.none)
        request.imageIDFile = "\(replay.out)/iid"
        try "sha256:an-earlier-build".write(toFile: "\(replay.out)/iid", atomically: true, encoding: .utf8)
        _ = try await replay.build(request, builder: "real-remote")
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(
            FileManager.default.fileExists(atPath: "\(replay.out)/iid") && replay.read("iid").isEmpty,
            "an empty file: \(replay.read("iid"))")
    }

    @Test(
        """
        two-node builder: --cache-to type=local from two solves keeps both under keyed tags in one index.json; \
        a second build reads each solve's own tag, and the arm node that never ran the RUN finds it cached
        """)
    func localCacheKeyed() async throws {
        let replay = try FlagReplay("flags-xplat-local-cache")
        defer { replay.remove() }
        let recordedNonce = try #require(
            replay.transcript.entries.lazy.compactMap { $0.arguments.first { $0.hasPrefix("NONCE=") } }.first)
        var export = replay.request(.local(dest: "\(replay.out)/first", split: nil))
        export.buildArgs = [recordedNonce]
        export.cacheTo = [try CacheSpec(parsing: "type=local,dest=\(replay.out)/cache", direction: .export)]
        _ = try await replay.build(export, builder: "real-multi")
        var reuse = replay.request(.local(dest: "\(replay.out)/second", split: nil))
        reuse.buildArgs = [recordedNonce]
        reuse.cacheFrom = [try CacheSpec(parsing: "type=local,src=\(replay.out)/cache")]
        _ = try await replay.build(reuse, builder: "dfl-fresh")
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        let amd = CacheKey(platforms: [p("linux/amd64")], outputMode: "local").digest,
            arm = CacheKey(platforms: [p("linux/arm64")], outputMode: "local").digest
        let exports = replay.builds.compactMap { b in b.firstIndex(of: "--cache-to").map { b[$0 + 1] } }
        #expect(
            Set(exports) == [
                "type=local,dest=\(replay.out)/cache,tag=latest-\(amd)",
                "type=local,dest=\(replay.out)/cache,tag=latest-\(arm)",
            ],
            "each solve exports under its own tag: \(exports)")
        let imports = replay.builds.compactMap { b in b.firstIndex(of: "--cache-from").map { b[$0 + 1] } }
        #expect(
            Set(imports) == [
                "type=local,src=\(replay.out)/cache,tag=latest-\(amd)",
                "type=local,src=\(replay.out)/cache,tag=latest-\(arm)",
            ],
            "each solve reads its own tag, and only tags index.json holds (buildx fails on a missing one): \(imports)")
        let index = try String(contentsOfFile: "\(replay.out)/cache/index.json", encoding: .utf8)
        #expect(
            index.contains("latest-\(amd)") && index.contains("latest-\(arm)"),
            "both solves' caches are in the folder: \(index)")
        let armImport = try replay.entry(["--cache-from", "linux/arm64"])
        #expect(armImport.stderr.contains("importing cache manifest from local"))
        let runStep = try #require(
            armImport.stderr.split(separator: "\n").first { $0.contains("RUN --mount=type=secret") }?.split(
                separator: " "
            ).first)
        #expect(armImport.stderr.contains("\(runStep) CACHED"), "the fresh arm node's RUN came from the imported cache")
    }

    @Test(
        """
        a local cache source: only tags its index.json holds are asked for; without index.json the solve's own \
        tag (buildx warns and goes on)
        """
    )
    func localCacheTags() throws {
        var request = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64"), p("linux/arm64")],
            output: .local(dest: "o", split: nil))
        request.cacheFrom = [try CacheSpec(parsing: "type=local,src=/c")]
        let own = request.cacheKey(for: [p("linux/arm64")]).digest, all = request.cacheKey.digest
        var commands = DriverCommands(docker: "docker", request: request, dockerfile: "D")
        let cache = request.cacheFrom[0]
        #expect(
            commands.importValues(cache, platforms: [p("linux/arm64")]) == ["type=local,src=/c,tag=latest-\(own)"],
            "no index.json: buildx warns and goes on")
        commands.localCacheTags = ["/c": ["latest-\(all)", "latest"]]
        #expect(
            commands.importValues(cache, platforms: [p("linux/arm64")]) == [
                "type=local,src=/c,tag=latest-\(all)", "type=local,src=/c,tag=latest",
            ])
        commands.localCacheTags = ["/c": ["other"]]
        #expect(
            commands.importValues(cache, platforms: [p("linux/arm64")]).isEmpty,
            "nothing for this solve: nothing asked (buildx would fail)")
        let raw = try FlagReplay("flags-docker-driver-raw")
        defer { raw.remove() }
        #expect(
            try raw.entry(["--cache-from"]).stderr.contains("WARNING: local cache import at"),
            "recorded: a folder without index.json only warns")
    }

    @Test(
        """
        --push with --iidfile, -q and annotations: iidfile and -q hold the index digest; index, manifest and \
        descriptor annotations as buildx places them; labels in each config
        """,
        .enabled(if: LocalRegistry.listening, "no registry on 127.0.0.1:5000 (Scripts/setup --tests starts it)"))
    func pushIdentity() async throws {
        let tag = "127.0.0.1:5000/xplat-replay/flags:push-\(getpid())"
        let replay = try FlagReplay("flags-xplat-push", tag: ("127.0.0.1:5000/xplat-rec/flags:xplat", tag))
        defer { replay.remove() }
        var request = replay.request(.push)
        request.tags = [tag]
        request.imageIDFile = "\(replay.out)/iid"
        request.quiet = true
        request.metadataFile = "\(replay.out)/metadata.json"
        request.annotations = try [
            "index:org.example.index=yes", "org.example.manifest=yes",
            "manifest-descriptor[linux/arm64]:org.example.arm=yes",
        ]
        .map(AnnotationSpec.init(parsing:))
        let result = try await replay.build(request, builder: "real-remote")
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        let build = try #require(replay.builds.first)
        #expect(
            build.contains {
                $0.hasPrefix("type=oci,") && $0.contains(",name=\(tag),")
                    && $0.hasSuffix(",annotation.org.example.manifest=yes")
            },
            Comment(
                rawValue:
                    "manifest annotations go to BuildKit's export, so the manifests keep the digests "
                    + "attestations name: "
                    + "\(build)")
        )
        let recorded = try #require(
            replay.transcript.entries.first { $0.arguments.first == "skopeo" && !$0.arguments.contains("--config") })
        let index = try await RegistryClient.with { try await $0.manifest(try RegistryReference(parsing: tag)) }
        #expect(index.data == Data(recorded.stdout.utf8), "the pushed index is the recorded one, annotations and all")
        let pushed = try JSONDecoder().decode(Index.self, from: index.data)
        #expect(
            pushed.manifests.filter(\.isAttestation).count == 2 && !build.contains("--provenance=false"),
            "no attestation flag: buildx's default provenance, one attestation per image, as buildx's own push")
        let indexDigest = try #require(result.indexDigest)
        #expect(replay.read("iid") == indexDigest, "--iidfile: the whole build's index digest")
        #expect(
            result.quietID == indexDigest, "-q prints it too (buildx 0.10.5 printed the index digest for two platforms)"
        )
        #expect(result.configDigest == nil, "an index, not one image")
        let iidRecorded = try #require(replay.transcript.entries.first { $0.arguments.first == "cat" })
        #expect(iidRecorded.stdout == indexDigest, "the recorded run wrote the same")
        let metadata = try JSONSerialization.jsonObject(with: Data(replay.read("metadata.json").utf8)) as? [String: Any]
        let descriptor = metadata?["containerimage.descriptor"] as? [String: Any]
        #expect(
            descriptor?["digest"] as? String == indexDigest && descriptor?["mediaType"] as? String == MediaType.ociIndex
        )
        #expect(metadata?["containerimage.digest"] as? String == indexDigest)
        let armManifest = try #require(replay.transcript.entries.first { $0.arguments.first == "sh" })
        #expect(
            armManifest.stdout.contains("\"org.example.manifest\": \"yes\""),
            "the manifest annotation on the arm64 manifest (recorded)")
        let config = try #require(replay.transcript.entries.first { $0.arguments.contains("--config") })
        #expect(
            config.stdout.contains("\"Labels\":{\"org.example.flavour\":\"flags\"}"),
            "the label in the arm64 config (recorded)")
    }

    @Test(
        """
        raw buildx 0.10.5, remote builder: two platforms -q and --iidfile give the index digest; one platform -q \
        the manifest digest, --iidfile the config digest
        """
    )
    func rawIdentity() throws {
        let raw = try FlagReplay("flags-remote-raw")
        defer { raw.remove() }
        let two = try raw.entry(["--iidfile", "$OUT/two.iid"])
        let twoIID = try #require(two.files["$OUT/two.iid"])
        #expect(two.stdout == twoIID + "\n")
        #expect(
            two.files["$OUT/two.json"]?.contains("\"digest\": \"\(twoIID)\"") == true,
            "the metadata's descriptor is the index")
        let one = try raw.entry(["--iidfile", "$OUT/one.iid"])
        let oneIID = try #require(one.files["$OUT/one.iid"])
        let oneJSON = try #require(one.files["$OUT/one.json"])
        let oneMetadata = try #require(try JSONSerialization.jsonObject(with: Data(oneJSON.utf8)) as? [String: Any])
        let manifestDigest = try #require(oneMetadata["containerimage.digest"] as? String)
        #expect(
            one.stdout == manifestDigest + "\n" && manifestDigest != oneIID,
            "0.10.5: -q prints containerimage.digest, --iidfile the config digest")
        #expect(
            (oneMetadata["containerimage.descriptor"] as? [String: Any])?["mediaType"] as? String
                == MediaType.dockerManifest,
            "containerimage.digest is the manifest's digest")
        #expect(oneMetadata["containerimage.config.digest"] as? String == oneIID)
        #expect(
            BuildxVersion.parse("v0.10.5").map { !$0.printsImageID } == true
                && BuildxVersion.parse("v0.11.0")?.printsImageID == true)
    }

    @Test(
        """
        evidence for the refusals: docker build 20.10 and the docker driver ignore --ulimit, --shm-size, --cgroup-parent; \
        buildx 0.10 drops --cgroup-parent; the docker driver has no named contexts
        """)
    func refusalEvidence() throws {
        let engine = try FlagReplay("flags-engine-raw")
        defer { engine.remove() }
        let engineReport = try #require(try engine.entry(["--cgroup-parent"]).files["$OUT/engine/report.txt"])
        #expect(
            engineReport.contains("nofile=20000") && engineReport.contains("shm=65536")
                && engineReport.contains(":/docker/buildkit/"),
            "asked for nofile=1024, 128 MiB and xplat-rec: \(engineReport)")
        #expect(
            try engine.entry(["id=token,env="]).files["$OUT/env/report.txt"]?.contains("token=from-the-environment")
                == true,
            "docker build 20.10 reads env= secrets itself")
        let driver = try FlagReplay("flags-docker-driver-raw")
        defer { driver.remove() }
        let driverReport = try #require(try driver.entry(["--cgroup-parent"]).files["$OUT/ignored/report.txt"])
        #expect(
            driverReport.contains("nofile=20000") && driverReport.contains("shm=65536")
                && driverReport.contains(":/docker/buildkit/"), "\(driverReport)")
        #expect(
            try driver.entry(["--build-context"]).stderr.contains(
                "unsupported frontend capability moby.buildkit.frontend.contexts"))
        #expect(try driver.entry(["network.host"]).exitCode == 0, "the docker driver grants network.host")
        let insecure = try driver.entry(["security.insecure"])
        #expect(
            insecure.exitCode == 1
                && BuildDiagnosis.diagnose(stderr: insecure.stderr, platform: nil).kind == .entitlementRefused)
        let remote = try FlagReplay("flags-remote-raw")
        defer { remote.remove() }
        let remoteReport = try #require(
            try remote.entry(["--cgroup-parent"]).files["$OUT/local/linux_arm64/report.txt"])
        #expect(
            remoteReport.contains("nofile=1024") && remoteReport.contains("shm=131072"),
            "BuildKit 0.11.6 applies them: \(remoteReport)")
        #expect(
            remoteReport.contains(":/buildkit/") && !remoteReport.contains("xplat-rec"),
            "buildx 0.10.5 never passed --cgroup-parent: \(remoteReport)")
        #expect(try remote.entry(["--annotation"]).exitCode == 125, "buildx 0.10 has no --annotation (unknown flag)")
        #expect(
            try remote.entry(["gw:host-gateway"]).stderr.contains("ERROR: invalid host gw:host-gateway"),
            "buildx 0.10: host-gateway for the docker driver only")
        #expect(
            try driver.entry(["gw:host-gateway"]).stderr.contains("failed to parse IP host-gateway"),
            "and dockerd 20.10's BuildKit cannot parse it")
        #expect(
            try engine.entry(["gw:host-gateway"]).stderr.contains(
                "failed to parse additional hosts: failed to parse IP"), "nor docker build 20.10")
        let host = try remote.entry(["--network=host"])
        #expect(BuildDiagnosis.diagnose(stderr: host.stderr, platform: nil).kind == .entitlementRefused)
    }

    @Test("the refusals themselves, before building: engine, docker driver, buildx 0.10")
    func refusals() throws {
        var request = BuildRequest(dockerfile: "D", context: ".", platforms: [p("linux/amd64")])
        let engine = Plan(
            dockerfile: "D", context: ".",
            nodes: [
                BuilderNode(
                    name: "default", endpoint: "unix:///var/run/docker.sock", driver: .engine,
                    native: [p("linux/amd64")], engineVersion: "20.10.24+dfsg1")
            ], platforms: [], solves: [])
        let docker = BuilderNode(
            name: "default", endpoint: "default", driver: .buildx(builder: "default", driver: .docker),
            native: [p("linux/amd64")])
        let remote = BuilderNode(
            name: "r0", endpoint: "unix:///run/bk.sock", driver: .buildx(builder: "r", driver: .remote),
            native: [p("linux/amd64")])
        let onDocker = Plan(dockerfile: "D", context: ".", nodes: [docker], platforms: [], solves: [])
        let onRemote = Plan(dockerfile: "D", context: ".", nodes: [remote], platforms: [], solves: [])
        let v010 = BuildxVersion.parse("v0.10.5"), v012 = BuildxVersion.parse("v0.12.1")
        for edit in [
            { (r: inout BuildRequest) in r.ulimits = [Ulimit(name: "nofile", soft: 1, hard: 1)] },
            { $0.shmSize = 1 << 20 }, { $0.cgroupParent = "ci" },
        ] {
            var r = request
            edit(&r)
            #expect(throws: BuildError.self) {
                try EngineStrategy(runner: RecordingRunner()).check(r, plan: engine, buildx: nil)
            }
            #expect(throws: BuildError.self) {
                try BuildxStrategy(runner: RecordingRunner()).check(r, plan: onDocker, buildx: v012)
            }
            #expect(throws: Never.self) {
                try BuildxStrategy(runner: RecordingRunner()).check(r, plan: onRemote, buildx: v012)
            }
        }
        var newer = docker
        newer.engineVersion = "24.0.7"
        let onNewerDocker = Plan(dockerfile: "D", context: ".", nodes: [newer], platforms: [], solves: [])
        var newerEngine = BuilderNode(
            name: "default", endpoint: "unix:///var/run/docker.sock", driver: .engine, native: [p("linux/amd64")])
        newerEngine.engineVersion = "24.0.7"
        var limited = request
        limited.ulimits = [Ulimit(name: "nofile", soft: 1, hard: 1)]
        limited.buildContexts = [NamedContext(name: "extra", source: .image("busybox"))]
        #expect(throws: Never.self, "dockerd 23+ ships BuildKit 0.10+: passed on") {
            try BuildxStrategy(runner: RecordingRunner()).check(limited, plan: onNewerDocker, buildx: v012)
        }
        limited.buildContexts = []
        #expect(throws: Never.self) {
            try EngineStrategy(runner: RecordingRunner()).check(
                limited, plan: Plan(dockerfile: "D", context: ".", nodes: [newerEngine], platforms: [], solves: []),
                buildx: nil)
        }
        var gateway = request
        gateway.extraHosts = [ExtraHost(host: "gw", ip: "host-gateway")]
        #expect(
            throws: BuildError.self, "recorded: buildx 0.10.5 says \"invalid host gw:host-gateway\" on a remote builder"
        ) {
            try BuildxStrategy(runner: RecordingRunner()).check(gateway, plan: onRemote, buildx: v010)
        }
        #expect(throws: Never.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(gateway, plan: onRemote, buildx: v012)
        }
        #expect(throws: BuildError.self, "dockerd 20.10 fails to parse it") {
            try BuildxStrategy(runner: RecordingRunner()).check(gateway, plan: onDocker, buildx: v012)
        }
        request.cgroupParent = "ci"
        #expect { try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onRemote, buildx: v010) } throws: {
            "\($0)".contains("--cgroup-parent ci: buildx v0.10.5 takes it but never passes it to BuildKit")
        }
        request.cgroupParent = nil
        request.buildContexts = [NamedContext(name: "extra", source: .image("busybox"))]
        #expect(throws: BuildError.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: v010)
        }
        #expect(throws: Never.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onRemote, buildx: v010)
        }
        request.buildContexts = []
        request.cacheTo = [try CacheSpec(parsing: "type=inline", direction: .export)]
        #expect(throws: Never.self, "inline cache export works on the docker driver (recorded)") {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: v010)
        }
        #expect(throws: Never.self) {
            try EngineStrategy(runner: RecordingRunner()).check(request, plan: engine, buildx: nil)
        }
        request.noCacheFilter = ["build"]
        #expect(throws: Never.self, "per-stage --no-cache works on the docker driver (recorded)") {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: v010)
        }
    }

    @Test(
        """
        -q with --load as buildx 0.10 prints it: containerimage.digest (through a remote builder the manifest \
        digest), the image id with 0.11+ and the engine
        """
    )
    func quietLoad() throws {
        // Checked on buildx 0.10.5, builder real-remote, `--load -q --iidfile`: -q printed the
        // manifest digest (the metadata file's containerimage.digest), --iidfile the image id; the
        // docker driver's containerimage.digest is the image id itself.
        let arm = p("linux/arm64")
        let request = BuildRequest(dockerfile: "D", context: ".", platforms: [arm], output: .load, tags: ["a:1"])
        var solved = SolvedBuild()
        solved.results[arm] = PlatformResult(
            platform: arm, node: "r0", mode: .native, seconds: 1, digest: "sha256:manifest")
        let v010 = BuildxVersion.parse("v0.10.5"), v011 = BuildxVersion.parse("v0.11.2")
        #expect(
            BuildExecutor.quietID(imageID: "sha256:config", buildx: v010, request: request, solved: solved)
                == "sha256:manifest")
        #expect(
            BuildExecutor.quietID(imageID: "sha256:config", buildx: v011, request: request, solved: solved)
                == "sha256:config")
        #expect(
            BuildExecutor.quietID(imageID: "sha256:config", buildx: nil, request: request, solved: solved)
                == "sha256:config")
        var local = request
        local.output = .local(dest: "o", split: nil)
        #expect(
            BuildExecutor.quietID(imageID: nil, buildx: v010, request: local, solved: solved) == nil,
            "no image, nothing printed")
    }

    @Test("attestations asked of a buildx older than 0.10 (no --attest/--provenance/--sbom) are refused, not dropped")
    func attestationsNeedBuildx010() throws {
        let remote = BuilderNode(
            name: "r0", endpoint: "unix:///run/bk.sock", driver: .buildx(builder: "r", driver: .remote),
            native: [p("linux/amd64")])
        let plan = Plan(dockerfile: "D", context: ".", nodes: [remote], platforms: [], solves: [])
        var request = BuildRequest(
            dockerfile: "D", context: ".", platforms: [p("linux/amd64")], output: .push, tags: ["127.0.0.1:5000/a:1"])
        request.provenance = "mode=max"
        let old = try #require(BuildxVersion.parse("github.com/docker/buildx v0.9.1 ed00243"))
        #expect(
            DriverCommands(docker: "docker", request: request, dockerfile: "D", buildx: old)
                .attestationFlags(for: .oci(dest: "o.tar")).isEmpty, "what such a buildx would be given: nothing")
        #expect { try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: old) } throws: {
            error in
            guard case BuildError.unsupported = error else { return false }
            return "\(error)".contains("buildx v0.9.1") && "\(error)".contains("--provenance/--sbom/--attest")
        }
        #expect(throws: Never.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(
                request, plan: plan, buildx: BuildxVersion.parse("v0.10.5"))
        }
        request.provenance = "false"
        #expect(throws: Never.self, "none asked for: nothing to drop") {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: old)
        }
    }
}
