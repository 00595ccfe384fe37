import Foundation
import XPlatPlatform

/// The label of a step name (`[linux/amd64->arm64 build 3/3] RUN go build`), read.
public struct StepLabel: Sendable, Hashable {
    /// The platform BuildKit names in a multi-platform solve: the target of a cross step
    /// (`linux/amd64->arm64` means linux/arm64), nil when the label names none.
    public var platform: Platform?
    /// The stage label: a name, `stage-N` for an unnamed stage, nil for a single-stage Dockerfile.
    public var stage: String?
    /// The step's position in its stage (1-based).
    public var index: Int
    /// The stage's step count as BuildKit counts it (ONBUILD triggers run before the stage's own
    /// steps are numbered among them but not counted: `[stage-1 3/2]`).
    public var total: Int
    /// What follows the label (`RUN go build -o /out/hello .`).
    public var command: String

    /// Reads `[...] COMMAND`; nil for internal steps (`[internal] load ...`, `[auth] ...`) and
    /// anything that is not a Dockerfile step.
    public init?(_ name: String) {
        guard name.hasPrefix("["), let close = name.firstIndex(of: "]") else { return nil }
        var words = name[name.index(after: name.startIndex)..<close].split(separator: " ")
        guard let position = words.popLast(), let slash = position.firstIndex(of: "/"),
            let index = Int(position[..<slash]), let total = Int(position[position.index(after: slash)...])
        else { return nil }
        let platformWord = words.first { $0.contains("/") }
        words.removeAll { $0.contains("/") }
        guard words.count <= 1 else { return nil }
        self.platform = platformWord.flatMap(Self.target)
        self.stage = words.first.map(String.init)
        self.index = index
        self.total = total
        self.command = String(name[name.index(after: close)...].drop { $0 == " " })
    }

    /// `linux/arm64` -> linux/arm64; `linux/amd64->arm64` -> linux/arm64 (the target keeps the
    /// base's OS); `linux/amd64->arm/v7` -> linux/arm/v7.
    private static func target(_ word: Substring) -> Platform? {
        let parts = word.components(separatedBy: "->")
        guard parts.count == 2 else { return try? Platform(parsing: String(word)) }
        let os = parts[0].split(separator: "/").first.map(String.init) ?? "linux"
        return (try? Platform(parsing: "\(os)/\(parts[1])")) ?? (try? Platform(parsing: parts[1]))
    }
}
