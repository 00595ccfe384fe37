import Foundation
import XPlatPlatform

/// The pure judge: facts in, verdicts and findings out.
public enum DoctorJudge {
    /// Judges `facts` for `requested` platforms (nil: `HostProbe.defaultPlatforms`).
    public static func judge(_ facts: HostFacts, requested: [Platform]? = nil) -> DoctorReport {
        let platforms = requested ?? HostProbe.defaultPlatforms
        let host = platforms.map { verdict(for: $0, facts: facts) }
        let nodes = nodeVerdicts(facts: facts, host: host, platforms: platforms)
        var findings = self.findings(facts: facts)
        if requested != nil {
            findings = findings.filter { $0.platforms.isEmpty || $0.platforms.contains(where: platforms.contains) }
        }
        findings.sort { ($0.severity, $0.subject, $0.id.rawValue) < ($1.severity, $1.subject, $1.id.rawValue) }
        return DoctorReport(
            schema: DoctorReport.schemaID, requested: requested, host: host, nodes: nodes,
            findings: findings, facts: facts)
    }

    /// Enabled entries that claim `platform`, in name order.
    static func claiming(_ platform: Platform, _ facts: HostFacts) -> [EntryFacts] {
        guard let row = platform.info else { return [] }
        return facts.binfmt.entries.filter { e in
            e.entry.enabled && e.platforms.contains { p in p.info.map { ELFIdentity.sameIdentity($0, row) } ?? false }
        }
    }

    private static func proofText(_ proof: ExecProof) -> String {
        switch proof.outcome {
        case .ran:
            return "probe exited \(proof.exitCode ?? 0)"
                + (proof.milliseconds.map { " in \(String(format: "%.0f", $0)) ms" } ?? "")
        case .execFailed: return "exec failed: \(proof.error ?? "unknown error")"
        case .wrongExit: return "probe ran but failed: \(proof.error ?? "exit \(proof.exitCode ?? -1)")"
        case .timedOut: return "probe timed out: \(proof.error ?? "")"
        case .noProbe: return proof.error ?? "no probe binary"
        }
    }

    /// The platform's verdict: the CPU's own (or a compatible) architecture, else emulation through a
    /// binfmt_misc entry, proven by exec where a proof ran.
    static func verdict(for platform: Platform, facts: HostFacts) -> PlatformVerdict {
        guard platform.os == "linux", let row = platform.info else {
            return PlatformVerdict(
                platform: platform, verdict: .missing, via: nil,
                reason: "not a Linux platform xplat knows; containers here run Linux")
        }
        let proof = facts.proof(for: platform)
        if let native = facts.kernel.nativePlatform,
            let verdict = cpuVerdict(platform, row: row, native: native, proof: proof)
        {
            return verdict
        }
        return emulationVerdict(platform, row: row, facts: facts, proof: proof)
    }

    /// The CPU runs `platform` itself (same platform, a lower x86-64 level of the table's row, or a
    /// compatible platform that the exec proof did not contradict), or cannot by x86-64 level; nil
    /// when emulation decides.
    private static func cpuVerdict(_ platform: Platform, row: ArchitectureInfo, native: Platform, proof: ExecProof?)
        -> PlatformVerdict?
    {
        // x86-64 levels of one architecture: the CPU's level decides, without QEMU or a probe.
        let nativeLevel = native.info?.x86Level, wantedLevel = row.x86Level
        let sameX86 = nativeLevel != nil && wantedLevel != nil && native.architecture == platform.architecture
        if native == platform || (sameX86 && native.canRun(platform)) {
            let level = nativeLevel.map { " (x86-64-v\($0) CPU)" } ?? ""
            return PlatformVerdict(
                platform: platform, verdict: .native, via: "cpu", reason: "host architecture\(level)")
        }
        if native.canRun(platform), proof.map({ $0.succeeded || $0.outcome == .noProbe }) ?? true {
            let how = proof.map(proofText) ?? "not proven (exec proofs skipped)"
            return PlatformVerdict(
                platform: platform, verdict: .native, via: "cpu (compatible)",
                reason: "\(native) runs \(platform) binaries: \(how)")
        }
        if sameX86, let nativeLevel, let wantedLevel {
            return PlatformVerdict(
                platform: platform, verdict: .missing, via: nil,
                reason: "this CPU is x86-64-v\(nativeLevel); \(platform) needs x86-64-v\(wantedLevel)")
        }
        return nil
    }

