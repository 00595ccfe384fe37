// The environment-derived pieces every build needs: the docker client, the registry, the service
// wired to the host probe and the verifier.

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
            throw ErrorMap.failure(for: error)
        }
        if let note = docker.note, !quiet { StandardError.write("xplat: \(note)\n") }
        var service = BuildService(
            runner: runner, docker: docker.path, environment: environment,
            probe: BuildAdapters.emulationProbe(runner: runner, environment: environment),
            verifier: BuildAdapters.verifier(), rewriter: BuildAdapters.rewriter())
        // What the choice asked of the client's buildx is not asked again.
        service.buildx = docker.buildx
        return service
    }
}
