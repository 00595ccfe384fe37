import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

/// End-to-end: runs the built `xplat` binary and checks stdout, stderr and the exit code.
@Suite struct RewriteCLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let golden = packageRoot.appendingPathComponent("Tests/XPlatDockerfileTests/Golden")

    func xplat(_ args: [String]) async throws -> CommandOutput {
        try await XPlatBinary.run(args)
    }

    /// A scratch copy of golden case `name`'s Dockerfile.
    func scratch(_ name: String) throws -> (dir: URL, file: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("Dockerfile").path
        try FileManager.default.copyItem(
            atPath: Self.golden.appendingPathComponent("\(name)/Dockerfile").path, toPath: file)
        return (dir, file)
    }

    func expected(_ name: String) throws -> String {
        try String(contentsOf: Self.golden.appendingPathComponent("\(name)/expected.Dockerfile"), encoding: .utf8)
    }

    /// A loopback port that accepts connections and never answers: a registry that hangs.
    static func silentPort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(fd >= 0 && bound, "cannot listen on a loopback port")
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test(
        """
        a registry that refuses or never answers costs a rewrite at most a few seconds, and says which base \
        image configs were not read
        """
    )
    func registryNotThere() async throws {
        // Docker Hub names only: both are asked at XPLAT_REGISTRY, and no other host is looked up.
        let (dir, file) = try scratch("go-basic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dockerfile =
            "FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM debian:bookworm-slim\nCOPY --from=build /app "
            + "/app\n"
        try dockerfile.write(toFile: file, atomically: true, encoding: .utf8)
        let silent = try Self.silentPort()
        defer { close(silent.fd) }
        // A silent registry: the 3 s read timeout or the 4 s deadline of the whole reading, whichever comes first.
        for (registry, reasons) in [
            ("127.0.0.1:9", ["Connection refused"]),
            ("127.0.0.1:\(silent.port)", ["timed out", "not read within 4 s"]),
        ] {
            let started = Date()
            let out = try await XPlatBinary.run(
                ["rewrite", "--findings-only", file], environment: ["XPLAT_REGISTRY": registry])
            let seconds = Date().timeIntervalSince(started)
            #expect(out.exitCode <= 1, "\(out.stderr)")
            #expect(
                reasons.contains {
                    out.stderr.contains("xplat: base image config not read: debian:bookworm-slim (\(registry): \($0))")
                }, "\(registry): \(out.stderr)")
            #expect(out.stderr.contains("golang:1.22 (\(registry): "), "\(registry): \(out.stderr)")
            #expect(out.stderr.contains("judged by the Dockerfile and the context alone"))
            #expect(seconds < 7, "\(registry): \(seconds) s")
        }
        let skipped = try await XPlatBinary.run(
            ["rewrite", "--findings-only", "--no-registry", file], environment: ["XPLAT_REGISTRY": "127.0.0.1:9"])
        #expect(!skipped.stderr.contains("not read"), "\(skipped.stderr)")
    }

    @Test("default output is a unified diff; stages and findings go to stderr")
    func diff() async throws {
        let (dir, file) = try scratch("go-hardcoded-arch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try await xplat(["rewrite", file])
        #expect(out.exitCode == 0)
        #expect(out.stdout.hasPrefix("--- \(file)\n+++ \(file)\n@@ -1,10 +1,21 @@\n"))
        #expect(
            out.stdout.contains(
                """
                @@ -1,10 +1,21 @@
                -FROM golang:1.22-alpine AS builder
                -ENV GOOS=linux GOARCH=amd64
                +FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
                +ARG TARGETOS TARGETARCH TARGETVARIANT
                +ENV GOOS=$TARGETOS GOARCH=$TARGETARCH
                 WORKDIR /src

                """))
        #expect(!out.stdout.contains("\u{1B}["), "no colour with NO_COLOR and no TTY")
        #expect(out.stderr.contains("stage 0 \"builder\" (line 1): build, rewritten [go]"))
        #expect(out.stderr.contains("\(file):2:5: warning: XP003 hardcoded-goarch"))
    }

    @Test("--stdout prints the whole new file; -o writes it; --write rewrites in place")
    func outputs() async throws {
        let (dir, file) = try scratch("go-basic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let printed = try await xplat(["rewrite", "--stdout", file])
        let want = try expected("go-basic")
        #expect(printed.exitCode == 0 && printed.stdout == want)
        let other = dir.appendingPathComponent("Dockerfile.cross").path
        let o = try await xplat(["rewrite", "-o", other, file])
        #expect(o.exitCode == 0)
        #expect(try String(contentsOfFile: other, encoding: .utf8) == want)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == original, "-o leaves the input alone")
        let w = try await xplat(["rewrite", "--write", file])
        #expect(w.exitCode == 0 && w.stderr.contains("wrote \(file)"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == want)
        let again = try await xplat(["rewrite", "--check", file])
        #expect(again.exitCode == 0 && again.stdout.isEmpty, "a rewritten file needs nothing more: \(again.stderr)")
    }

    @Test("--check exits 1 when a rewrite is needed or an error-level finding exists")
    func check() async throws {
        let (dir, file) = try scratch("go-basic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let needed = try await xplat(["rewrite", "--check", file])
        #expect(needed.exitCode == 1 && needed.stderr.contains("rewrite needed"))
        let ready = try await xplat([
            "rewrite", "--check", Self.golden.appendingPathComponent("go-cross-ready/Dockerfile").path,
        ])
        #expect(ready.exitCode == 0 && ready.stdout.isEmpty)
        let lint = try await xplat([
            "rewrite", "--check", Self.golden.appendingPathComponent("lint-rules/Dockerfile").path,
        ])
        #expect(lint.exitCode == 1 && lint.stderr.contains("error-level findings"))
    }

    @Test("--json follows xplat.rewrite/v1")
    func json() async throws {
        let out = try await xplat(["rewrite", "--json", Self.golden.appendingPathComponent("go-basic/Dockerfile").path])
        #expect(out.exitCode == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "xplat.rewrite/v1")
        #expect(doc["changed"] as? Bool == true)
        let stages = try #require(doc["stages"] as? [[String: Any]])
        #expect(stages.map { $0["outcome"] as? String } == ["rewritten", "not-applicable"])
        #expect(stages.first?["platformAfter"] as? String == "$BUILDPLATFORM")
        #expect(
            stages.allSatisfy {
                $0.keys.sorted() == [
                    "index", "line", "name", "outcome", "platformAfter", "platformBefore",
                    "reasons", "role", "toolchains",
                ]
            },
            "every documented key is present, an unnamed stage's name as null")
        #expect(stages.last?["name"] is NSNull)
        let changes = try #require(doc["changes"] as? [[String: Any]])
        #expect(changes.first?["replacement"] as? String == " --platform=$BUILDPLATFORM")
        #expect((doc["diff"] as? String)?.hasPrefix("--- /") == true)
    }

    @Test("syntax errors exit 2 with file:line: reason; usage errors exit 64")
    func errors() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xplat-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("Dockerfile").path
        try "FROM alpine\nENV PATH\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for sub in ["rewrite", "lint"] {
            let out = try await xplat([sub, bad])
            #expect(out.exitCode == 2)
            #expect(out.stderr.contains("\(bad):2: ENV must have two arguments"), "\(sub): \(out.stderr)")
        }
        let missing = try await xplat(["rewrite", dir.appendingPathComponent("nope").path])
        #expect(
            missing.exitCode == 2 && missing.stderr.contains("nope: cannot read: No such file or directory"),
            "\(missing.stderr)")
        let usage = try await xplat(["rewrite", "--write", "--stdout", bad])
        #expect(usage.exitCode == 64)
    }

    @Test("a one-letter Dockerfile name beside a one-letter folder: rewrite and lint read the folder as the context")
    func oneLetterNames() async throws {
        let (dir, _) = try scratch("go-basic")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(
            at: dir.appendingPathComponent("Dockerfile"), to: dir.appendingPathComponent("D"))
        for sub in ["rewrite", "lint"] {
            let out = try await XPlatBinary.run([sub, "--no-registry", "D"], in: dir.path)
            #expect(out.exitCode == 0, "\(sub): \(out.stderr)")
        }
        let rewrite = try await XPlatBinary.run(["rewrite", "--no-registry", "--stdout", "D"], in: dir.path)
        #expect(rewrite.stdout == (try expected("go-basic")))
    }

    @Test("lint prints findings and exits 1 on error-level ones, 0 otherwise")
    func lint() async throws {
        let rules = Self.golden.appendingPathComponent("lint-rules/Dockerfile").path
        let out = try await xplat(["lint", rules])
        #expect(out.exitCode == 1)
        #expect(out.stdout.contains("\(rules):1:5: error: XP001 arg-target-default"))
        #expect(out.stdout.contains("  fix: ARG TARGETARCH\n"))
        let warningsOnly = try await xplat([
            "lint", Self.golden.appendingPathComponent("go-hardcoded-arch/Dockerfile").path,
        ])
        #expect(warningsOnly.exitCode == 0 && warningsOnly.stdout.contains("warning: XP003"))
        let json = try await xplat(["lint", "--json", rules])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "xplat.lint/v1")
        let findings = try #require(doc["findings"] as? [[String: Any]])
        #expect(findings.count == 6)
        #expect(
            findings.allSatisfy {
                $0.keys.sorted() == ["column", "file", "fix", "id", "line", "message", "rule", "severity"]
            },
            "every documented key is present in every finding")
        #expect(doc["errors"] as? Int == 3)
    }
}
