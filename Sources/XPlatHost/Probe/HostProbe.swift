import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Why the probe itself could not run, or why an input was unreadable. Each case quotes the place.
public enum HostProbeError: Error, Sendable, Hashable, CustomStringConvertible {
    case malformedEntry(file: String, line: Int, value: String, reason: String)
    case unreadable(String, String)
    case cannotProve(String)
    case network(String)
    case notRoot(String)
    case fixFailed(String, String)

    public var description: String {
        switch self {
        case .malformedEntry(let file, let line, let value, let reason):
            return "\(file):\(line): \(reason): \"\(value)\""
        case .unreadable(let path, let why): return "\(path): cannot read: \(why)"
        case .cannotProve(let why): return "cannot run exec proofs: \(why)"
        case .network(let why): return why
        case .notRoot(let what): return "\(what) needs root (run it with sudo, or use --dry-run to see the changes)"
        case .fixFailed(let what, let why): return "\(what): \(why)"
        }
    }
}

/// The host: kernel, architecture, native platform.
public struct KernelFacts: Sendable, Hashable, Codable {
    /// `6.1.0-18-amd64`.
    public var release: String
    /// `uname -m`.
    public var machine: String
    /// The native platform, with the amd64 level (from CPU flags) or ARM variant.
    public var nativePlatform: Platform?
    /// Kernel >= 4.8: the F (fix binary) flag exists.
    public var supportsFixBinary: Bool
}

/// binfmt_misc as found.
public struct BinfmtFacts: Sendable, Hashable, Codable {
    /// The directory probed.
    public var path: String
    /// `register` exists there (binfmt_misc is mounted on it).
    public var mounted: Bool
    /// The mount point named in `/proc/self/mounts`, when binfmt_misc is mounted anywhere.
    public var mountPoint: String?
    /// `status` says `enabled`.
    public var enabled: Bool
    public var entries: [EntryFacts]
    /// Entries whose text could not be parsed (file, reason).
    public var unreadable: [String]
}

/// One entry with what the probe derived from it.
public struct EntryFacts: Sendable, Hashable, Codable {
    public var entry: BinfmtEntry
    /// Table platforms the magic/mask matches (decided from synthetic ELF headers).
    public var platforms: [Platform]
    /// ET_EXEC and ET_DYN both matched for every platform (`full`), or only one of them.
    public var coverage: ELFIdentity.Coverage?
    public var interpreter: InterpreterFacts
    /// Where the registration is kept for the next boot (`/usr/lib/binfmt.d/qemu-aarch64.conf`).
    public var persistence: [String]
}

/// How registrations come back after a reboot.
public struct PersistenceFacts: Sendable, Hashable, Codable {
    /// systemd is the running init (it replays binfmt.d at boot).
    public var systemd: Bool
    /// binfmt-support's init script exists (replays /var/lib/binfmts at boot under sysvinit).
    public var binfmtSupportInitScript: Bool
    /// Config files found, by directory.
    public var sources: [String]
    /// binfmt.d lines that do not parse, each quoting file, line and value: such a line registers
    /// nothing at boot.
    public var malformed: [String] = []
}

/// Every raw fact `xplat doctor` judges.
public struct HostFacts: Sendable, Hashable, Codable {
    public var kernel: KernelFacts
    public var binfmt: BinfmtFacts
    public var persistence: PersistenceFacts
    /// Exec proofs, one per proven platform, sorted by platform (absent: not attempted).
    public var proofs: [ExecProof]
    /// Whether exec proofs were attempted at all.
    public var proofsAttempted: Bool
    public var engine: EngineFacts?

    /// The proof for `platform`, if one was attempted.
    public func proof(for platform: Platform) -> ExecProof? { proofs.first { $0.platform == platform } }
}

/// Options for one probe.
public struct ProbeOptions: Sendable {
    /// Platforms to prove by exec; nil: every table platform this host might run.
    public var platforms: [Platform]?
    /// Probe the engine (docker clients, daemon, buildx, registry).
    public var engine: Bool
    public init(platforms: [Platform]? = nil, engine: Bool = true) {
        self.platforms = platforms
        self.engine = engine
    }
}

