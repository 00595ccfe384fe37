// The one door through which xplat starts other programs.
//
// Services never spawn processes themselves: they take a `CommandRunner`. The real one
// (`SubprocessRunner`) uses swift-subprocess, never a shell; tests pass a `RecordingRunner` (XPlatTestSupport) that
// records every call and answers from a table, so argument lists are asserted exactly.

import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A program to run: executable (a name looked up on `PATH`, or a path), arguments, environment
/// overrides and working directory. Never interpreted by a shell.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// A bare name (looked up on `PATH`) or a path containing `/`.
    public var executable: String
    public var arguments: [String]
    /// Variables set (or, with `nil`, removed) on top of the inherited environment.
    public var environment: [String: String?]
    public var workingDirectory: String?

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String?] = [:],
        workingDirectory: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// A copy-pasteable rendering, shell-quoted, with environment overrides in front.
    public var description: String {
        let env = environment.keys.sorted().compactMap { key in
            environment[key].flatMap { $0.map { "\(key)=\(ShellQuote.quote($0))" } }
        }
        return (env + [ShellQuote.quote(executable)] + arguments.map(ShellQuote.quote)).joined(separator: " ")
    }
}

/// What a finished program left behind.
public struct CommandOutput: Sendable, Hashable {
    /// Exit code; for a program killed by a signal, 128 + the signal number.
    public var exitCode: Int32
    /// The signal that ended the program, if one did.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String

    public init(exitCode: Int32, signal: Int32? = nil, stdout: String = "", stderr: String = "") {
        self.exitCode = exitCode
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
    }

    /// True when the program exited with 0.
    public var succeeded: Bool { exitCode == 0 && signal == nil }
}

/// Which stream a line came from, for `CommandRunner.stream`.
public enum OutputStreamKind: Sendable, Hashable {
    case stdout, stderr
}

/// Errors starting a program (not a program that ran and failed: that is a `CommandOutput`).
public enum CommandError: Error, Sendable, CustomStringConvertible {
    /// The executable is not on `PATH` or the path does not exist.
    case notFound(String)
    /// The program could not be started.
    case launchFailed(Command, String)

    public var description: String {
        switch self {
        case .notFound(let name): return "\(name): command not found on PATH"
        case .launchFailed(let command, let why): return "could not start `\(command)`: \(why)"
        }
    }
}

/// Runs programs. Conformers must be safe to call from several tasks at once.
public protocol CommandRunner: Sendable {
    /// Runs `command` to completion and collects both streams.
    func run(_ command: Command) async throws -> CommandOutput
    /// Runs `command`, handing each output line to `onLine` as it arrives; the returned output
    /// holds all of stdout and the last 64 KiB of stderr. Cancelling the task stops the program.
    func stream(
        _ command: Command, onLine: @escaping @Sendable (OutputStreamKind, String) -> Void
    ) async throws -> CommandOutput
}