    /// Emulation: binfmt_misc mounted and enabled, an entry claiming the row's ELF identity, and the
    /// exec proof's outcome (the F flag decides whether it also works inside containers).
    private static func emulationVerdict(
        _ platform: Platform, row: ArchitectureInfo, facts: HostFacts, proof: ExecProof?
    ) -> PlatformVerdict {
        guard facts.binfmt.mounted else {
            return PlatformVerdict(
                platform: platform, verdict: .missing, via: nil,
                reason: "binfmt_misc is not mounted at \(facts.binfmt.path)")
        }
        guard facts.binfmt.enabled else {
            return PlatformVerdict(platform: platform, verdict: .missing, via: nil, reason: "binfmt_misc is disabled")
        }
        let entries = claiming(platform, facts)
        guard let first = entries.first else {
            let disabled = facts.binfmt.entries.filter { e in
                !e.entry.enabled && e.platforms.contains { $0.info.map { ELFIdentity.sameIdentity($0, row) } ?? false }
            }
            let why =
                disabled.isEmpty
                ? "no binfmt_misc entry matches \(row.elfClass.rawValue) \(ELFMachine.name(row.elfMachine)) executables"
                : "entry \(disabled.map(\.entry.name).joined(separator: ", ")) is disabled"
            return PlatformVerdict(platform: platform, verdict: .missing, via: nil, reason: why)
        }
        let via = entries.map(\.entry.name).joined(separator: ", ")
        let version = first.interpreter.qemuVersion.map { "QEMU \($0), " } ?? ""
        if let proof, proof.outcome != .noProbe {
            guard proof.succeeded else {
                return PlatformVerdict(platform: platform, verdict: .missing, via: via, reason: proofText(proof))
            }
            if !entries.contains(where: \.entry.fixBinary) {
                return PlatformVerdict(
                    platform: platform, verdict: .emulatedUnproven, via: via,
                    reason: "runs on the host (\(proofText(proof))), but without the F flag it fails inside containers")
            }
            return PlatformVerdict(
                platform: platform, verdict: .emulatedProven, via: via,
                reason: "\(version)\(proofText(proof))")
        }
        let why = proof.map(proofText) ?? "exec proofs skipped"
        return PlatformVerdict(platform: platform, verdict: .emulatedUnproven, via: via, reason: "\(version)\(why)")
    }

    private static func nodeVerdicts(facts: HostFacts, host: [PlatformVerdict], platforms: [Platform]) -> [NodeVerdicts]
    {
        guard let engine = facts.engine else { return [] }
        var nodes: [NodeVerdicts] = []
        let socket = engine.daemon.socket.map { "unix://\($0)" }
        for builder in engine.builders {
            for node in builder.nodes {
                let local =
                    builder.driver == "docker" || node.endpoint == socket
                    || (node.endpoint.hasPrefix("unix://") && builder.driver == "docker-container")
                let verdicts = platforms.map { platform -> PlatformVerdict in
                    let listed =
                        node.platforms.contains(platform)
                        || node.platforms.contains { $0.canRun(platform) && $0.architecture == platform.architecture }
                    if local, let h = host.first(where: { $0.platform == platform }) {
                        if listed || h.verdict.buildable { return h }
                    }
                    guard listed else {
                        return PlatformVerdict(
                            platform: platform, verdict: .missing, via: nil,
                            reason: "not among the node's platforms\(node.truncated ? " (listing truncated)" : "")")
                    }
                    if let first = node.platforms.first, first.canRun(platform) {
                        return PlatformVerdict(
                            platform: platform, verdict: .native, via: "buildkit",
                            reason: "the node's own architecture (\(first))")
                    }
                    // BuildKit lists an emulated platform only after its own exec check passed.
                    return PlatformVerdict(
                        platform: platform, verdict: .emulatedProven, via: "buildkit",
                        reason: "listed by BuildKit, which proves emulators by exec")
                }
                nodes.append(
                    NodeVerdicts(
                        builder: builder.name, node: node.name, driver: builder.driver,
                        endpoint: node.endpoint, local: local, platforms: verdicts))
            }
        }
        if engine.builders.isEmpty, engine.daemon.reachable, engine.buildClient != nil {
            nodes.append(
                NodeVerdicts(
                    builder: "default", node: "default", driver: "docker",
                    endpoint: socket ?? "default", local: true,
                    platforms: host))
        }
        return nodes
    }

    static let mountFix = "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"

