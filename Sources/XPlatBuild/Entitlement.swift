import Foundation
import XPlatPlatform
import XPlatSupport

/// `--allow`: an extra privileged entitlement for the build.
public enum Entitlement: String, Sendable, Hashable, CaseIterable {
    case networkHost = "network.host"
    case securityInsecure = "security.insecure"

    public init(parsing text: String) throws {
        guard let e = Entitlement(rawValue: text) else {
            throw BuildError.badOption(
                option: "--allow", value: text, reason: "invalid entitlement (network.host, security.insecure)")
        }
        self = e
    }
}
