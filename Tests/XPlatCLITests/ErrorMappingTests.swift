import ArgumentParser
import Foundation
import Testing
import XPlatBuild
import XPlatDockerfile
import XPlatPlatform
import XPlatRegistry
import XPlatSupport
import XPlatTestSupport
import XPlatVerify

@testable import XPlatCommands
@testable import XPlatHost

/// Every subcommand maps every error to a documented exit code: what no command expected is "could
/// not check" (2), never ArgumentParser's generic 1.
@Suite("Errors map to documented exit codes")
struct ErrorMappingTests {
    struct Unexpected: Error, CustomStringConvertible {
        var description: String { "the disk went away" }
    }

    static let subcommands = XPlatCommand.configuration.subcommands

    @Test(
        "an unexpected error is exit 2, named by the command",
        arguments: subcommands.map { $0.configuration.commandName ?? "?" })
    func unexpected(name: String) throws {
        let command = try #require(Self.subcommands.first { $0.configuration.commandName == name })
        let failure = try #require(XPlatCommand.failure(for: Unexpected(), in: command))
        #expect(failure.exitCode == XPlatExit.couldNotCheck)
        #expect(failure.message == "\(name): the disk went away")
    }

    @Test(
        """
        plan and build pass what is not a build error on: an unexpected error is exit 2 named by the command, a \
        usage error stays 64
        """,
        arguments: ["plan", "build"])
    func buildPath(name: String) throws {
        let command = try #require(Self.subcommands.first { $0.configuration.commandName == name })
        let failure = try #require(XPlatCommand.failure(for: ErrorMap.failure(for: Unexpected()), in: command))
        #expect(failure.exitCode == XPlatExit.couldNotCheck)
        #expect(failure.message == "\(name): the disk went away")
        #expect(XPlatCommand.failure(for: ErrorMap.failure(for: ValidationError("bad flag")), in: command) == nil)
    }

    /// xplat's subcommands, as README documents them.
    static let names = ["platforms", "doctor", "rewrite", "lint", "plan", "build", "bake", "verify"]

    @Test("every subcommand is covered: the tests run over exactly xplat's subcommands")
    func listed() {
        #expect(Self.subcommands.map { $0.configuration.commandName ?? "?" } == Self.names)
    }

    @Test(
        "a Foundation error reaches the user as a sentence, not as an NSError dump",
        arguments: subcommands.map { $0.configuration.commandName ?? "?" })
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
        #expect(
            XPlatCommand.failure(for: XPlatFailure("x", exitCode: XPlatExit.buildFailed), in: doctor)?.exitCode
                == XPlatExit.buildFailed)
        #expect(XPlatCommand.failure(for: ValidationError("bad flag"), in: doctor) == nil)
        #expect(XPlatCommand.failure(for: ExitCode(XPlatExit.checkFailed), in: doctor) == nil)
    }
}

/// The error map is the one place that gives exit codes: README's table is the map's table, every
/// library error type maps to a documented code, and the action stays a field of its own.
@Suite("The error map")
struct ErrorMapTests {
    /// README's "Exit codes" table: the `| code | meaning |` rows of that section, in order.
    static func readmeTable() throws -> [ErrorMap.DocumentedCode] {
        let readme = try String(contentsOfFile: XPlatBinary.packageRoot + "/README.md", encoding: .utf8)
        let sections = readme.components(separatedBy: "\n## Exit codes\n")
        try #require(sections.count == 2, "README.md has one \"## Exit codes\" section")
        let section = sections[1].components(separatedBy: "\n## ")[0]
        return try section.split(separator: "\n").filter {
            $0.hasPrefix("| ") && !$0.hasPrefix("| code |") && !$0.hasPrefix("| --- |")
        }.map { row in
            let cells = row.dropFirst(2).dropLast(2).components(separatedBy: " | ")
            let code = try #require(Int32(cells[0]), "README exit code row: \(row)")
            return ErrorMap.DocumentedCode(code: code, meaning: cells.dropFirst().joined(separator: " | "))
        }
    }

    @Test("README's exit-code table lists the map's codes with the map's meanings, in order")
    func readme() throws {
        let table = try Self.readmeTable()
        #expect(table.map(\.code) == ErrorMap.documented.map(\.code))
        for (row, documented) in zip(table, ErrorMap.documented) {
            #expect(row.description == documented.description, "README: \(row)\nmap:    \(documented)")
        }
    }

