// xplat's documented exit codes, shared by every subcommand (see README, "Exit codes").

/// Process exit codes. Every subcommand uses these and only these.
public enum XPlatExit {
    /// Everything checked is fine.
    public static let ok: Int32 = 0
    /// The check ran and found problems: verify mismatches, a rewrite needed under `--check`,
    /// an error-level finding, a requested platform that cannot be built.
    public static let checkFailed: Int32 = 1
    /// Could not check: unreadable input, a Dockerfile syntax error, engine unreachable.
    public static let couldNotCheck: Int32 = 2
    /// The build ran and failed (BuildKit error, or verification of its output failed to run).
    public static let buildFailed: Int32 = 3
    /// Interrupted (Ctrl-C); children were stopped and partial outputs removed.
    public static let interrupted: Int32 = 130
    /// Bad command-line usage (swift-argument-parser's validation code).
    public static let usage: Int32 = 64
}
