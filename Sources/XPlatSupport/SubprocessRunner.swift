import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

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
    private static var platformOptions: PlatformOptions {
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
