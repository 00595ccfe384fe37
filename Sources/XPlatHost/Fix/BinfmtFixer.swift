import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Plans and applies `--fix`: registers missing QEMU handlers with F for installed static
/// interpreters, replaces broken ones, removes broken duplicates only when asked, never touches an
/// entry that works.
public enum BinfmtFixer {
    /// Installed static interpreters for `row`, best first, with the flags to register them with.
    /// Debian's `/usr/libexec/qemu-binfmt/<arch>-binfmt-P` wrappers expect P (argv[0] preserved).
    private static func interpreterCandidates(for row: ArchitectureInfo) -> [(path: String, flags: String)] {
        let arch = row.qemuName.hasPrefix("qemu-") ? String(row.qemuName.dropFirst(5)) : row.qemuName
        return [
            ("/usr/libexec/qemu-binfmt/\(arch)-binfmt-P", "PF"),
            ("/usr/bin/\(row.qemuName)-static", "F"),
            ("/usr/local/bin/\(row.qemuName)-static", "F"),
            ("/usr/bin/\(row.qemuName)", "F"),
        ]
    }

    /// The plan for `report` (pure apart from reading candidate interpreters under `roots`).
    public static func plan(_ report: DoctorReport, roots: HostRoots, removeDuplicates: Bool) -> FixPlan {
        let facts = report.facts
        if !facts.binfmt.mounted {
            // Entries may appear once mounted: the caller probes again and plans the rest.
            return FixPlan(actions: [.mount(roots.unresolve(facts.binfmt.path))], unfixable: [])
        }
        var planner = Planner(facts: facts, roots: roots, removeDuplicates: removeDuplicates)
        if !facts.binfmt.enabled { planner.actions.append(.enableGlobally(roots.unresolve(facts.binfmt.path))) }
        var handled = Set<String>()
        for platform in report.requested ?? HostProbe.defaultPlatforms {
            guard let base = emulatedRow(of: platform, native: facts.kernel.nativePlatform),
                handled.insert(base.qemuName).inserted
            else { continue }
            planner.plan(platform, base: base)
        }
        return FixPlan(actions: planner.actions, unfixable: planner.unfixable)
    }

    /// The table's base row (the one binfmt_misc registers) for `platform`, unless the host runs it
    /// natively.
    private static func emulatedRow(of platform: Platform, native: Platform?) -> ArchitectureInfo? {
        guard let row = platform.info,
            let base = ArchitectureTable.baseEntries.first(where: { ELFIdentity.sameIdentity($0, row) })
        else { return nil }
        if let native, native.canRun(base.platform) || native.architecture == base.platform.architecture { return nil }
        return base
    }

    /// The plan, one emulated architecture at a time.
    struct Planner {
        let facts: HostFacts
        let roots: HostRoots
        let removeDuplicates: Bool
        var actions: [FixAction] = []
        var unfixable: [String] = []
        /// Entries already planned for removal.
        var removed = Set<String>()

        /// An entry works when the kernel opens the static interpreter early (F) for every variant.
        static func works(_ handler: EntryFacts) -> Bool {
            handler.entry.fixBinary && handler.interpreter.isStatic && (handler.coverage ?? .full) == .full
        }

        /// A working handler stays (its broken duplicates go when asked); otherwise the broken ones
        /// go and an installed static interpreter is registered, or the platform is unfixable here.
        mutating func plan(_ platform: Platform, base: ArchitectureInfo) {
            let claims = DoctorJudge.claiming(base.platform, facts)
            let proof = facts.proof(for: platform) ?? facts.proof(for: base.platform)
            let proofFailed = proof.map { !$0.succeeded && $0.outcome != .noProbe } ?? false
            let working = proofFailed ? [] : claims.filter(Self.works)
            if let kept = working.first {
                if removeDuplicates { removeBrokenDuplicates(of: kept, among: claims, base: base) }
                return
            }
            guard
                let chosen = BinfmtFixer.interpreterCandidates(for: base).first(where: { candidate in
                    InterpreterInspector.inspect(registered: candidate.path, at: roots.resolve(candidate.path)).isStatic
                })
            else {
                unfixable.append(
                    "\(base.platform): no static \(base.qemuName) installed: sudo apt-get install qemu-user-static")
                return
            }
            for broken in claims where removed.insert(broken.entry.name).inserted {
                let why =
                    !broken.interpreter.exists
                    ? "interpreter \(broken.entry.interpreter) missing"
                    : !broken.interpreter.isStatic
                        ? "interpreter not static"
                        : !broken.entry.fixBinary ? "no F flag" : proofFailed ? "probe failed" : "partial match"
                actions.append(.remove(name: broken.entry.name, reason: "broken for \(base.platform): \(why)"))
            }
            let line = RegisterLine(
                name: freeName(base, claims: claims), pattern: base.binfmt, interpreter: chosen.path,
                flags: chosen.flags)
            let reason = claims.isEmpty ? "\(base.platform) has no handler" : "\(base.platform) handler replaced"
            actions.append(.register(line, reason: reason))
        }

        /// `--remove-duplicates`: the entries that claim the platform beside `kept` and do not work.
        mutating func removeBrokenDuplicates(of kept: EntryFacts, among claims: [EntryFacts], base: ArchitectureInfo) {
            for broken in claims where !Self.works(broken) && removed.insert(broken.entry.name).inserted {
                actions.append(
                    .remove(
                        name: broken.entry.name, reason: "broken duplicate of \(kept.entry.name) for \(base.platform)"))
            }
        }

        /// The name to register under: the QEMU name, unless an entry that does not claim the
        /// platform holds it. A disabled entry with that name for the same architecture blocks the
        /// registration and is replaced; any other holder leaves it, and the name gets an `xplat-` prefix.
        mutating func freeName(_ base: ArchitectureInfo, claims: [EntryFacts]) -> String {
            let name = base.qemuName
            guard facts.binfmt.entries.contains(where: { $0.entry.name == name }),
                !claims.contains(where: { $0.entry.name == name })
            else { return name }
            if let existing = facts.binfmt.entries.first(where: { $0.entry.name == name }),
                !existing.entry.enabled,
                existing.platforms.contains(where: { $0.info.map { ELFIdentity.sameIdentity($0, base) } ?? false }),
                removed.insert(name).inserted
            {
                actions.append(.remove(name: name, reason: "disabled; replaced by a working registration"))
                return name
            }
            return removed.contains(name) ? name : "xplat-" + name
        }
    }

    /// Applies `actions` in order through `writer`, reporting each change through `log`.
    ///
    /// - Throws: `HostProbeError.notRoot` when the writer needs root and this is not root;
    ///   `HostProbeError.fixFailed` naming the change the kernel refused.
    public static func apply(_ actions: [FixAction], writer: BinfmtWriter, log: (String) -> Void) throws {
        if writer.requiresRoot, !actions.isEmpty, geteuid() != 0 { throw HostProbeError.notRoot("xplat doctor --fix") }
        for action in actions {
            switch action {
            case .mount: try writer.mount()
            case .enableGlobally: try writer.enableGlobally()
            case .remove(let name, _): try writer.remove(entry: name)
            case .register(let line, _): try writer.register(line)
            }
            log(action.description)
        }
    }
}
