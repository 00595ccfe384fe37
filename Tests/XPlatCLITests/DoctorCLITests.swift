import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport

/// End-to-end: runs the built `xplat` binary and checks stdout, stderr and the exit code.
@Suite struct DoctorCLITests {
    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("XPlatHostTests/Fixtures").path
    }

    func xplat(_ args: [String], env: [String: String?] = ["NO_COLOR": "1"]) async throws -> CommandOutput {
        try await XPlatBinary.run(args, environment: env)
    }

    func fixture(_ name: String, _ extra: [String]) -> [String] {
        ["doctor", "--host-root", Self.fixtures + "/" + name, "--machine", "x86_64", "--no-exec", "--no-engine"] + extra
    }

    @Test func badPlatformIsUsageError() async throws {
        let out = try await xplat(["doctor", "--platform", "linux/armv9"])
        #expect(out.exitCode == 64)
        #expect(out.stderr.contains("linux/armv9"), "the error quotes the value: \(out.stderr)")
    }

    @Test func dryRunNeedsFix() async throws {
        let out = try await xplat(["doctor", "--dry-run"])
        #expect(out.exitCode == 64)
        #expect(out.stderr.contains("--dry-run only applies with --fix"))
    }

    @Test func buildablePlatformExitsZero() async throws {
        let out = try await xplat(fixture("debian-ok", ["--platform", "linux/riscv64"]))
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("linux/riscv64   emulated (unproven)  qemu-riscv64"))
        #expect(!out.stdout.contains("\u{1B}["), "no colour with NO_COLOR or off a TTY")
    }

    @Test func missingRequestedPlatformExitsOne() async throws {
        let out = try await xplat(fixture("debian-ok", ["--platform", "linux/riscv64,linux/s390x"]))
        #expect(out.exitCode == 1)
        #expect(out.stderr.contains("cannot build linux/s390x"))
        #expect(out.stdout.contains("cannot build: linux/s390x"))
    }

    @Test func jsonReport() async throws {
        let out = try await xplat(fixture("duplicates", ["--json"]))
        #expect(out.exitCode == 1, "interpreter-missing is an error-level finding")
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "xplat.doctor/v1")
        #expect(object?["exitCode"] as? Int == 1)
        let findings = object?["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["id"] as? String == "duplicate-entries" })
    }

    @Test func fixDryRunPrintsPlanAndChangesNothing() async throws {
        let out = try await xplat(fixture("unmounted", ["--fix", "--dry-run"]))
        #expect(out.stdout.contains("would mount binfmt_misc on /proc/sys/fs/binfmt_misc"))
        #expect(!FileManager.default.fileExists(atPath: Self.fixtures + "/unmounted/proc/sys/fs/binfmt_misc/register"))
    }
}
