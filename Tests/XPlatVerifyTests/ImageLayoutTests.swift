// Images in OCI layouts written here from real binaries: layers applied in order (whiteouts, opaque
// directories, hard links), every compression, configs against their index entries, unknown
// entries, sources without ELF, and corrupt or truncated input (a bounded mutation fuzz).

import Foundation
import Testing
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatVerify

@Suite("ImageVerifier: OCI layouts made here")
struct ImageLayoutTests {
    /// Two layers for linux/arm64: the first holds a wrong (amd64) binary at /bin/bad, another under
    /// /opt (made opaque later) and a good one; the second deletes /bin/bad, hides /opt and links
    /// /usr/bin/again to the good binary.
    func layered(_ tree: Tree, compression: String?) async throws -> (OCIFixture, [[String: Any]]) {
        let set = try await TestBinarySet.load()
        try tree.copy(set["c-amd64-static"], to: "l1/bin/bad")
        try tree.copy(set["c-amd64-static"], to: "l1/opt/old/tool")
        try tree.copy(set["c-arm64-static"], to: "l1/usr/bin/good")
        try tree.write("#!/bin/sh\n", to: "l1/usr/bin/script")
        try tree.write([], to: "l2/bin/.wh.bad")
        try tree.write([], to: "l2/opt/.wh..wh..opq")
        try tree.copy(set["c-arm64-static"], to: "l2/opt/new")
        try tree.mkdir("l2/usr/bin")
        let oci = try OCIFixture(tree.root + "/oci")
        let first = try await oci.layer(from: tree.root + "/l1", compression: compression)
        // A hard link inside the second layer, to a file of that layer.
        #expect(link(tree.root + "/l2/opt/new", tree.root + "/l2/usr/bin/again") == 0)
        let second = try await oci.layer(from: tree.root + "/l2", compression: compression)
        return (oci, [first, second])
    }

