import Foundation
import XPlatPlatform

/// The judged report: facts, verdicts and findings. `xplat doctor --json` prints it.
public struct DoctorReport: Sendable, Hashable, Codable {
    /// `xplat.doctor/v1`.
    public var schema: String
    /// Platforms named with `--platform`, nil for the default set.
    public var requested: [Platform]?
    public var host: [PlatformVerdict]
    public var nodes: [NodeVerdicts]
    public var findings: [DoctorFinding]
    public var facts: HostFacts

    /// The schema identifier of this JSON form.
    public static let schemaID = "xplat.doctor/v1"

    /// Requested platforms no machine can build (host or any node).
    public var unbuildable: [Platform] {
        host.filter { verdict in
            !verdict.verdict.buildable
                && !nodes.contains { node in
                    node.platforms.contains { $0.platform == verdict.platform && $0.verdict.buildable }
                }
        }.map(\.platform)
    }

    /// xplat's exit code: 1 when a requested platform cannot be built or an error-level finding
    /// exists, else 0.
    public var exitCode: Int32 {
        if requested != nil, !unbuildable.isEmpty { return 1 }
        return findings.contains { $0.severity == .error } ? 1 : 0
    }

    /// The host's verdict for `platform`.
    public func verdict(for platform: Platform) -> PlatformVerdict? { host.first { $0.platform == platform } }
}
