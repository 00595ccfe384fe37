// Publishing through the real engine to a registry as users have it (Scripts/secure-registry-up:
// Debian's docker-registry, TLS from a test CA trusted through certs.d, htpasswd login, reached as
// xplat-registry.test): the `xplat` binary with a docker config of the test's own. Each platform is
// built once; the per-platform manifests go into the target repository by digest, the index under
// the tag; the catalog gains no other repository; nothing is left in the temp directory. OCI and
// tar outputs need no registry of xplat's own (XPLAT_REGISTRY unreachable).

import Foundation
import Testing
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

enum SecureTarget {
    static let registry =
        "\(ProcessInfo.processInfo.environment["XPLAT_SECURE_REGISTRY_NAME"] ?? "xplat-registry.test"):5443"
    static let user = "xplat-test"
    static let password = "xplat-test-password"

    /// A docker config folder with a login for the registry (`password` may be wrong on purpose).
    static func dockerConfig(password: String = SecureTarget.password) throws -> String {
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-dockercfg")
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        try #"{"auths": {"\#(registry)": {"auth": "\#(auth)"}}}"#.write(
            toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        return dir
    }

    /// Nil when the engine, the base images and the TLS+login registry answer; else why not.
    static func unusable(bases: [String]) async -> String? {
        if let why = await BuildEngine.unusable(bases: bases) { return why }
        let config = RegistryConfiguration(credentials: NoCredentials(), retry: .none, connectTimeout: .seconds(2))
        if (try? await RegistryClient.with(configuration: config) { try await $0.ping(registry) }) == 401 { return nil }
        return "\(registry) does not answer with a login challenge (Scripts/secure-registry-up)"
    }

    /// Skips, with the reason, when they are absent, except under XPLAT_REQUIRE_ENGINE=1.
    static func enabled(bases: [String]) -> ConditionTrait { prerequisite(bases: bases).trait }

    /// Records why the test cannot run (under XPLAT_REQUIRE_ENGINE=1).
    static func usable(_ test: String, bases: [String]) async -> Bool { await prerequisite(bases: bases).usable(test) }

    static func prerequisite(bases: [String]) -> Prerequisite {
        Prerequisite(
            needs:
                "dockerd, \(bases.joined(separator: ", ")) and the TLS+login registry \(registry) (Scripts/setup "
                + "--tests)"
        ) {
            await unusable(bases: bases)
        }
    }

    /// The registry's repositories, less those of XPlatRegistryTests (`xplat-unit/...`), which push to
    /// the same registry at the same time in the same test run; anything xplat leaves stays in view.
    static func catalog(_ configDir: String) async throws -> Set<String> {
        let config = RegistryConfiguration(
            credentials: DockerCredentials(configDirectory: configDir, helperSearchPath: []))
        let all = try await RegistryClient.with(configuration: config) { try await $0.repositories(registry) }
        return Set(all.filter { !$0.hasPrefix("xplat-unit/") })
    }

    /// Runs the xplat binary with `environment` added to this process's.
    static func xplat(_ arguments: [String], environment: [String: String]) async throws -> CommandOutput {
        try await SubprocessRunner().run(Command(BuildEngine.binary, arguments, environment: environment))
    }
}

@Suite("Publish Integration", .serialized)
struct PublishIntegrationTests {
    static let platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

