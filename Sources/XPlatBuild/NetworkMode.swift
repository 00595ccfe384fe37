import Foundation
import XPlatPlatform
import XPlatSupport

/// `--network`: the network of RUN steps. buildx takes `default`, `host` and `none` and refuses
/// any other name ("network mode ... not supported by buildkit").
public enum NetworkMode: String, Sendable, Hashable, CaseIterable {
    /// The builder's own default (buildx's default: no flag is passed).
    case `default`
    /// The host's network (buildx also allows the `network.host` entitlement for it).
    case host
    /// No network (hermetic).
    case none

    /// Parses `--network VALUE` (an empty value is the default, as buildx reads it).
    public init(parsing text: String) throws {
        if text.isEmpty { self = .default; return }
        guard let mode = NetworkMode(rawValue: text) else {
            throw BuildError.badOption(
                option: "--network", value: text,
                reason:
                    "BuildKit runs RUN steps with default, host or none (a named network needs a builder created "
                    + "on it: docker buildx create --driver-opt network=NAME)"
            )
        }
        self = mode
    }
}
