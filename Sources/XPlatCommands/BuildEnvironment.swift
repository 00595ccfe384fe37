// The environment-derived pieces every build needs: the docker client, the registry, the service
// wired to the host probe and the verifier, and the mapping of build errors to exit codes.

import Foundation
import XPlatBuild
import XPlatSupport

/// The environment-derived pieces every build needs.
enum BuildEnvironment {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var docker: String { environment["XPLAT_DOCKER"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/docker" }
    static var registry: String { environment["XPLAT_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:5000" }

    static func service() -> BuildService {
        let runner = SubprocessRunner()
        return BuildService(runner: runner, docker: docker, environment: environment,
                            probe: BuildAdapters.emulationProbe(runner: runner, environment: environment),
                            verifier: BuildAdapters.verifier(), rewriter: BuildAdapters.rewriter())
    }

    /// Maps a build error to xplat's exit codes.
    ///
    /// Anything else is thrown on as it is: ArgumentParser's usage errors stay usage errors (64), and
    /// an error no build expected reaches `XPlatCommand.failure(for:in:)`, which names the command and
    /// describes it (exit 2).
    static func failure(_ error: any Error) -> any Error {
        guard let error = error as? BuildError else { return error }
        return XPlatFailure(error.description, exitCode: exitCode(of: error))
    }

    /// The exit code of a build error (a bake target's error: its own error's code).
    static func exitCode(of error: BuildError) -> Int32 {
        switch error {
        case .interrupted: return XPlatExit.interrupted
        case .impossible, .verificationFailed: return XPlatExit.checkFailed
        case .buildFailed, .assemblyFailed, .verificationError, .fileSystem, .toolOutput: return XPlatExit.buildFailed
        case .badOutput, .badCache, .badBuildArg, .badOption, .unsupported, .badNode, .conflict, .unknownTarget, .bake:
            return XPlatExit.usage
        case .unreadable, .dockerfile, .endpointUnreachable: return XPlatExit.couldNotCheck
        case .target(_, let inner): return exitCode(of: inner)
        }
    }
}
