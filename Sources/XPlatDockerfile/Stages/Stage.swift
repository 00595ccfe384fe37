import XPlatPlatform

/// The `--platform` of a stage's FROM.
public enum FromPlatform: Sendable, Hashable {
    /// No `--platform`: the stage runs on the target platform.
    case none
    /// `--platform=$BUILDPLATFORM` (or `${BUILDPLATFORM}`): runs where the build runs.
    case buildPlatform
    /// `--platform=$TARGETPLATFORM`.
    case targetPlatform
    /// A literal platform such as `linux/amd64`.
    case fixed(String)
    /// Some other expression (another ARG).
    case other(String)

    init(flagValue v: String?) {
        guard let v else { self = .none; return }
        switch v {
        case "$BUILDPLATFORM", "${BUILDPLATFORM}": self = .buildPlatform
        // `${BUILDPLATFORM:-linux/amd64}`: BuildKit always sets BUILDPLATFORM; the default is for other builders.
        case _ where v.hasPrefix("${BUILDPLATFORM:-") || v.hasPrefix("${BUILDPLATFORM-"): self = .buildPlatform
        case "$TARGETPLATFORM", "${TARGETPLATFORM}": self = .targetPlatform
        default: self = v.contains("$") ? .other(v) : .fixed(v)
        }
    }

    /// JSON/text form: `none`, `$BUILDPLATFORM`, `$TARGETPLATFORM` or the value.
    public var description: String {
        switch self {
        case .none: return "none"
        case .buildPlatform: return "$BUILDPLATFORM"
        case .targetPlatform: return "$TARGETPLATFORM"
        case .fixed(let v), .other(let v): return v
        }
    }
}

/// What a stage starts from.
public enum StageBase: Sendable, Hashable {
    /// An image reference, ARGs expanded (`golang:1.22-alpine`).
    case image(String)
    /// An earlier stage, by index.
    case stage(Int)
    /// `scratch`.
    case scratch
}

/// An edge of the stage graph.
public struct StageDependency: Sendable, Hashable {
    /// Which instruction makes the reference.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `FROM <stage>`.
        case base
        /// `COPY --from=<stage>` / `ADD --from`.
        case copyFrom = "copy-from"
        /// `RUN --mount=...,from=<stage>`.
        case mountFrom = "mount-from"
    }
    public var kind: Kind
    /// The stage depended on.
    public var stage: Int
    /// Index into `Dockerfile.instructions` of the instruction making the reference.
    public var instruction: Int
    /// 1-based line of that instruction.
    public var line: Int
}

/// An `ARG` declaration.
public struct ArgDeclaration: Sendable, Hashable {
    public var name: String
    /// The default, quotes removed; nil when declared without one.
    public var defaultValue: String?
    public var instruction: Int
    public var line: Int
}

/// A RUN instruction of a stage.
public struct RunInstruction: Sendable, Hashable {
    /// Index into `Dockerfile.instructions`.
    public var instruction: Int
    public var line: Int
    /// The command: shell text (heredoc bodies appended) or the exec-form words joined by spaces.
    public var command: String
    public var isJSON: Bool
}

/// One build stage.
public struct Stage: Sendable, Hashable {
    /// Lower-cased `AS` name, if any.
    public var name: String?
    public var index: Int
    /// Index of the FROM in `Dockerfile.instructions`, and of every instruction of the stage.
    public var fromInstruction: Int
    public var instructions: [Int]
    /// The FROM's image or stage reference as written, and after ARG expansion.
    public var baseText: String
    public var base: StageBase
    public var platform: FromPlatform
    public var runs: [RunInstruction]
    public var args: [ArgDeclaration]
    public var dependencies: [StageDependency]
    /// 1-based line of the FROM.
    public var line: Int

    /// `name` or the index, as BuildKit names stages in messages.
    public var displayName: String { name ?? String(index) }
}
