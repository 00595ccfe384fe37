// `case WORD in PATTERN) BODY ;; ... esac` blocks in RUN text, for the lint rules that look at how a
// script picks a download per architecture. A small scanner: quotes are skipped, nested `case` blocks
// are kept inside their arm's body, and a block without `esac` (text that is not shell) is dropped.

/// One arm of a `case` block. Offsets are relative to the scanned text.
struct ShellCaseArm {
    /// The pattern as written, without the closing `)` (`amd64`, `arm64|aarch64`, `*`).
    var pattern: String
    var patternOffset: Int
    /// The commands of the arm, up to (not including) its `;;` or the block's `esac`.
    var body: Range<Int>

    /// True for the catch-all arm `*)`.
    var isFallback: Bool { pattern.trimmingCharacters(in: " \t\r\n(\\") == "*" }
}

/// One `case ... esac` block.
struct ShellCaseBlock {
    /// The word cased on (`"$TARGETARCH"`, `$(uname -m)`).
    var subject: String
    var offset: Int
    var arms: [ShellCaseArm]
}

enum ShellCase {
    /// Every `case` block in `text`, outermost first, then the ones nested in their arms.
    static func blocks(in text: ArraySlice<UInt8>) -> [ShellCaseBlock] {
        let bytes = Array(text)
        var out: [ShellCaseBlock] = []
        var i = 0
        while i < bytes.count {
            if let q = skipQuote(in: bytes, at: i) { i = q; continue }
            if isWord("case", in: bytes, at: i), let (block, end) = parseBlock(in: bytes, at: i) {
                out.append(block)
                for arm in block.arms {
                    out += blocks(in: bytes[arm.body]).map { nested in
                        var n = nested
                        n.offset += arm.body.lowerBound
                        n.arms = n.arms.map { a in
                            var a = a
                            a.patternOffset += arm.body.lowerBound
                            a.body =
                                (a.body.lowerBound + arm.body.lowerBound)..<(a.body.upperBound + arm.body.lowerBound)
                            return a
                        }
                        return n
                    }
                }
                i = end
                continue
            }
            i += 1
        }
        return out
    }

    /// Parses the block whose `case` starts at `start`; returns it and the offset after its `esac`.
    private static func parseBlock(in bytes: [UInt8], at start: Int) -> (ShellCaseBlock, Int)? {
        var i = start + 4
        let subjectStart = i
        while i < bytes.count, !isWord("in", in: bytes, at: i) {
            if let q = skipQuote(in: bytes, at: i) { i = q } else { i += 1 }
        }
        guard i < bytes.count else { return nil }
        let subject = Bytes.string(bytes[subjectStart..<i]).trimmingCharacters(in: " \t\r\n\\")
        i += 2
        var arms: [ShellCaseArm] = []
        while true {
            i = skipSpace(in: bytes, from: i)
            guard i < bytes.count else { return nil }
            if isWord("esac", in: bytes, at: i) {
                return (ShellCaseBlock(subject: subject, offset: start, arms: arms), i + 4)
            }
            let patternStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: ")") {
                if let q = skipQuote(in: bytes, at: i) { i = q } else { i += 1 }
            }
            guard i < bytes.count else { return nil }
            let pattern = Bytes.string(bytes[patternStart..<i])
            i += 1
            let bodyStart = i
            guard let (bodyEnd, next) = armEnd(in: bytes, from: i) else { return nil }
            arms.append(ShellCaseArm(pattern: pattern, patternOffset: patternStart, body: bodyStart..<bodyEnd))
            i = next
        }
    }

    /// The end of an arm's body starting at `start`: its `;;` (the next arm follows) or the block's `esac`.
    private static func armEnd(in bytes: [UInt8], from start: Int) -> (end: Int, next: Int)? {
        var i = start, depth = 0
        while i < bytes.count {
            if let q = skipQuote(in: bytes, at: i) { i = q; continue }
            if isWord("case", in: bytes, at: i) { depth += 1; i += 4; continue }
            if isWord("esac", in: bytes, at: i) {
                if depth == 0 { return (i, i) }
                depth -= 1; i += 4; continue
            }
            if depth == 0, bytes[i] == UInt8(ascii: ";"), i + 1 < bytes.count,
                bytes[i + 1] == UInt8(ascii: ";") || bytes[i + 1] == UInt8(ascii: "&")
            {
                return (i, i + 2)
            }
            i += 1
        }
        return nil
    }

    /// After a quoted string starting at `start` (`'...'`, `"..."` with `\` escapes), or nil when none starts there.
    private static func skipQuote(in bytes: [UInt8], at start: Int) -> Int? {
        guard bytes[start] == ASCII.apostrophe || bytes[start] == ASCII.quote else { return nil }
        var j = start + 1
        while j < bytes.count, bytes[j] != bytes[start] {
            j += bytes[j] == ASCII.backslash && bytes[start] == ASCII.quote ? 2 : 1
        }
        return min(j + 1, bytes.count)
    }

    static func skipSpace(in bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count,
            bytes[i].isGoByteSpace || bytes[i] == ASCII.newline || bytes[i] == ASCII.backslash
                || bytes[i] == UInt8(ascii: ";")
        { i += 1 }
        return i
    }

    /// `word` at `start` as a shell word: not preceded or followed by a word character.
    private static func isWord(_ word: StaticString, in bytes: [UInt8], at start: Int) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard start + w.count <= bytes.count, bytes[start..<(start + w.count)].elementsEqual(w) else { return false }
        let before = start > 0 ? bytes[start - 1] : ASCII.space
        let after = start + w.count < bytes.count ? bytes[start + w.count] : ASCII.space
        return !Text.isIdent(before) && !Text.isIdent(after) && before != ASCII.dollar && before != UInt8(ascii: "-")
            && after != UInt8(ascii: "-") && after != UInt8(ascii: ".") && after != UInt8(ascii: "/")
    }
}
