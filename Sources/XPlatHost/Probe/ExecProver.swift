import Foundation
import XPlatPlatform
import XPlatSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The result of executing a platform's probe binary.
public struct ExecProof: Sendable, Hashable, Codable {
    /// How the attempt ended.
    public enum Outcome: String, Sendable, Codable {
        /// The probe ran and exited with the expected code.
        case ran
        /// The kernel refused to start it (`Exec format error`, `No such file or directory`, ...).
        case execFailed = "exec-failed"
        /// It started but exited with another code or a signal (a broken emulator).
        case wrongExit = "wrong-exit"
        /// It did not finish within the time limit and was killed.
        case timedOut = "timed-out"
        /// No probe binary exists for this platform.
        case noProbe = "no-probe"
    }

    public var platform: Platform
    public var outcome: Outcome
    /// The probe binary's platform (arm/v5 is proven with the arm/v7 probe: same ELF identity).
    public var probe: String?
    public var exitCode: Int32?
    /// The exact error: `strerror` text for an exec failure, stderr of the emulator, or the signal.
    public var error: String?
    /// Wall time from spawn to exit.
    public var milliseconds: Double?

    public init(
        platform: Platform, outcome: Outcome, probe: String? = nil, exitCode: Int32? = nil,
        error: String? = nil, milliseconds: Double? = nil
    ) {
        self.platform = platform
        self.outcome = outcome
        self.probe = probe
        self.exitCode = exitCode
        self.error = error
        self.milliseconds = milliseconds
    }

    public var succeeded: Bool { outcome == .ran }
}

/// Proves that platforms' binaries execute on this machine.
public protocol ExecProver: Sendable {
    /// Executes one probe per platform (concurrently) and reports each outcome.
    func prove(_ platforms: [Platform]) async throws -> [Platform: ExecProof]
}

/// Answers from a table: for fixture tests and for `--no-exec` (an empty table: nothing proven).
public struct FixedExecProver: ExecProver {
    public var results: [Platform: ExecProof]
    public init(_ results: [Platform: ExecProof] = [:]) { self.results = results }
    public func prove(_ platforms: [Platform]) async throws -> [Platform: ExecProof] {
        results.filter { platforms.contains($0.key) }
    }
}
