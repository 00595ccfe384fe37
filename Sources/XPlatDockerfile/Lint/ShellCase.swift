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
        let t = Array(text)
        var out: [ShellCaseBlock] = []
        var i = 0
        while i < t.count {
            if let q = skipQuote(t, i) { i = q; continue }
            if isWord(t, i, "case"), let (block, end) = parseBlock(t, i) {
                out.append(block)
                for arm in block.arms {
                    out += blocks(in: t[arm.body]).map { nested in
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
    static func parseBlock(_ t: [UInt8], _ start: Int) -> (ShellCaseBlock, Int)? {
        var i = start + 4
        let subjectStart = i
        while i < t.count, !isWord(t, i, "in") { if let q = skipQuote(t, i) { i = q } else { i += 1 } }
        guard i < t.count else { return nil }
        let subject = Bytes.string(t[subjectStart..<i]).trimmingCharacters(in: " \t\r\n\\")
        i += 2
        var arms: [ShellCaseArm] = []
        while true {
            i = skipSpace(t, i)
            guard i < t.count else { return nil }
            if isWord(t, i, "esac") { return (ShellCaseBlock(subject: subject, offset: start, arms: arms), i + 4) }
            let patternStart = i
            while i < t.count, t[i] != UInt8(ascii: ")") { if let q = skipQuote(t, i) { i = q } else { i += 1 } }
            guard i < t.count else { return nil }
            let pattern = Bytes.string(t[patternStart..<i])
            i += 1
            let bodyStart = i
            guard let (bodyEnd, next) = armEnd(t, i) else { return nil }
            arms.append(ShellCaseArm(pattern: pattern, patternOffset: patternStart, body: bodyStart..<bodyEnd))
            i = next
        }
    }

    /// The end of an arm's body starting at `i`: its `;;` (the next arm follows) or the block's `esac`.
    static func armEnd(_ t: [UInt8], _ start: Int) -> (end: Int, next: Int)? {
        var i = start, depth = 0
        while i < t.count {
            if let q = skipQuote(t, i) { i = q; continue }
            if isWord(t, i, "case") { depth += 1; i += 4; continue }
            if isWord(t, i, "esac") {
                if depth == 0 { return (i, i) }
                depth -= 1; i += 4; continue
            }
            if depth == 0, t[i] == UInt8(ascii: ";"), i + 1 < t.count,
                t[i + 1] == UInt8(ascii: ";") || t[i + 1] == UInt8(ascii: "&")
            {
                return (i, i + 2)
            }
            i += 1
        }
        return nil
    }

    /// After a quoted string starting at `i` (`'...'`, `"..."` with `\` escapes), or nil when none starts there.
    static func skipQuote(_ t: [UInt8], _ i: Int) -> Int? {
        guard t[i] == ASCII.apostrophe || t[i] == ASCII.quote else { return nil }
        var j = i + 1
        while j < t.count, t[j] != t[i] { j += t[j] == ASCII.backslash && t[i] == ASCII.quote ? 2 : 1 }
        return min(j + 1, t.count)
    }

    static func skipSpace(_ t: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < t.count,
            t[i].isGoByteSpace || t[i] == ASCII.newline || t[i] == ASCII.backslash || t[i] == UInt8(ascii: ";")
        { i += 1 }
        return i
    }

    /// `word` at `i` as a shell word: not preceded or followed by a word character.
    static func isWord(_ t: [UInt8], _ i: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= t.count, t[i..<(i + w.count)].elementsEqual(w) else { return false }
        let before = i > 0 ? t[i - 1] : ASCII.space
        let after = i + w.count < t.count ? t[i + w.count] : ASCII.space
        return !Text.isIdent(before) && !Text.isIdent(after) && before != ASCII.dollar && before != UInt8(ascii: "-")
            && after != UInt8(ascii: "-") && after != UInt8(ascii: ".") && after != UInt8(ascii: "/")
    }
}
