import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One change `xplat doctor --fix` makes.
public enum FixAction: Sendable, Hashable, CustomStringConvertible {
    case mount(String)
    case enableGlobally(String)
    /// Writes -1 to the entry: it is broken, or a broken duplicate (`--remove-duplicates`).
    case remove(name: String, reason: String)
    case register(RegisterLine, reason: String)

    public var description: String {
        switch self {
        case .mount(let path): return "mount binfmt_misc on \(path)"
        case .enableGlobally(let path): return "enable binfmt_misc (echo 1 > \(path)/status)"
        case .remove(let name, let reason): return "remove entry \(name) (\(reason))"
        case .register(let line, let reason): return "register \(line.name) (\(reason)): \(line)"
        }
    }
}

/// What `--fix` will do and what it cannot.
public struct FixPlan: Sendable, Hashable {
    public var actions: [FixAction]
    /// Problems no action here can solve (no interpreter installed), with the command that does.
    public var unfixable: [String]
}

/// Applies binfmt_misc changes. The kernel writer and a directory writer (for fixture trees) share it.
public protocol BinfmtWriter: Sendable {
    /// Changing the real kernel needs root; a fixture directory does not.
    var requiresRoot: Bool { get }
    func mount() throws
    func enableGlobally() throws
    func register(_ line: RegisterLine) throws
    func remove(entry name: String) throws
}

/// Writes to the kernel's binfmt_misc (register lines, `-1` to entries, `mount(2)`).
public struct KernelBinfmtWriter: BinfmtWriter {
    public var path: String
    public init(path: String = "/proc/sys/fs/binfmt_misc") { self.path = path }
    public var requiresRoot: Bool { true }

    public func mount() throws {
        guard Glibc.mount("binfmt_misc", path, "binfmt_misc", 0, nil) == 0 else {
            throw HostProbeError.fixFailed("mount binfmt_misc on \(path)", errorText(errno))
        }
    }

    public func enableGlobally() throws { try write("1", to: path + "/status") }

    public func register(_ line: RegisterLine) throws {
        do {
            try write(line.description, to: path + "/register")
        } catch HostProbeError.fixFailed(_, let why) {
            throw HostProbeError.fixFailed("register \(line.name)", "\(why) (the kernel rejected \(line))")
        }
    }

    public func remove(entry name: String) throws { try write("-1", to: path + "/" + name) }

    private func write(_ text: String, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HostProbeError.fixFailed(file, errorText(errno)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        // binfmt_misc takes each write as one whole command.
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw HostProbeError.fixFailed(file, errorText(errno)) }
    }
}

/// A plain directory standing in for binfmt_misc: registering creates the entry file the kernel would
/// show, removing deletes it. Lets `--fix` run end to end on a copy of a fixture tree.
public struct DirectoryBinfmtWriter: BinfmtWriter {
    public var path: String
    public init(path: String) { self.path = path }
    public var requiresRoot: Bool { false }

    public func mount() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + "/register", contents: Data())
        _ = FileManager.default.createFile(atPath: path + "/status", contents: Data("enabled\n".utf8))
    }

    public func enableGlobally() throws {
        guard FileManager.default.createFile(atPath: path + "/status", contents: Data("enabled\n".utf8)) else {
            throw HostProbeError.fixFailed(path + "/status", "cannot write")
        }
    }

    public func register(_ line: RegisterLine) throws {
        let file = path + "/" + line.name
        guard !FileManager.default.fileExists(atPath: file) else {
            throw HostProbeError.fixFailed("register \(line.name)", errorText(EEXIST))
        }
        guard FileManager.default.createFile(atPath: file, contents: Data(line.entry.kernelText.utf8)) else {
            throw HostProbeError.fixFailed(file, "cannot write")
        }
    }

    public func remove(entry name: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path + "/" + name)
        } catch {
            throw HostProbeError.fixFailed("remove \(name)", errorText(ENOENT))
        }
    }
}

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
        static func works(_ e: EntryFacts) -> Bool {
            e.entry.fixBinary && e.interpreter.isStatic && (e.coverage ?? .full) == .full
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
