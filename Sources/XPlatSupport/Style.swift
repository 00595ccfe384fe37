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

    /// `text` wrapped in the SGR code when styling is enabled, unchanged otherwise.
    public func red(_ text: String) -> String { wrap(text, code: "31") }
    public func green(_ text: String) -> String { wrap(text, code: "32") }
    public func yellow(_ text: String) -> String { wrap(text, code: "33") }
    public func cyan(_ text: String) -> String { wrap(text, code: "36") }
    public func bold(_ text: String) -> String { wrap(text, code: "1") }
    public func dim(_ text: String) -> String { wrap(text, code: "2") }

    private func wrap(_ text: String, code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
