// Real images made through the engine (/usr/bin/docker, DOCKER_BUILDKIT=1, --network=none), pushed
// to the registry at 127.0.0.1:5000 and joined into manifest lists with `docker manifest`, then
// verified from the registry, from OCI layouts and archives (`skopeo copy --all`), and from a
// `docker save` archive: each case with its exact verdict and exit code. Skips when the engine is
// absent, unless XPLAT_REQUIRE_ENGINE=1 (then it fails).

import Foundation
import Testing
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatVerify

/// The engine and registry the images are made with.
enum ImageEngine {
    static let environment = ProcessInfo.processInfo.environment
    static let required = Prerequisite.required
    static let docker = "/usr/bin/docker"
    static let registry = environment["XPLAT_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:5000"
    static let repository = registry + "/xplat-verify-test"

    /// Why the engine tests cannot run here (dockerd, the registry or skopeo missing), or nil.
    static func unusable() async -> String? {
        let runner = SubprocessRunner()
        if (try? await runner.run(Command(docker, ["info", "--format", "{{.ServerVersion}}"])))?.succeeded != true {
            return "dockerd does not answer through \(docker) (Scripts/engine-up)"
        } else if (try? await runner.run(Command("curl", ["-fs", "--max-time", "3", "http://\(registry)/v2/"])))?
            .succeeded != true
        {
            return "the registry \(registry) does not answer (Scripts/engine-up)"
        } else if (try? await runner.run(Command("skopeo", ["--version"])))?.succeeded != true {
            return "skopeo is not installed (Scripts/setup)"
        }
        return nil
    }

    /// The suites' condition: a visible skip when the engine is absent, unless XPLAT_REQUIRE_ENGINE=1,
    /// which runs them so that `usable` records the absence as a failure.
    static let prerequisite = Prerequisite(
        needs: "dockerd, the registry \(registry) and skopeo (Scripts/setup --tests)"
    ) {
        await unusable()
    }
    static var enabled: ConditionTrait { prerequisite.trait }

    /// Under XPLAT_REQUIRE_ENGINE=1 the tests run whatever the engine's state: records why they cannot.
    static func usable(_ test: String) async -> Bool { await prerequisite.usable(test) }

    /// Runs a command that must succeed.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) async throws
        -> String
    {
        let out = try await SubprocessRunner().run(Command(executable, arguments, environment: environment))
        guard out.succeeded else {
            throw TestBinaryError(
                message: "\(executable) \(arguments.joined(separator: " ")) failed (\(out.exitCode)):\n\(out.stderr)")
        }
        return out.stdout
    }

    /// Builds `dockerfile` once per platform, pushes each image, and joins them into the list
    /// `NAME:list` whose entries carry `labels` (default: the platform built). Returns the list.
    static func list(
        _ name: String, _ dockerfile: String, context: String,
        platforms: [String], labels: [String]? = nil
    ) async throws -> String {
        let file = context + "/Dockerfile." + name
        try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: file))
        var tags: [String] = []
        for platform in platforms {
            let tag = "\(repository)/\(name):" + platform.replacingOccurrences(of: "/", with: "-")
            try await run(
                docker, ["build", "-q", "--network=none", "--platform", platform, "-f", file, "-t", tag, context],
                environment: ["DOCKER_BUILDKIT": "1"])
            try await run(docker, ["push", "-q", tag])
            tags.append(tag)
        }
        let list = "\(repository)/\(name):list"
        _ = try? await run(docker, ["manifest", "rm", list])
        try await run(docker, ["manifest", "create", "--insecure", list] + tags)
        for (tag, label) in zip(tags, labels ?? platforms) {
            let parts = label.split(separator: "/").map(String.init)
            try await run(
                docker,
                ["manifest", "annotate", "--os", parts[0], "--arch", parts[1]]
                    + (parts.count > 2 ? ["--variant", parts[2]] : []) + [list, tag])
        }
        try await run(docker, ["manifest", "push", "--insecure", "--purge", list])
        return list
    }

    /// Every image of the suite, made once per test process.
    static let images = Task<EngineImages, Error> { try await EngineImages.make() }
}

/// The images the tests verify (references into the registry, and local copies).
struct EngineImages: Sendable {
    var good, copied, buildPlatform, missing, deleted, symlinked: String
    /// `docker save` of the good amd64 image and the copied arm64 one.
    var saved: String
    /// `skopeo copy --all` of `copied` into an OCI layout folder and an OCI archive, and of `good`
    /// into a layout folder.
    var layout, archive, goodLayout: String

