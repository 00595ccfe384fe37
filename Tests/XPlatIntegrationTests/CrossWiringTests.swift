// Real cross builds of the wiring examples in Dockerfiles/ (Go with cgo and libc, Go with cgo and
// zlib, Go through a Makefile with architecture variables of its own, Rust, Rust with openssl-sys,
// CMake with zlib, autotools), for linux/amd64, linux/arm64 and
// linux/arm/v7 through the engine, with `--network host` so that RUN apt-get reaches the mirror this
// machine's apt uses (the seeded images' apt sources name it).
// - "rewritten": `xplat rewrite` turns each common form (`Dockerfile`) into a cross build; it must build
//   with the compile RUN native (not emulated), binaries verified, and the C feature really in the binary
//   (each program prints something only its C path can: glibc's version, zlib's, OpenSSL's SHA-256, the
//   processor CMake configured for, the host configure was run for), run under QEMU from the output.
// - "hand-written": the `Dockerfile.cross` forms, written the way a careful engineer does with the
//   tonistiigi/xx techniques, build and pass the same checks: they are the reference for the rewriter.
//   They double the suite's time, so they run only with XPLAT_CROSS_REFERENCE=1 (a visible skip otherwise).
// Skipped (visibly) when the engine is absent, unless XPLAT_REQUIRE_ENGINE=1 (then they fail).

import Foundation
import Testing
import XPlatBuild
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport
import XPlatVerify

/// One example project and what its binary must print on each platform.
struct CrossProject: Sendable, CustomStringConvertible {
    /// The folder under Dockerfiles/.
    let name: String
    /// The binary in the final image.
    let binary: String
    /// Base images the build pulls from the local registry.
    let bases: [String]
    /// Text of the compile RUN (what must not run under QEMU).
    let compile: [String]
    /// Substrings the program prints on a platform.
    let prints: @Sendable (Platform) -> [String]

    var description: String { name }

    /// `uname -m` under QEMU user mode, as C and CMake see it.
    static func machine(_ platform: Platform) -> String {
        switch platform.architecture {
        case "amd64": return "x86_64"
        case "arm64": return "aarch64"
        default: return "armv7l"
        }
    }

    /// GNU triplet prefix that autoconf's config.sub gives for the platform.
    static func gnuCPU(_ platform: Platform) -> String {
        switch platform.architecture {
        case "amd64": return "x86_64"
        case "arm64": return "aarch64"
        default: return "arm"
        }
    }

    static let all: [CrossProject] = [
        CrossProject(
            name: "go-cgo", binary: "/usr/local/bin/go-cgo", bases: ["golang:1.19", "debian:bookworm-slim"],
            compile: ["go build"]
        ) { p in
            ["cgo: glibc 2.36 on \(machine(p).prefix(3))", "built for linux/\(p.architecture)"]
        },
        CrossProject(
            name: "go-zlib", binary: "/usr/local/bin/go-zlib", bases: ["golang:1.19", "debian:bookworm-slim"],
            compile: ["go build"]
        ) { p in
            ["zlib 1.2.13: ", "round trip ok", "built for linux/\(p.architecture)"]
        },
        // A Makefile-driven Go build whose Makefile picks the architecture itself (TARGET_ARCH ?= from
        // `uname -m`): the rewrite sets its variables; the binary must be the target's.
        CrossProject(
            name: "go-make", binary: "/usr/local/bin/go-make", bases: ["golang:1.19", "busybox"],
            compile: ["make build"]
        ) { p in
            ["go-make: built for linux/\(p.architecture)"]
        },
        CrossProject(
            name: "rust-hello", binary: "/usr/local/bin/rust-hello", bases: ["rust:1.63", "debian:bookworm-slim"],
            compile: ["cargo build"]
        ) { p in
            ["hello from Rust on \(gnuCPU(p))-linux"]
        },
        CrossProject(
            name: "rust-openssl", binary: "/usr/local/bin/rust-openssl", bases: ["rust:1.63", "debian:bookworm-slim"],
            compile: ["cargo build"]
        ) { p in
            // SHA-256 of "xplat", computed by the linked libcrypto (the runtime image's libssl3).
            [
                "OpenSSL 3.0.", "on \(gnuCPU(p)):",
                "sha256(xplat) = cd973839f5dc70325adc1fe1502dad775e0953d5682f705fae99ebfc8fb11458",
            ]
        },
        CrossProject(
            name: "cmake-zlib", binary: "/usr/local/bin/cmake-zlib",
            bases: ["debian:bookworm", "debian:bookworm-slim"],
            compile: ["cmake --build", "cmake -S"]
        ) { p in
            ["zlib 1.2.13: round trip ok; CMake target processor \(gnuCPU(p))"]
        },
        CrossProject(
            name: "autotools-hello", binary: "/usr/local/bin/autotools-hello",
            bases: ["debian:bookworm", "debian:bookworm-slim"],
            compile: ["./configure", "make"]
        ) { p in
            [
                "autotools: configured for \(gnuCPU(p))",
                p.architecture == "arm" ? "-linux-gnueabihf, running on" : "-linux-gnu, running on",
            ]
        },
    ]
}

