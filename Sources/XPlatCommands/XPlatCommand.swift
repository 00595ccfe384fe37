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
        discussion: """
            Exit codes: 0 ok; 1 check failed (mismatch, finding, impossible platform); \
            2 could not check (bad input, engine unreachable); 3 build failed; 64 usage; 130 interrupted.
            """,
        version: XPlatVersion.string,
        subcommands: [
            PlatformsCommand.self, DoctorCommand.self, RewriteCommand.self, LintCommand.self,
            PlanCommand.self, BuildCommand.self, VerifyCommand.self,
        ]
    )

    public init() {}

    /// Parses the process arguments, runs the subcommand and exits with xplat's documented codes.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let failure as XPlatFailure {
            StandardError.write("xplat: \(failure.message)\n")
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// xplat's version string.
public enum XPlatVersion {
    public static let string = "0.1.0"
}

/// A failure a subcommand reports with its message and one of xplat's exit codes.
public struct XPlatFailure: Error, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

/// Prints `text` to standard output as is (renderers end their output with a newline).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
