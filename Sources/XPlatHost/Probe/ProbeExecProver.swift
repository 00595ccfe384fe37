import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The real prover: writes the generated probe binaries (`ProbeBinaries`) to a private directory
/// (mode 0700), starts them all with `posix_spawn` (which reports the kernel's exec error exactly,
/// unlike a shell), waits for them together, and removes the directory.
public struct ProbeExecProver: ExecProver {
    /// Parent of the private directory.
    public var temporaryDirectory: String
    /// Longest a probe may run before it is killed (a hung emulator).
    public var timeout: Double

    public init(temporaryDirectory: String = NSTemporaryDirectory(), timeout: Double = 5) {
        self.temporaryDirectory = temporaryDirectory
        self.timeout = timeout
    }

    /// The probe that proves `platform`: same ELF class, byte order and machine.
    public static func probe(for platform: Platform) -> (platform: String, bytes: [UInt8])? {
        guard let row = platform.info else { return nil }
        for probe in ProbeBinaries.all {
            guard let probePlatform = try? Platform(parsing: probe.platform), let probeRow = probePlatform.info else {
                continue
            }
            if ELFIdentity.sameIdentity(row, probeRow) { return (probe.platform, probe.bytes) }
        }
        return nil
    }

    /// The exit code every probe returns.
    public static var expectedExitCode: Int32 { ProbeBinaries.exitCode }

    /// Writes each platform's probe into a private directory, starts them all at once, and reaps
    /// them: the steps below, in that order.
    public func prove(_ platforms: [Platform]) async throws -> [Platform: ExecProof] {
        let dir: String
        do { dir = try TemporaryDirectory.make(in: temporaryDirectory, prefix: "xplat-probe") } catch let error
            as FileWriteError
        {
            throw HostProbeError.cannotProve(
                "cannot create a private directory in \(temporaryDirectory): \(error.reason)")
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var results: [Platform: ExecProof] = [:]
        var running: [RunningProbe] = []
        for (index, platform) in platforms.enumerated() {
            switch try start(platform, path: "\(dir)/probe-\(index)") {
            case .running(let probe): running.append(probe)
            case .done(let proof): results[platform] = proof
            }
        }
        for proof in reap(running) { results[proof.platform] = proof }
        return results
    }

    /// A probe process that was started.
    struct RunningProbe {
        var platform: Platform
        var probe: String
        var pid: pid_t
        var errPath: String
        var start: UInt64
    }

    enum Started {
        case running(RunningProbe)
        /// No probe for the platform, or the exec itself failed.
        case done(ExecProof)
    }

    /// Writes the platform's probe to `path` and spawns it (stdin and stdout /dev/null, stderr to a file).
    func start(_ platform: Platform, path: String) throws -> Started {
        guard let probe = Self.probe(for: platform) else {
            return .done(ExecProof(platform: platform, outcome: .noProbe, error: "no probe binary for \(platform)"))
        }
        try Self.writeExecutable(probe.bytes, to: path)
        let errPath = path + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        defer { free(argv[0]) }
        // ETXTBSY: a process forked elsewhere in this program while the probe was open for writing
        // still holds that descriptor until it execs; it lets go within milliseconds.
        var rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        for _ in 0..<50 where rc == ETXTBSY {
            usleep(10_000)
            rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        }
        guard rc == 0 else {
            return .done(
                ExecProof(
                    platform: platform, outcome: .execFailed, probe: probe.platform, error: errorText(rc),
                    milliseconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6))
        }
        return .running(
            RunningProbe(platform: platform, probe: probe.platform, pid: pid, errPath: errPath, start: start))
    }

    static func writeExecutable(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        guard fd >= 0 else { throw HostProbeError.cannotProve("cannot write \(path): \(errorText(errno))") }
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        close(fd)
        guard ok else { throw HostProbeError.cannotProve("cannot write \(path): \(errorText(errno))") }
    }

    /// Waits for every probe; kills those still running at the deadline (reported as timed out).
    func reap(_ started: [RunningProbe]) -> [ExecProof] {
        var running = started
        var proofs: [ExecProof] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var killed = Set<pid_t>()
        while !running.isEmpty {
            var progressed = false
            for item in running {
                var status: Int32 = 0
                let r = waitpid(item.pid, &status, WNOHANG)
                guard r == item.pid || (r < 0 && errno == ECHILD) else { continue }
                progressed = true
                running.removeAll { $0.pid == item.pid }
                proofs.append(outcome(item, status: status, killed: killed.contains(item.pid)))
            }
            if running.isEmpty { break }
            if DispatchTime.now().uptimeNanoseconds > deadline {
                for item in running where !killed.contains(item.pid) {
                    kill(item.pid, SIGKILL)
                    killed.insert(item.pid)
                }
            }
            if !progressed { usleep(300) }
        }
        return proofs
    }

    /// The proof for one reaped probe: ran (the expected exit code), a wrong exit or a signal (with
    /// what it printed), or timed out.
    func outcome(_ item: RunningProbe, status: Int32, killed: Bool) -> ExecProof {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - item.start) / 1e6
        let stderrText = (HostFiles.text(item.errPath) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let termsig = status & 0x7f
        if killed {
            return ExecProof(
                platform: item.platform, outcome: .timedOut, probe: item.probe,
                error: "did not exit within \(timeout) s", milliseconds: elapsed)
        }
        if termsig != 0 {
            let name = String(cString: strsignal(termsig))
            return ExecProof(
                platform: item.platform, outcome: .wrongExit, probe: item.probe, exitCode: 128 + termsig,
                error: stderrText.isEmpty ? "killed by signal \(termsig) (\(name))" : stderrText, milliseconds: elapsed)
        }
        let code = (status >> 8) & 0xff
        if code == ProbeBinaries.exitCode {
            return ExecProof(
                platform: item.platform, outcome: .ran, probe: item.probe, exitCode: code, milliseconds: elapsed)
        }
        return ExecProof(
            platform: item.platform, outcome: .wrongExit, probe: item.probe, exitCode: code,
            error: stderrText.isEmpty ? "exited \(code), expected \(ProbeBinaries.exitCode)" : stderrText,
            milliseconds: elapsed)
    }
}