extension CrossProject {
    /// The projects to build: all, or those XPLAT_CROSS_ONLY names (comma-separated, for working on
    /// one wiring class); the others are reported as skipped.
    static var selected: [CrossProject] {
        guard let only = ProcessInfo.processInfo.environment["XPLAT_CROSS_ONLY"], !only.isEmpty else { return all }
        let names = Set(only.split(separator: ",").map(String.init))
        let skipped = all.filter { !names.contains($0.name) }.map(\.name)
        if !skipped.isEmpty {
            print("CrossWiringTests: XPLAT_CROSS_ONLY=\(only): skipped \(skipped.joined(separator: ", "))")
        }
        return all.filter { names.contains($0.name) }
    }
}

/// Runs the tests when the engine can build, or when XPLAT_REQUIRE_ENGINE=1 (which then fails them).
enum CrossEngine {
    static let platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"].map { try! Platform(parsing: $0) }

    static func runnable() async -> Bool {
        if BuildEngine.required { return true }
        if let why = await BuildEngine.unusable() {
            print("CrossWiringTests skipped: \(why)")
            return false
        }
        return true
    }

    /// Builds `dockerfile` with the project folder as context for the three platforms, smoke-running
    /// the binary from each output; returns the result and the output folder.
    static func build(_ project: CrossProject, dockerfile: String, out: String) async throws -> BuildResult {
        let request = BuildRequest(
            dockerfile: dockerfile, context: BuildEngine.example(project.name), platforms: platforms,
            output: .local(dest: out + "/out", split: nil), network: .host, smoke: [project.binary],
            progress: .quiet, registry: BuildEngine.registry)
        return try await BuildEngine.service().build(request, selection: NodeSelection(driver: .engine), tty: false)
    }

    /// The checks both forms must pass: no compile step emulated, every output verified, the binary
    /// of the right platform and printing what only its C path can.
    static func check(_ project: CrossProject, _ result: BuildResult, out: String, form: String) throws {
        #expect(result.platforms.map(\.platform) == platforms, "\(project) \(form): every platform built")
        for plan in result.plan.platforms {
            let emulatedCompiles = plan.emulatedSteps.filter { step in
                project.compile.contains { step.text.contains($0) }
            }
            #expect(
                emulatedCompiles.isEmpty,
                Comment(
                    rawValue: "\(project) \(form) \(plan.platform): compile RUN under QEMU: "
                        + "\(emulatedCompiles.map { "line \($0.line): \($0.text)" })")
            )
        }
        for r in result.platforms {
            #expect(
                r.verification?.passed == true,
                "\(project) \(form) \(r.platform): \(r.verification?.report ?? "not verified")")
            // An independent check of the output, beside the build's own verification.
            let report = try Verifier(platform: r.platform).verify(root: "\(out)/out/\(r.platform.folderName)")
            #expect(report.ok, "\(project) \(form) \(r.platform): \(report.problemLines)")
            #expect(
                report.file(project.binary)?.platform == r.platform,
                "\(project) \(form) \(r.platform): \(project.binary) is an ELF file of the platform")
            let printed = (r.smoke?.stdout ?? "") + (r.smoke?.stderr ?? "")
            #expect(
                r.smoke?.exitCode == 0,
                Comment(
                    rawValue: "\(project) \(form) \(r.platform): \(project.binary) exited "
                        + "\(String(describing: r.smoke?.exitCode)): \(printed)")
            )
            for expected in project.prints(r.platform) {
                #expect(
                    printed.contains(expected),
                    "\(project) \(form) \(r.platform): expected \"\(expected)\" in: \(printed)")
            }
        }
    }
}

