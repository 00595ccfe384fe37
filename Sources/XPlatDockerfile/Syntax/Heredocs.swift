// Heredoc detection, as BuildKit's `heredocsFromLine`: split the instruction line into shell words
// (quotes and escapes kept raw, unset variables kept), and take every word of the form
// `[n]<<[-]WORD` whose WORD is a single shell word. A quoted WORD disables expansion of the body.

enum Heredocs {
    static func fromLine(_ line: ArraySlice<UInt8>) -> [Heredoc] {
        var out: [Heredoc] = []
        for word in rawWords(line) {
            if let doc = heredoc(word) { out.append(doc) }
        }
        return out
    }

    /// Shell words with quotes and escapes kept (BuildKit's lexer with RawQuotes, RawEscapes,
    /// SkipUnsetEnv): `${...}` is kept whole even when it holds spaces.
    private static func rawWords(_ text: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var words: [ArraySlice<UInt8>] = []
        var i = text.startIndex
        while i < text.endIndex {
            while i < text.endIndex, text[i] == ASCII.space || text[i] == ASCII.tab { i += 1 }
            if i >= text.endIndex { break }
            let start = i
            while i < text.endIndex, text[i] != ASCII.space, text[i] != ASCII.tab {
                let c = text[i]
                if c == ASCII.apostrophe {
                    i += 1
                    while i < text.endIndex, text[i] != ASCII.apostrophe { i += 1 }
                    i = min(i + 1, text.endIndex)
                } else if c == ASCII.quote {
                    i += 1
                    while i < text.endIndex, text[i] != ASCII.quote {
                        if text[i] == ASCII.backslash { i += 1 }
                        i += 1
                    }
                    i = min(i + 1, text.endIndex)
                } else if c == ASCII.backslash {
                    i = min(i + 2, text.endIndex)
                } else if c == ASCII.dollar, i + 1 < text.endIndex, text[i + 1] == ASCII.openBrace {
                    var depth = 0
                    while i < text.endIndex {
                        if text[i] == ASCII.openBrace { depth += 1 }
                        if text[i] == ASCII.closeBrace { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                } else {
                    i += 1
                }
            }
            words.append(text[start..<i])
        }
        return words
    }

    /// `^(\d*)<<(-?)([^<]*)$` and a single-word delimiter.
    static func heredoc(_ word: ArraySlice<UInt8>) -> Heredoc? {
        var i = word.startIndex
        while i < word.endIndex, word[i].isASCIIDigit { i += 1 }
        let fdText = Bytes.string(word[word.startIndex..<i])
        guard i + 1 < word.endIndex, word[i] == ASCII.lt, word[i + 1] == ASCII.lt else { return nil }
        i += 2
        var chomp = false
        if i < word.endIndex, word[i] == ASCII.dash { chomp = true; i += 1 }
        let rest = word[i...]
        guard !rest.isEmpty, !rest.contains(ASCII.lt) else { return nil }
        // Unquote: the delimiter is the word with quotes removed and escapes applied.
        var name: [UInt8] = []
        var rawQuotes = 0
        var j = rest.startIndex
        var inSingle = false, inDouble = false
        while j < rest.endIndex {
            let c = rest[j]
            if inSingle {
                if c == ASCII.apostrophe { inSingle = false; rawQuotes += 1 } else { name.append(c) }
            } else if inDouble {
                if c == ASCII.quote {
                    inDouble = false; rawQuotes += 1
                } else if c == ASCII.backslash, j + 1 < rest.endIndex,
                    [ASCII.quote, ASCII.backslash, ASCII.dollar, UInt8(ascii: "`")].contains(rest[j + 1])
                {
                    j += 1; name.append(rest[j])
                } else {
                    name.append(c)
                }
            } else if c == ASCII.apostrophe {
                inSingle = true; rawQuotes += 1
            } else if c == ASCII.quote {
                inDouble = true; rawQuotes += 1
            } else if c == ASCII.backslash, j + 1 < rest.endIndex {
                j += 1; name.append(rest[j])
            } else if c == ASCII.space || c == ASCII.tab {
                return nil
            } else {
                name.append(c)
            }
            j += 1
        }
        let unquotedQuotes = name.filter { $0 == ASCII.quote || $0 == ASCII.apostrophe }.count
        let rawQuoteCount = rest.filter { $0 == ASCII.quote || $0 == ASCII.apostrophe }.count
        _ = rawQuotes
        return Heredoc(
            name: String(decoding: name, as: UTF8.self), fileDescriptor: Int(fdText) ?? 0,
            expand: unquotedQuotes == rawQuoteCount, chomp: chomp, content: "", bodyStartLine: 0,
            terminatorLine: 0, bodyRange: 0..<0)
    }
}
