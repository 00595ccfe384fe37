import Foundation
import Testing
import XPlatHost
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

/// Runs the doctor suite as root with a writable binfmt_misc; skips it, with the reason, otherwise,
/// except under XPLAT_REQUIRE_ENGINE=1, which runs it so the missing host fails it.
enum DoctorHost {
    static let environment = ProcessInfo.processInfo.environment
    static let required = Prerequisite.required
    static let roots = HostRoots.system(environment: environment)

    /// Nil when the host can be used; else why not.
    static var unusable: String? {
        if geteuid() != 0 { return "not root" }
        if access(roots.binfmtMisc + "/register", W_OK) != 0 {
            return "\(roots.binfmtMisc)/register is not writable (run Scripts/lib/binfmt.sh)"
        }
        return nil
    }

    static let enabled = ConditionTrait.enabled(
        Comment(
            rawValue:
                "needs root and a writable binfmt_misc (Scripts/lib/binfmt.sh); XPLAT_REQUIRE_ENGINE=1 makes their "
                + "absence a failure")
    ) {
        required || unusable == nil
    }

    /// True when /usr/bin/docker gets an answer from dockerd.
    static func dockerdAnswers() async -> Bool {
        (try? await SubprocessRunner().run(Command("/usr/bin/docker", ["info", "--format", "{{.ServerVersion}}"])))?
            .succeeded ?? false
    }
}

/// The real host: Debian qemu-user-static + binfmt-support (Scripts/lib/binfmt.sh), real exec proofs,
/// real binfmt_misc changes. Skipped (with the reason, `.enabled`) when not root or binfmt_misc is not
/// writable, unless XPLAT_REQUIRE_ENGINE=1 (then it fails).
@Suite(.serialized, DoctorHost.enabled) struct DoctorIntegrationTests {
    /// Under XPLAT_REQUIRE_ENGINE=1 the tests run whatever the host: records why it cannot be used.
    func usable() throws -> Bool {
        guard let why = DoctorHost.unusable else { return true }
        Issue.record("XPLAT_REQUIRE_ENGINE=1 but the host cannot be used: \(why)")
        return false
    }

    func doctor(_ options: DoctorOptions) async throws -> DoctorOutcome {
        try await Doctor.run(
            options, roots: DoctorHost.roots, environment: DoctorHost.environment, runner: SubprocessRunner(),
            prover: ProbeExecProver(), writer: KernelBinfmtWriter(path: DoctorHost.roots.binfmtMisc))
    }

    static let required5 = ["linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x"]

    @Test func foreignPlatformsAreEmulatedAndProven() async throws {
        guard try usable() else { return }
        let platforms = try Self.required5.map { try Platform(parsing: $0) }
        let outcome = try await doctor(DoctorOptions(platforms: platforms))
        for p in platforms {
            let v = outcome.report.verdict(for: p)
            #expect(v?.verdict == .emulatedProven, "\(p): \(v?.reason ?? "no verdict")")
        }
        #expect(outcome.report.exitCode == 0)
    }

    @Test func unregisteredHandlerIsMissingAndFixBringsItBack() async throws {
        guard try usable() else { return }
        let ppc = try Platform(parsing: "linux/ppc64le")
        let before = try await doctor(DoctorOptions(platforms: [ppc], engine: false))
        let entries = before.report.facts.binfmt.entries.filter { $0.entry.enabled && $0.platforms.contains(ppc) }
        let entry = try #require(entries.first, "a ppc64le handler is registered (Scripts/lib/binfmt.sh)")
        let line = RegisterLine(
            name: entry.entry.name, pattern: entry.entry.pattern!, interpreter: entry.entry.interpreter,
            flags: entry.entry.flags.replacingOccurrences(of: "O", with: ""))
        let writer = KernelBinfmtWriter(path: DoctorHost.roots.binfmtMisc)
        defer {
            // Restore in all cases: whatever --fix did, the original registration comes back.
            for name in HostFiles.names(DoctorHost.roots.binfmtMisc)
            where name == line.name || name == "xplat-" + line.name {
                try? writer.remove(entry: name)
            }
            try? writer.register(line)
        }
        try writer.remove(entry: entry.entry.name)
        let missing = try await doctor(DoctorOptions(platforms: [ppc], engine: false))
        #expect(missing.report.verdict(for: ppc)?.verdict == .missing)
        #expect(missing.report.exitCode == 1)

        let fixed = try await doctor(DoctorOptions(platforms: [ppc], engine: false, fix: true))
        #expect(fixed.changes.contains { $0.hasPrefix("register qemu-ppc64le") }, "\(fixed.changes)")
        #expect(
            fixed.report.verdict(for: ppc)?.verdict == .emulatedProven,
            "\(fixed.report.verdict(for: ppc)?.reason ?? "")")
        let again = try await doctor(DoctorOptions(platforms: [ppc], engine: false, fix: true))
        #expect(again.changes.isEmpty, "--fix never touches working entries")
    }

    @Test(
        .enabled("needs dockerd (Scripts/engine-up); XPLAT_REQUIRE_ENGINE=1 makes its absence a failure") {
            if DoctorHost.required { return true }
            return await DoctorHost.dockerdAnswers()
        })
    func engineFactsWhenTheEngineIsUp() async throws {
        guard try usable() else { return }
        let outcome = try await doctor(DoctorOptions(platforms: [try Platform(parsing: "linux/arm64")]))
        let engine = try #require(outcome.report.facts.engine)
        guard engine.daemon.reachable else {
            Issue.record("dockerd is not reachable through xplat doctor: \(engine.daemon.error ?? "")")
            return
        }
        #expect(engine.daemon.version != nil)
        let debian = engine.clients.first { $0.path == "/usr/bin/docker" }
        if let debian, debian.buildxVersion == nil {
            #expect(debian.buildKitVia == "built-in", "Debian's 20.10 client builds with its built-in BuildKit")
        }
        #expect(engine.buildClient != nil)
        #expect(outcome.report.nodes.contains { $0.local && $0.platforms.contains { $0.verdict == .emulatedProven } })
    }
}

enum HostFiles {
    static func names(_ dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] }
}
