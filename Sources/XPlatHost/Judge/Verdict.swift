import Foundation
import XPlatPlatform

/// Whether and how a platform can be built.
public enum Verdict: String, Sendable, Hashable, Codable {
    /// The CPU runs it (the host architecture, or a compatible one proven by exec).
    case native
    /// A binfmt_misc entry runs it through an emulator, and a probe binary ran.
    case emulatedProven = "emulated (proven)"
    /// An entry claims it but it was not proven (no probe, proofs skipped, or no F flag: fails in containers).
    case emulatedUnproven = "emulated (unproven)"
    /// Nothing runs it.
    case missing

    /// Native or emulated: a build for this platform can run here.
    public var buildable: Bool { self != .missing }
}

/// The verdict for one platform on one machine (the host, or a builder node).
public struct PlatformVerdict: Sendable, Hashable, Codable {
    public var platform: Platform
    public var verdict: Verdict
    /// How: `cpu`, `cpu (compatible)`, the binfmt entry name, or `buildkit`.
    public var via: String?
    /// Why, in a sentence (the exec error for a failed proof).
    public var reason: String
}

/// A builder node's view (`docker buildx ls`, or the local daemon's built-in BuildKit).
public struct NodeVerdicts: Sendable, Hashable, Codable {
    public var builder: String
    public var node: String
    public var driver: String
    public var endpoint: String
    /// The node builds on this host's kernel, so the host verdicts apply.
    public var local: Bool
    public var platforms: [PlatformVerdict]
}
