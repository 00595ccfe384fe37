// xplat's builds against what real buildx v0.10.5 and BuildKit v0.11.6 did (Recordings/, see its
// README): the recorded command lines must be exactly the ones xplat runs, and the files the tools
// wrote are written again where this run asked for them. CI has no buildx; these tests are how it
// checks every driver behaviour.

import Foundation
import Testing
import XPlatDocker
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// One replayed build: its own TMPDIR (empty before, checked after) and output folder.
struct Replay {
    static var recordings: String { Bundle.module.resourcePath! + "/Recordings" }
    static var context: String { recordings + "/context" }

    let run: ReplayRun
    var transcript: Transcript { run.transcript }
    var tmp: String { run.tmp }
    var out: String { run.out }
    var replayer: TranscriptReplayer { run.replayer }

    /// `tag`: the image name the recording built under, and the one this replay uses instead
    /// (it reaches buildx as the export's `name=`).
    init(_ name: String, tag: (recorded: String, replayed: String)? = nil) throws {
        run = try ReplayRun(
            "\(Self.recordings)/\(name).json", prefix: "xplat-replay", contexts: [("$CTX", Self.context)],
            substitutions: tag.map { [($0.recorded, $0.replayed)] } ?? [])
    }

    func remove() { run.remove() }

    /// The build, as the CLI runs it, through the replayer.
    /// `buildx`: what the client choice learned of the client's buildx.
    func build(
        _ platforms: String, output: OutputSpec, selection: NodeSelection, verifier: (any OutputVerifier)? = nil,
        buildx: BuildxPlugin = .unasked, edit: (inout BuildRequest) -> Void = { _ in }
    ) async throws -> BuildResult {
        var request = BuildRequest(
            dockerfile: "\(Self.context)/Dockerfile", context: Self.context,
            platforms: try Platform.parseList(platforms), output: output, network: .none, verify: false,
            progress: .plain)
        edit(&request)
        let emulation = FixedEmulation(
            ["linux/arm64", "linux/arm/v7"].map { EmulatedPlatform(platform: p($0), proven: true) })
        var service = BuildService(
            runner: replayer, docker: "docker", environment: ["TMPDIR": tmp], probe: emulation,
            verifier: verifier, rewriter: nil)
        service.buildx = buildx
        return try await service.build(request, selection: selection, tty: false)
    }

    /// What the build left in its temporary folder (nothing, when it cleaned up).
    var leftovers: [String] { (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? ["<tmp gone>"] }

    func read(_ path: String) -> String? { try? String(contentsOfFile: "\(out)/\(path)", encoding: .utf8) }

    /// The `docker buildx build` argument lists run, in order.
    var builds: [[String]] { replayer.commands.map(\.arguments).filter { $0.starts(with: ["buildx", "build"]) } }
}

@Suite("buildx replays")
struct BuildxReplayTests {
    @Test(
        """
        `docker buildx version` is asked once per build: by discovery when the client choice did not ask it \
        (XPLAT_DOCKER), and the build takes discovery's answer; not at all when the choice knows it
        """, arguments: [false, true])
    func buildxVersionAskedOnce(choiceAsked: Bool) async throws {
        let replay = try Replay("docker-driver-fan-out")
        defer { replay.remove() }
        _ = try await replay.build(
            "linux/amd64,linux/arm64", output: .local(dest: "\(replay.out)/out", split: nil),
            selection: NodeSelection(builder: "default", driver: .buildx),
            buildx: choiceAsked ? .present(BuildxVersion(major: 0, minor: 10, patch: 5)) : .unasked)
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        let asked = replay.replayer.commands.map(\.arguments).filter { $0 == ["buildx", "version"] }
        #expect(asked.count == (choiceAsked ? 0 : 1), "\(replay.replayer.commands.map(\.arguments))")
        #expect(replay.builds.count == 2, "the build ran: \(replay.replayer.commands.map(\.arguments))")
    }

    @Test("docker driver: two platforms fan out to one-platform solves, each flat export placed in its folder")
    func dockerDriverFanOut() async throws {
        let replay = try Replay("docker-driver-fan-out")
        defer { replay.remove() }
        let result = try await replay.build(
            "linux/amd64,linux/arm64", output: .local(dest: "\(replay.out)/out", split: nil),
            selection: NodeSelection(builder: "default", driver: .buildx))
        #expect(replay.replayer.unmatched.isEmpty, "every command is one real buildx ran: \(replay.replayer.unmatched)")
        #expect(
            replay.builds.map { $0[5] }.sorted() == ["linux/amd64", "linux/arm64"],
            "one platform per docker-driver build")
        #expect(replay.read("out/linux_amd64/arch") == "x86_64\n")
        #expect(replay.read("out/linux_arm64/arch") == "aarch64\n", "the arm64 RUN ran under QEMU")
        #expect(result.platforms.map(\.node) == ["default", "default"])
        #expect(replay.leftovers.isEmpty, "temporary folders removed: \(replay.leftovers)")
    }

