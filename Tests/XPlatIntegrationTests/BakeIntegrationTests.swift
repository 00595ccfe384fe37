// `xplat bake` end to end on the real engine: the `xplat` binary, run in the bake files' folder,
// with a `docker` that answers `buildx bake --print` from real buildx's recording (CI has no
// buildx; Recordings/bake) and hands every other command to the real client. Builds use the
// engine's own BuildKit (`--driver engine`) and `--network none` (tiny busybox Dockerfiles).

import Foundation
import Testing
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

/// Runs `xplat bake ARGS` for a recorded case: in its folder, with its environment, through a
/// fake docker replaying its transcript.
private func bake(_ bakeCase: BakeCase, _ arguments: [String], environment: [String: String] = [:]) async throws
    -> (run: CommandOutput, docker: FakeBuildxDocker)
{
    let docker = try FakeBuildxDocker(transcript: bakeCase.transcriptPath, realDocker: BuildEngine.docker)
    var env: [String: String?] = ["XPLAT_DOCKER": docker.path, "NO_COLOR": "1"]
    for key in ["REGISTRY", "TAG", "VERSION", "PLATFORMS", "OUT"] { env[key] = .some(nil) }
    for (key, value) in bakeCase.environment.merging(environment, uniquingKeysWith: { _, b in b }) { env[key] = value }
    let run = try await SubprocessRunner().run(
        Command(
            BuildEngine.binary, ["bake"] + arguments + xplatArguments(bakeCase),
            environment: env, workingDirectory: bakeCase.absoluteDirectory))
    return (run, docker)
}

/// The case's `bake --print` arguments as xplat takes them (`--file` as `-f`, the rest as is).
private func xplatArguments(_ bakeCase: BakeCase) -> [String] { bakeCase.arguments.map { $0 == "--file" ? "-f" : $0 } }

private func json(_ path: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
}