    static func make() async throws -> EngineImages {
        let set = try await TestBinarySet.load()
        let context = try makeTemporaryDirectory("xplat-verify-engine")
        for (file, name) in [
            ("c-amd64-static", "app-amd64"), ("c-arm64-static", "app-arm64"), ("c-armhf-static", "app-armv7"),
        ] {
            try FileManager.default.copyItem(atPath: set[file].path, toPath: "\(context)/\(name)")
        }
        // A merged-/usr root whose loader is reached through two symlinks.
        let rootfs = context + "/rootfs"
        try FileManager.default.createDirectory(
            atPath: rootfs + "/usr/lib/aarch64-linux-gnu", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs + "/usr/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: set["c-arm64-dynamic"].path, toPath: rootfs + "/usr/bin/app")
        try FileManager.default.copyItem(
            atPath: set["c-arm64-static"].path, toPath: rootfs + "/usr/lib/aarch64-linux-gnu/ld-2.36.so")
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/lib", withDestinationPath: "usr/lib")
        try FileManager.default.createSymbolicLink(
            atPath: rootfs + "/usr/lib/ld-linux-aarch64.so.1",
            withDestinationPath: "/usr/lib/aarch64-linux-gnu/ld-2.36.so")
        let three = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
        let good = try await ImageEngine.list(
            "good",
            """
            FROM scratch
            ARG TARGETARCH
            ARG TARGETVARIANT
            COPY app-${TARGETARCH}${TARGETVARIANT} /app
            """, context: context, platforms: three)
        let copied = try await ImageEngine.list(
            "copied", "FROM scratch\nCOPY app-amd64 /app\n", context: context, platforms: three)
        // The final stage on the build platform: built "for" arm64, amd64 inside.
        let buildPlatform = try await ImageEngine.list(
            "buildplatform",
            """
            FROM --platform=$BUILDPLATFORM busybox
            COPY app-amd64 /app
            """, context: context, platforms: ["linux/arm64"])
        let missing = try await ImageEngine.list(
            "missing",
            """
            FROM scratch
            ARG TARGETARCH
            COPY app-${TARGETARCH} /app
            """, context: context, platforms: ["linux/amd64", "linux/arm64"])
        // The only wrong binary is deleted by a later layer (RUN under QEMU for arm64).
        let deleted = try await ImageEngine.list(
            "deleted",
            """
            FROM busybox
            COPY app-amd64 /usr/local/bin/wrong
            RUN rm /usr/local/bin/wrong
            """, context: context, platforms: ["linux/amd64", "linux/arm64"])
        let symlinked = try await ImageEngine.list(
            "symlinked", "FROM scratch\nCOPY rootfs/ /\n", context: context, platforms: ["linux/arm64"])
        let saved = context + "/saved.tar"
        try await ImageEngine.run(
            ImageEngine.docker,
            [
                "save", "-o", saved, "\(ImageEngine.repository)/good:linux-amd64",
                "\(ImageEngine.repository)/copied:linux-arm64",
            ])
        let layout = context + "/copied-oci", archive = context + "/copied.oci.tar", goodLayout = context + "/good-oci"
        for (image, destination) in [
            (copied, "oci:\(layout):list"), (copied, "oci-archive:\(archive):list"), (good, "oci:\(goodLayout):list"),
        ] {
            try await ImageEngine.run(
                "skopeo", ["copy", "-q", "--all", "--src-tls-verify=false", "docker://\(image)", destination])
        }
        return EngineImages(
            good: good, copied: copied, buildPlatform: buildPlatform, missing: missing, deleted: deleted,
            symlinked: symlinked, saved: saved, layout: layout, archive: archive, goodLayout: goodLayout)
    }
}

@Suite("xplat verify on real images (engine)", .serialized, ImageEngine.enabled)
struct ImageEngineTests {
    func verify(_ source: String, _ platforms: [String] = [], allowCompatible: Bool = false) async throws
        -> VerifyReport
    {
        let rules = Verifier(allowCompatible: allowCompatible)
        return try await ImageVerifier(rules: rules).verify(
            source, platforms: platforms.map { try Platform(parsing: $0) })
    }

