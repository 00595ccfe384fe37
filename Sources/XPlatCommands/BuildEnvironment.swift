// The environment-derived pieces every build needs: the docker client, the registry, the service
// wired to the host probe and the verifier, and the mapping of build errors to exit codes.

import Foundation
import XPlatBuild
import XPlatHost
import XPlatSupport

/// The environment-derived pieces every build needs.
enum BuildEnvironment {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var registry: String { environment["XPLAT_REGISTRY"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:5000" }

    /// The service, with the docker client found as docker users expect (`DockerClientChoice`);
    /// a client passed over is named on stderr unless `quiet`.
    static func service(quiet: Bool = false) async throws -> BuildService {
        let runner = SubprocessRunner()
        let docker: DockerClientChoice
        do { docker = try await DockerClientChoice.find(environment: environment, runner: runner) } catch {
            throw XPlatFailure(error.message, action: error.action, exitCode: XPlatExit.couldNotCheck)
        }
        if let note = docker.note, !quiet { StandardError.write("xplat: \(note)\n") }
        return BuildService(runner: runner, docker: docker.path, environment: environment,
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
        return XPlatFailure(error.message, action: error.action, exitCode: exitCode(of: error))
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
