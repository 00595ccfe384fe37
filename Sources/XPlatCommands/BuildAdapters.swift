// Wiring XPlatBuild to the other modules: the host probe (emulation), XPlatVerify, the rewriter.

import Foundation
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

enum BuildAdapters {
    static func emulationProbe(runner: any CommandRunner, environment: [String: String]) -> any EmulationProbe {
        HostEmulationProbe(
            roots: .system(environment: environment), environment: environment, runner: runner,
            prover: ProbeExecProver())
    }

    static func verifier() -> (any OutputVerifier)? { ELFOutputVerifier() }

    static func rewriter() -> DockerfileRewriter? { CrossRewrite.rewriter }
}
