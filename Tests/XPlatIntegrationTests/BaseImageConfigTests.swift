// The rewrite reads base images' configs through the registry client: two small base images are
// pushed to the registry (`xplat build --push`), one with `ENV CGO_ENABLED=0`, one whose ONBUILD
// compiles; `xplat rewrite` of a Go build FROM each must say what the config changed, and
// `--no-registry` must judge without it. Skipped (visibly) without the engine and the registry,
// unless XPLAT_REQUIRE_ENGINE=1.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@Suite("Base Image Config Integration", .serialized)
struct BaseImageConfigTests {
    static let repository = "xplat-rewrite-base"

    /// Pushes an image built from `dockerfile` (FROM busybox) as `name:1`; returns its reference.
    static func push(_ name: String, _ dockerfile: String, in dir: String) async throws -> String {
        let folder = dir + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try dockerfile.write(toFile: folder + "/Dockerfile", atomically: true, encoding: .utf8)
        let tag = "\(BuildEngine.registry)/\(repository)/\(name):1"
        let run = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "build", "--push", "-t", tag, "--platform", "linux/amd64", "--progress", "quiet", folder,
                ], environment: ["NO_COLOR": "1"]))
        try #require(run.succeeded, "xplat build --push \(tag): exit \(run.exitCode): \(run.stderr)")
        return tag
    }

    static func rewrite(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let run = try await SubprocessRunner().run(
            Command(BuildEngine.binary, ["rewrite"] + arguments, environment: ["NO_COLOR": "1"]))
        return (run.exitCode, run.stderr)
    }

    @Test(
        """
        ENV CGO_ENABLED=0 of the base image settles cgo; a compiling ONBUILD leaves the stage; ONBUILD wiring \
        the target counts for lint; --no-registry judges without them
        """,
        .enabled("needs dockerd, the registry and the seeded images (Scripts/setup --tests)") {
            await CrossEngine.runnable()
        })
    func baseImageConfig() async throws {
        guard await BuildEngine.usable("baseImageConfig", bases: ["busybox"]) else { return }
        let dir = try BuildEngine.temporaryDirectory("xplat-it-base-image")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let noCgo = try await Self.push("nocgo", "FROM busybox\nENV CGO_ENABLED=0\n", in: dir)
        let onBuild = try await Self.push("onbuild", "FROM busybox\nONBUILD RUN go build -o /out/app .\n", in: dir)
        // A context whose Go code imports "C": without the base image's word, that is cgo evidence.
        let context = dir + "/context"
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "module example.com/c\n\ngo 1.19\n".write(toFile: context + "/go.mod", atomically: true, encoding: .utf8)
        try "package main\n\n// #include <stdio.h>\nimport \"C\"\n\nfunc main() { C.puts(C.CString(\"c\")) }\n"
            .write(toFile: context + "/main.go", atomically: true, encoding: .utf8)
        let goBuild =
            "FROM \(noCgo) AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM busybox\nCOPY "
            + "--from=build /out/app /app\n"
        try goBuild.write(toFile: context + "/Dockerfile", atomically: true, encoding: .utf8)

        let read = try await Self.rewrite(["--context", context, context + "/Dockerfile"])
        #expect(read.stderr.contains("stage 0 \"build\" (line 1): build, rewritten [go]"), "\(read.stderr)")
        #expect(
            read.stderr.contains("no cgo: base image \(noCgo) sets CGO_ENABLED=0 (its config, from the registry)"),
            "\(read.stderr)")

        let blind = try await Self.rewrite(["--no-registry", "--context", context, context + "/Dockerfile"])
        #expect(
            blind.stderr.contains("build, left [go]"),
            "without the registry, import \"C\" on a non-Debian image leaves the stage: \(blind.stderr)")
        #expect(blind.stderr.contains("main.go:4 imports \"C\""), "\(blind.stderr)")

        let onBuildFile = context + "/Dockerfile.onbuild"
        try "FROM \(onBuild) AS build\nRUN go build -o /out/other .\n\nFROM busybox\nCOPY --from=build /out/app /app\n"
            .write(toFile: onBuildFile, atomically: true, encoding: .utf8)
        let triggers = try await Self.rewrite(["--context", context, onBuildFile])
        #expect(
            triggers.stderr.contains(
                "XP104 opaque-build: base image \(onBuild) has ONBUILD `RUN go build -o /out/app .`"),
            "\(triggers.stderr)")
        #expect(triggers.stderr.contains("build, left [go]"), "\(triggers.stderr)")

        // ONBUILD triggers that pass the target: a $BUILDPLATFORM stage FROM that image is wired (no XP012).
        let wired = try await Self.push(
            "onbuild-wired",
            "FROM busybox\nONBUILD ARG TARGETOS TARGETARCH\nONBUILD RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o "
                + "/out/app .\n",
            in: dir)
        let crossFile = context + "/Dockerfile.cross"
        let cross =
            "FROM --platform=$BUILDPLATFORM \(wired) AS build\nRUN go build -o /out/tool ./tool\n\nFROM busybox\nCOPY "
            + "--from=build /out/app /app\n"
        try cross.write(toFile: crossFile, atomically: true, encoding: .utf8)
        let lint = try await SubprocessRunner().run(
            Command(BuildEngine.binary, ["lint", "--context", context, crossFile], environment: ["NO_COLOR": "1"]))
        #expect(!lint.stdout.contains("XP012"), "the base image's ONBUILD wires the target: \(lint.stdout)")
        let lintBlind = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary, ["lint", "--no-registry", "--context", context, crossFile],
                environment: ["NO_COLOR": "1"]))
        #expect(
            lintBlind.stdout.contains("XP012 build-stage-not-cross"),
            "without the registry the stage looks unwired: \(lintBlind.stdout)")
    }
}