/// The host probe: reads the machine through `HostRoots`, the environment, a `CommandRunner` and an
/// `ExecProver`, and returns raw facts. It changes nothing.
public enum HostProbe {
    /// Platforms judged when none are requested: one per architecture QEMU emulates.
    public static var defaultPlatforms: [Platform] { ArchitectureTable.baseEntries.map(\.platform) }

    /// Probes the host.
    ///
    /// - Throws: `HostProbeError` when the probe cannot run (procfs unreadable, no private directory).
    public static func probe(
        roots: HostRoots, environment: [String: String], runner: CommandRunner, prover: ExecProver,
        options: ProbeOptions = ProbeOptions()
    ) async throws -> HostFacts {
        let kernel = try probeKernel(roots: roots)
        async let engine: EngineFacts? =
            options.engine
            ? EngineProbe.probe(roots: roots, environment: environment, runner: runner) : nil
        var binfmt = readBinfmt(roots: roots)
        let persistence = readPersistence(roots: roots, binfmt: &binfmt)

        // Versions of every distinct static interpreter, asked concurrently.
        let interpreters = Set(
            binfmt.entries.filter { $0.interpreter.isELF && !$0.platforms.isEmpty }.map(\.entry.interpreter))
        let versions = await withTaskGroup(of: (String, String?).self) { group in
            for path in interpreters {
                group.addTask {
                    // Debian's <arch>-binfmt-P wrappers take argv[1] as the program: ask the real binary.
                    let file = roots.resolve(path)
                    let real =
                        realpath(file, nil).map { p in
                            defer { free(p) }; return String(cString: p)
                        } ?? file
                    let out = try? await runner.run(Command(real, ["--version"]))
                    return (path, out.flatMap { $0.succeeded ? $0.stdout : nil })
                }
            }
            var map: [String: String] = [:]
            for await (path, text) in group { if let text { map[path] = text } }
            return map
        }
        for i in binfmt.entries.indices {
            if let text = versions[binfmt.entries[i].entry.interpreter] {
                binfmt.entries[i].interpreter.versionLine = text.split(separator: "\n").first.map(String.init)
                binfmt.entries[i].interpreter.qemuVersion = InterpreterInspector.qemuVersion(fromVersionOutput: text)
            }
        }

        let targets = (options.platforms ?? defaultPlatforms).filter { platform in
            guard platform.os == "linux", platform.info != nil else { return false }
            return kernel.nativePlatform.map { $0 != platform } ?? true
        }
        let proofs = try await prover.prove(targets)
        return HostFacts(
            kernel: kernel, binfmt: binfmt, persistence: persistence,
            proofs: proofs.values.sorted { $0.platform < $1.platform },
            proofsAttempted: !(prover is FixedExecProver) || !proofs.isEmpty, engine: await engine)
    }

    /// What `uname -m` prints on this machine (`x86_64`, `aarch64`).
    public static func unameMachine() -> String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func probeKernel(roots: HostRoots) throws -> KernelFacts {
        var release = roots.kernelRelease
        if release == nil {
            let path = roots.proc + "/sys/kernel/osrelease"
            guard let text = HostFiles.text(path) else {
                throw HostProbeError.unreadable(path, "is procfs mounted at \(roots.proc)?")
            }
            release = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let m = roots.unameMachine ?? unameMachine()
        var native = ArchitectureTable.platform(unameMachine: m)
        // An architecture with x86-64 levels: the CPU's level picks the row (amd64/v3 on an AVX2 CPU).
        if let row = native?.info, row.x86Level != nil {
            let level = x86Level(cpuinfo: HostFiles.text(roots.proc + "/cpuinfo") ?? "")
            native = ArchitectureTable.entry(sameArchitectureAs: row, x86Level: level)?.platform ?? native
        }
        return KernelFacts(
            release: release!, machine: m, nativePlatform: native,
            supportsFixBinary: kernelAtLeast(release!, 4, 8))
    }

    /// x86-64 micro-architecture level from `/proc/cpuinfo` flags (the psABI's level definitions).
    static func x86Level(cpuinfo: String) -> Int {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return 1 }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        let v2: Set = ["cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"]
        let v3: Set = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"]
        let v4: Set = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        guard v2.isSubset(of: flags) else { return 1 }
        guard v3.isSubset(of: flags) else { return 2 }
        guard v4.isSubset(of: flags) else { return 3 }
        return 4
    }

