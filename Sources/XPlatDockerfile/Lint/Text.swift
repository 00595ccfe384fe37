/// Small byte searches over instruction text.
enum Text {

    /// Like `find`, but the match must not continue with an identifier character.
    static func findWord(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        var from = hay.startIndex
        while let at = Bytes.find(needle, in: hay[from...]) {
            let end = from + at + needle.count
            if end >= hay.endIndex || !isIdent(hay[end]) || needle.last == ASCII.openBrace {
                return from + at - hay.startIndex
            }
            from = end
        }
        return nil
    }

    /// `$NAME` and `${NAME...}` references: offset (relative to `hay`) of the `$`, and the name.
    static func variableReferences(in hay: ArraySlice<UInt8>) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var i = hay.startIndex
        while i < hay.endIndex {
            guard hay[i] == ASCII.dollar else { i += 1; continue }
            var s = i + 1
            if s < hay.endIndex, hay[s] == ASCII.openBrace { s += 1 }
            var e = s
            while e < hay.endIndex, isIdent(hay[e]) { e += 1 }
            if e > s { out.append((i - hay.startIndex, Bytes.string(hay[s..<e]))) }
            i = max(e, i + 1)
        }
        return out
    }

    static func isIdent(_ byte: UInt8) -> Bool { byte.isASCIILetter || byte.isASCIIDigit || byte == UInt8(ascii: "_") }

    /// `KEY=value` assignments (KEY at a word start); offset relative to `hay`.
    static func assignments(of key: String, in hay: ArraySlice<UInt8>) -> [(offset: Int, value: String)] {
        var out: [(Int, String)] = []
        let needle = Array((key + "=").utf8)
        var from = hay.startIndex
        while let at = Bytes.find(needle, in: hay[from...]) {
            let s = from + at
            let v = s + needle.count
            from = v
            if s > hay.startIndex && isIdent(hay[s - 1]) { continue }
            var e = v
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != UInt8(ascii: ";"), hay[e] != UInt8(ascii: "&"),
                hay[e] != ASCII.backslash || e + 1 < hay.endIndex && !hay[e + 1].isGoByteSpace
            { e += 1 }
            let value = Bytes.string(hay[v..<e])
            if !value.isEmpty { out.append((s - hay.startIndex, value)) }
        }
        return out
    }

    /// `http://` and `https://` URLs; offset relative to `hay`.
    static func urls(in hay: ArraySlice<UInt8>) -> [(offset: Int, text: String)] {
        var out: [(Int, String)] = []
        var from = hay.startIndex
        while let at = Bytes.find(Array("http".utf8), in: hay[from...]) {
            let s = from + at
            var e = s
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != ASCII.quote, hay[e] != ASCII.apostrophe,
                hay[e] != UInt8(ascii: ")"), hay[e] != UInt8(ascii: ";")
            { e += 1 }
            let text = Bytes.string(hay[s..<e])
            if text.hasPrefix("http://") || text.hasPrefix("https://") { out.append((s - hay.startIndex, text)) }
            from = max(e, s + 4)
        }
        return out
    }
}