    /// Every finding about `facts`, in the order the steps below run (sorted by the caller).
    static func findings(facts: HostFacts) -> [DoctorFinding] {
        var out = kernelAndMountFindings(facts)
        guard facts.binfmt.mounted else { return out }
        for e in facts.binfmt.entries where !e.platforms.isEmpty { out += entryFindings(e, facts: facts) }
        out += duplicateFindings(facts)
        out += proofFindings(facts)
        out += persistenceFindings(facts)
        if let engine = facts.engine { out += engineFindings(engine) }
        return out
    }

    /// The kernel's F-flag support, binfmt_misc mounted and enabled, entries that could not be read.
    private static func kernelAndMountFindings(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        let b = facts.binfmt
        let k = facts.kernel
        if !k.supportsFixBinary {
            out.append(
                DoctorFinding(
                    id: .kernelNoFixBinary, severity: .error, subject: "kernel \(k.release)",
                    message:
                        "kernel \(k.release) is older than 4.8: binfmt_misc has no F flag, so emulation cannot work "
                        + "inside containers",
                    fix: "upgrade the kernel to 4.8 or newer", platforms: []))
        }
        if !b.mounted {
            let elsewhere = b.mountPoint.map { " (it is mounted at \($0) instead)" } ?? ""
            out.append(
                DoctorFinding(
                    id: .binfmtNotMounted, severity: .error, subject: b.path,
                    message: "binfmt_misc is not mounted at \(b.path)\(elsewhere): no foreign binary can run",
                    fix: "sudo xplat doctor --fix   # or: sudo \(mountFix)", platforms: []))
            return out
        }
        if !b.enabled {
            out.append(
                DoctorFinding(
                    id: .binfmtDisabled, severity: .error, subject: b.path + "/status",
                    message: "binfmt_misc is globally disabled: no entry is used",
                    fix: "sudo xplat doctor --fix   # or: echo 1 | sudo tee \(b.path)/status", platforms: []))
        }
        for text in b.unreadable {
            out.append(
                DoctorFinding(
                    id: .entryUnreadable, severity: .warning, subject: text, message: text, fix: nil, platforms: []))
        }
        return out
    }

    /// One entry: matching native executables, the F flag, its interpreter, the C flag, its mask.
    private static func entryFindings(_ handler: EntryFacts, facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        let name = handler.entry.name
        let foreign = handler.platforms
        if let finding = nativeMatchFinding(handler, facts: facts) { out.append(finding) }
        guard handler.entry.enabled else { return out }
        if !handler.entry.fixBinary {
            out.append(
                DoctorFinding(
                    id: .entryNoFixBinary, severity: .warning, subject: name,
                    message: "\(name) lacks the F flag: the kernel looks for \(handler.entry.interpreter) inside each "
                        + "container or chroot, which fails with \"exec format error\" or \"no such file or "
                        + "directory\"",
                    fix: "sudo xplat doctor --fix", platforms: foreign))
        }
        if let finding = interpreterFinding(handler) { out.append(finding) }
        if handler.entry.credentials {
            out.append(
                DoctorFinding(
                    id: .entryCredentials, severity: .note, subject: name,
                    message:
                        "\(name) has the C flag: setuid binaries run under emulation with the binary's credentials "
                        + "(QEMU runs privileged; a security trade-off)",
                    fix: nil, platforms: foreign))
        }
        if let finding = partialMatchFinding(handler) { out.append(finding) }
        return out
    }

    /// An enabled entry that matches the host's own executables, so every native program would run emulated.
    private static func nativeMatchFinding(_ handler: EntryFacts, facts: HostFacts) -> DoctorFinding? {
        let name = handler.entry.name
        let foreign = handler.platforms
        guard let native = facts.kernel.nativePlatform, handler.entry.enabled,
            foreign.contains(where: { native.canRun($0) && $0.architecture == native.architecture })
        else { return nil }
        return DoctorFinding(
            id: .entryMatchesNative, severity: .error, subject: name,
            message:
                "\(name) matches this host's own \(native.architecture) executables: every native program "
                + "would run under \(handler.entry.interpreter)",
            fix: "echo -1 | sudo tee \(facts.binfmt.path)/\(name)", platforms: foreign)
    }