    func xplat(_ arguments: [String]) async throws -> CommandOutput {
        try await XPlatBinary.run(["verify"] + arguments)
    }

    @Test("each image's verdict and exit code, from OCI layouts, OCI archives and docker save archives")
    func verdicts() async throws {
        guard await ImageEngine.usable("verdicts") else { return }
        let images = try await ImageEngine.images.value
        // The copied amd64 binary: wrong on arm64 and arm/v7, named as a copy, from layout and archive alike.
        for source in [images.layout, images.archive] {
            let report = try await verify(source, ["linux/amd64", "linux/arm64", "linux/arm/v7"])
            // In the index's order (docker manifest create sorts its entries).
            #expect(
                report.roots.compactMap { $0.platform?.description } == ["linux/amd64", "linux/arm/v7", "linux/arm64"])
            #expect(
                report.mismatches.map { report.roots[$0.rootIndex].platform?.description ?? "" } == [
                    "linux/amd64", "linux/arm/v7", "linux/arm64",
                ])
            #expect(
                report.files.flatMap { $0.problems.map(\.kind) } == [
                    .duplicate, .wrongPlatform, .duplicate, .wrongPlatform, .duplicate,
                ])
            let out = try await xplat([source])
            #expect(out.exitCode == 1, "\(out.stdout)")
            #expect(
                out.stdout.contains(
                    "FAIL linux/arm64 /app: expected linux/arm64, found linux/amd64 (EM_X86_64, ELF64, little-endian)"))
        }
        // docker save: two images, each checked against its own config. The report follows
        // manifest.json, whose order dockerd 20.10 does not fix (it walks a Go map): compare by platform.
        let saved = try await verify(images.saved)
        let byPlatform = Dictionary(
            uniqueKeysWithValues: saved.roots.enumerated().map { ($1.platform?.description ?? "", $0) })
        #expect(byPlatform.keys.sorted() == ["linux/amd64", "linux/arm64"])
        // The two images hold the same amd64 binary: a copy, named in both; wrong only in arm64.
        func problems(_ platform: String) -> [[Problem.Kind]] {
            saved.files.filter { $0.rootIndex == byPlatform[platform] }.map { $0.problems.map(\.kind) }
        }
        #expect(problems("linux/amd64") == [[.duplicate]])
        #expect(problems("linux/arm64") == [[.wrongPlatform, .duplicate]])
        #expect(
            byPlatform["linux/amd64"].map {
                saved.roots[$0].path.hasPrefix("\(images.saved):\(ImageEngine.repository)/good:linux-amd64")
            } == true)
        #expect(try await xplat([images.saved]).exitCode == 1)
    }

    @Test("good, build-platform, missing, deleted and symlinked images through skopeo layouts")
    func layouts() async throws {
        guard await ImageEngine.usable("layouts") else { return }
        let images = try await ImageEngine.images.value
        let folder = try makeTemporaryDirectory("xplat-verify-layouts")
        defer { removeTree(folder) }
        func layout(_ reference: String) async throws -> String {
            let name =
                folder + "/" + (reference.split(separator: "/").last ?? "x").replacingOccurrences(of: ":", with: "-")
            try await ImageEngine.run(
                "skopeo", ["copy", "-q", "--all", "--src-tls-verify=false", "docker://\(reference)", "oci:\(name)"])
            return name
        }
        let good = try await verify(try await layout(images.good), ["linux/amd64", "linux/arm64", "linux/arm/v7"])
        #expect(good.ok && good.findings.isEmpty, "\(good.problemLines)")
        #expect(good.roots.map(\.elf) == [1, 1, 1])

        let buildPlatform = try await verify(try await layout(images.buildPlatform), ["linux/arm64"])
        #expect(buildPlatform.mismatches.map(\.path) == ["/app", "/bin/busybox"], "\(buildPlatform.problemLines)")
        #expect(buildPlatform.findings.isEmpty, "BuildKit labels the config arm64 too")

        let missing = try await verify(
            try await layout(images.missing), ["linux/amd64", "linux/arm64", "linux/arm/v7"])
        #expect(missing.findings.map(\.kind) == [.missingPlatform])
        #expect(missing.files.allSatisfy(\.ok) && !missing.ok)

        let deleted = try await verify(try await layout(images.deleted), ["linux/amd64", "linux/arm64"])
        #expect(deleted.ok, "\(deleted.problemLines)")
        #expect(deleted.file("/usr/local/bin/wrong") == nil)

        let symlinked = try await verify(try await layout(images.symlinked), ["linux/arm64"])
        #expect(symlinked.ok, "\(symlinked.problemLines)")
        #expect(symlinked.file("/usr/bin/app")?.interpreter == "/lib/ld-linux-aarch64.so.1")
    }
}

