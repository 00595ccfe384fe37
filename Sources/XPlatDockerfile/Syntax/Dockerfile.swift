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

    /// The source text of line `line` (1-based) without its line ending.
    public func lineText(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] : bytes.count
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
