/// The rules, with their stable ids.
public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
    case argTargetDefault = "arg-target-default"
    case targetArgGlobalOnly = "target-arg-global-only"
    case hardcodedGoArch = "hardcoded-goarch"
    case hardcodedPlatform = "hardcoded-platform"
    case archInURL = "arch-in-url"
    case runtimeArchDetection = "runtime-arch-detection"
    case buildPlatformOnFinal = "buildplatform-final-stage"
    case hardcodedRustTarget = "hardcoded-rust-target"
    case archInImage = "arch-in-image"
    case archCaseFallback = "arch-case-fallback"
    case buildPlatformForeignTool = "buildplatform-amd64-download"
    case buildStageNotCross = "build-stage-not-cross"
    case platformStageMissing = "platform-stage-missing"

    /// `XP001` ...
    public var id: String {
        switch self {
        case .argTargetDefault: return "XP001"
        case .targetArgGlobalOnly: return "XP002"
        case .hardcodedGoArch: return "XP003"
        case .hardcodedPlatform: return "XP004"
        case .archInURL: return "XP005"
        case .runtimeArchDetection: return "XP006"
        case .buildPlatformOnFinal: return "XP007"
        case .hardcodedRustTarget: return "XP008"
        case .archInImage: return "XP009"
        case .archCaseFallback: return "XP010"
        case .buildPlatformForeignTool: return "XP011"
        case .buildStageNotCross: return "XP012"
        case .platformStageMissing: return "XP013"
        }
    }

    public var severity: Severity {
        switch self {
        case .argTargetDefault, .targetArgGlobalOnly, .buildPlatformOnFinal: return .error
        // `uname -m` on the build platform is right for host tools (a compiler, rustup-init): a warning.
        // The others name a hazard whose effect depends on the platforms built: warnings.
        case .hardcodedGoArch, .hardcodedPlatform, .archInURL, .runtimeArchDetection, .hardcodedRustTarget,
            .archInImage, .archCaseFallback, .buildPlatformForeignTool, .buildStageNotCross, .platformStageMissing:
            return .warning
        }
    }
}
