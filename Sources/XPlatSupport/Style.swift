// Colour only on a terminal and never when NO_COLOR is set (https://no-color.org).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// ANSI styling that turns itself off where it does not belong.
public struct Style: Sendable {
    /// Whether escape sequences are emitted.
    public var enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Colour for file descriptor `fd`: on only when it is a TTY, `NO_COLOR` is unset or empty,
    /// and `TERM` is not `dumb`.
    public static func detect(fd: Int32 = 1, environment: [String: String]) -> Style {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return Style(enabled: false) }
        if environment["TERM"] == "dumb" { return Style(enabled: false) }
        return Style(enabled: isatty(fd) == 1)
    }

    /// `s` wrapped in the SGR code when styling is enabled, unchanged otherwise.
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }
    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }

    private func wrap(_ s: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
}

/// Writes to standard error without buffering surprises (progress and logs go there).
public enum StandardError {
    /// Writes `text` as is (no newline added), continuing after short writes; gives up on a write error.
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(2, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
