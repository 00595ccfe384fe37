// `xplat build` through the real engine (Debian dockerd with BuildKit, QEMU through binfmt, the
// local registry): the Dockerfiles/ examples per platform, each output verified by XPlatVerify;
// the deliberately wrong one failing verification; two nodes; push and OCI outputs.
// Skipped (with the reason, `.enabled`) when the engine is absent, unless XPLAT_REQUIRE_ENGINE=1 (then it fails). Heavy
// Go and C
// builds take the cross path (--rewrite); only busybox-only runs its RUN steps under emulation,
// because that test is about emulation.

import Foundation
import Testing
import XPlatBuild
import XPlatCommands
import XPlatHost
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport
import XPlatVerify

private func p(_ platform: String) -> Platform { try! Platform(parsing: platform) }

/// The engine the tests build on, and the service that builds.
enum BuildEngine {
    static let environment = ProcessInfo.processInfo.environment
    static let required = Prerequisite.required
    static let docker = environment["XPLAT_DOCKER"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/docker"
    static let registry = environment["XPLAT_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:5000"
    static var packageRoot: String { XPlatBinary.packageRoot }
    static func example(_ name: String) -> String { "\(packageRoot)/Dockerfiles/\(name)" }

    /// The built `xplat` (for exit codes).
    static var binary: String { XPlatBinary.path }

    /// Nil when dockerd and the registry answer; else why not.
    static func unusable() async -> String? {
        let runner = SubprocessRunner()
        guard let info = try? await runner.run(Command(docker, ["info", "--format", "{{.ServerVersion}}"])),
            info.succeeded
        else {
            return "dockerd does not answer through \(docker) (start it with Scripts/engine-up)"
        }
        guard let ping = try? await runner.run(Command("curl", ["-fs", "--max-time", "3", "http://\(registry)/v2/"])),
            ping.succeeded
        else {
            return "the registry \(registry) does not answer (Scripts/engine-up)"
        }
        return nil
    }

    /// Nil when dockerd, the registry and the base images answer; else why not.
    static func unusable(bases: [String]) async -> String? {
        if let why = await unusable() { return why }
        for base in bases where await mirrorPlatforms(base).isEmpty {
            return "base image \(base) is missing from \(registry) (run Scripts/seed-images)"
        }
        return nil
    }

    /// Runs the test when the engine, the registry and `bases` answer; skips it, with the reason,
    /// when they do not, except under XPLAT_REQUIRE_ENGINE=1, which runs it so absence fails it.
    static func enabled(bases: [String]) -> ConditionTrait { prerequisite(bases: bases).trait }

    /// Under XPLAT_REQUIRE_ENGINE=1 the test runs whatever the engine's state: records why it cannot.
    static func usable(_ test: String, bases: [String] = []) async -> Bool {
        await prerequisite(bases: bases).usable(test)
    }

    static func prerequisite(bases: [String]) -> Prerequisite {
        Prerequisite(
            needs:
                "dockerd, the registry \(registry) and \(bases.joined(separator: ", ")) seeded (Scripts/setup --tests)"
        ) {
            await unusable(bases: bases)
        }
    }

    /// The platforms base image `name` (`busybox`, `golang:1.19`) has in the engine's mirror.
    static func mirrorPlatforms(_ name: String) async -> [String] {
        guard var reference = try? RegistryReference(parsing: name) else { return [] }
        reference.registry = registry
        return (try? await RegistryClient.with { try await $0.platforms(of: reference).map(\.description) }) ?? []
    }

    static func service() -> BuildService {
        let runner = SubprocessRunner()
        return BuildService(
            runner: runner, docker: docker, environment: environment,
            probe: HostEmulationProbe(
                roots: .system(environment: environment), environment: environment,
                runner: runner, prover: ProbeExecProver()),
            verifier: ELFOutputVerifier(), rewriter: CrossRewrite.rewriter)
    }

    static func temporaryDirectory(_ prefix: String) throws -> String {
        try TemporaryDirectory.make(in: "/tmp", prefix: prefix)
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}

@Suite("Build Integration", .serialized)
struct BuildIntegrationTests {
    @Test(
        "go-hello with --rewrite: amd64, arm64, arm/v7 cross-built, verified, each binary prints its own platform",
        BuildEngine.enabled(bases: ["golang:1.19", "busybox"]))
    func goHello() async throws {
        guard await BuildEngine.usable("goHello", bases: ["golang:1.19", "busybox"]) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-go")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let platforms = [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7")]
        let request = BuildRequest(
            dockerfile: BuildEngine.example("go-hello") + "/Dockerfile", context: BuildEngine.example("go-hello"),
            platforms: platforms, output: .local(dest: out + "/out", split: nil),
            network: .none, smoke: ["/usr/local/bin/go-hello"], rewrite: true, progress: .quiet,
            registry: BuildEngine.registry)
        let result = try await BuildEngine.service().build(
            request, selection: NodeSelection(driver: .engine), tty: false)
        #expect(result.plan.rewriteDiff?.contains("+FROM --platform=$BUILDPLATFORM golang:1.19 AS build") == true)
        #expect(result.platforms.map(\.mode) == [.native, .cross, .cross])
        for r in result.platforms {
            #expect(r.verification?.passed == true, "\(r.platform): \(r.verification?.report ?? "not verified")")
            #expect((r.verification?.checked ?? 0) >= 2, "busybox and go-hello are ELF files of \(r.platform)")
            let expected = r.platform.variant == nil ? r.platform.description : "linux/arm"
            #expect(
                r.smoke?.stdout.contains("hello from \(expected)") == true,
                "\(r.platform): \(String(describing: r.smoke))")
            let report = try Verifier(platform: r.platform).verify(root: "\(out)/out/\(r.platform.folderName)")
            #expect(report.file("/usr/local/bin/go-hello")?.platform == r.platform, "an independent check of the file")
        }
    }

