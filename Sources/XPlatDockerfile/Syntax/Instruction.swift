/// A `--name[=value]` flag of an instruction.
public struct InstructionFlag: Sendable, Hashable {
    /// Name without the leading dashes (`platform`).
    public var name: String
    /// Value after `=`, quotes removed; nil for a bare `--link`.
    public var value: String?
    /// The flag as BuildKit records it (`--platform=linux/amd64`).
    public var text: String
    /// Byte range of the flag in the source file.
    public var sourceRange: Range<Int>
}

/// A heredoc attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<'EOF'`).
public struct Heredoc: Sendable, Hashable {
    /// The delimiter word, quotes removed.
    public var name: String
    /// File descriptor before `<<` (0 when absent).
    public var fileDescriptor: Int
    /// False when the delimiter was quoted: the body is not expanded.
    public var expand: Bool
    /// True for `<<-`: leading tabs are stripped.
    public var chomp: Bool
    /// Body lines with their line endings, without the terminator line.
    public var content: String
    /// 1-based lines of the body's first line and of the terminator.
    public var bodyStartLine: Int
    public var terminatorLine: Int
    /// Byte range of the body (start of its first line to the start of the terminator line).
    public var bodyRange: Range<Int>
}

/// One piece of a logical line: `length` bytes that start at `logical` in the joined line and at
/// `source` in the file.
struct Segment: Sendable, Hashable {
    var logical: Int
    var source: Int
    var length: Int
}

/// An instruction as written: its lines, its text, and BuildKit's parse of it.
public struct Instruction: Sendable {
    /// Lower-cased instruction name (`from`, `run`, ...).
    public var command: String
    /// The instruction name as written (`FROM`, `from`).
    public var keyword: String
    /// Flags before the arguments.
    public var flags: [InstructionFlag]
    /// The arguments after the flags, continuations joined, trimmed (what BuildKit's line parser sees).
    public var arguments: String
    /// The whole logical line (continuations joined, comments inside removed).
    public var original: String
    /// BuildKit's node for this instruction.
    public var node: BuildKitNode
    /// Heredocs in order.
    public var heredocs: [Heredoc]
    /// Comment lines directly above the instruction (BuildKit `PrevComment`).
    public var comments: [String]
    /// 1-based first and last line (the last includes heredoc terminators).
    public var startLine: Int
    public var endLine: Int
    /// Bytes of the whole instruction, from the start of its first line to the end of its last line.
    public var sourceRange: Range<Int>
    /// Byte range of the instruction name.
    public var keywordRange: Range<Int>
    /// Byte offset where the arguments (after the flags) start; the end of the line when empty.
    public var argumentsOffset: Int
    /// For ONBUILD: the wrapped instruction's name (lower-cased).
    public var onbuildCommand: String?
    var segments: [Segment]
    var logicalArgumentsStart: Int

    /// True when the arguments are a JSON array (exec form).
    public var isJSON: Bool { node.isJSON }

    /// The value of flag `name` (last one wins, as in BuildKit), if present.
    public func flag(_ name: String) -> InstructionFlag? { flags.last { $0.name == name } }

    /// All values of a repeatable flag (`--mount`).
    public func flagValues(_ name: String) -> [String] { flags.filter { $0.name == name }.compactMap(\.value) }

    /// The byte offset in the file of byte `logical` of the joined line.
    public func sourceOffset(logical: Int) -> Int {
        var best = segments.first.map { $0.source } ?? sourceRange.lowerBound
        for s in segments {
            if logical < s.logical { break }
            if logical <= s.logical + s.length { best = s.source + (logical - s.logical) }
        }
        return best
    }

    /// Source byte range of the logical range, or nil when it spans a line continuation.
    public func sourceRange(logical: Range<Int>) -> Range<Int>? {
        for s in segments where logical.lowerBound >= s.logical && logical.upperBound <= s.logical + s.length {
            return (s.source + logical.lowerBound - s.logical)..<(s.source + logical.upperBound - s.logical)
        }
        return nil
    }

    /// Byte range in the file of the argument text after the flags, up to the end of the logical
    /// line, split by physical line: each element lies on one line.
    public var argumentSourcePieces: [Range<Int>] {
        var out: [Range<Int>] = []
        for s in segments {
            let lo = max(s.logical, logicalArgumentsStart), hi = s.logical + s.length
            if lo < hi { out.append((s.source + lo - s.logical)..<(s.source + hi - s.logical)) }
        }
        return out
    }
}
