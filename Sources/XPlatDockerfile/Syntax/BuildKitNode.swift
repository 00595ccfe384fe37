// BuildKit's view of an instruction: the `Node` of moby/buildkit's `frontend/dockerfile/parser`, with
// its `Value`/`Next` chain, `Flags` and the `Dump()` s-expression format its `testfiles/*/result`
// files use. xplat keeps it so that its parser can be checked against BuildKit's own expectations
// argument for argument, and so that later layers see arguments exactly as BuildKit would.

/// One argument in a BuildKit node's `Next` chain: a string, or (for ONBUILD) a nested instruction.
public indirect enum BuildKitArgument: Sendable, Hashable {
    case value(String)
    case node(BuildKitNode)
}

/// An instruction as BuildKit's parser represents it.
public struct BuildKitNode: Sendable, Hashable {
    /// The lower-cased instruction name (`run`, `from`, ...).
    public var value: String
    /// `--name=value` flags, in order, with quotes removed.
    public var flags: [String]
    /// Arguments after the instruction name and flags, as BuildKit's line parser for it splits them.
    public var next: [BuildKitArgument]
    /// True when the arguments were a JSON array (exec form).
    public var isJSON: Bool

    public init(value: String, flags: [String] = [], next: [BuildKitArgument] = [], isJSON: Bool = false) {
        self.value = value
        self.flags = flags
        self.next = next
        self.isJSON = isJSON
    }

    /// The string arguments (nested nodes are skipped).
    public var strings: [String] {
        next.compactMap { if case .value(let s) = $0 { return s } else { return nil } }
    }

    /// BuildKit's `Node.Dump()` for this instruction.
    public func dump() -> String {
        var s = value.lowercased()
        if !flags.isEmpty { s += " [" + flags.map(GoQuote.quote).joined(separator: " ") + "]" }
        for n in next {
            switch n {
            case .value(let v): s += " " + GoQuote.quote(v)
            case .node(let child): s += " (" + child.dump() + ")"
            }
        }
        return s.goTrimmed
    }
}
