// `xplat build` where `docker buildx build` was, on the real engine: a failing RUN's own lines reach the
// user (a cross step and an emulated step, plain and auto progress); `docker xplat build` through
// the real docker CLIs (20.10 and 28.2) as a plugin; the README's Skaffold custom-build script run
// with the environment Skaffold gives it, pushing an index and loading one platform.

import Foundation
import Testing
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport

/// Fixtures written by the tests: small look-alikes of a user's project with a compile error.
private enum BrokenProject {
    /// A Go program whose line 7 names an undefined `foo`, built in a `$BUILDPLATFORM` stage (cross).
    static let cross = (
        dockerfile: """
        FROM --platform=$BUILDPLATFORM golang:1.19 AS build
        WORKDIR /src
        COPY main.go .
        ARG TARGETARCH
        RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build -o /out/hello main.go

        FROM busybox
        COPY --from=build /out/hello /usr/local/bin/hello

        """, file: "main.go",
        source: """
        package main

        import "fmt"

        func main() {
        \tfmt.Println("hello")
        \tfoo()
        }

        """, compilerLine: "main.go:7:2: undefined: foo",
        dockerfileLine: " 5 | >>> RUN CGO_ENABLED=0 GOARCH=$TARGETARCH go build"
    )

    /// The same Go program built in the target's own stage: `--rewrite` makes it cross.
    static let rewritten = (
        dockerfile: """
        FROM golang:1.19 AS build
        WORKDIR /src
        COPY main.go .
        RUN CGO_ENABLED=0 go build -o /out/hello main.go

        FROM busybox
        COPY --from=build /out/hello /usr/local/bin/hello

        """, file: "main.go", source: cross.source, compilerLine: cross.compilerLine,
        dockerfileLine: " 4 | >>> RUN CGO_ENABLED=0 go build -o /out/hello main.go"
    )

    /// A C program whose line 3 uses an undeclared `foo`, compiled in the target's own stage (emulated).
    static let emulated = (
        dockerfile: """
        FROM gcc:12
        WORKDIR /src
        COPY main.c .
        RUN gcc -o /usr/local/bin/hello main.c

        """, file: "main.c",
        source: """
        int main(void)
        {
            return foo;
        }

        """, compilerLine: "main.c:3:12: error: 'foo' undeclared",
        dockerfileLine: " 4 | >>> RUN gcc -o /usr/local/bin/hello main.c"
    )