    @Test(
        "c-hello with --rewrite: amd64, arm64, arm/v7, riscv64 built with cross gcc, verified, static",
        BuildEngine.enabled(bases: ["gcc:12", "busybox"]))
    func cHello() async throws {
        guard await BuildEngine.usable("cHello", bases: ["gcc:12", "busybox"]) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-c")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let platforms = [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7"), p("linux/riscv64")]
        let request = BuildRequest(
            dockerfile: BuildEngine.example("c-hello") + "/Dockerfile", context: BuildEngine.example("c-hello"),
            platforms: platforms, output: .local(dest: out + "/out", split: nil),
            network: .none, smoke: ["/usr/local/bin/c-hello"], rewrite: true, progress: .quiet,
            registry: BuildEngine.registry)
        let result = try await BuildEngine.service().build(
            request, selection: NodeSelection(driver: .engine), tty: false)
        #expect(result.platforms.map(\.mode) == [.native, .cross, .cross, .cross])
        let machines = [
            "linux/amd64": "x86_64", "linux/arm64": "aarch64", "linux/arm/v7": "arm", "linux/riscv64": "riscv64",
        ]
        for r in result.platforms {
            #expect(r.verification?.passed == true, "\(r.platform): \(r.verification?.report ?? "not verified")")
            #expect(
                r.smoke?.stdout.contains("hello from C on \(machines[r.platform.description]!)") == true,
                "\(String(describing: r.smoke))")
            let report = try Verifier(platform: r.platform, requireStatic: true).verify(
                root: "\(out)/out/\(r.platform.folderName)/usr/local/bin/c-hello")
            #expect(report.ok, "static \(r.platform) binary: \(report.problemLines)")
        }
    }

    @Test(
        """
        busybox-only: RUN steps emulated on arm64, arm/v7, riscv64; each output's busybox verified and uname -m \
        from QEMU
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func busyboxEmulated() async throws {
        guard await BuildEngine.usable("busyboxEmulated", bases: ["busybox"]) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-bb")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let platforms = [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7"), p("linux/riscv64")]
        let request = BuildRequest(
            dockerfile: BuildEngine.example("busybox-only") + "/Dockerfile",
            context: BuildEngine.example("busybox-only"),
            platforms: platforms, output: .local(dest: out + "/out", split: nil), network: .none, progress: .quiet,
            registry: BuildEngine.registry)
        let result = try await BuildEngine.service().build(
            request, selection: NodeSelection(driver: .engine), tty: false)
        #expect(result.platforms.map(\.mode) == [.native, .emulated, .emulated, .emulated])
        #expect(
            result.plan.platforms.dropFirst().allSatisfy { $0.emulatedSteps.map(\.line) == [4, 5] },
            "both RUN lines are listed as emulated")
        let machines = [
            "linux/amd64": "x86_64", "linux/arm64": "aarch64", "linux/arm/v7": "armv7l", "linux/riscv64": "riscv64",
        ]
        for r in result.platforms {
            #expect(r.verification?.passed == true, "\(r.platform): \(r.verification?.report ?? "not verified")")
            #expect(
                BuildEngine.read("\(out)/out/\(r.platform.folderName)/out/machine") == machines[r.platform.description],
                "\(r.platform): uname -m inside the RUN step")
        }
    }

    @Test(
        """
        wrong-copy: an amd64 binary in every platform fails verification: exit 1, each mismatch printed, no \
        output written
        """,
        BuildEngine.enabled(bases: ["golang:1.19", "busybox"]))
    func wrongCopy() async throws {
        guard await BuildEngine.usable("wrongCopy", bases: ["golang:1.19", "busybox"]) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-wrong")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "build", "--network", "none", "--progress", "quiet", "--platform",
                    "linux/amd64,linux/arm64,linux/arm/v7", "-o", "type=local,dest=\(out)/out",
                    BuildEngine.example("wrong-copy"),
                ], environment: ["NO_COLOR": "1"]))
        #expect(run.exitCode == 1, "verification failure exits 1: \(run.stderr)")
        #expect(run.stderr.contains("verification failed for linux/arm/v7, linux/arm64"), "\(run.stderr)")
        #expect(
            run.stderr.contains("linux/arm64: /usr/local/bin/hello: expected linux/arm64, found linux/amd64"),
            "\(run.stderr)")
        #expect(
            run.stderr.contains("linux/arm/v7: /usr/local/bin/hello: expected linux/arm/v7, found linux/amd64"),
            "\(run.stderr)")
        #expect(
            run.stderr.contains("linux/arm64: /usr/local/bin/hello: byte-identical to linux_"),
            "the copy is named: \(run.stderr)")
        #expect(!run.stderr.contains("linux/amd64: /usr/local/bin/hello"), "the amd64 output is right")
        #expect(!FileManager.default.fileExists(atPath: out + "/out"), "a failed verification publishes nothing")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out).isEmpty,
            "no staging leftovers beside the destination")
    }

    @Test(
        "two nodes: a second dockerd on its own socket and data root; platforms spread over both and built",
        BuildEngine.enabled(bases: ["busybox"]))
    func twoNodes() async throws {
        guard await BuildEngine.usable("twoNodes", bases: ["busybox"]) else { return }
        let name = "xit\(getpid() % 100000)"
        let socket = "/run/xplat/\(name)/docker.sock"
        let runner = SubprocessRunner()
        // A private data root, removed afterwards with the node's run directory: nothing piles up run after run.
        let dataRoot = try BuildEngine.temporaryDirectory("xplat-it-node-data")
        defer {
            try? FileManager.default.removeItem(atPath: dataRoot)
            try? FileManager.default.removeItem(atPath: "/run/xplat/\(name)")
            try? FileManager.default.removeItem(atPath: "/var/log/xplat-dockerd-\(name).log")
        }
        let up = try await runner.run(
            Command(
                BuildEngine.packageRoot + "/Scripts/engine-up",
                ["--no-install", "--node", name, "--data-root", dataRoot]))
        // Stops only the dockerd this test started (engine-down acts on engine-up's pid file for NAME).
        let down = Command(BuildEngine.packageRoot + "/Scripts/engine-down", ["--node", name])
        do {
            try #require(up.succeeded, "engine-up --node \(name): \(up.stderr)")
            try await buildOnTwoNodes(name: name, socket: socket)
        } catch {
            let stopped = try await runner.run(down)
            #expect(stopped.succeeded, "engine-down --node \(name): \(stopped.stderr)")
            throw error
        }
        let stopped = try await runner.run(down)
        #expect(stopped.succeeded, "engine-down --node \(name): \(stopped.stderr)")
    }

    func buildOnTwoNodes(name: String, socket: String) async throws {
        let out = try BuildEngine.temporaryDirectory("xplat-it-nodes")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let platforms = [p("linux/amd64"), p("linux/arm64"), p("linux/arm/v7"), p("linux/riscv64")]
        let request = BuildRequest(
            dockerfile: BuildEngine.example("busybox-only") + "/Dockerfile",
            context: BuildEngine.example("busybox-only"),
            platforms: platforms, output: .local(dest: out + "/out", split: nil), network: .none, progress: .quiet,
            registry: BuildEngine.registry)
        let selection = NodeSelection(
            nodes: [
                NodeSpec(name: "default", endpoint: "unix:///var/run/docker.sock"),
                NodeSpec(name: name, endpoint: "unix://\(socket)"),
            ], driver: .engine)
        let service = BuildEngine.service()
        let plan = try await service.plan(request, selection: selection)
        let document = try JSONDecoder().decode(PlanDocument.self, from: Data(PlanRenderer.json(plan).utf8))
        #expect(
            Set(document.platforms.compactMap(\.node)) == ["default", name],
            "the plan uses both nodes: \(document.platforms.map { "\($0.platform) \($0.node ?? "-")" })")
        #expect(Set(document.solves.map(\.node)) == ["default", name])
        let result = try await service.build(request, selection: selection, tty: false)
        #expect(Set(result.platforms.map(\.node)) == ["default", name], "both nodes built")
        for r in result.platforms {
            #expect(
                r.verification?.passed == true,
                "\(r.platform) on \(r.node): \(r.verification?.report ?? "not verified")")
            #expect(FileManager.default.fileExists(atPath: "\(out)/out/\(r.platform.folderName)/out/busybox"))
        }
    }

    @Test(
        "Ctrl-C: exit 130, the RUN step's process stopped, no output and no temp files left",
        BuildEngine.enabled(bases: ["busybox"]))
    func interrupt() async throws {
        guard await BuildEngine.usable("interrupt", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-int")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seconds = 3000 + Int(getpid() % 997)  // a RUN step recognisable in /proc
        try FileManager.default.createDirectory(atPath: dir + "/ctx", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        try "FROM busybox\nRUN sleep \(seconds)\n".write(
            toFile: dir + "/ctx/Dockerfile", atomically: true, encoding: .utf8)
        func sleeping() -> Bool {
            let pids =
                (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) }
                ?? []
            return pids.contains { pid in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                return argv.contains("\(seconds)") && argv.contains { $0.hasSuffix("sleep") }
            }
        }
        // SIGINT to xplat alone once the RUN step's process is seen and its progress line printed,
        // as a terminal's Ctrl-C would reach it (a fixed delay raced the build's start on a loaded machine).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildEngine.binary)
        process.arguments = [
            "build", "--network", "none", "--no-cache", "--progress", "plain", "--platform", "linux/amd64",
            "-o", "type=local,dest=\(dir)/out", dir + "/ctx",
        ]
        process.environment = BuildEngine.environment.merging(["TMPDIR": dir + "/tmp", "NO_COLOR": "1"]) { $1 }
        let log = dir + "/stderr"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = false, printed = false
        let deadline = ContinuousClock.now + .seconds(120)
        while !(seen && printed), process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            seen = seen || sleeping()
            printed = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("RUN sleep \(seconds)")
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let run = (
            exitCode: process.terminationStatus, stderr: (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        )
        #expect(seen, "the RUN step's sleep \(seconds) ran while the build did: \(run.stderr)")
        #expect(run.exitCode == 130, "\(run.stderr)")
        #expect(run.stderr.contains("RUN sleep \(seconds)"), "the RUN step had started: \(run.stderr)")
        #expect(run.stderr.contains("interrupted: child builds stopped, temporary outputs removed"), "\(run.stderr)")
        var stopped = !sleeping()
        for _ in 0..<20 where !stopped {
            try await Task.sleep(for: .milliseconds(500))
            stopped = !sleeping()
        }
        #expect(stopped, "BuildKit stopped the RUN step's sleep \(seconds)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "no output written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty, "no temp files left")
    }

    @Test(
        """
        Ctrl-C while --push reads the built image back: exit 130, no temp files, no temporary image in the \
        engine, no tag in the registry
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func interruptPush() async throws {
        guard await BuildEngine.usable("interruptPush", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-intpush")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/ctx", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        // 150 MB of random bytes: docker save and gzip of the layer take seconds, long enough to interrupt.
        try "FROM busybox\nRUN head -c 150000000 /dev/urandom > /big\n".write(
            toFile: dir + "/ctx/Dockerfile", atomically: true, encoding: .utf8)
        let repository = "xplat-itest/interrupted\(getpid())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildEngine.binary)
        process.arguments = [
            "build", "--network", "none", "--progress", "plain", "--no-verify", "--platform", "linux/amd64", "--push",
            "-t", "\(BuildEngine.registry)/\(repository):1", dir + "/ctx",
        ]
        process.environment = BuildEngine.environment.merging(["TMPDIR": dir + "/tmp", "NO_COLOR": "1"]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The image is being read back once `docker save` writes into the build's images folder.
        func reading() -> String? {
            let fm = FileManager.default
            for run in (try? fm.contentsOfDirectory(atPath: dir + "/tmp")) ?? [] where run.hasPrefix("xplat-build-") {
                if let files = try? fm.contentsOfDirectory(atPath: "\(dir)/tmp/\(run)/images"), !files.isEmpty {
                    return run
                }
            }
            return nil
        }
        var run: String?
        for _ in 0..<1200 where run == nil && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            run = reading()
        }
        let seen = try #require(run, "the build reached the read-back of its image")
        let tag = "xplat-\(seen.dropFirst("xplat-build-".count).lowercased())"
        let listImages = Command(BuildEngine.docker, ["images", "--format", "{{.Repository}}:{{.Tag}}"])
        let before = try await SubprocessRunner().run(listImages)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(
            before.stdout.contains(tag), "the temporary image \(tag) existed when the signal came: \(before.stdout)")
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty, "no temp files left")
        let images = try await SubprocessRunner().run(listImages)
        #expect(!images.stdout.contains(tag), "the temporary tag \(tag) is removed from the engine: \(images.stdout)")
        // The registry answers (-f: a refused connection or an error status fails), and it has no
        // manifest under the tag: 404 with the distribution error code, not a silent curl.
        let ping = try await SubprocessRunner().run(Command("curl", ["-sf", "http://\(BuildEngine.registry)/v2/"]))
        #expect(ping.succeeded, "the registry answers /v2/: \(ping.stderr)")
        let manifest = try await SubprocessRunner().run(
            Command(
                "curl",
                [
                    "-s", "-w", "\n%{http_code}", "-H", "Accept: application/vnd.oci.image.index.v1+json",
                    "http://\(BuildEngine.registry)/v2/\(repository)/manifests/1",
                ]))
        let answer = manifest.stdout.split(separator: "\n").last.map(String.init)
        #expect(
            answer == "404"
                && (manifest.stdout.contains("NAME_UNKNOWN") || manifest.stdout.contains("MANIFEST_UNKNOWN")),
            "no tag pushed: \(manifest.stdout)")
    }

    @Test(
        """
        --push: an index with exactly the built platforms under the tag, no helper tags; -o type=oci: a valid \
        layout holding an index
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func pushAndOCI() async throws {
        guard await BuildEngine.usable("pushAndOCI", bases: ["busybox"]) else { return }
        let repository = "xplat-itest/push\(getpid())"
        let tag = "\(BuildEngine.registry)/\(repository):1"
        let platforms = [p("linux/amd64"), p("linux/arm64")]
        var request = BuildRequest(
            dockerfile: BuildEngine.example("busybox-only") + "/Dockerfile",
            context: BuildEngine.example("busybox-only"),
            platforms: platforms, output: .push, tags: [tag], network: .none, progress: .quiet,
            registry: BuildEngine.registry)
        let pushed = try await BuildEngine.service().build(
            request, selection: NodeSelection(driver: .engine), tty: false)
        #expect(pushed.platforms.allSatisfy { $0.verification?.passed == true })
        let runner = SubprocessRunner()
        let raw = try await runner.run(
            Command("skopeo", ["inspect", "--tls-verify=false", "--raw", "docker://\(tag)"]))
        try #require(raw.succeeded, "\(raw.stderr)")
        let index = try #require(try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Any])
        let entries = try #require(index["manifests"] as? [[String: Any]])
        let listed = entries.compactMap { $0["platform"] as? [String: Any] }
            .map {
                [$0["os"] as? String, $0["architecture"] as? String, $0["variant"] as? String].compactMap { $0 }.joined(
                    separator: "/")
            }
        #expect(listed == ["linux/amd64", "linux/arm64"], "exactly the built platforms, no unknown/unknown")
        for (platform, arch) in [("linux/amd64", "amd64"), ("linux/arm64", "arm64")] {
            let config = try await runner.run(
                Command(
                    "skopeo",
                    [
                        "inspect", "--tls-verify=false", "--override-os", "linux", "--override-arch", arch,
                        "--format", "{{.Architecture}}", "docker://\(tag)",
                    ]))
            #expect(
                config.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == arch,
                "\(platform)'s image config says \(arch)")
        }
        let tags = try await runner.run(
            Command("curl", ["-fs", "http://\(BuildEngine.registry)/v2/\(repository)/tags/list"]))
        #expect(
            tags.stdout.contains("\"tags\":[\"1\"]"),
            "only the requested tag, no per-platform helper tags: \(tags.stdout)")
        _ = try? await RegistryClient.with { client in
            let reference = try RegistryReference(parsing: tag)
            try await client.deleteManifest(reference, digest: try #require(pushed.indexDigest))
        }

        let out = try BuildEngine.temporaryDirectory("xplat-it-oci")
        defer { try? FileManager.default.removeItem(atPath: out) }
        request.output = .oci(dest: out + "/layout", tar: false)
        request.tags = []
        let oci = try await BuildEngine.service().build(request, selection: NodeSelection(driver: .engine), tty: false)
        #expect(BuildEngine.read(out + "/layout/oci-layout").contains("\"imageLayoutVersion\""))
        let layoutIndex = try #require(
            try JSONSerialization.jsonObject(with: Data(BuildEngine.read(out + "/layout/index.json").utf8))
                as? [String: Any])
        let top = try #require((layoutIndex["manifests"] as? [[String: Any]])?.first)
        #expect(top["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        #expect(top["digest"] as? String == oci.indexDigest, "the reported digest is the layout's index")
        let inspect = try await runner.run(Command("skopeo", ["inspect", "--raw", "oci:\(out)/layout:latest"]))
        try #require(inspect.succeeded, "skopeo reads the layout: \(inspect.stderr)")
        let inner = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let innerPlatforms = (inner["manifests"] as? [[String: Any]] ?? []).compactMap {
            ($0["platform"] as? [String: Any])?["architecture"] as? String
        }
        #expect(innerPlatforms == ["amd64", "arm64"])
        let copy = try await runner.run(
            Command(
                "skopeo",
                ["copy", "--quiet", "--override-arch", "arm64", "oci:\(out)/layout:latest", "dir:\(out)/arm64"]))
        #expect(copy.succeeded, "every blob the layout names is there: \(copy.stderr)")
    }
}
