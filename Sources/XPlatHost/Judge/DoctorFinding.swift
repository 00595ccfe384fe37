import Foundation
import XPlatPlatform

/// One thing wrong or worth knowing about this host, with the command that fixes it.
///
/// `xplat lint`'s findings (`XPlatDockerfile.Finding`) are about a file; these are about a machine.
public struct DoctorFinding: Sendable, Hashable, Codable {
    /// How serious a finding is; sorts most serious first.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
        case error, warning, note

        public static func < (a: Severity, b: Severity) -> Bool {
            a.order < b.order
        }

        private var order: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .note: return 2
            }
        }
    }

    /// The stable identifiers, listed in the README.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case binfmtDisabled = "binfmt-disabled"
        case binfmtNotMounted = "binfmt-not-mounted"
        case builderError = "builder-error"
        case clientNoBuildkit = "client-no-buildkit"
        case compatExecFailed = "compat-exec-failed"
        case daemonUnreachable = "daemon-unreachable"
        case duplicateEntries = "duplicate-entries"
        case entryCredentials = "entry-credentials"
        case entryMatchesNative = "entry-matches-native"
        case entryNoFixBinary = "entry-no-fix-binary"
        case entryPartialMatch = "entry-partial-match"
        case entryUnreadable = "entry-unreadable"
        case bootConfigMalformed = "boot-config-malformed"
        case execFailed = "exec-failed"
        case interpreterMissing = "interpreter-missing"
        case interpreterNotStatic = "interpreter-not-static"
        case kernelNoFixBinary = "kernel-no-fix-binary"
        case noBootService = "no-boot-service"
        case noDockerClient = "no-docker-client"
        case nodeUnknownPlatform = "node-unknown-platform"
        case notPersistent = "not-persistent"
        case registryUnreachable = "registry-unreachable"
    }

    public var id: Kind
    public var severity: Severity
    /// What it is about: an entry name, a path, a platform.
    public var subject: String
    public var message: String
    /// A command that fixes it, when one exists.
    public var fix: String?
    /// Platforms it affects (empty: the whole host).
    public var platforms: [Platform]
}
