import Foundation
import XPlatPlatform
import XPlatSupport

/// What `xplat doctor` was asked to do.
public struct DoctorOptions: Sendable {
    /// `--platform`: judge only these (nil: every architecture QEMU emulates).
    public var platforms: [Platform]?
    /// Engine checks (docker clients, daemon, buildx, registry).
    public var engine: Bool
    /// `--fix`: change binfmt_misc so that the platforms work.
    public var fix: Bool
    /// `--dry-run`: with `--fix`, only say what would change.
    public var dryRun: Bool
    /// `--remove-duplicates`: with `--fix`, also remove broken duplicates of working entries.
    public var removeDuplicates: Bool

    public init(
        platforms: [Platform]? = nil, engine: Bool = true, fix: Bool = false, dryRun: Bool = false,
        removeDuplicates: Bool = false
    ) {
        self.platforms = platforms
        self.engine = engine
        self.fix = fix
        self.dryRun = dryRun
        self.removeDuplicates = removeDuplicates
    }
}

/// The result of one `xplat doctor` run.
public struct DoctorOutcome: Sendable {
    /// The report (after the changes, with `--fix`).
    public var report: DoctorReport
    /// Changes made (or, with `--dry-run`, that would be made), in order.
    public var changes: [String]
    /// What `--fix` cannot do here.
    public var unfixable: [String]
}

/// `xplat doctor` as one library call: probe, judge, and optionally fix then probe again.
public enum Doctor {
    /// Runs the doctor.
    ///
    /// - Parameters:
    ///   - roots: where to look (`HostRoots.system(environment:)` on a real machine).
    ///   - prover: `ProbeExecProver()` to prove by exec; `FixedExecProver()` to skip proofs.
    ///   - writer: how `--fix` changes binfmt_misc (`KernelBinfmtWriter(path: roots.binfmtMisc)`).
    ///   - log: progress lines (each change as it is made), for stderr.
    /// - Throws: `HostProbeError` when the probe cannot run or a change is refused (`.notRoot`).
    public static func run(
        _ options: DoctorOptions, roots: HostRoots, environment: [String: String], runner: CommandRunner,
        prover: ExecProver, writer: BinfmtWriter, log: @Sendable (String) -> Void = { _ in }
    ) async throws -> DoctorOutcome {
        let probeOptions = ProbeOptions(platforms: options.platforms, engine: options.engine)
        func judged(engine: Bool = true) async throws -> DoctorReport {
            var o = probeOptions
            o.engine = engine && probeOptions.engine
            let facts = try await HostProbe.probe(
                roots: roots, environment: environment, runner: runner,
                prover: prover, options: o)
            return DoctorJudge.judge(facts, requested: options.platforms)
        }
        var report = try await judged()
        guard options.fix else { return DoctorOutcome(report: report, changes: [], unfixable: []) }

        var changes: [String] = []
        var unfixable: [String] = []
        // Two rounds at most: mounting binfmt_misc can reveal entries, which the second round judges.
        for _ in 0..<2 {
            let plan = BinfmtFixer.plan(report, roots: roots, removeDuplicates: options.removeDuplicates)
            unfixable = plan.unfixable
            guard !plan.actions.isEmpty else { break }
            if options.dryRun {
                changes += plan.actions.map { "would \($0)" }
                if case .mount = plan.actions.first {
                    changes.append("would then probe again and register the missing handlers")
                }
                break
            }
            try BinfmtFixer.apply(plan.actions, writer: writer) { line in
                changes.append(line)
                log(line)
            }
            report = try await judged(engine: false)
        }
        if !options.dryRun, !changes.isEmpty {
            report = try await judged()
        }
        return DoctorOutcome(report: report, changes: changes, unfixable: unfixable)
    }
}
