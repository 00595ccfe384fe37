// The adapter from XPlatHost's probe to the planner: what this machine's kernel emulates, proven
// by executing a probe binary per platform. binfmt_misc is kernel-wide, so it holds for every
// engine on a unix socket of this machine; other endpoints are not probed (nothing proven).

import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

/// Emulation proven on this host by XPlatHost's exec probe.
public struct HostEmulationProbe: EmulationProbe {
    public var roots: HostRoots
    public var environment: [String: String]
    public var runner: any CommandRunner
    public var prover: any ExecProver

    public init(roots: HostRoots, environment: [String: String], runner: any CommandRunner, prover: any ExecProver) {
        self.roots = roots
        self.environment = environment
        self.runner = runner
        self.prover = prover
    }

    public func emulation(endpoint: String, native: Platform) async -> [EmulatedPlatform] {
        guard endpoint.hasPrefix("unix://") else { return [] }
        let foreign = HostProbe.defaultPlatforms.filter { !native.canRun($0) }
        let facts: HostFacts
        do {
            facts = try await HostProbe.probe(
                roots: roots, environment: environment, runner: runner, prover: prover,
                options: ProbeOptions(platforms: foreign, engine: false))
        } catch {
            // The probe itself failed: every foreign platform is unproven, with the reason (not "no handler").
            return foreign.map {
                EmulatedPlatform(platform: $0, proven: false, problem: "the host probe failed: \(error)")
            }
        }
        return facts.proofs.filter { !native.canRun($0.platform) }.map { proof in
            EmulatedPlatform(
                platform: proof.platform, proven: proof.outcome == .ran,
                problem: proof.outcome == .ran ? nil : "\(proof.outcome.rawValue): \(proof.error ?? "")")
        }
    }
}