    static func write(
        _ project: (dockerfile: String, file: String, source: String, compilerLine: String, dockerfileLine: String),
        into dir: String
    ) throws {
        try project.dockerfile.write(toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        try project.source.write(toFile: dir + "/" + project.file, atomically: true, encoding: .utf8)
    }
}

@Suite("Drop-in Integration", .serialized)
struct DropInIntegrationTests {
    @Test(
        """
        a failing RUN's compiler line and Dockerfile line reach stderr: cross and emulated steps, plain and auto \
        progress
        """,
        BuildEngine.enabled(bases: ["busybox"]),
        arguments: [
            ("cross", "plain"), ("cross", "auto"), ("emulated", "plain"), ("emulated", "auto"), ("emulated", "quiet"),
            ("rewritten", "quiet"),
        ])
    func failingStep(_ kind: String, _ progress: String) async throws {
        guard
            await BuildEngine.usable(
                "failingStep", bases: kind == "emulated" ? ["gcc:12"] : ["golang:1.19", "busybox"])
        else { return }
        let dir = try BuildEngine.temporaryDirectory("dropin-broken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let project =
            kind == "cross"
            ? BrokenProject.cross : kind == "emulated" ? BrokenProject.emulated : BrokenProject.rewritten
        try BrokenProject.write(project, into: dir)
        let out = try await XPlatBinary.run(
            [
                "build", "--platform", "linux/arm64", "--network", "none", "--progress", progress,
                "-o", "type=local,dest=\(dir)/out", dir,
            ] + (kind == "rewritten" ? ["--rewrite"] : []),
            environment: ["XPLAT_DOCKER": BuildEngine.docker])
        #expect(out.exitCode == 3, "a failed build exits 3: \(out.stderr)")
        let failure = try #require(out.stderr.range(of: "xplat: linux/arm64: build failed at "), "\(out.stderr)")
        let report = String(out.stderr[failure.lowerBound...])
        #expect(
            report.contains(project.compilerLine),
            "the compiler's own line, word for word, in the failure report:\n\(report)")
        #expect(
            report.contains("\(dir)/Dockerfile:\(kind == "cross" ? 5 : 4)\n--------------------\n"),
            "the user's own file and line: \(report)")
        #expect(
            report.contains("(--rewrite built a rewritten copy of this Dockerfile") == (kind == "rewritten"),
            "\(report)")
        #expect(report.contains(project.dockerfileLine), "the Dockerfile line, numbered:\n\(report)")
        if progress == "plain" {
            let before = String(out.stderr[..<failure.lowerBound])
            #expect(
                before.contains("[linux/arm64 on default] #") && before.contains(project.compilerLine),
                "plain progress shows the step's lines as they come, tagged:\n\(before)")
        } else {
            #expect(!out.stderr[..<failure.lowerBound].contains(project.compilerLine), "\(progress): the compact view")
        }
    }

    @Test(
        """
        -f -: the failed step's Dockerfile is named <stdin>, not xplat's temporary copy of it (removed when the \
        build ends)
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func failingStepFromStandardInput() async throws {
        guard await BuildEngine.usable("failingStepFromStandardInput", bases: ["gcc:12"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("dropin-stdin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try BrokenProject.write(BrokenProject.emulated, into: dir)
        let script =
            "exec \"$0\" build --platform linux/amd64 --network none -f - -o type=local,dest=out . < Dockerfile"
        let out = try await SubprocessRunner().run(
            Command(
                "/bin/sh", ["-c", script, XPlatBinary.path],
                environment: ["XPLAT_DOCKER": BuildEngine.docker, "NO_COLOR": "1"],
                workingDirectory: dir))
        #expect(out.exitCode == 3, "\(out.stderr)")
        #expect(out.stderr.contains(BrokenProject.emulated.compilerLine), "\(out.stderr)")
        #expect(
            out.stderr.contains("<stdin>:4\n--------------------\n") && out.stderr.contains("fix <stdin>:4"),
            "\(out.stderr)")
        #expect(!out.stderr.contains("xplat-stdin-"), "no temporary path the user cannot open: \(out.stderr)")
    }

    @Test(
        """
        docker xplat build: the plugin through docker 20.10 and 28.2, with --config, --context and --builder as \
        the CLI passes them
        """,
        BuildEngine.enabled(bases: ["busybox"]), arguments: ["/usr/bin/docker", "/usr/local/bin/docker"])
    func dockerPlugin(_ docker: String) async throws {
        guard await BuildEngine.usable("dockerPlugin", bases: ["busybox"]) else { return }
        guard FileManager.default.isExecutableFile(atPath: docker) else {
            Issue.record("\(docker) is not installed: the plugin test needs both docker clients (Scripts/setup)")
            return
        }
        let config = try BuildEngine.temporaryDirectory("dropin-plugin")
        defer { try? FileManager.default.removeItem(atPath: config) }
        try FileManager.default.createDirectory(atPath: config + "/cli-plugins", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: config + "/cli-plugins/docker-xplat", withDestinationPath: XPlatBinary.path)
        let runner = SubprocessRunner()
        // No XPLAT_DOCKER: the plugin finds its client as docker users expect (the one that ran it, else PATH).
        let env: [String: String?] = ["DOCKER_CONFIG": config, "XPLAT_DOCKER": nil]

        let help = try await runner.run(Command(docker, ["--help"], environment: env))
        #expect(
            help.stdout.contains("xplat*") || help.stdout.contains("xplat "), "docker lists the plugin: \(help.stdout)")

        let plan = try await runner.run(
            Command(
                docker,
                [
                    "--config", config, "--context", "default", "xplat", "plan",
                    "--platform", "linux/amd64,linux/arm64", BuildEngine.example("busybox-only"),
                ],
                environment: ["DOCKER_CONFIG": nil, "XPLAT_DOCKER": nil]))
        #expect(plan.succeeded, "\(plan.stderr)")
        #expect(
            plan.stdout.split(separator: "\n").contains {
                $0.contains("linux/arm64") && $0.contains("emulated") && $0.contains("on default")
            },
            "\(plan.stdout)")

        let dest = config + "/out"
        let build = try await runner.run(
            Command(
                docker,
                [
                    "xplat", "build", "--platform", "linux/arm64", "--network", "none",
                    "--progress", "plain", "-o", "type=local,dest=\(dest)", BuildEngine.example("busybox-only"),
                ],
                environment: env))
        #expect(build.succeeded, "\(build.stderr)")
        #expect(
            build.stdout.contains("linux/arm64: emulated on default") && build.stdout.contains("verified"),
            "\(build.stdout)")
        #expect(build.stderr.contains("[linux/arm64 on default] #"), "plain progress, tagged: \(build.stderr)")

        let builder = try await runner.run(
            Command(
                docker,
                [
                    "xplat", "build", "--builder", "dropin-no-such-builder", "--platform", "linux/amd64",
                    BuildEngine.example("busybox-only"),
                ], environment: env))
        #expect(
            !builder.succeeded && builder.stderr.contains("dropin-no-such-builder"),
            "--builder reaches xplat: \(builder.stderr)")

        // A context whose engine is not there: docker (and buildx's default builder) fail on it;
        // xplat must not build on the local engine instead.
        let socket = config + "/no-engine.sock"
        let context = try await runner.run(
            Command(
                docker, ["context", "create", "dropin-elsewhere", "--docker", "host=unix://\(socket)"],
                environment: env))
        #expect(context.succeeded, "\(context.stderr)")
        let elsewhere = try await runner.run(
            Command(
                docker,
                [
                    "--context", "dropin-elsewhere", "xplat", "build", "--platform", "linux/amd64",
                    "--network", "none", "-o", "type=local,dest=\(config)/out-elsewhere",
                    BuildEngine.example("busybox-only"),
                ],
                environment: env.merging(["DOCKER_HOST": "unix://\(config)/other.sock"]) { _, new in new }))
        // docker's --context beats DOCKER_HOST in the environment (docker 20.10 and 28.2 checked).
        #expect(
            !elsewhere.succeeded && elsewhere.stderr.contains(socket),
            "--context reaches the engine xplat builds on: \(elsewhere.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: config + "/out-elsewhere"), "nothing was built on another engine")
    }

    @Test(
        """
        the docker client is the first on PATH that can build: docker 28.2 without buildx is passed over, by \
        name; none usable is a clear error
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func clientOnPath() async throws {
        guard await BuildEngine.usable("clientOnPath", bases: ["busybox"]) else { return }
        let newer = "/usr/local/bin/docker", older = "/usr/bin/docker"
        guard FileManager.default.isExecutableFile(atPath: newer), FileManager.default.isExecutableFile(atPath: older)
        else {
            Issue.record("this test needs docker 28.2 in /usr/local/bin and 20.10 in /usr/bin (Scripts/setup)")
            return
        }
        let dir = try BuildEngine.temporaryDirectory("dropin-client")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let args = [
            "build", "--platform", "linux/amd64", "--network", "none", "-o", "type=local,dest=\(dir)/out",
            BuildEngine.example("busybox-only"),
        ]
        let both = try await XPlatBinary.run(
            args, environment: ["XPLAT_DOCKER": nil, "DOCKER_CONFIG": config, "PATH": "/usr/local/bin:/usr/bin:/bin"])
        #expect(both.exitCode == 0, "\(both.stderr)")
        #expect(both.stderr.contains("xplat: using /usr/bin/docker: /usr/local/bin/docker (28."), "\(both.stderr)")

        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/bin/docker", withDestinationPath: newer)
        let none = try await XPlatBinary.run(
            args, environment: ["XPLAT_DOCKER": nil, "DOCKER_CONFIG": config, "PATH": dir + "/bin"])
        #expect(none.exitCode == 2, "\(none.stderr)")
        #expect(
            none.stderr.contains("no docker client here can build with BuildKit: \(dir)/bin/docker (28."),
            "\(none.stderr)")
        #expect(none.stderr.contains("action: install the docker-buildx plugin"), "\(none.stderr)")
    }

    @Test(
        """
        the Skaffold custom-build script (README): PUSH_IMAGE=true pushes an index of $PLATFORMS; false loads \
        one platform
        """,
        BuildEngine.enabled(bases: ["busybox"]))
    func skaffold() async throws {
        guard await BuildEngine.usable("skaffold", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("dropin-skaffold")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/xplat-skaffold.sh"
        try Self.readmeScript().write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        try "FROM busybox\nCOPY hello.txt /hello.txt\n".write(
            toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        try "hello\n".write(toFile: dir + "/hello.txt", atomically: true, encoding: .utf8)
        let path =
            (XPlatBinary.path as NSString).deletingLastPathComponent + ":"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let tag = "dropin-\(UInt32.random(in: 0...UInt32.max))"

        let image = "\(BuildEngine.registry)/dropin-skaffold/hello:\(tag)"
        let push = try await Self.skaffoldRun(
            script, dir: dir, path: path,
            env: ["IMAGE": image, "PUSH_IMAGE": "true", "PLATFORMS": "linux/amd64,linux/arm64"])
        #expect(push.succeeded, "\(push.stdout)\(push.stderr)")
        let reference = try RegistryReference(parsing: image)
        let pushed = try await RegistryClient.with { try await $0.platforms(of: reference).map(\.description) }
        #expect(pushed == ["linux/amd64", "linux/arm64"], "an index of exactly $PLATFORMS")

        let local = "dropin-skaffold-hello:\(tag)"
        let load = try await Self.skaffoldRun(
            script, dir: dir, path: path,
            env: ["IMAGE": local, "PUSH_IMAGE": "false", "PLATFORMS": "linux/arm64,linux/amd64"])
        #expect(load.succeeded, "\(load.stdout)\(load.stderr)")
        #expect(load.stderr.contains("loading linux/arm64 only"), "says which platform it loads: \(load.stderr)")
        let inspect = try await SubprocessRunner().run(
            Command(BuildEngine.docker, ["image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", local]))
        #expect(inspect.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "linux/arm64", "\(inspect.stderr)")
        _ = try? await SubprocessRunner().run(Command(BuildEngine.docker, ["rmi", "--force", local]))
    }

    /// Runs the script as Skaffold runs a `buildCommand`: `sh -c`, in the artifact's folder, with
    /// IMAGE, PUSH_IMAGE (true/false), BUILD_CONTEXT (absolute), PLATFORMS (comma-separated) and
    /// SKIP_TEST added to the environment.
    static func skaffoldRun(_ script: String, dir: String, path: String, env: [String: String]) async throws
        -> CommandOutput
    {
        var environment: [String: String?] = [
            "BUILD_CONTEXT": dir, "SKIP_TEST": "false", "PATH": path, "XPLAT_DOCKER": BuildEngine.docker,
        ]
        for (key, value) in env { environment[key] = value }
        return try await SubprocessRunner().run(
            Command("/bin/sh", ["-c", script], environment: environment, workingDirectory: dir))
    }

    /// The README's script: the fenced block that starts `#!/bin/sh` and names xplat-skaffold.sh.
    static func readmeScript() throws -> String {
        let readme = try String(contentsOfFile: XPlatBinary.packageRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "```sh\n#!/bin/sh\n# xplat-skaffold.sh"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        return String(readme[readme.index(start.lowerBound, offsetBy: 6)..<end.lowerBound])
    }
}
