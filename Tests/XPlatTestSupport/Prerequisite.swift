// What a suite needs from the machine (dockerd, a registry, seeded images): one place for the
// visible skip and for XPLAT_REQUIRE_ENGINE=1, under which the tests run anyway so that `usable`
// records the absence as a failure instead of a skip.

import Foundation
import Testing

/// A machine prerequisite of some tests: `needs` says what, `unusable` says why it is absent (nil
/// when it is there).
public struct Prerequisite: Sendable {
    /// `XPLAT_REQUIRE_ENGINE=1`: an absent prerequisite is a failure, not a skip (CI sets it).
    public static let required = ProcessInfo.processInfo.environment["XPLAT_REQUIRE_ENGINE"] == "1"

    public let needs: String
    public let unusable: @Sendable () async -> String?

    public init(needs: String, unusable: @escaping @Sendable () async -> String?) {
        self.needs = needs
        self.unusable = unusable
    }

    /// Skips the test or suite, with the reason, when the prerequisite is absent, unless required.
    public var trait: ConditionTrait {
        let unusable = self.unusable
        return .enabled("needs \(needs); XPLAT_REQUIRE_ENGINE=1 makes their absence a failure") {
            if Self.required { return true }
            return await unusable() == nil
        }
    }

    /// True when the prerequisite is there; else records why `test` cannot run (reached only under
    /// XPLAT_REQUIRE_ENGINE=1, since `trait` skips otherwise).
    public func usable(_ test: String) async -> Bool {
        guard let why = await unusable() else { return true }
        Issue.record("XPLAT_REQUIRE_ENGINE=1 but \(test) cannot run: \(why)")
        return false
    }
}