@Suite("Bake Integration", .serialized, BuildEngine.enabled(bases: ["busybox"]))
struct BakeIntegrationTests {
    @Test(
        """
        the group of three targets (three platform sets, one Dockerfile, different stages and args): one plan, \
        every target and platform built and verified, metadata per target
        """
    )
    func group() async throws {
        guard await BuildEngine.usable("bake group", bases: ["busybox"]) else { return }
        let dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-it-bake")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (run, docker) = try await bake(
            BakeRecordings.group,
            [
                "--driver", "engine", "--network", "none", "--progress", "plain",
                "--metadata-file", "\(dir)/metadata.json",
            ])
        defer { docker.remove() }
        try #require(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("target app:\n  linux/amd64: native on default"), "\(run.stdout)")
        #expect(run.stdout.contains("target debug:\n  linux/amd64: native on default"), "\(run.stdout)")
        #expect(run.stdout.contains("  linux/arm/v7: emulated on default"), "\(run.stdout)")
        // Progress per target and platform.
        #expect(run.stderr.contains("[debug linux/arm/v7 on default"), "\(run.stderr)")
        // One build per target and platform: 1 + 2 + 3, each with its own --target and args.
        let builds = docker.calls.filter { $0.first == "build" }
        #expect(builds.count == 6, "\(builds)")
        #expect(builds.filter { $0.contains("GREETING=debug") }.count == 3)
        #expect(builds.filter { $0.contains("tool") && $0.contains("--target") }.count == 1)
        let metadata = try json("\(dir)/metadata.json")
        #expect(Set(metadata.keys) == ["tool", "app", "debug"])
        for (name, count) in [("tool", 1), ("app", 2), ("debug", 3)] {
            let entry = try #require(metadata[name] as? [String: Any])
            let platforms = try #require(entry["xplat.platforms"] as? [String: [String: Any]])
            #expect(platforms.count == count)
            #expect(platforms.values.allSatisfy { $0["verified"] as? Bool == true }, "\(name): \(platforms)")
            #expect(entry["xplat.buildx"] as? String == "v0.10.5")
            #expect(entry["image.name"] == nil, "a cache-only target names no image: \(entry)")
        }
    }

    @Test("a wrong-architecture binary in one target fails the bake (exit 1) and no target's output is written")
    func wrong() async throws {
        guard await BuildEngine.usable("bake wrong", bases: ["busybox"]) else { return }
        let out = BakeRecordings.wrong.environment["OUT"]!
        try? FileManager.default.removeItem(atPath: out)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (run, docker) = try await bake(
            BakeRecordings.wrong, ["--driver", "engine", "--network", "none", "--progress", "quiet"])
        defer { docker.remove() }
        #expect(run.exitCode == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("xplat: target \"wrong\": verification failed for linux/arm64:"), "\(run.stderr)")
        #expect(run.stderr.contains("/usr/local/bin/tool: expected linux/arm64, found linux/amd64"), "\(run.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: "\(out)/good"),
            "the good target was built first and is not written either")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/wrong"))
    }

    @Test(
        """
        --set *.platform=linux/amd64,linux/arm64 --push to the TLS+login registry: each target an index of \
        exactly those platforms, verified as the registry serves it
        """,
        SecureTarget.enabled(bases: ["busybox"]))
    func setPlatformPush() async throws {
        guard await SecureTarget.usable("bake push", bases: ["busybox"]) else { return }
        let config = try SecureTarget.dockerConfig()
        defer { try? FileManager.default.removeItem(atPath: config) }
        let bakeCase = BakeRecordings.setPlatformPush
        let (run, docker) = try await bake(
            bakeCase,
            [
                "--driver", "engine", "--network", "none", "--progress", "quiet",
                "--metadata-file", "\(config)/metadata.json",
            ],
            environment: ["DOCKER_CONFIG": config, "REGISTRY": SecureTarget.registry])
        defer { docker.remove() }
        try #require(run.exitCode == 0, "\(run.stderr)")
        let metadata = try json("\(config)/metadata.json")
        for name in ["tool", "app"] {
            let tag = "\(SecureTarget.registry)/xplat-bake/\(name):set"
            let raw = try await SubprocessRunner().run(
                Command(
                    "skopeo",
                    ["inspect", "--raw", "--creds", "\(SecureTarget.user):\(SecureTarget.password)", "docker://\(tag)"])
            )
            try #require(raw.succeeded, "\(raw.stderr)")
            let index = try JSONDecoder().decode(Index.self, from: Data(raw.stdout.utf8))
            #expect(
                index.manifests.map { $0.platform?.description ?? "none" } == ["linux/amd64", "linux/arm64"],
                "\(name): \(raw.stdout)")
            let entry = try #require(metadata[name] as? [String: Any])
            #expect(entry["containerimage.digest"] as? String == sha256Digest(Array(raw.stdout.utf8)))
            #expect(entry["image.name"] as? String == tag)
            #expect((entry["xplat.phases"] as? [String: Any])?["verify-pushed"] != nil, "\(entry)")
        }
    }

    @Test("a target: context on the engine is refused before anything builds (exit 64), naming target and driver")
    func linkedOnEngine() async throws {
        guard await BuildEngine.usable("bake linked", bases: ["busybox"]) else { return }
        let (run, docker) = try await bake(BakeRecordings.linked, ["--driver", "engine", "--network", "none"])
        defer { docker.remove() }
        #expect(run.exitCode == 64, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "xplat: target \"derived\": --build-context base=target:base: the engine's own BuildKit"),
            "\(run.stderr)")
        #expect(!docker.calls.contains { $0.first == "build" }, "nothing built: \(docker.calls)")
    }

    @Test(
        """
        a compose file: the plan per service (--dry-run --json), platforms as buildx read them \
        (x-bake.platforms; build.platforms is not read by buildx)
        """
    )
    func compose() async throws {
        guard await BuildEngine.usable("bake compose", bases: ["busybox"]) else { return }
        let (run, docker) = try await bake(
            BakeRecordings.compose, ["--driver", "engine", "--dry-run", "--json"],
            environment: ["DOCKER_DEFAULT_PLATFORM": "linux/amd64"])
        defer { docker.remove() }
        try #require(run.exitCode == 0, "\(run.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["schema"] as? String == "xplat.bake-plan/v1")
        let targets = try #require(document["targets"] as? [[String: Any]])
        let platforms = targets.map { t in
            ((t["plan"] as? [String: Any])?["platforms"] as? [[String: Any]])?.compactMap { $0["platform"] as? String }
                ?? []
        }
        #expect(targets.compactMap { $0["name"] as? String } == ["web", "worker"])
        #expect(platforms == [["linux/amd64"], ["linux/amd64", "linux/arm/v7"]])
        #expect(!docker.calls.contains { $0.first == "build" })
    }

    @Test(
        "--print --json: buildx's definition as it printed it, the buildx that printed it, and xplat's plan beside it")
    func printJSON() async throws {
        guard await BuildEngine.usable("bake print json", bases: ["busybox"]) else { return }
        let (run, docker) = try await bake(BakeRecordings.group, ["--driver", "engine", "--print", "--json"])
        defer { docker.remove() }
        try #require(run.exitCode == 0, "\(run.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? NSDictionary)
        let printed = try JSONSerialization.jsonObject(
            with: Data(try Transcript.load(BakeRecordings.group.transcriptPath).entries[1].stdout.utf8))
        #expect(document["schema"] as? String == "xplat.bake-print/v1")
        #expect(document["buildx"] as? String == "v0.10.5")
        #expect((document["definition"] as? NSDictionary)?.isEqual(printed) == true)
        let plan = try #require(document["plan"] as? [String: Any])
        #expect(plan["schema"] as? String == "xplat.bake-plan/v1")
        #expect(
            (plan["targets"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["app", "debug", "tool"])
        #expect(!docker.calls.contains { $0.first == "build" }, "nothing built")
    }

    @Test("a file buildx rejects (matrix, unknown to buildx 0.10.5): buildx's own message, exit 64")
    func matrix() async throws {
        let (run, docker) = try await bake(BakeRecordings.matrix, [])
        defer { docker.remove() }
        let transcript = try Transcript.load(BakeRecordings.matrix.transcriptPath)
        #expect(run.exitCode == 64)
        #expect(
            run.stderr == "xplat: " + transcript.entries[1].stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                + "\n", "\(run.stderr)")
    }

    @Test(
        """
        the project-shaped bake file with --rewrite: binaries and image targets, three platforms cross-compiled, \
        verified, each binary run under QEMU
        """,
        BuildEngine.enabled(bases: ["golang:1.19", "busybox"]))
    func project() async throws {
        guard await BuildEngine.usable("bake project", bases: ["golang:1.19", "busybox"]) else { return }
        let out = BakeRecordings.project.environment["OUT"]!
        try? FileManager.default.removeItem(atPath: out)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (run, docker) = try await bake(
            BakeRecordings.project, ["--driver", "engine", "--network", "none", "--rewrite", "--progress", "quiet"])
        defer { docker.remove() }
        try #require(run.exitCode == 0, "\(run.stderr)")
        for target in ["binaries", "image"] {
            // This target's own lines (up to the next target's), not any target's.
            let section = try #require(
                run.stdout.components(separatedBy: "target ").first { $0.hasPrefix("\(target):\n") }, "\(run.stdout)")
            for (platform, mode) in [("linux/amd64", "native"), ("linux/arm64", "cross"), ("linux/arm/v7", "cross")] {
                #expect(section.contains("\n  \(platform): \(mode) on default, "), "\(target): \(section)")
            }
        }
        #expect(
            run.stdout.components(separatedBy: ", verified (").count - 1 == 6,
            "every platform of both targets verified: \(run.stdout)")
        for (folder, qemu, arch) in [
            ("linux_amd64", nil, "amd64"), ("linux_arm64", "qemu-aarch64-static", "arm64"),
            ("linux_arm_v7", "qemu-arm-static", "arm"),
        ] {
            let binary = "\(out)/bin/\(folder)/hello"
            let ran = try await SubprocessRunner().run(qemu.map { Command($0, [binary]) } ?? Command(binary))
            #expect(ran.stdout == "hello 0.1.0 from linux/\(arch)\n", "\(folder): \(ran.stdout) \(ran.stderr)")
        }
    }
}