@Suite("Cross Wiring Integration", .serialized)
struct CrossWiringTests {
    @Test(
        """
        hand-written Dockerfile.cross: builds for amd64, arm64, arm/v7 with the compile native, verified, C \
        feature in the binary
        """,
        .enabled("the hand-written reference forms run with XPLAT_CROSS_REFERENCE=1 (CI proves the rewritten forms)") {
            ProcessInfo.processInfo.environment["XPLAT_CROSS_REFERENCE"] == "1"
        },
        .enabled("needs dockerd, the registry and the seeded images (Scripts/setup --tests)") {
            await CrossEngine.runnable()
        },
        arguments: CrossProject.selected)
    func handWritten(project: CrossProject) async throws {
        guard await BuildEngine.usable("handWritten(\(project))", bases: project.bases) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-cross-\(project.name)")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try await CrossEngine.build(
            project, dockerfile: BuildEngine.example(project.name) + "/Dockerfile.cross", out: out)
        // Only a runtime apt step may stay on the target platform (rust-openssl installs libssl3 there).
        let emulated = result.plan.platforms.flatMap(\.emulatedSteps).map(\.text).filter {
            !$0.contains("apt-get install")
        }
        #expect(emulated.isEmpty, "\(project): the hand-written form compiles nothing under QEMU: \(emulated)")
        try CrossEngine.check(project, result, out: out, form: "Dockerfile.cross")
    }

    @Test(
        """
        xplat rewrite of the common Dockerfile: builds for amd64, arm64, arm/v7 cross, verified, C feature in \
        the binary
        """,
        .enabled("needs dockerd, the registry and the seeded images (Scripts/setup --tests)") {
            await CrossEngine.runnable()
        },
        arguments: CrossProject.selected)
    func rewritten(project: CrossProject) async throws {
        guard await BuildEngine.usable("rewritten(\(project))", bases: project.bases) else { return }
        let out = try BuildEngine.temporaryDirectory("xplat-it-rewrite-\(project.name)")
        defer { try? FileManager.default.removeItem(atPath: out) }
        // The CLI as users run it; the context (evidence: go.mod, import "C", Cargo.toml, CMakeLists.txt,
        // configure.ac) is the Dockerfile's folder, the project.
        let rewritten = out + "/Dockerfile.rewritten"
        let run = try await SubprocessRunner().run(
            Command(
                BuildEngine.binary,
                [
                    "rewrite", "-o", rewritten, BuildEngine.example(project.name) + "/Dockerfile",
                ], environment: ["NO_COLOR": "1"]))
        try #require(run.succeeded, "xplat rewrite \(project)/Dockerfile: exit \(run.exitCode): \(run.stderr)")
        let text = (try? String(contentsOfFile: rewritten, encoding: .utf8)) ?? ""
        // Required: a stage left on the target platform would build for many minutes under QEMU only to fail below.
        try #require(
            text.contains("--platform=$BUILDPLATFORM"),
            "\(project): the build stage moves to the build platform:\n\(text)\n\(run.stderr)")
        let result = try await CrossEngine.build(project, dockerfile: rewritten, out: out)
        try CrossEngine.check(project, result, out: out, form: "rewritten Dockerfile")
    }
}
