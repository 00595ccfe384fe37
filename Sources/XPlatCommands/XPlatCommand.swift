// The `xplat` command line: parsing only. Each subcommand validates its flags and calls one
// library function; output goes through that library's renderers.

import ArgumentParser
import Foundation
import XPlatSupport

/// The root command.
public struct XPlatCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "xplat",
        abstract: "Correct and fast multi-architecture container builds.",
        discussion: ErrorMap.discussion(exitCodes: ErrorMap.documented.map(\.code)),
        version: XPlatVersion.string,
        subcommands: [
            PlatformsCommand.self, DoctorCommand.self, RewriteCommand.self, LintCommand.self,
            PlanCommand.self, BuildCommand.self, BakeCommand.self, VerifyCommand.self,
        ]
    )

    public init() {}

    /// Parses the process arguments, runs the subcommand and exits with xplat's documented codes:
    /// parsing errors, `--help` and `--version` through ArgumentParser (usage: 64), everything the
    /// subcommand throws through `failure(for:in:)`.
    /// Run by docker's CLI as its `xplat` plugin, it answers the metadata request and reads
    /// docker's global options first (`DockerPlugin`).
    public static func runMain(arguments: [String]? = nil) async -> Never {
        let arguments = BuildxBoolFlags.normalize(
            pluginArguments(arguments ?? Array(CommandLine.arguments.dropFirst())))
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            Foundation.exit(0)
        } catch {
            guard let failure = failure(for: error, in: type(of: command)) else { exit(withError: error) }
            StandardError.write("xplat: \(failure)\n")
            Foundation.exit(failure.exitCode)
        }
    }

    /// xplat's own arguments. Docker's metadata request is answered here; a run by docker's CLI
    /// (`docker-xplat [GLOBAL OPTIONS] xplat ARGS`) sets the environment docker's global options
    /// mean, for the docker client xplat runs, and leaves `ARGS`.
    private static func pluginArguments(_ arguments: [String]) -> [String] {
        if arguments == [DockerPlugin.metadataCommand] {
            emit(DockerPlugin.metadata)
            Foundation.exit(0)
        }
        do {
            guard
                let invocation = try DockerPlugin.invocation(
                    arguments: arguments, environment: ProcessInfo.processInfo.environment)
            else {
                return arguments
            }
            for (name, value) in invocation.environment {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
            return invocation.arguments
        } catch {
            StandardError.write("xplat: \(error)\n")
            Foundation.exit(XPlatExit.usage)
        }
    }

    /// The message and documented exit code for an error `command`'s `run()` threw: an `XPlatFailure`
    /// as it is; ArgumentParser's own errors (`ValidationError`: 64, `ExitCode`, `CleanExit`, and the
    /// help command's) nil, for ArgumentParser to report; anything else, which no command expected, "could not check"
    /// (2),
    /// named by the command and described without Foundation's `Error Domain=` dump.
    public static func failure(for error: any Error, in command: any ParsableCommand.Type) -> XPlatFailure? {
        switch error {
        case let failure as XPlatFailure: return failure
        case is ValidationError, is ExitCode, is CleanExit: return nil
        // `--help` parses to ArgumentParser's own help command, whose run() throws an error type
        // internal to ArgumentParser: its `exit(withError:)` prints the help and exits 0.
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."): return nil
        default:
            let name = command.configuration.commandName ?? "xplat"
            return ErrorMap.couldNotCheck("\(name): \(describe(error))")
        }
    }

    /// An error as a sentence: its own description, or a Foundation error's reason after the file
    /// it names (`/x/Dockerfile: No such file or directory`).
    static func describe(_ error: any Error) -> String { SystemError.sentence(error) }
}

/// xplat's version string.
public enum XPlatVersion {
    public static let string = "0.1.0"
}

/// A failure a subcommand reports with its message and one of xplat's exit codes.
public struct XPlatFailure: Error, CustomStringConvertible {
    public var message: String
    /// What to do about it, shown on its own line after the message.
    public var action: String?
    public var exitCode: Int32

    public init(_ message: String, action: String? = nil, exitCode: Int32) {
        self.message = message
        self.action = action
        self.exitCode = exitCode
    }

    public var description: String { message + (action.map { "\n  action: \($0)" } ?? "") }
}

/// Prints `text` to standard output as is (renderers end their output with a newline).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
