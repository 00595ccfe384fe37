// A command runner for tests: records every command and answers from a closure.

import Synchronization
import XPlatSupport

/// A runner for tests: records every command and answers from `respond`.
public final class RecordingRunner: CommandRunner {
    private let state = Mutex<[Command]>([])
    private let respond: @Sendable (Command) throws -> CommandOutput

    /// - Parameter respond: the answer for each command; throw `CommandError.notFound` to act as a
    ///   missing program.
    public init(respond: @escaping @Sendable (Command) throws -> CommandOutput = { _ in CommandOutput(exitCode: 0) }) {
        self.respond = respond
    }

    /// Every command run so far, in order.
    public var commands: [Command] { state.withLock { $0 } }

    public func run(_ command: Command) async throws -> CommandOutput {
        state.withLock { $0.append(command) }
        return try respond(command)
    }

    public func stream(
        _ command: Command, onLine: @escaping @Sendable (OutputStreamKind, String) -> Void
    ) async throws -> CommandOutput {
        let output = try await run(command)
        for line in output.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            onLine(.stdout, String(line))
        }
        for line in output.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            onLine(.stderr, String(line))
        }
        return output
    }
}