    @Test(
        "later layers delete and hide: only the final filesystem counts",
        arguments: ["gzip", "zstd", "xz", nil] as [String?])
    func whiteouts(compression: String?) async throws {
        let tree = try Tree()
        defer { tree.remove() }
        let (oci, layers) = try await layered(tree, compression: compression)
        try oci.index([try await oci.image(platform: "linux/arm64", layers: layers)])
        let report = try await ImageVerifier().verify(oci.folder)
        #expect(report.ok, "\(report.problemLines)")
        #expect(report.roots.map(\.kind) == [.image])
        #expect(report.files.map(\.path) == ["/opt/new", "/usr/bin/again", "/usr/bin/good"])
        #expect(report.roots.first?.files == 4 && report.roots.first?.elf == 3)

        // Without the second layer both wrong binaries are there.
        try oci.index([try await oci.image(platform: "linux/arm64", layers: [layers[0]])])
        let lower = try await ImageVerifier().verify(oci.folder)
        #expect(lower.mismatches.map(\.path) == ["/bin/bad", "/opt/old/tool"])
        #expect(
            lower.problemLines.first
                == "\(oci.folder) linux/arm64:/bin/bad: expected linux/arm64, found linux/amd64 (EM_X86_64, ELF64, "
                + "little-endian)"
        )
    }

    @Test("an OCI archive is an image, never a plain tar of blobs")
    func ociArchive() async throws {
        let tree = try Tree()
        defer { tree.remove() }
        let (oci, layers) = try await layered(tree, compression: "gzip")
        try oci.index([try await oci.image(platform: "linux/arm64", layers: [layers[0]])])
        let archive = try await tree.tar("image.oci.tar", ["-C", oci.folder, "oci-layout", "index.json", "blobs"])
        #expect(try VerifySource.classify(archive) == .ociArchive(archive))
        let report = try await ImageVerifier().verify(archive)
        #expect(report.roots.map(\.kind) == [.image])
        #expect(report.mismatches.map(\.path) == ["/bin/bad", "/opt/old/tool"])
    }

    @Test("the config must agree with the index entry; arm64/v8 is arm64")
    func configAgreement() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-arm64-static"], to: "l/app")
        let oci = try OCIFixture(tree.root + "/oci")
        let layer = try await oci.layer(from: tree.root + "/l")
        var v8 = try await oci.image(platform: "linux/arm64", layers: [layer])
        v8["platform"] = ["os": "linux", "architecture": "arm64", "variant": "v8"]
        var lying = try await oci.image(platform: "linux/amd64", layers: [layer])
        lying["platform"] = ["os": "linux", "architecture": "arm64"]
        try oci.index([v8])
        let same = try await ImageVerifier().verify(oci.folder)
        #expect(same.ok && same.findings.isEmpty, "\(same.problemLines)")
        try oci.index([lying])
        let report = try await ImageVerifier().verify(oci.folder)
        #expect(report.findings.map(\.kind) == [.configMismatch])
        #expect(
            report.findings.first?.message
                == "the index says linux/arm64, the image config says linux/amd64 (os \"linux\", architecture "
                + "\"amd64\")"
        )
        #expect(!report.ok)
    }

    @Test("attestation manifests are listed; an unannotated unknown/unknown entry is a finding")
    func attestations() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-amd64-static"], to: "l/app")
        let oci = try OCIFixture(tree.root + "/oci")
        let image = try await oci.image(platform: "linux/amd64", layers: [try await oci.layer(from: tree.root + "/l")])
        let subject = try #require(image["digest"] as? String)
        let attestation = try await BuildKitAttestation.manifest(in: oci, subject: subject)
        try oci.index([image, attestation])
        let report = try await ImageVerifier().verify(oci.folder, platforms: [try Platform(parsing: "linux/amd64")])
        #expect(report.ok, "\(report.problemLines)")
        #expect(report.roots.map(\.kind) == [.image, .attestation])
        #expect(report.roots.last?.subject == "linux/amd64 (\(subject.prefix(19)))")
        #expect(report.text().contains("unknown/unknown"))

        var bare = attestation
        bare["annotations"] = nil
        try oci.index([image, bare])
        let unknown = try await ImageVerifier().verify(oci.folder)
        #expect(unknown.findings.map(\.kind) == [.unknownEntry])
        #expect(!unknown.ok)
    }

    @Test("the index BuildKit 0.11.6 pushed: two platforms and their provenance attestations (recorded)")
    func recordedAttestations() async throws {
        let layout = TestBinarySet.packageRoot + "/Tests/XPlatVerifyTests/Recordings/buildkit-0.11.6-attested"
        let report = try await ImageVerifier().verify(
            layout, platforms: [try Platform(parsing: "linux/amd64"), try Platform(parsing: "linux/arm64")])
        #expect(report.ok && report.findings.isEmpty, "\(report.problemLines)")
        #expect(report.roots.map(\.kind) == [.image, .image, .attestation, .attestation])
        #expect(report.roots.map { $0.platform?.description } == ["linux/amd64", "linux/arm64", nil, nil])
        #expect(
            report.roots.compactMap(\.subject) == [
                "linux/amd64 (sha256:89c0acc22634)", "linux/arm64 (sha256:64deb0e0c2ac)",
            ])
        #expect(report.roots.map(\.files) == [1, 1, 0, 0])
        #expect(report.sourcesWithoutELF == [layout], "the images hold only a text file: nothing to check")
    }

    @Test("--platform: a missing platform fails, an extra one is a note")
    func expectedPlatforms() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-amd64-static"], to: "a/app")
        try tree.copy(set["c-arm64-static"], to: "b/app")
        let oci = try OCIFixture(tree.root + "/oci")
        try oci.index([
            try await oci.image(platform: "linux/amd64", layers: [try await oci.layer(from: tree.root + "/a")]),
            try await oci.image(platform: "linux/arm64", layers: [try await oci.layer(from: tree.root + "/b")]),
        ])
        let report = try await ImageVerifier().verify(
            oci.folder, platforms: [try Platform(parsing: "linux/amd64"), try Platform(parsing: "linux/arm/v7")])
        #expect(report.findings.map(\.kind) == [.extraPlatform, .missingPlatform])
        #expect(report.findings.map(\.isError) == [false, true])
        #expect(report.findings.last?.message == "linux/arm/v7 is missing (has linux/amd64, linux/arm64)")
        #expect(!report.ok)
    }

    @Test("a source without any ELF file is reported as such")
    func nothingToCheck() async throws {
        let tree = try Tree()
        defer { tree.remove() }
        try tree.write("just text\n", to: "l/etc/motd")
        let oci = try OCIFixture(tree.root + "/oci")
        try oci.index([
            try await oci.image(platform: "linux/amd64", layers: [try await oci.layer(from: tree.root + "/l")])
        ])
        let report = try await ImageVerifier().verify(sources: [oci.folder, tree.root + "/l"])
        #expect(report.ok)
        #expect(report.sourcesWithoutELF == [oci.folder, tree.root + "/l"])
    }
}

