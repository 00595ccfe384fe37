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

    @Test("a passing check exits 0 with a summary line")
    func passes() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--platform", "linux/arm/v6", dir + "/c-armel-static", dir + "/go-arm-v5"])
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.hasPrefix("verify: ok; 2 roots, 2 files, 2 ELF, 0 skipped, "))
        #expect(out.stderr.isEmpty)
    }

    @Test("a mismatch exits 1 with one line naming file, expected, found and why")
    func mismatch() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--platform", "arm/v6", dir + "/c-armhf-static"])
        #expect(out.exitCode == 1)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "FAIL \(dir)/c-armhf-static: expected linux/arm/v6, found linux/arm/v7 (Tag_CPU_arch=v7)")
        #expect(lines.count == 2 && lines[1].hasPrefix("verify: 1 file with 1 problem; 1 root, 1 files, 1 ELF, 0 skipped, "))
        #expect(out.stderr == "xplat: 1 file failed verification\n")
    }

    @Test("without a platform, each ELF is described")
    func describe() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", dir + "/go-amd64-v3", dir + "/c-armhf-static", dir + "/script.sh"])
        #expect(out.exitCode == 0, "\(out.stdout)")
        #expect(out.stdout.split(separator: "\n").prefix(2) == [
            "\(dir)/go-amd64-v3: linux/amd64/v3 executable static (Go GOAMD64=v3)",
            "\(dir)/c-armhf-static: linux/arm/v7 executable static (Tag_CPU_arch=v7; e_flags EF_ARM_ABI_FLOAT_HARD, Tag_ABI_VFP_args=VFP registers)",
        ])
        #expect(out.stdout.contains("3 roots, 3 files, 2 ELF, 1 skipped"))
    }

    @Test("--static and --json")
    func staticJSON() async throws {
        let dir = try await Self.binaries()
        let out = try await xplat(["verify", "--static", "--json", dir + "/c-arm64-dynamic"])
        #expect(out.exitCode == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "xplat.verify/v1")
        let file = try #require((object["files"] as? [[String: Any]])?.first)
        #expect(file["platform"] as? String == "linux/arm64")
        #expect(file["ok"] as? Bool == false)
        #expect((file["reason"] as? String)?.contains("dynamically linked (PT_INTERP /lib/ld-linux-aarch64.so.1)") == true)
    }

    @Test("could not check exits 2; usage errors exit 64", arguments: [
        (["verify", "/nonexistent/xplat-path"], Int32(2), "xplat: verify: /nonexistent/xplat-path: cannot open: No such file or directory\n"),
        (["verify", "--platform", "linux/sparc", "/"], Int32(64), "xplat: --platform: invalid platform \"linux/sparc\": unknown architecture \"sparc\""),
        (["verify"], Int32(64), "Error: Missing expected argument '<paths> ...'"),
    ])
    func cannotCheck(arguments: [String], code: Int32, stderr: String) async throws {
        let out = try await xplat(arguments)
        #expect(out.exitCode == code, "\(out.stderr)")
        #expect(out.stderr.hasPrefix(stderr), "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }
}
