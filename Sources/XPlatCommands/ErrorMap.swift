// The one map from errors to xplat's exit codes and actions. Each library error type a command
// meets (`failure(for:prefix:)`) and each outcome a command reports itself (`checkFailed`,
// `couldNotCheck`, `usage`, `interrupted`) gets its code here and nowhere else; `documented` is the
// README's "Exit codes" table, which a test compares with README.md row by row.

import XPlatBuild
import XPlatDockerfile
import XPlatHost
import XPlatPlatform
import XPlatSupport
import XPlatVerify

/// Errors to exit codes and actions, in one place.
enum ErrorMap {
    /// One documented exit code and what it means.
    struct DocumentedCode: Equatable, CustomStringConvertible {
        var code: Int32
        /// The words `--help` gives it when a command has none of its own ("could not check").
        var brief: String = ""
        /// The README's words (its "Exit codes" table).
        var meaning: String

        /// The README's table row.
        var description: String { "| \(code) | \(meaning) |" }
    }

    /// A command's `--help` discussion: `text`, then its "Exit codes: ..." sentence built from the map:
    /// each code in `codes` (usage, 64, is added: every command has it) in the map's order, with the
    /// command's own words from `saying` where it gives them, else the map's brief words.
    static func discussion(_ text: String = "", exitCodes codes: [Int32], saying own: [Int32: String] = [:]) -> String {
        let wanted = Set(codes + [XPlatExit.usage])
        let parts = documented.filter { wanted.contains($0.code) }.map { "\($0.code) \(own[$0.code] ?? $0.brief)" }
        let line = "Exit codes: " + parts.joined(separator: "; ") + "."
        return text.isEmpty ? line : text + " " + line
    }

    /// The discussion of a command that builds (`build`, `bake`): `text`, then every documented code
    /// in a build's words, `usage` saying what else the command refuses with 64.
    static func buildDiscussion(_ text: String, usage: String) -> String {
        discussion(
            text, exitCodes: documented.map(\.code),
            saying: [
                XPlatExit.ok: "built and verified",
                XPlatExit.checkFailed: "verification failed or platform impossible",
                XPlatExit.couldNotCheck: "could not start",
                XPlatExit.usage: usage,
            ])
    }

    /// Every exit code xplat uses, with its meaning as README's "Exit codes" table states it.
    static let documented: [DocumentedCode] = [
        DocumentedCode(
            code: XPlatExit.ok,
            brief: "ok",
            meaning: "everything checked is fine (verified, buildable, no rewrite needed under `--check`)"),
        DocumentedCode(
            code: XPlatExit.checkFailed,
            brief: "check failed (mismatch, finding, impossible platform)",
            meaning: "the check ran and found problems: verify mismatches, a requested platform that cannot be built, "
                + "a rewrite needed under `--check`, an error-level finding, `doctor --fix` without root"),
        DocumentedCode(
            code: XPlatExit.couldNotCheck,
            brief: "could not check (bad input, engine unreachable)",
            meaning:
                "could not check: unreadable input, missing path, Dockerfile syntax error, engine or node unreachable, "
                + "no docker client that reaches BuildKit, bad platform string given as an argument"),
        DocumentedCode(
            code: XPlatExit.buildFailed,
            brief: "build failed",
            meaning:
                "the build ran and failed (BuildKit error, with the mapped cause), or its output could not be "
                + "published: the registry refused the login (checked before building) or the push, or could not be "
                + "reached"),
        DocumentedCode(
            code: XPlatExit.usage,
            brief: "usage",
            meaning:
                "bad command-line usage (unknown flag, bad option value such as `--platform` or `-o`; as `docker "
                + "xplat`, a docker global option xplat cannot pass on), or a flag the chosen driver cannot do "
                + "(refused before building, naming the driver that can); for `bake`, also a bake file buildx rejects "
                + "(buildx's message), a client without buildx, and a target field the driver cannot honour"),
        DocumentedCode(
            code: XPlatExit.interrupted,
            brief: "interrupted",
            meaning: "interrupted (Ctrl-C); child builds stopped, partial outputs removed"),
    ]

    /// A library error as xplat reports it: its message (after `prefix`), its action, its exit code.
    /// Any other error is returned as it is: ArgumentParser's own stay ArgumentParser's (usage: 64),
    /// and one no command expected reaches `XPlatCommand.failure(for:in:)` (exit 2, named by the command).
    static func failure(for error: any Error, prefix: String = "") -> any Error {
        switch error {
        case let error as BuildError:
            return XPlatFailure(prefix + error.message, action: error.action, exitCode: exitCode(of: error))
        case let error as DockerClientError:
            return XPlatFailure(prefix + error.message, action: error.action, exitCode: XPlatExit.couldNotCheck)
        case let error as HostProbeError:
            if case .notRoot = error { return checkFailed(prefix + error.description) }
            return couldNotCheck(prefix + error.description)
        case let error as DockerfileSyntaxError:
            return couldNotCheck(prefix + error.description)
        case let error as VerifyError:
            return couldNotCheck(prefix + error.description)
        case let error as PlatformError:
            // A platform given as an argument; one given as a flag's value is a usage error (`usage`).
            return couldNotCheck(prefix + error.description)
        default:
            return error
        }
    }

    /// The exit code of a build error (a bake target's error: its own error's code).
    static func exitCode(of error: BuildError) -> Int32 {
        switch error {
        case .interrupted: return XPlatExit.interrupted
        case .impossible, .verificationFailed: return XPlatExit.checkFailed
        case .buildFailed, .assemblyFailed, .verificationError, .fileSystem, .toolOutput: return XPlatExit.buildFailed
        case .badOutput, .badCache, .badBuildArg, .badOption, .unsupported, .badNode, .conflict, .unknownTarget, .bake,
            .noBuildx:
            return XPlatExit.usage
        case .unreadable, .dockerfile, .endpointUnreachable: return XPlatExit.couldNotCheck
        case .target(_, let inner): return exitCode(of: inner)
        }
    }

    /// The check ran and found problems (1).
    static func checkFailed(_ message: String) -> XPlatFailure {
        XPlatFailure(message, exitCode: XPlatExit.checkFailed)
    }

    /// The input could not be read or checked (2).
    static func couldNotCheck(_ message: String) -> XPlatFailure {
        XPlatFailure(message, exitCode: XPlatExit.couldNotCheck)
    }

    /// A flag or its value is wrong (64).
    static func usage(_ message: String) -> XPlatFailure {
        XPlatFailure(message, exitCode: XPlatExit.usage)
    }

    /// The user interrupted a build (130).
    static func interrupted() -> XPlatFailure {
        XPlatFailure(BuildError.interrupted.message, exitCode: XPlatExit.interrupted)
    }
}
