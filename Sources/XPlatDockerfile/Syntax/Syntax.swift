// The lossless syntax tree: a `Dockerfile` is its source bytes cut into elements (trivia and
// instructions) that cover the file exactly, so printing the unmodified tree gives the input back
// byte for byte. Each instruction keeps BuildKit's view of it (`BuildKitNode`), its flags with their
// source ranges, its heredocs, and a map from its logical line (continuations joined) back to bytes.

/// A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`).
public struct ParserDirective: Sendable, Hashable {
    /// Lower-cased name.
    public var name: String
    public var value: String
    /// 1-based line.
    public var line: Int
}

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

/// A piece of the file: an instruction, or the lines between instructions (blank lines, comments,
/// parser directives).
public enum DockerfileElement: Sendable {
    case trivia(Range<Int>)
    case instruction(Int)
}

/// A parsed Dockerfile. Immutable; rewriting produces edits applied to `bytes`.
public struct Dockerfile: Sendable {
    /// Name used in messages.
    public var fileName: String
    /// The file, unmodified.
    public var bytes: [UInt8]
    /// `\\` or `` ` ``.
    public var escapeToken: Character
    /// Parser directives at the top.
    public var directives: [ParserDirective]
    /// Instructions in file order.
    public var instructions: [Instruction]
    /// The file as trivia and instructions, covering every byte once, in order.
    public var elements: [DockerfileElement]
    /// Byte offset of the start of each line (index 0 is line 1).
    public var lineStarts: [Int]
    /// BuildKit's warnings (empty continuation lines).
    public var warnings: [String]

    /// `"\r\n"` when the file's first line ends so, else `"\n"`.
    public var lineEnding: String {
        if let nl = bytes.firstIndex(of: ASCII.newline), nl > 0, bytes[nl - 1] == ASCII.cr { return "\r\n" }
        return "\n"
    }

    /// Prints the tree: concatenates every element's bytes. Equal to the input for a parsed file.
    public func render() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for e in elements {
            switch e {
            case .trivia(let r): out += bytes[r]
            case .instruction(let i): out += bytes[instructions[i].sourceRange]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// BuildKit's `Node.Dump()` of the whole file, as in its `testfiles/*/result` (with a final newline).
    public func dump() -> String {
        instructions.map { "(" + $0.node.dump() + ")\n" }.joined()
    }

    /// Text of bytes in `range`.
    public func text(_ range: Range<Int>) -> String { Bytes.string(bytes[range]) }

    /// 1-based line and column of byte `offset` (column counts characters, 1-based).
    public func position(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let column = String(decoding: bytes[start..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (lo + 1, column)
    }

    /// The source text of line `n` (1-based) without its line ending.
    public func lineText(_ n: Int) -> String {
        guard n >= 1 && n <= lineStarts.count else { return "" }
        let start = lineStarts[n - 1]
        let end = n < lineStarts.count ? lineStarts[n] : bytes.count
        return Bytes.string(bytes[start..<Bytes.trimNewline(bytes[start..<end])])
    }
}

/// A Dockerfile the parser rejects, with the place and the reason.
public struct DockerfileSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var fileName: String
    /// 1-based line where the offending instruction starts.
    public var line: Int
    public var reason: String

    public init(fileName: String, line: Int, reason: String) {
        self.fileName = fileName
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`.
    public var description: String { "\(fileName):\(line): \(reason)" }
}