    @Test(
        """
        --push go-hello and c-hello (amd64, arm64, arm/v7) to the TLS+login registry: one build per platform, \
        an index of exactly those platforms, each platform pulled back passes xplat verify, no other repository, no temp leftovers
        """,
        SecureTarget.enabled(bases: ["golang:1.19", "gcc:12", "busybox"]), arguments: ["go-hello", "c-hello"])
    func push(_ example: String) async throws {
        guard await SecureTarget.usable("push \(example)", bases: ["golang:1.19", "gcc:12", "busybox"]) else { return }
        let config = try SecureTarget.dockerConfig()
        let tmp = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-pushtmp")
        defer {
            try? FileManager.default.removeItem(atPath: config)
            try? FileManager.default.removeItem(atPath: tmp)
        }
        let repository = "xplat-it/\(example)-\(getpid())"
        let tag = "\(SecureTarget.registry)/\(repository):1"
        let before = try await SecureTarget.catalog(config)
        let metadata = config + "/metadata.json"
        // A docker wrapper that logs each command line: an independent count of the builds.
        let wrapper = config + "/docker"
        try "#!/bin/sh\nprintf '%s\\n' \"$*\" >>\(config)/docker.log\nexec \(BuildEngine.docker) \"$@\"\n"
            .write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let run = try await SecureTarget.xplat(
            [
                "build", "--network", "none", "--rewrite", "--push", "-t", tag, "--platform",
                Self.platforms.joined(separator: ","), "--progress", "plain",
                "--metadata-file", metadata, BuildEngine.example(example),
            ],
            environment: ["DOCKER_CONFIG": config, "TMPDIR": tmp, "XPLAT_DOCKER": wrapper])
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "no temp files left")
        let builds = BuildEngine.read(config + "/docker.log").split(separator: "\n").filter { $0.hasPrefix("build ") }
        #expect(builds.count == Self.platforms.count, "one build per platform: \(builds)")
        #expect(BuildEngine.read(metadata).contains("\"xplat.solves\" : 3"), "\(BuildEngine.read(metadata))")
        #expect(
            BuildEngine.read(metadata).contains("\"verify-pushed\""),
            "the pushed index was verified from the registry: \(BuildEngine.read(metadata))")
        #expect(
            !BuildEngine.read(config + "/docker.log").contains("push "), "the engine pushed nothing; xplat's client did"
        )
        for build in builds {
            let words = build.split(separator: " ").map(String.init)
            for (i, word) in words.enumerated() where word == "--tag" && i + 1 < words.count {
                let left = try await SubprocessRunner().run(
                    Command(BuildEngine.docker, ["image", "inspect", words[i + 1]]))
                #expect(!left.succeeded, "the per-platform image \(words[i + 1]) was removed from the engine")
            }
        }

        let raw = try await SubprocessRunner().run(
            Command(
                "skopeo",
                ["inspect", "--raw", "--creds", "\(SecureTarget.user):\(SecureTarget.password)", "docker://\(tag)"]))
        try #require(raw.succeeded, "\(raw.stderr)")
        let index = try JSONDecoder().decode(Index.self, from: Data(raw.stdout.utf8))
        #expect(
            index.manifests.map { $0.platform?.description ?? "none" } == Self.platforms,
            "exactly the built platforms: \(raw.stdout)")
        #expect(
            run.stdout.contains("index: \(sha256Digest(Array(raw.stdout.utf8)))"),
            "the reported index is the registry's: \(run.stdout)")

        let after = try await SecureTarget.catalog(config)
        #expect(
            after.subtracting(before) == [repository] || (before.contains(repository) && after == before),
            "no repository but the target: new \(after.subtracting(before).sorted())")

        for platform in Self.platforms {
            try await Self.pullAndVerify(tag, platform: platform, config: config)
        }
    }

    /// `docker pull --platform P`, `docker create`, `docker export` into a folder, `xplat verify --platform P`.
    static func pullAndVerify(_ tag: String, platform: String, config: String) async throws {
        let runner = SubprocessRunner()
        let env = ["DOCKER_CONFIG": config]
        let docker = BuildEngine.docker
        let pulled = try await runner.run(Command(docker, ["pull", "--platform", platform, tag], environment: env))
        try #require(pulled.succeeded, "docker pull --platform \(platform): \(pulled.stderr)")
        let created = try await runner.run(
            Command(docker, ["create", "--platform", platform, tag, "/bin/true"], environment: env))
        try #require(created.succeeded, "\(created.stderr)")
        let container = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let root = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-pulled")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = root + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let exported = try await runner.run(Command(docker, ["export", "--output", archive, container]))
        _ = try await runner.run(Command(docker, ["rm", container]))
        _ = try await runner.run(Command(docker, ["rmi", tag]))
        try #require(exported.succeeded, "\(exported.stderr)")
        _ = try await runner.run(Command("tar", ["-xf", archive, "-C", root, "--no-same-owner"]))
        let verify = try await runner.run(Command(BuildEngine.binary, ["verify", "--platform", platform, root]))
        #expect(verify.exitCode == 0, "\(platform) pulled back: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("ELF"), "\(verify.stdout)")
    }

    @Test(
        """
        --push with a wrong password: refused before building, exit 3, naming the registry, the repository and \
        docker login; nothing created
        """,
        SecureTarget.enabled(bases: ["busybox"]))
    func wrongPassword() async throws {
        guard await SecureTarget.usable("wrongPassword", bases: ["busybox"]) else { return }
        let good = try SecureTarget.dockerConfig()
        let bad = try SecureTarget.dockerConfig(password: "not-the-password")
        defer {
            try? FileManager.default.removeItem(atPath: good)
            try? FileManager.default.removeItem(atPath: bad)
        }
        let before = try await SecureTarget.catalog(good)
        let repository = "xplat-it/denied-\(getpid())"
        let tmp = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-denytmp")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try await SecureTarget.xplat(
            [
                "build", "--network", "none", "--push", "-t", "\(SecureTarget.registry)/\(repository):1", "--platform",
                "linux/amd64", "--progress", "plain",
                BuildEngine.example("busybox-only"),
            ],
            environment: ["DOCKER_CONFIG": bad, "TMPDIR": tmp])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "no temp files left")
        #expect(run.exitCode == 3, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "registry \(SecureTarget.registry) refused the credentials for \(repository) (push to "
                    + "\(SecureTarget.registry)/\(repository))"
            ),
            "\(run.stderr)")
        #expect(
            run.stderr.contains("action: check the user and password or token: docker login \(SecureTarget.registry)"),
            "\(run.stderr)")
        #expect(!run.stderr.contains("] RUN"), "no build step ran: \(run.stderr)")
        #expect(!run.stderr.contains("Scripts/") && !run.stderr.contains("NSError") && !run.stderr.contains("Domain="))
        #expect(try await SecureTarget.catalog(good) == before, "nothing created in the registry")
    }

    @Test(
        """
        -o type=oci (tar) and -o type=tar with XPLAT_REGISTRY unreachable: built from the engine's store, no \
        registry of xplat's own
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func ociAndTarWithoutRegistry() async throws {
        guard await BuildEngine.usable("ociAndTarWithoutRegistry", bases: ["busybox"]) else { return }
        let out = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-ocitar")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let env = ["XPLAT_REGISTRY": "127.0.0.1:9"]
        let platforms = "linux/amd64,linux/arm64"
        let oci = try await SecureTarget.xplat(
            [
                "build", "--network", "none", "-o", "type=oci,dest=\(out)/image.oci.tar", "-t", "demo:2", "--platform",
                platforms,
                "--progress", "quiet", BuildEngine.example("busybox-only"),
            ], environment: env)
        try #require(oci.exitCode == 0, "\(oci.stderr)")
        let raw = try await SubprocessRunner().run(
            Command("skopeo", ["inspect", "--raw", "oci-archive:\(out)/image.oci.tar:2"]))
        try #require(raw.succeeded, "skopeo reads the OCI archive: \(raw.stderr)")
        let index = try JSONDecoder().decode(Index.self, from: Data(raw.stdout.utf8))
        #expect(index.manifests.map { $0.platform?.description ?? "none" } == ["linux/amd64", "linux/arm64"])
        let copy = try await SubprocessRunner().run(
            Command(
                "skopeo",
                [
                    "copy", "--quiet", "--override-arch", "arm64",
                    "oci-archive:\(out)/image.oci.tar:2", "dir:\(out)/arm64",
                ]))
        #expect(copy.succeeded, "every blob the layout names is there: \(copy.stderr)")

        let tar = try await SecureTarget.xplat(
            [
                "build", "--network", "none", "-o", "type=tar,dest=\(out)/root.tar", "--platform", "linux/arm64",
                "--progress", "quiet", BuildEngine.example("busybox-only"),
            ], environment: env)
        try #require(tar.exitCode == 0, "\(tar.stderr)")
        let listing = try await SubprocessRunner().run(Command("tar", ["-tf", "\(out)/root.tar"]))
        #expect(listing.stdout.contains("bin/busybox"), "the root filesystem of linux/arm64")
    }
}