@Suite("xplat verify of image references (engine, registries)", .serialized, ImageEngine.enabled)
struct ImageReferenceTests {
    static let three = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

    func xplat(_ arguments: [String], environment: [String: String?] = [:]) async throws -> CommandOutput {
        try await XPlatBinary.run(["verify"] + arguments, environment: environment)
    }

    @Test("each image by reference from 127.0.0.1:5000: exact verdict, summary and exit code")
    func references() async throws {
        guard await ImageEngine.usable("references") else { return }
        let images = try await ImageEngine.images.value
        let cases: [(String, [String], Int32, String)] = [
            (images.good, Self.three, 0, "verify: ok; 3 roots, 3 files, 3 ELF, 0 skipped"),
            ("docker://" + images.good, Self.three, 0, "verify: ok; 3 roots, 3 files, 3 ELF, 0 skipped"),
            (images.copied, Self.three, 1, "verify: 3 files with 5 problems; 3 roots, 3 files, 3 ELF"),
            (images.buildPlatform, ["linux/arm64"], 1, "verify: 2 files with 2 problems; 1 root"),
            (images.missing, Self.three, 1, "verify: 1 source finding; 2 roots, 2 files, 2 ELF"),
            (images.deleted, ["linux/amd64", "linux/arm64"], 0, "verify: ok; 2 roots"),
            (images.symlinked, ["linux/arm64"], 0, "verify: ok; 1 root, 2 files, 2 ELF"),
        ]
        for (reference, platforms, code, summary) in cases {
            let out = try await xplat(["--platform", platforms.joined(separator: ","), reference])
            #expect(out.exitCode == code, "\(reference): \(out.stdout)\(out.stderr)")
            #expect(out.stdout.split(separator: "\n").last?.hasPrefix(summary) == true, "\(reference): \(out.stdout)")
        }
        // Pinned by the index's digest, as `build --push` verifies what it pushed.
        let headers = try await ImageEngine.run(
            "curl",
            [
                "-fsI", "-H", "Accept: application/vnd.docker.distribution.manifest.list.v2+json",
                "http://\(ImageEngine.registry)/v2/xplat-verify-test/good/manifests/list",
            ])
        let digest = try #require(
            headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("docker-content-digest:") }?
                .split(separator: " ").last.map(String.init))
        let pinned = try await ImageVerifier().verify(
            "\(ImageEngine.repository)/good@\(digest)", platforms: try Self.three.map { try Platform(parsing: $0) })
        #expect(pinned.ok && pinned.roots.count == 3, "\(pinned.problemLines)")
        // An image that is not there: could not check.
        let absent = try await xplat(["\(ImageEngine.repository)/no-such-image:1"])
        #expect(absent.exitCode == 2, "\(absent.stderr)")
        #expect(absent.stdout.isEmpty)
    }

    /// The layer stream's errors: the blob's digest is right (the registry takes it), its gzip is
    /// not. The reader's own error must be what the user reads, not the download's stop.
    @Test("a layer whose gzip is corrupt, verified by reference: the reader's error naming the layer, exit 2")
    func corruptLayerByReference() async throws {
        guard await ImageEngine.usable("corruptLayerByReference") else { return }
        let tree = try Tree()
        defer { tree.remove() }
        let set = try await TestBinarySet.load()
        try tree.copy(set["c-arm64-static"], to: "l/usr/bin/app")
        try tree.write(
            String(repeating: "padding so the deflate stream has blocks to break\n", count: 4000), to: "l/etc/big")
        let oci = try OCIFixture(tree.root + "/oci")
        let good = try await oci.layer(from: tree.root + "/l")
        var bytes = try [UInt8](
            Data(
                contentsOf: URL(
                    fileURLWithPath: oci.folder + "/blobs/sha256/" + (good["digest"] as! String).dropFirst(7))))
        for offset in stride(from: 64, to: bytes.count - 16, by: 97) { bytes[offset] ^= 0x5A }
        let broken = try await oci.blob(Data(bytes), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip")
        try oci.index([try await oci.image(platform: "linux/arm64", layers: [broken])])
        let reference = "\(ImageEngine.repository)/corrupt-layer:1"
        try await ImageEngine.run(
            "skopeo", ["copy", "-q", "--dest-tls-verify=false", "oci:\(oci.folder)", "docker://\(reference)"])
        let layer = broken["digest"] as! String
        await #expect {
            _ = try await ImageVerifier().verify(reference)
        } throws: { error in
            let text = "\(error)"
            return error is VerifyError && text.contains(layer) && text.contains("gzip")
                && !text.contains("LayerReaderStopped")
        }
        let out = try await xplat([reference])
        #expect(out.exitCode == 2 && out.stderr.contains(layer), "\(out.stderr)")
    }

    @Test("the recorded BuildKit 0.11.6 index with attestations, pushed and verified by reference")
    func attestedByReference() async throws {
        guard await ImageEngine.usable("attestedByReference") else { return }
        let layout = XPlatBinary.packageRoot + "/Tests/XPlatVerifyTests/Recordings/buildkit-0.11.6-attested"
        let reference = "\(ImageEngine.repository)/attested:1"
        try await ImageEngine.run(
            "skopeo",
            ["copy", "-q", "--all", "--dest-tls-verify=false", "oci:\(layout):attested", "docker://\(reference)"])
        let report = try await ImageVerifier().verify(
            reference, platforms: [try Platform(parsing: "linux/amd64"), try Platform(parsing: "linux/arm64")])
        #expect(report.ok && report.findings.isEmpty, "\(report.problemLines)")
        #expect(report.roots.map(\.kind) == [.image, .image, .attestation, .attestation])
        #expect(
            report.roots.compactMap(\.subject) == [
                "linux/amd64 (sha256:89c0acc22634)", "linux/arm64 (sha256:64deb0e0c2ac)",
            ])
        let out = try await xplat([reference])
        #expect(out.exitCode == 2 && out.stderr.contains("nothing to check"), "\(out.stdout)\(out.stderr)")
    }

    /// The TLS registry with a login (Scripts/secure-registry-up): the CA in docker's certs.d, the
    /// login in a docker config.json as `docker login` writes it.
    static let secureCredentials = "/etc/xplat/secure-registry/credentials"

    @Test(
        "an image in the TLS registry behind a login, verified by reference",
        .enabled("needs the TLS registry's login in \(secureCredentials) (Scripts/secure-registry-up)") {
            ImageEngine.required || FileManager.default.fileExists(atPath: secureCredentials)
        })
    func secureRegistry() async throws {
        guard await ImageEngine.usable("secureRegistry") else { return }
        let host = "xplat-registry.test:5443"
        let credentials = Self.secureCredentials
        guard
            let login = try? String(contentsOfFile: credentials, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        else {
            Issue.record("XPLAT_REQUIRE_ENGINE=1 but \(credentials) is missing (Scripts/secure-registry-up)")
            return
        }
        let images = try await ImageEngine.images.value
        let reference = "\(host)/xplat-verify-test/copied:list"
        try await ImageEngine.run(
            "skopeo",
            [
                "copy", "-q", "--all", "--src-tls-verify=false", "--dest-creds", login,
                "docker://\(images.copied)", "docker://\(reference)",
            ])
        let config = try makeTemporaryDirectory("xplat-verify-docker-config")
        defer { removeTree(config) }
        let auth = Data(login.utf8).base64EncodedString()
        try Data(#"{"auths":{"\#(host)":{"auth":"\#(auth)"}}}"#.utf8).write(
            to: URL(fileURLWithPath: config + "/config.json"))
        let out = try await xplat(
            ["--platform", Self.three.joined(separator: ","), reference], environment: ["DOCKER_CONFIG": config])
        #expect(out.exitCode == 1, "\(out.stdout)\(out.stderr)")
        #expect(
            out.stdout.contains(
                "FAIL linux/arm64 /app: expected linux/arm64, found linux/amd64 (EM_X86_64, ELF64, little-endian)"))
        // Without the login: the registry refuses, and verify says it could not check.
        let empty = try makeTemporaryDirectory("xplat-verify-no-login")
        defer { removeTree(empty) }
        let refused = try await xplat([reference], environment: ["DOCKER_CONFIG": empty])
        #expect(refused.exitCode == 2, "\(refused.stdout)\(refused.stderr)")
    }
}