    @Test("docker driver: a platform's failed build is reported with BuildKit's error; nothing left behind, no output")
    func dockerDriverFailure() async throws {
        let replay = try Replay("docker-driver-fan-out-fails")
        defer { replay.remove() }
        await #expect {
            _ = try await replay.build(
                "linux/amd64,linux/arm64", output: .local(dest: "\(replay.out)/out", split: nil),
                selection: NodeSelection(builder: "default", driver: .buildx)
            ) { $0.buildArgs = ["FAIL_ON=aarch64"] }
        } throws: { error in
            guard case .buildFailed(let platform, let diagnosis) = error as? BuildError else { return false }
            return platform == p("linux/arm64") && diagnosis.summary.contains("executor failed running")
        }
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(replay.leftovers.isEmpty, "temporary folders removed on failure: \(replay.leftovers)")
        #expect(!FileManager.default.fileExists(atPath: "\(replay.out)/out"), "no partial output")
    }

    @Test("buildx's docker-driver refusals map to the one-platform-per-build cause", arguments: [2, 3])
    func dockerDriverRefusals(_ entry: Int) throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-raw.json")
        let refused = transcript.entries[entry]
        #expect(refused.exitCode == 1)
        #expect(
            BuildDiagnosis.diagnose(stderr: refused.stderr, platform: nil).kind == .severalPlatformsOneSolve,
            "\(refused.stderr)")
    }

    @Test(
        """
        buildx's docker driver refusing an exporter (OCI, cache) maps to its own cause; the refused OCI export \
        leaves an empty file
        """,
        arguments: [4, 7])
    func dockerDriverExporters(_ entry: Int) throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-raw.json")
        let refused = transcript.entries[entry]
        #expect(refused.exitCode == 1)
        let diagnosis = BuildDiagnosis.diagnose(stderr: refused.stderr, platform: p("linux/arm64"))
        #expect(
            diagnosis.kind == .driverLacksFeature && diagnosis.summary.contains("not supported for docker driver"),
            "\(diagnosis)")
        if entry == 7 {
            #expect(refused.files == ["$OUT/image.oci.tar": ""], "buildx created the destination before refusing")
        }
    }

    @Test("--cache-to on a docker-driver builder is refused before building, quoting buildx's own refusal")
    func dockerDriverCacheExport() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-raw.json")
        let refusal = transcript.entries[4].stderr
        let inspection = try BuildxInspection.parse(transcript.entries[1].stdout)
        let nodes = inspection.nodes.compactMap { NodeDiscovery.node(inspection, $0) }
        var request = BuildRequest(dockerfile: "Dockerfile", context: ".", platforms: [p("linux/arm64")], output: .none)
        request.cacheTo = [try CacheSpec(parsing: "type=registry,ref=r/c:main,mode=max")]
        let plan = Plan(
            dockerfile: "Dockerfile", context: ".", target: nil, platforms: request.platforms, nodes: nodes,
            graph: BuildGraph(stages: []))
        #expect(throws: BuildError.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil)
        }
        do { try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil) } catch {
            let quoted = "cache export feature is currently not supported for docker driver"
            #expect(refusal.contains(quoted) && "\(error)".contains(quoted))
        }
    }

    @Test("one-platform local export is flat; buildx's metadata file gives the loaded image's digest")
    func flatExportAndMetadata() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-raw.json")
        let local = transcript.entries[5], load = transcript.entries[6]
        #expect(
            Set(local.files.keys) == ["$OUT/one/", "$OUT/one/arch", "$OUT/one.json"],
            "no linux_arm64 folder for one platform")
        let metadata = try BuildxMetadata.parse(
            Data(try #require(load.files["$OUT/load.json"]).utf8), file: "load.json")
        #expect(metadata.digest == "sha256:c6d0ae80837d331898522aa812d78894173fad6ca1c2dd8a9f22154131f487b9")
        #expect(load.stderr.contains("writing image \(metadata.digest!)"), "the digest is the image buildx wrote")
    }

    @Test("buildx version tells the releases apart: 0.10.5 adds attestations by default")
    func version() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-raw.json")
        let version = try #require(BuildxVersion.parse(transcript.entries[0].stdout))
        #expect(version == BuildxVersion(major: 0, minor: 10, patch: 5))
        let older = try #require(BuildxVersion.parse("github.com/docker/buildx v0.9.1 ed00243"))
        #expect(version.hasAttestations && !older.hasAttestations)
    }

    @Test("remote builder: three platforms in one solve, one folder per platform")
    func remoteThree() async throws {
        let replay = try Replay("remote-three-platforms")
        defer { replay.remove() }
        _ = try await replay.build(
            "linux/amd64,linux/arm64,linux/arm/v7", output: .local(dest: "\(replay.out)/out", split: nil),
            selection: NodeSelection(builder: "xplat-rec-remote", driver: .buildx))
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(replay.builds.count == 1 && replay.builds[0][5] == "linux/amd64,linux/arm64,linux/arm/v7")
        #expect(replay.read("out/linux_arm_v7/arch") == "armv7l\n")
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test("two-node builder: the arm platforms go to the node pinned to them, through temporary builders removed after")
    func twoNodes() async throws {
        let replay = try Replay("two-node")
        defer { replay.remove() }
        let result = try await replay.build(
            "linux/amd64,linux/arm64,linux/arm/v7", output: .local(dest: "\(replay.out)/out", split: nil),
            selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx))
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(result.platforms.map(\.node) == ["xplat-rec-two0", "xplat-rec-two1", "xplat-rec-two1"])
        let commands = replay.replayer.commands.map(\.arguments)
        let created = commands.filter { $0.starts(with: ["buildx", "create"]) }.map { $0[3] }
        let removed = commands.filter { $0.starts(with: ["buildx", "rm"]) }.map { $0[3] }
        #expect(
            created.count == 2 && Set(created) == Set(removed),
            "every temporary builder is removed: \(created) \(removed)")
        #expect(commands.contains { $0.starts(with: ["buildx", "create"]) && $0.last == "unix:///run/bk-b.sock" })
        #expect(replay.read("out/linux_arm64/arch") == "aarch64\n" && replay.read("out/linux_amd64/arch") == "x86_64\n")
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test("buildx inspect: pinned platforms and platforms xplat does not know are kept and reported")
    func inspectTwoNodes() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/two-node.json")
        let inspection = try BuildxInspection.parse(
            try #require(transcript.entries.first { $0.arguments.contains("inspect") }).stdout)
        #expect(inspection.driver == "remote")
        #expect(inspection.nodes[1].platforms.pinned == [p("linux/arm64"), p("linux/arm/v7")])
        let node = try #require(NodeDiscovery.node(inspection, inspection.nodes[1]))
        #expect(
            node.unparsed == ["linux/ppc64", "linux/mips64"],
            "big-endian ppc64 and mips64 are not in xplat's table: reported, not dropped")
        #expect(
            PlanRenderer.text(Plan(dockerfile: "D", context: ".", nodes: [node], platforms: [], solves: []))
                .contains("unknown to xplat: linux/ppc64,linux/mips64"))
    }

    @Test(
        "attestations: buildx's index holds unknown/unknown entries; never taken for a platform, kept with their image")
    func attestations() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/remote-raw.json")
        let skopeo = transcript.entries.filter { $0.arguments.first == "skopeo" }
        let attested = try BuildxImageIndex.parse(Data(skopeo[0].stdout.utf8))
        let plain = try BuildxImageIndex.parse(Data(skopeo[1].stdout.utf8))
        #expect(attested.entries.count == 4 && attested.entries.filter(\.isAttestation).count == 2)
        #expect(
            plain.entries.count == 2 && !plain.entries.contains(where: \.isAttestation),
            "--provenance=false: only the platforms")
        let amd64 = try #require(attested.image(for: p("linux/amd64")))
        #expect(!amd64.isAttestation && amd64.platformText == "linux/amd64")
        #expect(
            attested.entries.filter(\.isAttestation).allSatisfy {
                $0.platform == nil && $0.platformText == "unknown/unknown"
            })
        let kept = try attested.assembled(for: [p("linux/arm64"), p("linux/amd64")], keepAttestations: true)
        #expect(kept.map(\.digest).prefix(2) == [attested.image(for: p("linux/arm64"))!.digest, amd64.digest])
        #expect(
            kept.dropFirst(2).map(\.attests) == [kept[0].digest, kept[1].digest],
            "each attestation still names its image")
        #expect(
            try attested.assembled(for: [p("linux/amd64")], keepAttestations: false).map(\.digest) == [amd64.digest])
        // Local exports carry no attestation files: the attested local exports hold only the root.
        let local = transcript.entries.filter {
            $0.files.keys.contains { $0.hasPrefix("$OUT/attested/") || $0.hasPrefix("$OUT/attested-one/") }
        }
        #expect(
            local.count == 2
                && local.allSatisfy { $0.files.keys.allSatisfy { $0.hasSuffix("/") || $0.hasSuffix("/arch") } })
        let metadata = try BuildxMetadata.parse(
            Data(try #require(transcript.entries[4].files["$OUT/attested.json"]).utf8), file: "m")
        #expect(metadata.mediaType == "application/vnd.oci.image.index.v1+json")
        #expect(
            transcript.entries[4].stderr.contains(try #require(metadata.digest)),
            "the metadata digest is the pushed index")
    }

    @Test("registry cache: buildx exports it under the solve's key with mode=max; the engine imports that same tag")
    func cache() async throws {
        let exported = try Replay("cache-export-remote")
        defer { exported.remove() }
        _ = try await exported.build(
            "linux/arm64", output: .none, selection: NodeSelection(builder: "xplat-rec-remote", driver: .buildx)
        ) {
            $0.cacheTo = [try! CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:main,mode=max")]
            $0.cacheFrom = [try! CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:main")]
        }
        #expect(exported.replayer.unmatched.isEmpty, "\(exported.replayer.unmatched)")
        let imported = try Replay("cache-import-engine")
        defer { imported.remove() }
        _ = try await imported.build("linux/arm64", output: .none, selection: NodeSelection(driver: .engine)) {
            $0.cacheFrom = [try! CacheSpec(parsing: "type=registry,ref=127.0.0.1:5000/xplat-rec/cache:main")]
        }
        #expect(imported.replayer.unmatched.isEmpty, "\(imported.replayer.unmatched)")
        let key = CacheKey(platforms: [p("linux/arm64")], outputMode: "none").digest
        let tag = "127.0.0.1:5000/xplat-rec/cache:main-\(key)"
        #expect(exported.builds[0].contains("type=registry,ref=\(tag),mode=max"))
        let engine = try #require(imported.replayer.commands.first { $0.arguments.first == "build" })
        #expect(engine.arguments.contains(tag), "the engine reads the tag buildx wrote")
        #expect(imported.transcript.entries.contains { $0.stderr.contains("importing cache manifest from \(tag)") })
    }

    @Test("the engine refuses --cache-to before building: it has no cache exporter")
    func engineCacheExport() throws {
        var request = BuildRequest(dockerfile: "Dockerfile", context: ".", platforms: [p("linux/amd64")])
        request.cacheTo = [try CacheSpec(parsing: "type=registry,ref=r/c:main")]
        let plan = Plan(dockerfile: "Dockerfile", context: ".", nodes: [], platforms: [], solves: [])
        #expect(throws: BuildError.self) {
            try EngineStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil)
        }
    }

    @Test(
        """
        asked-for attestations: refused by the engine (it makes none) and by the docker driver for an index \
        xplat assembles; kept otherwise
        """
    )
    func attestationRequests() throws {
        var request = BuildRequest(
            dockerfile: "Dockerfile", context: ".", platforms: [p("linux/amd64"), p("linux/arm64")],
            output: .local(dest: "out", split: nil))
        request.provenance = "mode=max"
        let remote = BuilderNode(
            name: "r0", endpoint: "unix:///run/bk.sock", driver: .buildx(builder: "r", driver: .remote),
            native: [p("linux/amd64")], emulated: [])
        let docker = BuilderNode(
            name: "default", endpoint: "default", driver: .buildx(builder: "default", driver: .docker),
            native: [p("linux/amd64")], emulated: [])
        let onRemote = Plan(dockerfile: "Dockerfile", context: ".", nodes: [remote], platforms: [], solves: [])
        let onDocker = Plan(dockerfile: "Dockerfile", context: ".", nodes: [docker], platforms: [], solves: [])
        #expect(throws: BuildError.self) {
            try EngineStrategy(runner: RecordingRunner()).check(request, plan: onRemote, buildx: nil)
        }
        #expect(throws: Never.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: nil)
        }
        for output in [OutputSpec.push, .oci(dest: "o.tar", tar: true)] {
            request.output = output
            request.tags = ["127.0.0.1:5000/a/b:1"]
            #expect(throws: Never.self) {
                try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onRemote, buildx: nil)
            }
            #expect(throws: BuildError.self) {
                try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: nil)
            }
        }
        request.provenance = "false"
        #expect(!request.wantsAttestations)
        #expect(throws: Never.self) {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: onDocker, buildx: nil)
        }
    }
}
