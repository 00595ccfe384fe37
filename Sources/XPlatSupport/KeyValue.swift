// `KEY=VALUE` as docker's flags take them: one parser for `--build-arg`, the fields of `-o` and of
// `--cache-to/--cache-from`, so that all of them agree on what a key is.

/// One `KEY=VALUE` (or bare `KEY`) word.
public struct KeyValue: Sendable, Hashable {
    /// Everything before the first `=`; never empty.
    public var key: String
    /// Everything after the first `=` (may be empty); nil for a bare `KEY`.
    public var value: String?

    /// Nil when the key is empty (`=x`, `=`, or an empty word).
    public init?(_ text: some StringProtocol) {
        if let equals = text.firstIndex(of: "=") {
            key = String(text[..<equals])
            value = String(text[text.index(after: equals)...])
        } else {
            key = String(text)
            value = nil
        }
        if key.isEmpty { return nil }
    }
}
