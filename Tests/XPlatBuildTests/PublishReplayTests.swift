// Image outputs through buildx, replayed from real runs (Recordings/, see its README): the index
// xplat assembles from the builders' own exports (buildx's `docker` driver: `--load`, then
// `docker save`; other drivers: their OCI export) must be the one the real registry served after
// the recorded run, byte for byte, attestations included. The pushes go to the real registry on
// 127.0.0.1:5000 (Scripts/setup --tests starts it); without it these tests say they skipped.

import Foundation
import Testing
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

@testable import XPlatBuild

private func p(_ text: String) -> Platform { try! Platform(parsing: text) }

/// Records the root each platform's verification was given, and the `/arch` file in it.
private final class RootReader: OutputVerifier, @unchecked Sendable {
    let seen = NSLock()
    var arch: [Platform: String] = [:]

    func verify(root: String, platform: Platform) async throws -> VerificationOutcome {
        let text = (try? String(contentsOfFile: "\(root)/arch", encoding: .utf8)) ?? "<no /arch>"
        seen.withLock { arch[platform] = text }
        return VerificationOutcome(passed: true, checked: 0, report: "")
    }

    func verify(image reference: String, platforms: [Platform], client: RegistryClient) async throws
        -> VerificationOutcome
    {
        VerificationOutcome(passed: true, checked: 0, report: "")
    }
}

@Suite("buildx image outputs, replayed")
struct PublishReplayTests {
    /// The index the recorded run's `skopeo inspect --raw` printed (the last skopeo entry).
    func recordedIndex(_ replay: Replay) throws -> (data: Data, index: Index) {
        let entry = try #require(replay.transcript.entries.last { $0.arguments.first == "skopeo" })
        #expect(entry.exitCode == 0, "\(entry.stderr)")
        let data = Data(entry.stdout.utf8)
        return (data, try JSONDecoder().decode(Index.self, from: data))
    }

