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

/// The real runner, built on swift-subprocess.
public struct SubprocessRunner: CommandRunner {
    /// Largest stdout or stderr kept by `run`; larger output is an error rather than silently cut.
    public var outputLimit: Int

    public init(outputLimit: Int = 64 << 20) {
        self.outputLimit = outputLimit
    }

    func executable(for command: Command) -> Executable {
        command.executable.contains("/") ? .path(FilePath(command.executable)) : .name(command.executable)
    }

    func environment(for command: Command) -> Subprocess.Environment {
        var overrides: [Subprocess.Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            if let k = Subprocess.Environment.Key(rawValue: key) { overrides[k] = value }
        }
        return .inherit.updating(overrides)
    }

    /// How swift-subprocess starts `command`: its program, arguments, environment overrides and
    /// folder, in a session of its own (`platformOptions`).
    func configuration(for command: Command) -> Configuration {
        Configuration(
            executable: executable(for: command), arguments: Arguments(command.arguments),
            environment: environment(for: command), workingDirectory: command.workingDirectory.map { FilePath($0) },
            platformOptions: Self.platformOptions)
    }

    /// Each program runs in a session of its own, and cancellation ends the whole group: `docker
    /// buildx` runs buildx as a child of the docker CLI, and a plugin outliving its killed parent
    /// would go on writing a cancelled build's export into a removed folder. SIGKILL goes to the
    /// group at once (BuildKit cancels a solve whose client is gone).
    static var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        return options
    }

    static func status(_ status: TerminationStatus) -> (Int32, Int32?) {
        switch status {
        case .exited(let code): return (Int32(code), nil)
        case .signaled(let sig): return (128 + Int32(sig), Int32(sig))
        }
    }

    public func run(_ command: Command) async throws -> CommandOutput {
        do {
            let result = try await Subprocess.run(
                configuration(for: command),
                input: .none,
                output: .string(limit: outputLimit),
                error: .string(limit: outputLimit)
            )
            let (code, signal) = Self.status(result.terminationStatus)
            return CommandOutput(
                exitCode: code, signal: signal, stdout: result.standardOutput,
                stderr: result.standardError)
        } catch let error as SubprocessError {
            throw Self.map(error, command)
        }
    }

    public func stream(
        _ command: Command, onLine: @escaping @Sendable (OutputStreamKind, String) -> Void
    ) async throws -> CommandOutput {
        do {
            let result = try await Subprocess.run(
                configuration(for: command),
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await withThrowingTaskGroup(of: (OutputStreamKind, String).self) { group in
                    group.addTask {
                        var all = ""
                        for try await line in execution.standardOutput.strings() {
                            onLine(.stdout, line)
                            all += line + "\n"
                        }
                        return (.stdout, all)
                    }
                    group.addTask {
                        var tail = ""
                        for try await line in execution.standardError.strings() {
                            onLine(.stderr, line)
                            tail += line + "\n"
                            if tail.utf8.count > 128 << 10 { tail = String(tail.suffix(64 << 10)) }
                        }
                        return (.stderr, String(tail.suffix(64 << 10)))
                    }
                    var out = ("", "")
                    for try await (kind, text) in group {
                        if kind == .stdout { out.0 = text } else { out.1 = text }
                    }
                    return out
                }
            }
            let (code, signal) = Self.status(result.terminationStatus)
            return CommandOutput(
                exitCode: code, signal: signal, stdout: result.closureResult.0, stderr: result.closureResult.1)
        } catch let error as SubprocessError {
            throw Self.map(error, command)
        }
    }

    static func map(_ error: SubprocessError, _ command: Command) -> CommandError {
        let text = String(describing: error)
        if text.contains("executableNotFound") || text.contains("not found") || text.contains("No such file") {
            return .notFound(command.executable)
        }
        return .launchFailed(command, text)
    }
}

/// POSIX shell quoting, for showing commands a user can paste.
public enum ShellQuote {
    /// `word` unchanged when it needs no quoting, else single-quoted.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Splits a command line into words the way a POSIX shell does for quoting (single quotes,
    /// double quotes with `\"`/`\\` escapes, backslash outside quotes); nothing is expanded.
    /// - Throws: `ShellSplitError` for an unterminated quote, quoting the input.
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            switch c {
            case "'":
                inWord = true
                while true {
                    guard let d = chars.next() else { throw ShellSplitError(line: line, quote: "'") }
                    if d == "'" { break }
                    word.append(d)
                }
            case "\"":
                inWord = true
                while true {
                    guard let d = chars.next() else { throw ShellSplitError(line: line, quote: "\"") }
                    if d == "\"" { break }
                    if d == "\\", let e = chars.next() {
                        if e != "\"" && e != "\\" && e != "$" && e != "`" { word.append(d) }
                        word.append(e)
                    } else {
                        word.append(d)
                    }
                }
            case "\\":
                inWord = true
                if let d = chars.next() { word.append(d) }
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }

    private static let safe = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
}

/// An unterminated quote in a command line given to `ShellQuote.split`.
public struct ShellSplitError: Error, Sendable, CustomStringConvertible {
    public var line: String
    public var quote: Character
    public var description: String { "unterminated \(quote) in \"\(line)\"" }
}
