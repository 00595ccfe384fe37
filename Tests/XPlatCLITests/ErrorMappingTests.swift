import ArgumentParser
import Foundation
import Testing
import XPlatSupport
import XPlatTestSupport
@testable import XPlatCommands

/// Every subcommand maps every error to a documented exit code: what no command expected is "could
/// not check" (2), never ArgumentParser's generic 1.
@Suite("Errors map to documented exit codes")
struct ErrorMappingTests {
    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "the disk went away" }
    }

    static let subcommands = XPlatCommand.configuration.subcommands

    @Test("an unexpected error is exit 2, named by the command", arguments: subcommands.map { $0.configuration.commandName ?? "?" })
    func unexpected(name: String) throws {
        let command = try #require(Self.subcommands.first { $0.configuration.commandName == name })
        let failure = try #require(XPlatCommand.failure(for: Unexpected(), in: command))
        #expect(failure.exitCode == XPlatExit.couldNotCheck)
        #expect(failure.message == "\(name): the disk went away")
    }

    @Test("plan and build pass what is not a build error on: an unexpected error is exit 2 named by the command, a usage error stays 64",
          arguments: ["plan", "build"])
    func buildPath(name: String) throws {
        let command = try #require(Self.subcommands.first { $0.configuration.commandName == name })
        let failure = try #require(XPlatCommand.failure(for: BuildEnvironment.failure(Unexpected()), in: command))
        #expect(failure.exitCode == XPlatExit.couldNotCheck)
        #expect(failure.message == "\(name): the disk went away")
        #expect(XPlatCommand.failure(for: BuildEnvironment.failure(ValidationError("bad flag")), in: command) == nil)
    }

    @Test("every subcommand is covered", arguments: ["platforms", "doctor", "rewrite", "lint", "plan", "build", "verify"])
    func listed(name: String) {
        #expect(Self.subcommands.contains { $0.configuration.commandName == name })
    }

    @Test("a Foundation error reaches the user as a sentence, not as an NSError dump", arguments: subcommands.map { $0.configuration.commandName ?? "?" })
    func foundationError(name: String) throws {
        let command = try #require(Self.subcommands.first { $0.configuration.commandName == name })
        let error = CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "/nowhere/Dockerfile"])
        let failure = try #require(XPlatCommand.failure(for: error, in: command))
        #expect(failure.exitCode == XPlatExit.couldNotCheck)
        #expect(failure.message.hasPrefix("\(name): "))
        #expect(!failure.message.contains("Error Domain"), "\(failure.message)")
        #expect(failure.message.contains("Dockerfile"), "\(failure.message)")
    }

    @Test("xplat's own failures keep their code; ArgumentParser's errors stay ArgumentParser's (usage: 64)")
    func passThrough() throws {
        let doctor = try #require(Self.subcommands.first { $0.configuration.commandName == "doctor" })
        #expect(XPlatCommand.failure(for: XPlatFailure("x", exitCode: XPlatExit.buildFailed), in: doctor)?.exitCode == XPlatExit.buildFailed)
        #expect(XPlatCommand.failure(for: ValidationError("bad flag"), in: doctor) == nil)
        #expect(XPlatCommand.failure(for: ExitCode(XPlatExit.checkFailed), in: doctor) == nil)
    }
}

/// `--help` goes through ArgumentParser's own help command, whose run() throws an error internal
/// to ArgumentParser: it must print the help and exit 0, not be mapped as an unexpected error.
@Suite("--help, end to end")
struct HelpCLITests {
    @Test("xplat --help and each subcommand's --help print the usage and exit 0",
          arguments: [""] + ["platforms", "doctor", "rewrite", "lint", "plan", "build", "verify"])
    func help(subcommand: String) async throws {
        let out = try await XPlatBinary.run((subcommand.isEmpty ? [] : [subcommand]) + ["--help"])
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("USAGE: xplat \(subcommand)".trimmingCharacters(in: .whitespaces)), "\(out.stdout)")
        #expect(out.stderr.isEmpty, "\(out.stderr)")
    }

    @Test("build --help lists every exit code build uses, 64 (refused before building) included")
    func buildExitCodes() async throws {
        let out = try await XPlatBinary.run(["build", "--help"])
        let text = out.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for code in ["0 built and verified", "1 verification failed", "2 could not start", "3 build failed",
                     "64 bad usage, or a flag the chosen driver cannot do", "130 interrupted"] {
            #expect(text.contains(code), "\(code): \(out.stdout)")
        }
    }
}