    /// What the registry serves under `tag` now (the replayed push), and that every manifest and
    /// blob it references is there.
    func served(_ tag: String) async throws -> (data: Data, index: Index) {
        try await RegistryClient.with { client in
            let reference = try RegistryReference(parsing: tag)
            let fetched = try await client.manifest(reference)
            let index = try client.decodeIndex(fetched, of: reference)
            for entry in index.manifests {
                let manifest = try client.decodeManifest(
                    try await client.manifest(reference.with(reference: entry.digest)), of: reference)
                for blob in manifest.blobs {
                    #expect(
                        try await client.blobExists(reference, digest: blob.digest),
                        "\(entry.digest): blob \(blob.digest) is in the registry")
                }
            }
            return (fetched.data, index)
        }
    }

    /// Each attestation of `index` names an image entry of the same index; none has a platform.
    func checkAttestations(_ index: Index, platforms: [Platform]) {
        let images = index.manifests.filter { !$0.isAttestation }
        let attestations = index.manifests.filter(\.isAttestation)
        #expect(
            images.map { $0.platform?.description } == platforms.map(\.description),
            "the images, in the requested order")
        #expect(attestations.count == platforms.count, "one provenance attestation per platform")
        #expect(attestations.allSatisfy { $0.platform == OCIPlatform(os: "unknown", architecture: "unknown") })
        #expect(
            attestations.map { $0.annotations?[AnnotationKey.dockerReferenceDigest] } == images.map(\.digest),
            "each attestation names its image, in the images' order")
        #expect(index.platformManifests.count == platforms.count, "an attestation is never taken for a platform")
    }

    @Test(
        """
        two-node builder, --provenance, --push: the pushed index is the recorded one, attestations kept with \
        their images
        """,
        .enabled(if: LocalRegistry.listening, "no registry on 127.0.0.1:5000 (Scripts/setup --tests starts it)"))
    func twoNodeAttestedPush() async throws {
        let tag = "127.0.0.1:5000/xplat-replay/attested:two-node"
        let replay = try Replay("two-node-attested-push", tag: ("127.0.0.1:5000/xplat-rec/attested:xplat", tag))
        defer { replay.remove() }
        let result = try await replay.build(
            "linux/amd64,linux/arm64,linux/arm/v7", output: .push,
            selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx)
        ) {
            $0.tags = [tag]
            $0.provenance = "true"
        }
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(
            replay.builds.count == 2 && replay.builds.allSatisfy { $0.contains("--provenance=true") },
            "one solve per node, attestations asked for")
        let recorded = try recordedIndex(replay)
        let pushed = try await served(tag)
        #expect(
            pushed.data == recorded.data,
            "the index xplat assembled is the one the real registry served after the recorded run")
        #expect(result.indexDigest == sha256Digest(recorded.data))
        checkAttestations(pushed.index, platforms: [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7")])
        // Each provenance names its image by the image's names, as buildx's own push has it
        // (`name=` on xplat's OCI export; without it BuildKit left the subject empty).
        let subjects = try await RegistryClient.with { client in
            let reference = try RegistryReference(parsing: tag)
            var subjects: [[String]] = []
            for entry in pushed.index.manifests where entry.isAttestation {
                let manifest = try client.decodeManifest(
                    try await client.manifest(reference.with(reference: entry.digest)), of: reference)
                let statement = try JSONSerialization.jsonObject(
                    with: try await client.blob(reference, digest: try #require(manifest.layers.first).digest))
                let subject = try #require((statement as? [String: Any])?["subject"] as? [[String: Any]])
                subjects.append(
                    subject.compactMap { s in
                        (s["digest"] as? [String: String])?["sha256"].map { "\(s["name"] ?? "")@sha256:\($0)" }
                    })
            }
            return subjects
        }
        let images = pushed.index.manifests.filter { !$0.isAttestation }
        #expect(
            subjects
                == zip(images, ["linux%2Famd64", "linux%2Farm64", "linux%2Farm%2Fv7"]).map { image, platform in
                    ["pkg:docker/127.0.0.1%3A5000/xplat-rec/attested@xplat?platform=\(platform)@\(image.digest)"]
                }, "\(subjects)")
        #expect(result.platforms.map(\.solves).reduce(0, +) == 2)
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test(
        """
        two-node builder, --provenance, -o type=oci: the layout's index is the recorded one; every blob is in \
        the layout
        """
    )
    func twoNodeAttestedOCI() async throws {
        let replay = try Replay("two-node-attested-oci")
        defer { replay.remove() }
        let dest = "\(replay.out)/image.oci.tar"
        _ = try await replay.build(
            "linux/amd64,linux/arm64,linux/arm/v7", output: .oci(dest: dest, tar: true),
            selection: NodeSelection(builder: "xplat-rec-two", driver: .buildx)
        ) { $0.provenance = "true" }
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        let layout = "\(replay.out)/layout"
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        #expect(try await SubprocessRunner().run(Command("tar", ["-xf", dest, "-C", layout])).succeeded)
        let top = try JSONDecoder().decode(
            Index.self, from: try Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json")))
        let indexPath = "\(layout)/blobs/sha256/\(try #require(top.manifests.first).digest.dropFirst(7))"
        let data = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        let recorded = try recordedIndex(replay)
        #expect(data == recorded.data, "the layout's index is the one skopeo read from the recorded output")
        let index = try JSONDecoder().decode(Index.self, from: data)
        checkAttestations(index, platforms: [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7")])
        for entry in index.manifests {
            let path = "\(layout)/blobs/sha256/\(entry.digest.dropFirst(7))"
            let manifest = try JSONDecoder().decode(
                Manifest.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
            for blob in manifest.blobs {
                #expect(
                    FileManager.default.fileExists(atPath: "\(layout)/blobs/sha256/\(blob.digest.dropFirst(7))"),
                    "\(blob.digest)")
            }
        }
        let (images, attestations) = try OCILayout.readWithAttestations(layout)
        #expect(images.count == 3 && attestations.count == 3, "read back: three images, three attestations apart")
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test(
        """
        docker driver, --push: one --load per platform read back with docker save (no OCI exporter there); the \
        index is the recorded one
        """,
        .enabled(if: LocalRegistry.listening, "no registry on 127.0.0.1:5000 (Scripts/setup --tests starts it)"))
    func dockerDriverPush() async throws {
        let replay = try Replay("docker-driver-push")
        defer { replay.remove() }
        let tag = "127.0.0.1:5000/xplat-replay/hello:docker-driver"
        let reader = RootReader()
        let result = try await replay.build(
            "linux/amd64,linux/arm64", output: .push,
            selection: NodeSelection(builder: "default", driver: .buildx), verifier: reader
        ) {
            $0.tags = [tag]
            $0.verify = true
        }
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(
            replay.builds.count == 2
                && replay.builds.allSatisfy { $0.contains("--load") && $0.contains("--provenance=false") })
        let saves = replay.replayer.commands.map(\.arguments).filter { $0.contains("save") }
        #expect(saves.count == 2 && saves.allSatisfy { $0.starts(with: ["--context", "default", "save"]) }, "\(saves)")
        #expect(
            reader.arch == [p("linux/amd64"): "x86_64\n", p("linux/arm64"): "aarch64\n"],
            "each root read from its own image")
        let pushed = try await served(tag)
        #expect(pushed.data == (try recordedIndex(replay)).data)
        #expect(pushed.index.manifests.map { $0.platform?.description } == ["linux/amd64", "linux/arm64"])
        #expect(result.platforms.map(\.solves) == [1, 1])
        let removed = replay.replayer.commands.map(\.arguments).filter { $0.contains("rmi") }
        #expect(removed.count == 2, "the temporary tags are removed: \(removed)")
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test(
        """
        --load, verified: one solve, the root read from the loaded image (docker driver: the builder's engine; \
        remote: the current one)
        """,
        arguments: [("docker-driver-load", "default"), ("remote-load", "xplat-rec-remote")])
    func loadOnce(_ name: String, _ builder: String) async throws {
        let replay = try Replay(name)
        defer { replay.remove() }
        let reader = RootReader()
        let result = try await replay.build(
            "linux/arm64", output: .load, selection: NodeSelection(builder: builder, driver: .buildx),
            verifier: reader
        ) {
            $0.tags = ["xplat-rec:\(name)"]
            $0.verify = true
            $0.metadataFile = replay.out + "/metadata.json"
        }
        #expect(replay.replayer.unmatched.isEmpty, "\(replay.replayer.unmatched)")
        #expect(replay.builds.count == 1 && replay.builds[0].contains("--load"), "one solve: \(replay.builds)")
        let metadata =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: replay.out + "/metadata.json"))) as? [String: Any]
        let loaded = try #require(result.platforms.first?.digest)
        #expect(
            metadata?["containerimage.digest"] as? String == loaded,
            "--metadata-file has buildx's containerimage.digest of the loaded image: \(metadata ?? [:])")
        let save = try #require(replay.replayer.commands.first { $0.arguments.contains("save") })
        #expect(save.arguments.last == "xplat-rec:\(name)")
        #expect(save.arguments.starts(with: ["--context"]) == (builder == "default"))
        #expect(reader.arch == [p("linux/arm64"): "aarch64\n"])
        #expect(
            result.platforms.first?.digest?.hasPrefix("sha256:") == true,
            "the loaded image's digest, from buildx's metadata file")
        #expect(replay.leftovers.isEmpty, "\(replay.leftovers)")
    }

    @Test(
        """
        docker driver and attestations: dockerd 20.10's BuildKit refuses them for every output (recorded); xplat \
        refuses image outputs before building and explains buildx's error
        """
    )
    func dockerDriverAttestations() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/docker-driver-attestations-raw.json")
        #expect(transcript.entries.count == 3)
        for entry in transcript.entries {
            #expect(
                entry.exitCode == 1 && entry.stderr.contains("attestations are not supported by the current buildkitd"),
                "\(entry.stderr)")
            let diagnosis = BuildDiagnosis.diagnose(stderr: entry.stderr, platform: p("linux/arm64"))
            #expect(diagnosis.kind == .driverLacksFeature && diagnosis.action.contains("--provenance"), "\(diagnosis)")
        }
        let node = BuilderNode(
            name: "default", endpoint: "default", driver: .buildx(builder: "default", driver: .docker),
            native: [p("linux/amd64")])
        let plan = Plan(dockerfile: "Dockerfile", context: ".", nodes: [node], platforms: [], solves: [])
        for (output, flag) in [(OutputSpec.push, "--push"), (.oci(dest: "out.tar", tar: true), "-o type=oci")] {
            var request = BuildRequest(
                dockerfile: "Dockerfile", context: ".", platforms: [p("linux/amd64")], output: output)
            request.provenance = "true"
            do {
                try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil)
                Issue.record("--provenance with \(flag) on the docker driver must be refused")
            } catch {
                #expect(
                    "\(error)".contains("attestations are not supported by the current buildkitd")
                        && "\(error)".contains(flag),
                    "quotes the refusal and names \(flag): \(error)")
            }
        }
    }

    @Test(
        """
        --sbom on an offline builder: BuildKit cannot pull its scanner image (recorded); the cause named is the \
        scanner, not the base-image registry
        """
    )
    func sbomScanner() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/remote-sbom-raw.json")
        let refused = try #require(transcript.entries.first)
        #expect(refused.exitCode == 1 && refused.stderr.contains("buildkit-syft-scanner"), "\(refused.stderr)")
        let diagnosis = BuildDiagnosis.diagnose(stderr: refused.stderr, platform: p("linux/arm64"))
        #expect(diagnosis.kind == .sbomScanner && diagnosis.action.contains("--sbom generator=IMAGE"), "\(diagnosis)")
    }

    /// Every `--sbom` build resolves the scanner image (`#3 resolve image config for …` in the
    /// recording above): when that step succeeds and a RUN fails later, the RUN is the cause. The
    /// stderr is the two recordings spliced: the sbom run's steps up to the scanner's resolve, that
    /// step done, then the recorded failing RUN of `docker-driver-fan-out-fails`.
    @Test("--sbom build whose scanner resolves and whose RUN fails: the RUN's failure is named, not the scanner")
    func sbomScannerResolvedRunFails() throws {
        let sbom = try #require(try Transcript.load("\(Replay.recordings)/remote-sbom-raw.json").entries.first).stderr
        let fanOut = try Transcript.load("\(Replay.recordings)/docker-driver-fan-out-fails.json")
        let failed = try #require(fanOut.entries.first { $0.exitCode != 0 }).stderr
        let head = try #require(sbom.range(of: "#3 ERROR")).lowerBound
        let tail = try #require(failed.range(of: "#4 [probe 1/2]")).lowerBound
        let stderr = sbom[..<head] + "#3 DONE 1.2s\n\n" + failed[tail...]
        let diagnosis = BuildDiagnosis.diagnose(stderr: String(stderr), platform: p("linux/arm64"))
        #expect(
            diagnosis.kind == .other && diagnosis.summary.contains("executor failed running"), "\(diagnosis)\n\(stderr)"
        )
    }

    @Test(
        """
        --load with attestations: buildx refuses it with its manifest-list message (recorded); xplat refuses it \
        before building, on every driver
        """
    )
    func loadAttested() throws {
        let transcript = try Transcript.load("\(Replay.recordings)/remote-load-attested-raw.json")
        let refused = try #require(transcript.entries.first)
        let quoted = "docker exporter does not currently support exporting manifest lists"
        #expect(refused.exitCode == 1 && refused.stderr.contains(quoted), "\(refused.stderr)")
        var request = BuildRequest(dockerfile: "Dockerfile", context: ".", platforms: [p("linux/arm64")], output: .load)
        request.tags = ["app:1"]
        request.provenance = "true"
        let node = BuilderNode(
            name: "r0", endpoint: "unix:///run/bk.sock", driver: .buildx(builder: "r", driver: .remote),
            native: [p("linux/amd64")])
        let plan = Plan(dockerfile: "Dockerfile", context: ".", nodes: [node], platforms: [], solves: [])
        do {
            try BuildxStrategy(runner: RecordingRunner()).check(request, plan: plan, buildx: nil)
            Issue.record("--provenance with --load must be refused")
        } catch {
            #expect("\(error)".contains(quoted) && "\(error)".contains("--push or -o type=oci"), "\(error)")
        }
    }
}
