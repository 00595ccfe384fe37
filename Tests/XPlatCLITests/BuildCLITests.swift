// End-to-end runs of the built `xplat` binary for `plan` and `build`: exit codes, messages, the
// plan's JSON shape, and that nothing reaches docker that should not. docker is a fake here (a
// script on XPLAT_DOCKER that records its arguments), so these tests need no engine.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

/// Runs the built `xplat` with the environment these tests need.
enum BuildCLI {
    static var binary: String { XPlatBinary.path }
    static var packageRoot: String { XPlatBinary.packageRoot }

    static func run(_ arguments: [String], environment: [String: String?] = [:]) async throws -> CommandOutput {
        var env = environment
        env["NO_COLOR"] = "1"
        return try await SubprocessRunner().run(Command(binary, arguments, environment: env))
    }
}

/// A fake `docker` in a temp folder: appends each call's arguments (one line, tab-separated) to a
/// log, answers `info` like an amd64 engine (unless `infoFails`), has no buildx, and makes
/// `build` fail with `buildStderr`. Every other command fails loudly.
struct FakeDocker {
    let dir: String
    var path: String { dir + "/docker" }
    var log: String { dir + "/calls.log" }

    init(infoFails: Bool = false, buildStderr: String = "fake docker: build refused") throws {
        dir = try TemporaryDirectory.make(in: "/tmp", prefix: "xplat-fakedocker")
        let info =
            infoFails
            ? "echo 'Cannot connect to the Docker daemon at unix:///nowhere.sock. Is the docker daemon running?' >&2; "
                + "exit 1"
            : #"echo '{"Architecture":"x86_64","OSType":"linux","ServerVersion":"20.10.24"}'; exit 0"#
        let script = """
            #!/bin/sh
            (IFS="$(printf '\\t')"; echo "$*") >> '\(dir)/calls.log'
            case "$1" in
              info) \(info) ;;
              build) echo '\(buildStderr)' >&2; exit 1 ;;
              *) echo "fake docker: unexpected command $1" >&2; exit 1 ;;
            esac
            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// The recorded calls, each as its argument list.
    var calls: [[String]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    var environment: [String: String?] { ["XPLAT_DOCKER": path, "DOCKER_HOST": nil] }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

@Suite("xplat plan / build (CLI)")
struct BuildCLITests {
    let goHello = BuildCLI.packageRoot + "/Dockerfiles/go-hello"

    @Test("plan --json: the xplat.plan/v1 fields, an impossible platform with its reason, exit 1")
    func planJSON() async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        // A tcp:// node is not probed for emulation: it runs amd64 only, so arm64 is impossible.
        let out = try await BuildCLI.run(
            ["plan", "--json", "--platform", "linux/amd64,linux/arm64", "--node", "far=tcp://127.0.0.1:9", goHello],
            environment: docker.environment)
        #expect(out.exitCode == 1, "an impossible platform makes plan exit 1: \(out.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "schema", "dockerfile", "context", "target", "driver", "buildable", "rewrite", "nodes", "platforms",
                "solves",
            ])
        #expect(object["schema"] as? String == "xplat.plan/v1")
        #expect(object["buildable"] as? Bool == false)
        #expect(object["driver"] as? String == "engine")
        #expect(object["target"] is NSNull && object["rewrite"] is NSNull, "top-level optionals are null, not absent")
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["far"])
        #expect(nodes.first?["endpoint"] as? String == "tcp://127.0.0.1:9")
        #expect(nodes.first?["native"] as? [String] == ["linux/amd64", "linux/386"])
        let platforms = try #require(object["platforms"] as? [[String: Any]])
        #expect(platforms.map { $0["platform"] as? String } == ["linux/amd64", "linux/arm64"])
        #expect(platforms[0]["mode"] as? String == "native")
        #expect(platforms[0]["node"] as? String == "far")
        #expect(platforms[0]["nativeStepCount"] as? Int == 1)
        #expect(platforms[0]["reason"] == nil, "reason is omitted for a buildable platform")
        #expect(platforms[1]["mode"] as? String == "impossible")
        #expect(platforms[1]["node"] == nil, "node is omitted when impossible")
        let reason = try #require(platforms[1]["reason"] as? String)
        #expect(
            reason.contains("linux/arm64") && reason.contains("line 6"),
            "names the platform and the RUN line: \(reason)")
        let solves = try #require(object["solves"] as? [[String: Any]])
        #expect(solves.count == 1 && solves[0]["platforms"] as? [String] == ["linux/amd64"])
        #expect(docker.calls.allSatisfy { $0.first == "info" }, "plan only asks docker info: \(docker.calls)")
    }

    @Test("a bad --platform is a usage error (64) quoting the value", arguments: ["plan", "build"])
    func badPlatform(_ command: String) async throws {
        let out = try await BuildCLI.run([command, "--platform", "linux/amd64,linux/mips", goHello])
        #expect(out.exitCode == 64)
        #expect(out.stderr.contains("\"linux/mips\""), "the bad value is quoted: \(out.stderr)")
    }

    @Test("a bad --node is a usage error (64) quoting the value, for plan as for build", arguments: ["plan", "build"])
    func badNode(_ command: String) async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            [command, "--platform", "linux/amd64", "--node", "unix:///x.sock", goHello],
            environment: docker.environment)
        #expect(out.exitCode == 64, "\(out.stderr)")
        #expect(out.stderr.contains("\"unix:///x.sock\"") && out.stderr.contains("missing NAME="), "\(out.stderr)")
        #expect(
            out.stderr.contains("Usage: xplat \(command) "), "the subcommand's usage, not the root's: \(out.stderr)")
        #expect(docker.calls.isEmpty, "a bad --node is caught before docker is asked anything: \(docker.calls)")
    }

    @Test(
        "a bad DOCKER_DEFAULT_PLATFORM (no --platform) is a usage error (64) naming the variable and its value",
        arguments: ["plan", "build"])
    func badDefaultPlatform(_ command: String) async throws {
        let out = try await BuildCLI.run(
            [command, goHello], environment: ["DOCKER_DEFAULT_PLATFORM": "linux/amd64/v9"])
        #expect(out.exitCode == 64)
        #expect(out.stderr.contains("DOCKER_DEFAULT_PLATFORM=linux/amd64/v9: invalid platform"), "\(out.stderr)")
        #expect(
            !out.stderr.contains("--platform is needed"), "the variable is wrong, not the command line: \(out.stderr)")
    }

    @Test(
        "-o values that do not parse are usage errors (64) quoting the value",
        arguments: [
            ("type=s3,dest=x", "unknown type \"s3\""), ("type=local", "type=local needs dest=PATH"),
            ("type=local,dest=x,platform-split=maybe", "platform-split=maybe: expected true or false"),
            ("type=local,dest=-", "dest cannot be stdout for local exporter"),
            ("type=local,,dest=x", "is not key=value"),
        ])
    func badOutput(_ value: String, _ why: String) async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64", "-o", value, goHello], environment: docker.environment)
        #expect(out.exitCode == 64, "\(out.stderr)")
        #expect(out.stderr.contains("--output \"\(value)\": ") && out.stderr.contains(why), "\(out.stderr)")
        #expect(docker.calls.isEmpty, "a bad -o is caught before docker is asked anything")
    }

    @Test(
        "flag combinations buildx rejects are usage errors (64)",
        arguments: [
            (["--push"], "--push needs -t"),
            (["--load", "-t", "x:1", "--platform", "linux/amd64,linux/arm64"], "--load takes exactly one platform"),
            (["--push", "-t", "Hello:1"], "-t \"Hello:1\": not an image reference"),
            (["--json"], "--json goes with --dry-run"),
            (["--push", "--load", "-t", "r:1"], "cannot go together"),
            (["--progress", "fancy"], "The value 'fancy' is invalid for '--progress"),
            (["--driver", "podman"], "The value 'podman' is invalid for '--driver"),
            (["--build-arg", "A-B=1"], "--build-arg \"A-B=1\""),
            (["--cache-to", "type=nope,dest=x"], "unknown type \"nope\""),
            (["--cache-from", "type=local,dest=x"], "type=local needs src=DIR"),
            (["--secret", "src=/etc/hostname"], "--secret \"src=/etc/hostname\": needs id=ID"),
            (["--add-host", "db"], "--add-host \"db\": expected HOST:IP"),
            (["--frobnicate"], "Unknown option '--frobnicate'"),
            (["-q", "--progress", "plain"], "--progress plain and --quiet cannot be used together"),
            (["--network", "bridge"], "--network \"bridge\""),
            (["-o", "type=local,dest=a", "-o", "type=tar,dest=b"], "multiple outputs"),
            (["--iidfile", "iid", "-o", "type=local,dest=a"], "incompatible with image ID file"),
            (["--ulimit", "nofile=2:1"], "--ulimit \"nofile=2:1\": the soft limit 2 is above the hard limit 1"),
            (["--shm-size", "lots"], "--shm-size \"lots\""),
            (["--allow", "network.host,root"], "--allow \"root\": invalid entitlement"),
            (["--attest", "type=sbom", "--sbom", "true"], "duplicate attestation field sbom"),
            (["--annotation", "layer:k=v", "--push", "-t", "127.0.0.1:5000/a:1"], "unknown annotation type \"layer\""),
            (["--no-cache", "--no-cache-filter", "build"], "--no-cache and --no-cache-filter cannot be used together"),
            (["--smoke", "sh -c 'uname"], #"--smoke: unterminated ' in "sh -c 'uname""#),
            (
                ["--push", "-t", "127.0.0.1:5000/a:1", "-o", "type=local,dest=a"],
                #"--push and "local" output can't be used together"#
            ),
            (["--load", "-t", "a:1", "-o", "type=image"], #"--load and "image" output can't be used together"#),
            (
                ["--push", "-o", "type=image,name=127.0.0.1:5000/a:1,compression=zstd"],
                #"xplat does not take "compression" for type=image"#
            ),
        ])
    func usageErrors(_ flags: [String], _ message: String) async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(["build"] + flags + [goHello], environment: docker.environment)
        #expect(out.exitCode == 64, "\(flags): \(out.stderr)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
        #expect(docker.calls.isEmpty)
    }

    @Test(
        """
        buildx's boolean flags with a value, as pflag takes them: --pull=true is --pull, --no-cache=0 and \
        --rm=false are dropped
        """
    )
    func booleanFlagValues() async throws {
        let docker = try FakeDocker(buildStderr: "fake: no build")
        defer { docker.remove() }
        _ = try await BuildCLI.run(
            [
                "build", "--platform", "linux/amd64", "--rm=false", "--pull=true", "--no-cache=0", "--squash=False",
                goHello,
            ],
            environment: docker.environment)
        let build = try #require(docker.calls.first { $0.first == "build" }, "the flags parse: \(docker.calls)")
        #expect(build.contains("--pull") && !build.contains("--no-cache"), "\(build)")
        let push = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64", "--push=true", "--load=false", goHello],
            environment: docker.environment)
        #expect(
            push.exitCode == 64 && push.stderr.contains("--push needs -t"),
            "--push=true is --push, --load=false no --load: \(push.stderr)")
        let bad = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64", "--pull=maybe", goHello], environment: docker.environment)
        #expect(bad.exitCode == 64 && bad.stderr.contains("--pull"), "not a boolean: refused, named: \(bad.stderr)")
    }

    @Test(
        "--push with an image output and --load with type=docker are taken, as buildx takes them",
        arguments: [
            ["--push", "-o", "type=image,name=127.0.0.1:5000/a:1"],
            ["--push", "-t", "127.0.0.1:5000/a:1", "-o", "type=registry"],
            ["--load", "-t", "a:1", "-o", "type=docker"],
        ])
    func shorthandWithOutput(_ flags: [String]) async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--dry-run", "--platform", "linux/amd64"] + flags + [goHello], environment: docker.environment)
        #expect(out.exitCode == 0, "\(flags): \(out.stderr)")
    }

    @Test("--dry-run prints the plan and never builds: docker is only asked `info` (and whether buildx exists)")
    func dryRun() async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--dry-run", "--platform", "linux/amd64", "--push", "-t", "127.0.0.1:5000/x/y:1", goHello],
            environment: docker.environment)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("linux/amd64  native    on default  1 RUN native, 0 RUN emulated"), "\(out.stdout)")
        #expect(docker.calls.contains { $0.first == "info" }, "nodes are discovered: \(docker.calls)")
        #expect(
            docker.calls.allSatisfy { $0.first == "info" || $0 == ["buildx", "version"] },
            "no build, push or tag: \(docker.calls)")
        let json = try await BuildCLI.run(
            ["build", "--dry-run", "--json", "--platform", "linux/amd64", goHello], environment: docker.environment)
        #expect(json.exitCode == 0)
        #expect(json.stdout.contains("\"schema\" : \"xplat.plan/v1\""))
    }

    @Test("an engine that does not answer: exit 2 with how to start one, and no build attempted")
    func noEngine() async throws {
        let docker = try FakeDocker(infoFails: true)
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64", goHello], environment: docker.environment)
        #expect(out.exitCode == 2, "\(out.stderr)")
        #expect(out.stderr.contains("does not answer") && !out.stderr.contains("Scripts/"), "\(out.stderr)")
        #expect(
            out.stderr.contains(
                "\n  action: start the engine (dockerd), or check the docker context (`docker context ls`), "
                    + "DOCKER_HOST or --node\n"
            ),
            "the engine may come from a docker context (`docker --context c xplat`, DOCKER_CONTEXT): \(out.stderr)")
        #expect(docker.calls.allSatisfy { $0.first == "info" || $0 == ["buildx", "version"] }, "\(docker.calls)")
    }

    @Test("a failed build exits 3 with the mapped cause: exec format error -> xplat doctor --fix")
    func buildFailed() async throws {
        let docker = try FakeDocker(buildStderr: "#7 0.101 exec /bin/sh: exec format error")
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--progress", "plain", "--platform", "linux/amd64", goHello], environment: docker.environment)
        #expect(out.exitCode == 3, "\(out.stderr)")
        #expect(
            out.stderr.contains("linux/amd64: build failed") && out.stderr.contains("xplat doctor --fix"),
            "\(out.stderr)")
        let build = try #require(docker.calls.first { $0.first == "build" })
        #expect(Array(build.prefix(5)) == ["build", "--platform", "linux/amd64", "--file", goHello + "/Dockerfile"])
        #expect(
            !build.contains { $0.hasPrefix("--network") }, "buildx's default: no --network, the builder's own network")
    }

    @Test(
        "what the engine's own BuildKit cannot do is refused before building (64), naming the driver that can",
        arguments: [
            (
                ["--build-context", "src=/tmp"],
                "--build-context src=/tmp: the engine's own BuildKit (docker build, no buildx) has no named build "
                    + "contexts"
            ),
            (["--cache-to", "type=local,dest=/tmp/c"], "cannot export one"),
            (["--cache-from", "type=local,src=/tmp"], "reads registry caches only"),
            (["--allow", "security.insecure"], "takes no entitlements"),
            (["--no-cache-filter", "build"], "has no per-stage --no-cache"),
            (["--attest", "type=provenance"], "makes no attestations"),
            (
                ["--ulimit", "nofile=1024"],
                "--ulimit nofile=1024:1024: the engine's own BuildKit (docker build, no buildx) on dockerd 20.10.24 "
                    + "does not apply it"
            ),
            (["--add-host", "gw:host-gateway"], "--add-host gw:host-gateway: the engine's own BuildKit"),
            (["--shm-size", "128m"], "--shm-size 134217728: the engine's own BuildKit"),
            (["--cgroup-parent", "ci"], "--cgroup-parent ci: the engine's own BuildKit"),
        ])
    func engineRefusals(_ flags: [String], _ message: String) async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64"] + flags + [goHello], environment: docker.environment)
        #expect(out.exitCode == 64, "\(flags): \(out.stderr)")
        #expect(out.stderr.contains(message), "\(out.stderr)")
        #expect(out.stderr.contains("action: build through buildx"), "names the driver that can: \(out.stderr)")
        #expect(
            docker.calls.allSatisfy { $0.first == "info" || $0 == ["buildx", "version"] },
            "nothing built: \(docker.calls)")
    }

    @Test("buildx's ignored docker build flags are accepted with a warning, and reach no build")
    func ignoredFlags() async throws {
        let docker = try FakeDocker(buildStderr: "fake: no build")
        defer { docker.remove() }
        let out = try await BuildCLI.run(
            ["build", "--platform", "linux/amd64", "--compress", "-m", "1g", "--squash", goHello],
            environment: docker.environment)
        #expect(
            out.stderr.contains(
                "warning: --compress, --squash, --memory: ignored with BuildKit, as buildx ignores them"),
            "\(out.stderr)")
        let build = try #require(docker.calls.first { $0.first == "build" })
        #expect(!build.contains("--squash") && !build.contains("-m") && !build.contains("--compress"))
    }

    @Test("plan --rewrite: the unified diff in text and JSON, cross mode, your Dockerfile untouched, no temp file left")
    func rewritePlan() async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let tmp = docker.dir + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let before = try String(contentsOfFile: goHello + "/Dockerfile", encoding: .utf8)
        var env = docker.environment
        env["TMPDIR"] = tmp
        let out = try await BuildCLI.run(["plan", "--rewrite", "--platform", "linux/amd64", goHello], environment: env)
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(
            out.stdout.contains(
                "rewrite (the build uses this; your Dockerfile is untouched):\n--- \(goHello)/Dockerfile"),
            "\(out.stdout)")
        #expect(
            out.stdout.contains("-FROM golang:1.19 AS build\n+FROM --platform=$BUILDPLATFORM golang:1.19 AS build"),
            "\(out.stdout)")
        let json = try await BuildCLI.run(
            ["plan", "--json", "--rewrite", "--platform", "linux/amd64", goHello], environment: env)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diff = try #require((object["rewrite"] as? [String: Any])?["diff"] as? String)
        #expect(diff.contains("+FROM --platform=$BUILDPLATFORM golang:1.19 AS build"))
        #expect(
            try String(contentsOfFile: goHello + "/Dockerfile", encoding: .utf8) == before,
            "the user's Dockerfile is untouched")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "the rewritten temp Dockerfile is removed"
        )
        let already = try await BuildCLI.run(
            ["plan", "--rewrite", "-f", goHello + "/Dockerfile.cross", "--platform", "linux/amd64", goHello],
            environment: env)
        #expect(
            already.stdout.contains("rewrite: no change needed"),
            "a hand-written cross Dockerfile needs no rewrite: \(already.stdout)")
    }

    @Test("missing context or Dockerfile: exit 2 naming the path; unknown --target: 64 listing the stages")
    func badInputs() async throws {
        let docker = try FakeDocker()
        defer { docker.remove() }
        let missing = try await BuildCLI.run(["plan", "/nonexistent/ctx"], environment: docker.environment)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("/nonexistent/ctx/Dockerfile"), "\(missing.stderr)")
        let target = try await BuildCLI.run(["plan", "--target", "nope", goHello], environment: docker.environment)
        #expect(target.exitCode == 64)
        #expect(target.stderr.contains("--target \"nope\": no such stage (stages: build)"), "\(target.stderr)")
    }
}
