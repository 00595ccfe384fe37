import Foundation
import XPlatPlatform
import XPlatSupport

/// `--ulimit NAME=SOFT[:HARD]` (docker's syntax): a resource limit of RUN steps.
public struct Ulimit: Sendable, Hashable {
    /// The names docker knows.
    public static let names: Set<String> = [
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
        "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
    ]
    public var name: String
    public var soft: Int64
    public var hard: Int64

    public init(name: String, soft: Int64, hard: Int64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// Parses one `--ulimit` value; HARD defaults to SOFT.
    public init(parsing text: String) throws {
        let fail = { (why: String) in BuildError.badOption(option: "--ulimit", value: text, reason: why) }
        guard let kv = KeyValue(text), let value = kv.value else { throw fail("expected NAME=SOFT[:HARD]") }
        guard Self.names.contains(kv.key) else {
            throw fail("unknown limit \"\(kv.key)\" (\(Self.names.sorted().joined(separator: ", ")))")
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let soft = Int64(parts[0]), let hard = parts.count == 2 ? Int64(parts[1]) : soft else {
            throw fail("limits are integers: NAME=SOFT[:HARD]")
        }
        guard soft <= hard else { throw fail("the soft limit \(soft) is above the hard limit \(hard)") }
        name = kv.key
        self.soft = soft
        self.hard = hard
    }

    /// docker's form `NAME=SOFT:HARD`.
    public var flagValue: String { "\(name)=\(soft):\(hard)" }
}
