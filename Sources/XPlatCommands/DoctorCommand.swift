import ArgumentParser
import Foundation
import XPlatHost
import XPlatPlatform
import XPlatSupport

/// `xplat doctor [--platform P,...] [--json] [--fix [--dry-run] [--remove-duplicates]] [--no-exec]`
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Can this host build each platform natively, by QEMU emulation (proven by exec), or not at all?",
        discussion: ErrorMap.discussion(
            """
            Probes binfmt_misc, QEMU, the docker clients, daemon, buildx builders and the local registry, \
            proves every foreign platform by executing a tiny static binary, and prints a verdict per \
            platform with findings and fix commands.
            """,
            exitCodes: [XPlatExit.ok, XPlatExit.checkFailed, XPlatExit.couldNotCheck],
            saying: [
                XPlatExit.checkFailed: "a requested platform cannot be built or an error-level finding",
                XPlatExit.couldNotCheck: "the probe could not run",
            ])
    )

    @Option(name: .long, help: "Judge only these platforms (comma-separated, e.g. linux/arm64,linux/riscv64).")
    var platform: String?

    @Flag(name: .long, help: "Print the xplat.doctor/v1 JSON report (see README).")
    var json = false

    @Flag(name: .long, help: "Register missing QEMU handlers with the F flag, mount binfmt_misc if needed (root).")
    var fix = false

    @Flag(name: .long, help: "With --fix: print the changes without making them.")
    var dryRun = false

    @Flag(name: .long, help: "With --fix: also remove broken duplicates of working entries.")
    var removeDuplicates = false

    @Flag(name: .long, help: "Skip the exec proofs (emulated platforms are then unproven).")
    var noExec = false

    @Flag(name: .long, help: "Skip the engine checks (docker clients, daemon, buildx, registry).")
    var noEngine = false

    @Option(
        name: .long,
        help: ArgumentHelp("Probe a recorded root tree instead of this machine (tests).", visibility: .hidden))
    var hostRoot: String?

    @Option(name: .long, help: ArgumentHelp("uname -m for --host-root.", visibility: .hidden))
    var machine: String?

    func validate() throws {
        if let platform { _ = try parsePlatforms(platform) }
        if dryRun && !fix { throw ValidationError("--dry-run only applies with --fix") }
        if removeDuplicates && !fix { throw ValidationError("--remove-duplicates only applies with --fix") }
    }

    private func parsePlatforms(_ text: String) throws -> [Platform] {
        do { return try Platform.parseList(text) } catch let error as PlatformError {
            throw ValidationError("--platform: \(error.description)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var roots = HostRoots.system(environment: environment)
        if let hostRoot {
            roots = HostRoots.tree(at: hostRoot, environment: [:])
            roots.unameMachine = machine
        }
        let options = DoctorOptions(
            platforms: try platform.map(parsePlatforms), engine: !noEngine, fix: fix, dryRun: dryRun,
            removeDuplicates: removeDuplicates)
        let writer: BinfmtWriter =
            hostRoot == nil
            ? KernelBinfmtWriter(path: roots.binfmtMisc) : DirectoryBinfmtWriter(path: roots.binfmtMisc)
        let outcome: DoctorOutcome
        do {
            outcome = try await Doctor.run(
                options, roots: roots, environment: environment, runner: SubprocessRunner(),
                prover: noExec ? FixedExecProver() : ProbeExecProver(), writer: writer,
                log: { StandardError.write("doctor: \($0)\n") })
        } catch let error as HostProbeError {
            throw ErrorMap.failure(for: error)
        }
        emit(
            try DoctorRenderer.render(
                outcome, format: json ? .json : .text,
                style: Style.detect(fd: 1, environment: environment)))
        let code = outcome.report.exitCode
        if code != XPlatExit.ok {
            throw ErrorMap.checkFailed(
                outcome.report.unbuildable.isEmpty || outcome.report.requested == nil
                    ? "doctor: error-level findings (see above)"
                    : "doctor: cannot build \(outcome.report.unbuildable.map(\.description).joined(separator: ", "))")
        }
    }
}
