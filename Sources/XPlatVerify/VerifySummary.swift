import Foundation

/// Counts and time for a whole run.
public struct VerifySummary: Sendable, Hashable, Codable {
    /// Regular files looked at (every one has its first bytes read).
    public var files: Int
    /// ELF files inspected.
    public var elf: Int
    /// Non-ELF files skipped after the header read.
    public var skipped: Int
    /// ELF files not checked because a `--exclude` pattern matched them.
    public var excluded: Int
    /// Files with at least one problem.
    public var failed: Int
    /// Problems in all (a file may have several), and error findings.
    public var problems: Int
    /// Wall time in seconds.
    public var seconds: Double
}