/// The attestation manifest in the form BuildKit 0.11 writes it (provenance, `mode=min`), as in the
/// recording Recordings/buildkit-0.11.6-attested: an OCI manifest whose config is
/// `{"architecture":"unknown","os":"unknown","config":{},"rootfs":...}` and whose one layer is an
/// in-toto statement (`application/vnd.in-toto+json`, `in-toto.io/predicate-type` annotation),
/// listed in the index as `unknown/unknown` with `vnd.docker.reference.digest`/`.type` annotations.
enum BuildKitAttestation {
    static func manifest(in oci: OCIFixture, subject: String) async throws -> [String: Any] {
        let statement: [String: Any] = [
            "_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
            "subject": [["name": "_", "digest": ["sha256": String(subject.dropFirst(7))]]],
            "predicate": [
                "builder": ["id": ""], "buildType": "https://mobyproject.org/buildkit@v1",
                "metadata": ["buildInvocationID": "x"],
            ],
        ]
        let layer = try await oci.blob(
            try oci.json(statement), mediaType: "application/vnd.in-toto+json",
            annotations: ["in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"])
        let config: [String: Any] = [
            "architecture": "unknown", "os": "unknown", "config": [:] as [String: Any],
            "rootfs": ["type": "layers", "diff_ids": [layer["digest"]!]],
        ]
        let configBlob = try await oci.blob(try oci.json(config), mediaType: "application/vnd.oci.image.config.v1+json")
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configBlob, "layers": [layer],
        ]
        return try await oci.blob(
            try oci.json(manifest), mediaType: "application/vnd.oci.image.manifest.v1+json",
            annotations: ["vnd.docker.reference.digest": subject, "vnd.docker.reference.type": "attestation-manifest"],
            platform: ["architecture": "unknown", "os": "unknown"])
    }
}

@Suite("Archive reader: corrupt and truncated input")
struct ArchiveFuzzTests {
    /// Mutates an OCI archive (and the gzip layer inside it) and a zstd layer for up to ~10 s or 400 rounds: every
    /// round ends in a report or a `VerifyError`, never a crash or another error.
    @Test("mutated and truncated OCI archives and layers give an error, never a crash")
    func mutations() async throws {
        let tree = try Tree()
        defer { tree.remove() }
        let set = try await TestBinarySet.load()
        try tree.copy(set["c-arm64-static"], to: "l/usr/bin/app")
        try tree.write("x\n", to: "l/etc/x")
        let oci = try OCIFixture(tree.root + "/oci")
        try oci.index([
            try await oci.image(platform: "linux/arm64", layers: [try await oci.layer(from: tree.root + "/l")])
        ])
        let archive = try await tree.tar("image.oci.tar", ["-C", oci.folder, "oci-layout", "index.json", "blobs"])
        // Two inputs in turn: the OCI archive, and a zstd layer read as a plain compressed tar.
        let layer = try await oci.layer(from: tree.root + "/l", compression: "zstd")
        let layerPath = oci.folder + "/blobs/sha256/" + (layer["digest"] as! String).dropFirst(7)
        let originals = [
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: archive))),
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: layerPath))),
        ]
        var random = SplitMix(seed: 0x5EED)
        let deadline = ContinuousClock.now + .seconds(10)
        var rounds = 0, errors = 0
        let target = tree.root + "/mutant.tar"
        while rounds < 400, ContinuousClock.now < deadline {
            rounds += 1
            var bytes = originals[rounds % 2]
            switch random.below(3) {
            case 0: bytes = Array(bytes.prefix(random.below(bytes.count)))
            case 1:
                for _ in 0..<(1 + random.below(8)) { bytes[random.below(bytes.count)] ^= UInt8(1 + random.below(255)) }
            default:
                let at = random.below(bytes.count)
                bytes.replaceSubrange(
                    at..<min(bytes.count, at + random.below(600)), with: [UInt8](repeating: 0, count: random.below(64)))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: target))
            do {
                _ = try await ImageVerifier().verify(target)
            } catch is VerifyError {
                errors += 1
            }
        }
        #expect(rounds >= 50, "only \(rounds) rounds in 10 s")
        #expect(
            errors > rounds / 4, "\(errors) errors in \(rounds) rounds: the mutations should mostly break the archive")
    }
}