    /// The codes of a `--help` discussion's "Exit codes: N words; M words." sentence, in order.
    static func helpCodes(_ discussion: String) throws -> [Int32] {
        let sentence = try #require(
            discussion.components(separatedBy: "Exit codes: ").dropFirst().first, "an exit-code sentence: \(discussion)"
        )
        return try sentence.components(separatedBy: "; ").map { part in
            try #require(Int32(part.prefix { $0.isNumber }), "a code starts \"\(part)\"")
        }
    }

    @Test(
        "every command's --help exit-code sentence comes from the map: documented codes, in its order, usage among them"
    )
    func helpLines() throws {
        let order = ErrorMap.documented.map(\.code)
        let root = XPlatCommand.configuration
        #expect(root.discussion == ErrorMap.discussion(exitCodes: order))
        #expect(try Self.helpCodes(root.discussion) == order)
        for command in root.subcommands {
            let name = command.configuration.commandName ?? "\(command)"
            let codes = try Self.helpCodes(command.configuration.discussion)
            #expect(codes.allSatisfy(order.contains), "\(name): \(codes)")
            #expect(codes == order.filter(codes.contains), "\(name): in the map's order: \(codes)")
            #expect(codes.contains(XPlatExit.usage), "\(name): \(codes)")
        }
        let build = try Self.helpCodes(BuildCommand.configuration.discussion)
        #expect(build == order, "build can end with every documented code")
    }

    static let operation = RegistryOperation(
        registry: "127.0.0.1:5000", repository: "cli/app", reference: "1", action: "push")

    @Test("every library error type maps to a documented code, with the code the README gives its case")
    func libraryErrors() throws {
        let cases: [(any Error, Int32)] = [
            (BuildError.badBuildArg("=x"), XPlatExit.usage),
            (BuildError.unreadable("/x/Dockerfile", "No such file or directory"), XPlatExit.couldNotCheck),
            (BuildError.impossible([]), XPlatExit.checkFailed),
            (BuildError.assemblyFailed("push failed: x"), XPlatExit.buildFailed),
            (BuildError.interrupted, XPlatExit.interrupted),
            (BuildError.target("app", .badBuildArg("=x")), XPlatExit.usage),
            (HostProbeError.notRoot("doctor --fix"), XPlatExit.checkFailed),
            (HostProbeError.cannotProve("no /proc"), XPlatExit.couldNotCheck),
            (
                DockerfileSyntaxError(fileName: "Dockerfile", line: 3, reason: "unknown instruction: FORM"),
                XPlatExit.couldNotCheck
            ),
            (VerifyError("/x", "No such file or directory"), XPlatExit.couldNotCheck),
            (PlatformError.empty, XPlatExit.couldNotCheck),
            (DockerClientError(named: "no-docker", searched: ["/usr/bin"]), XPlatExit.couldNotCheck),
        ]
        let documented = Set(ErrorMap.documented.map(\.code))
        for (error, code) in cases {
            let failure = try #require(ErrorMap.failure(for: error) as? XPlatFailure, "\(error) is mapped")
            #expect(failure.exitCode == code, "\(error)")
            #expect(documented.contains(failure.exitCode), "\(error)")
        }
    }

    @Test("a registry error's action is a field: the message holds none, the text shows it on its own line")
    func registryAction() {
        let errors: [RegistryError] = [
            .unauthorized(Self.operation, hadCredentials: true, detail: ""), .denied(Self.operation, detail: ""),
            .notFound(Self.operation, detail: ""), .tooManyRequests(Self.operation, retryAfter: "3"),
            .unreachable(Self.operation, reason: "connection refused"), .tls(Self.operation, reason: "unknown CA"),
            .insecureRefused(Self.operation), .digestMismatch(Self.operation, expected: "sha256:a", actual: "sha256:b"),
        ]
        for error in errors {
            #expect(error.action != nil, "\(error)")
            #expect(!error.message.contains("action:"), "\(error.message)")
            #expect(error.description == error.message + "\n  action: " + (error.action ?? ""))
        }
    }

    @Test("a push refused by the registry fails the build (3) with the registry's action as the failure's action")
    func pushAction() throws {
        let registry = RegistryError.denied(Self.operation, detail: "")
        let build = BuildError.target(
            "app", .assemblyFailed("cannot push: \(registry.message)", cause: ErrorCause(registry)))
        let failure = try #require(ErrorMap.failure(for: build) as? XPlatFailure)
        #expect(failure.exitCode == XPlatExit.buildFailed)
        #expect(failure.action == registry.action)
        #expect(failure.message == "target \"app\": cannot push: \(registry.message)")
        #expect(!failure.message.contains("action:"), "\(failure.message)")
    }
}

/// `--help` goes through ArgumentParser's own help command, whose run() throws an error internal
/// to ArgumentParser: it must print the help and exit 0, not be mapped as an unexpected error.
@Suite("--help, end to end")
struct HelpCLITests {
    @Test(
        "xplat --help and each subcommand's --help print the usage and exit 0",
        arguments: [""] + ErrorMappingTests.names)
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
        for code in [
            "0 built and verified", "1 verification failed", "2 could not start", "3 build failed",
            "64 bad usage, or a flag the chosen driver cannot do", "130 interrupted",
        ] {
            #expect(text.contains(code), "\(code): \(out.stdout)")
        }
    }

    @Test("bake --help names every cause bake exits 64 for, as README's table lists them")
    func bakeUsageCauses() async throws {
        let out = try await XPlatBinary.run(["bake", "--help"])
        let text = out.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(
            text.contains(
                "64 bad usage, a flag or target field the chosen driver cannot do (refused before building), a file "
                    + "buildx rejects (its message), or a client without buildx;"), "\(out.stdout)")
    }
}