    private static func kernelAtLeast(_ release: String, _ major: Int, _ minor: Int) -> Bool {
        let parts = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard parts.count == 2 else { return true }
        return parts[0] > major || (parts[0] == major && parts[1] >= minor)
    }

    private static func readBinfmt(roots: HostRoots) -> BinfmtFacts {
        let dir = roots.binfmtMisc
        let mounts = HostFiles.text(roots.proc + "/self/mounts") ?? ""
        let mountPoint = mounts.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            return f.count >= 3 && f[2] == "binfmt_misc" ? String(f[1]) : nil
        }.first
        let mounted = HostFiles.exists(dir + "/register")
        let enabled =
            mounted && (HostFiles.text(dir + "/status")?.trimmingCharacters(in: .whitespacesAndNewlines) == "enabled")
        var entries: [EntryFacts] = []
        var unreadable: [String] = []
        if mounted {
            for name in HostFiles.list(dir) where name != "register" && name != "status" && !name.hasPrefix(".") {
                let file = dir + "/" + name
                guard let text = HostFiles.text(file) else {
                    unreadable.append("\(file): cannot read")
                    continue
                }
                do {
                    let entry = try BinfmtEntry.parse(name: name, text: text, file: file)
                    entries.append(facts(for: entry, roots: roots))
                } catch {
                    unreadable.append(String(describing: error))
                }
            }
        }
        return BinfmtFacts(
            path: roots.unresolve(dir), mounted: mounted, mountPoint: mountPoint, enabled: enabled,
            entries: entries, unreadable: unreadable)
    }

    static func facts(for entry: BinfmtEntry, roots: HostRoots) -> EntryFacts {
        var platforms: [Platform] = []
        var coverage: ELFIdentity.Coverage?
        if let pattern = entry.pattern {
            for (row, c) in ELFIdentity.rows(matching: pattern) {
                platforms.append(row.platform)
                if coverage == nil || c != .full { coverage = c }
            }
        }
        let interpreter = InterpreterInspector.inspect(
            registered: entry.interpreter, at: roots.resolve(entry.interpreter))
        return EntryFacts(
            entry: entry, platforms: platforms, coverage: coverage, interpreter: interpreter, persistence: [])
    }

    private static func readPersistence(roots: HostRoots, binfmt: inout BinfmtFacts) -> PersistenceFacts {
        var sources: [String] = []
        // name -> files that register it at boot
        var byName: [String: [String]] = [:]
        var byPattern: [BinfmtPattern: [String]] = [:]
        var malformed: [String] = []
        for dir in roots.binfmtConfigDirectories {
            for file in HostFiles.list(dir) where file.hasSuffix(".conf") {
                let path = dir + "/" + file
                sources.append(roots.unresolve(path))
                for (index, line) in (HostFiles.text(path) ?? "").split(
                    separator: "\n", omittingEmptySubsequences: false
                ).enumerated() {
                    let t = line.trimmingCharacters(in: .whitespaces)
                    guard !t.isEmpty, !t.hasPrefix("#"), !t.hasPrefix(";") else { continue }
                    let r: RegisterLine
                    do {
                        r = try RegisterLine.parse(t, file: roots.unresolve(path), line: index + 1)
                    } catch {
                        malformed.append(String(describing: error))
                        continue
                    }
                    byName[r.name, default: []].append(roots.unresolve(path))
                    if let p = r.pattern { byPattern[p, default: []].append(roots.unresolve(path)) }
                }
            }
        }
        for dir in roots.binfmtSupportDirectories {
            for name in HostFiles.list(dir) where !name.hasPrefix(".") {
                let path = dir + "/" + name
                sources.append(roots.unresolve(path))
                byName[name, default: []].append(roots.unresolve(path))
            }
        }
        for i in binfmt.entries.indices {
            let e = binfmt.entries[i].entry
            var found = byName[e.name] ?? []
            if let p = e.pattern { found += byPattern[p] ?? [] }
            var seen = Set<String>()
            binfmt.entries[i].persistence = found.filter { seen.insert($0).inserted }
        }
        return PersistenceFacts(
            systemd: HostFiles.isDirectory(roots.systemdMarker),
            binfmtSupportInitScript: HostFiles.exists(roots.binfmtSupportInitScript),
            sources: sources, malformed: malformed)
    }
}