    /// An entry's interpreter that is missing, or that is not static and so cannot run inside containers.
    private static func interpreterFinding(_ handler: EntryFacts) -> DoctorFinding? {
        let name = handler.entry.name
        let fix = "sudo apt-get install qemu-user-static && sudo xplat doctor --fix"
        if !handler.interpreter.exists {
            return DoctorFinding(
                id: .interpreterMissing, severity: .error, subject: name,
                message: "\(name): interpreter \(handler.entry.interpreter) does not exist",
                fix: fix, platforms: handler.platforms)
        }
        guard !handler.interpreter.isStatic else { return nil }
        let why =
            handler.interpreter.programInterpreter.map { "it is dynamically linked (needs \($0))" }
            ?? (handler.interpreter.error ?? "it is not a static ELF executable")
        return DoctorFinding(
            id: .interpreterNotStatic, severity: .error, subject: name,
            message: "\(name): interpreter \(handler.entry.interpreter) cannot run inside containers: \(why)",
            fix: fix, platforms: handler.platforms)
    }

    /// An entry whose mask matches only PIE or only non-PIE executables.
    private static func partialMatchFinding(_ handler: EntryFacts) -> DoctorFinding? {
        guard let coverage = handler.coverage, coverage != .full else { return nil }
        let name = handler.entry.name
        let foreign = handler.platforms
        let what = coverage == .executablesOnly ? "PIE (ET_DYN) executables" : "non-PIE (ET_EXEC) executables"
        return DoctorFinding(
            id: .entryPartialMatch, severity: .warning, subject: name,
            message:
                "\(name)'s mask matches only one ELF type: \(what) of "
                + "\(foreign.map(\.description).joined(separator: ", ")) will not run",
            fix: "sudo xplat doctor --fix", platforms: foreign)
    }

    /// More than one enabled entry claiming the same architecture.
    private static func duplicateFindings(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        var reported = Set<String>()
        for row in ArchitectureTable.baseEntries {
            let claims = claiming(row.platform, facts)
            guard claims.count > 1 else { continue }
            let names = claims.map(\.entry.name).sorted()
            guard reported.insert(names.joined(separator: ",")).inserted else { continue }
            let broken = claims.filter { !$0.entry.fixBinary || !$0.interpreter.isStatic }
            let fix =
                broken.isEmpty || broken.count == claims.count ? nil : "sudo xplat doctor --fix --remove-duplicates"
            out.append(
                DoctorFinding(
                    id: .duplicateEntries, severity: .warning, subject: names.joined(separator: " + "),
                    message: "\(names.joined(separator: " and ")) all claim \(row.platform): only one is used, which "
                        + "one depends on registration order"
                        + (broken.isEmpty ? "" : "; broken: " + broken.map(\.entry.name).joined(separator: ", ")),
                    fix: fix, platforms: [row.platform]))
        }
        return out
    }

    /// Exec proofs that failed although an entry (or the CPU's compatibility) claims the platform.
    private static func proofFindings(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        let native = facts.kernel.nativePlatform
        for proof in facts.proofs where !proof.succeeded && proof.outcome != .noProbe {
            let platform = proof.platform
            let entries = claiming(platform, facts)
            if let native, native.canRun(platform), entries.isEmpty {
                out.append(
                    DoctorFinding(
                        id: .compatExecFailed, severity: .note, subject: platform.description,
                        message:
                            "\(native) should run \(platform) binaries but the probe failed: \(proofText(proof)) "
                            + "(kernel built without compat support?)",
                        fix: nil, platforms: [platform]))
                continue
            }
            guard !entries.isEmpty else { continue }
            out.append(
                DoctorFinding(
                    id: .execFailed, severity: .error, subject: platform.description,
                    message:
                        "\(entries.map(\.entry.name).joined(separator: ", ")) claims \(platform) but the probe binary "
                        + "failed: \(proofText(proof))",
                    fix: "sudo xplat doctor --fix", platforms: [platform]))
        }
        return out
    }

    /// Enabled QEMU-like entries with nothing to bring them back at boot; boot config that does not parse.
    private static func persistenceFindings(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        let b = facts.binfmt
        let emulating = b.entries.filter { $0.entry.enabled && !$0.platforms.isEmpty }
        let unpersisted = emulating.filter { $0.persistence.isEmpty }
        if !unpersisted.isEmpty {
            out.append(
                DoctorFinding(
                    id: .notPersistent, severity: .warning,
                    subject: unpersisted.map(\.entry.name).joined(separator: ", "),
                    message:
                        "\(unpersisted.count) entr\(unpersisted.count == 1 ? "y is" : "ies are") registered only "
                        + "in the running kernel: gone after a reboot",
                    fix: "sudo apt-get install qemu-user-static binfmt-support",
                    platforms: unpersisted.flatMap(\.platforms)))
        }
        if !emulating.isEmpty, emulating.count > unpersisted.count, !facts.persistence.systemd {
            out.append(
                DoctorFinding(
                    id: .noBootService, severity: .note, subject: "boot",
                    message:
                        "registrations are configured "
                        + "(\(facts.persistence.binfmtSupportInitScript ? "binfmt-support" : "binfmt.d")) but systemd "
                        + "is not running here: nothing replays them or mounts binfmt_misc at boot",
                    fix:
                        "run `sudo xplat doctor --fix` at startup (an init script, rc.local or the CI job's "
                        + "first step)",
                    platforms: []))
        }
        for text in facts.persistence.malformed {
            out.append(
                DoctorFinding(
                    id: .bootConfigMalformed, severity: .warning, subject: "binfmt.d", message: text,
                    fix: "correct or remove the line; `sudo xplat doctor --fix` registers the running kernel's entries",
                    platforms: []))
        }
        return out
    }

