// End-to-end tests of `xplat verify`: the built binary, its stdout, stderr and exit code.

import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

@Suite("xplat verify, end to end")
struct VerifyCLITests {
    /// The directory of real test binaries (Scripts/make-test-binaries, cached).
    static func binaries() async throws -> String { try await TestBinarySet.load().directory }

    func xplat(_ arguments: [String]) async throws -> CommandOutput {
        try await XPlatBinary.run(arguments)
    }

    @Test("a passing check exits 0: a table per source, then a summary line")
    func passes() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--platform", "linux/arm/v6", dir + "/c-armel-static", dir + "/go-arm-v5"])
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(
            Array(lines.prefix(3)) == [
                "\(dir)/c-armel-static",
                "  PLATFORM      MANIFEST  FILES  ELF  VERDICT",
                "  linux/arm/v6  -             1    1  ok",
            ])
        #expect(lines.count == 7 && lines[6].hasPrefix("verify: ok; 2 roots, 2 files, 2 ELF, 0 skipped, "))
        #expect(out.stderr.isEmpty)
    }

    @Test("a mismatch exits 1 with one line naming file, expected, found and why")
    func mismatch() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--platform", "arm/v6", dir + "/c-armhf-static"])
        #expect(out.exitCode == 1)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines.dropFirst(2).first == "  linux/arm/v6  -             1    1  FAIL (1 file)")
        #expect(
            lines.dropFirst(3).first
                == "FAIL \(dir)/c-armhf-static: expected linux/arm/v6, found linux/arm/v7 (Tag_CPU_arch=v7)")
        #expect(lines.last?.hasPrefix("verify: 1 file with 1 problem; 1 root, 1 files, 1 ELF, 0 skipped, ") == true)
        #expect(out.stderr == "xplat: 1 file failed verification\n")
    }

    @Test("strict about 32-bit on 64-bit platforms; --allow-compatible accepts with a note")
    func compatible() async throws {
        let dir = try await Self.binaries()
        let strict = try await xplat(["verify", "--platform", "linux/arm64", dir + "/c-armhf-static"])
        #expect(strict.exitCode == 1)
        #expect(
            strict.stdout.contains(
                "FAIL \(dir)/c-armhf-static: expected linux/arm64, found linux/arm/v7 (32-bit: AArch64-only cores (for "
                    + "example Neoverse V2, Apple M-series, AmpereOne) cannot run 32-bit Arm code; --allow-compatible "
                    + "accepts it)"
            ))
        let allowed = try await xplat([
            "verify", "--allow-compatible", "--platform", "linux/amd64", dir + "/c-386-static",
        ])
        #expect(allowed.exitCode == 0, "\(allowed.stdout)")
        #expect(
            allowed.stdout.contains(
                "note: \(dir)/c-386-static: linux/386 accepted on linux/amd64 (--allow-compatible); a kernel without "
                    + "IA32 emulation"
            ))
    }

    @Test(
        """
        without a platform, each ELF is described; a source without ELF is nothing to check (exit 2) unless \
        --allow-empty
        """
    )
    func describe() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", dir + "/go-amd64-v3", dir + "/c-armhf-static", dir + "/script.sh"])
        #expect(out.exitCode == 2, "\(out.stdout)")
        #expect(
            out.stderr
                == "xplat: verify: nothing to check: no ELF file in \(dir)/script.sh (--allow-empty accepts that)\n")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(dir)/go-amd64-v3: linux/amd64/v3 executable static (Go GOAMD64=v3)"))
        #expect(
            lines.contains(
                "\(dir)/c-armhf-static: linux/arm/v7 executable static (Tag_CPU_arch=v7; e_flags "
                    + "EF_ARM_ABI_FLOAT_HARD, Tag_ABI_VFP_args=VFP registers)"
            ))
        #expect(out.stdout.contains("3 roots, 3 files, 2 ELF, 1 skipped"))
        let allowed = try await xplat(["verify", "--allow-empty", dir + "/script.sh"])
        #expect(allowed.exitCode == 0 && allowed.stderr.isEmpty, "\(allowed.stderr)")
    }

    @Test(
        """
        --exclude leaves matching files unchecked and counts them; a pattern that cannot match a root path is a \
        usage error
        """
    )
    func exclude() async throws {
        let dir = try await Self.binaries()
        let root = try makeTemporaryDirectory("xplat-exclude")
        defer { removeTree(root) }
        for (binary, path) in [("c-arm64-static", "/usr/bin/app"), ("go-amd64-v3", "/usr/lib/go/src/debug/testdata/x")]
        {
            try FileManager.default.createDirectory(
                atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: dir + "/" + binary, toPath: root + path)
        }
        let strict = try await xplat(["verify", "--platform", "linux/arm64", root])
        #expect(strict.exitCode == 1)
        #expect(
            strict.stdout.contains(
                "FAIL \(root)/usr/lib/go/src/debug/testdata/x: expected linux/arm64, found linux/amd64/v3"),
            "\(strict.stdout)")
        let excluded = try await xplat(["verify", "--platform", "linux/arm64", "--exclude", "*/testdata/*", root])
        #expect(excluded.exitCode == 0, "\(excluded.stdout)\(excluded.stderr)")
        #expect(
            excluded.stdout.contains("verify: ok; 1 root, 2 files, 1 ELF, 0 skipped, 1 excluded, "),
            "\(excluded.stdout)")
        let json = try await xplat(["verify", "--platform", "linux/arm64", "--exclude", "*/testdata/*", "--json", root])
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["excluded"] as? Int == 1 && summary["elf"] as? Int == 1)
        let everything = try await xplat(["verify", "--exclude", "/usr/*", root])
        #expect(everything.exitCode == 2, "every ELF excluded: nothing to check")
        let usage = try await xplat(["verify", "--exclude", "testdata", root])
        #expect(usage.exitCode == 64)
        #expect(
            usage.stderr.contains("--exclude \"testdata\": a pattern is matched against a path from the root"),
            "\(usage.stderr)")
    }

    @Test("--static and --json")
    func staticJSON() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--static", "--json", dir + "/c-arm64-dynamic"])
        #expect(out.exitCode == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "xplat.verify/v2")
        let file = try #require((object["files"] as? [[String: Any]])?.first)
        #expect(file["platform"] as? String == "linux/arm64")
        #expect(file["ok"] as? Bool == false)
        #expect(
            (file["reason"] as? String)?.contains("dynamically linked (PT_INTERP /lib/ld-linux-aarch64.so.1)") == true)
    }

    @Test(
        "could not check exits 2; usage errors exit 64",
        arguments: [
            (
                ["verify", "/nonexistent/xplat-path"], Int32(2),
                "xplat: verify: /nonexistent/xplat-path: cannot open: No such file or directory\n"
            ),
            (
                ["verify", "--platform", "linux/sparc", "/"], Int32(64),
                "xplat: --platform: invalid platform \"linux/sparc\": unknown architecture \"sparc\""
            ),
            (["verify"], Int32(64), "Error: Missing expected argument '<sources> ...'"),
            (
                ["verify", "busybox"], Int32(2),
                "xplat: verify: busybox: cannot open: No such file or directory (for an image in a registry write "
                    + "docker://busybox)\n"
            ),
        ])
    func cannotCheck(arguments: [String], code: Int32, stderr: String) async throws {
        let out = try await xplat(arguments)
        #expect(out.exitCode == code, "\(out.stderr)")
        #expect(out.stderr.hasPrefix(stderr), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