    private static func engineFindings(_ engine: EngineFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        if engine.clients.isEmpty {
            out.append(
                DoctorFinding(
                    id: .noDockerClient, severity: .warning, subject: "PATH",
                    message: "no docker client on PATH: xplat build cannot run",
                    fix: "sudo apt-get install docker.io", platforms: []))
        }
        out += clientFindings(engine)
        if !engine.daemon.reachable, !engine.clients.isEmpty {
            out.append(
                DoctorFinding(
                    id: .daemonUnreachable, severity: .warning, subject: engine.daemon.socket ?? "docker",
                    message: "docker daemon not reachable: \(engine.daemon.error ?? "unknown error")",
                    fix: "sudo dockerd --bridge=none --iptables=false &", platforms: []))
        }
        out += builderFindings(engine)
        let registry = engine.registry
        if !registry.reachable {
            out.append(
                DoctorFinding(
                    id: .registryUnreachable, severity: registry.configured ? .warning : .note,
                    subject: registry.address,
                    message:
                        "registry \(registry.address)\(registry.configured ? " (XPLAT_REGISTRY)" : "") not reachable: "
                        + "\(registry.error ?? "unknown error")",
                    fix: "docker-registry serve /etc/docker/registry/config.yml &", platforms: []))
        }
        return out
    }

    /// Each client that cannot use BuildKit: an error when xplat would build with it (or with none), else a note.
    private static func clientFindings(_ engine: EngineFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        if let error = engine.namedClientError {
            out.append(
                DoctorFinding(
                    id: .noDockerClient, severity: .error, subject: "XPLAT_DOCKER", message: error.message,
                    fix: error.action, platforms: []))
        }
        for client in engine.clients where client.buildKitVia == nil {
            let builds = client.path == engine.buildClient
            let better =
                builds
                ? "; XPLAT_DOCKER names it, so builds fail"
                : engine.buildClient.map { "; xplat builds with \($0) (XPLAT_DOCKER chooses another)" } ?? ""
            let fix =
                builds
                ? "unset XPLAT_DOCKER (xplat then builds with the first client on PATH that reaches BuildKit), or "
                    + "install the docker-buildx plugin"
                : "install the docker-buildx plugin, or use Debian's docker.io client (/usr/bin/docker)"
            // A client on PATH does not block builds that XPLAT_DOCKER stops (the finding above).
            let blocking = builds || (engine.buildClient == nil && engine.namedClientError == nil)
            out.append(
                DoctorFinding(
                    id: .clientNoBuildkit, severity: blocking ? .error : .note, subject: client.path,
                    message: "\(client.path) \(client.version ?? ""): \(client.note ?? "cannot use BuildKit")\(better)",
                    fix: blocking ? fix : nil, platforms: []))
        }
        return out
    }

    /// Each builder's error and each of its nodes' platforms that xplat does not know.
    private static func builderFindings(_ engine: EngineFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        for builder in engine.builders {
            for node in builder.nodes where !node.unparsedPlatforms.isEmpty {
                out.append(
                    DoctorFinding(
                        id: .nodeUnknownPlatform, severity: .note, subject: "\(builder.name)/\(node.name)",
                        message: "platforms xplat does not know: \(node.unparsedPlatforms.joined(separator: ", "))",
                        fix: nil, platforms: []))
            }
            if let error = builder.error {
                out.append(
                    DoctorFinding(
                        id: .builderError, severity: .warning, subject: builder.name,
                        message: "builder \(builder.name) reports: \(error)",
                        fix: "docker buildx inspect --bootstrap \(builder.name)",
                        platforms: []))
            }
        }
        return out
    }
}
