/// BuildKit's per-instruction argument parsers (`line_parsers.go`), on UTF-8 bytes.
enum LineParsers {
    struct Failure: Error { var reason: String }

    typealias Result = (next: [BuildKitArgument], isJSON: Bool)

    static func dispatch(_ command: String, _ rest: ArraySlice<UInt8>, escape: UInt8) throws(Failure) -> Result {
        switch command {
        case "add", "copy", "volume": return try maybeJSONToList(rest)
        case "arg": return (nameOrNameVal(rest, escape: escape), false)
        case "cmd", "entrypoint", "run", "shell": return try maybeJSON(rest)
        case "env": return (try nameVal(rest, key: "ENV", escape: escape), false)
        case "label": return (try nameVal(rest, key: "LABEL", escape: escape), false)
        case "expose", "from": return (whitespaceDelimited(rest), false)
        case "healthcheck": return try healthConfig(rest)
        case "maintainer", "stopsignal", "user", "workdir":
            return (rest.isEmpty ? [] : [.value(Bytes.string(rest))], false)
        case "onbuild": return ([], false)  // handled by the parser (needs a nested instruction)
        default: return ([.value("")], false)  // BuildKit ignores unknown instructions' arguments
        }
    }

    /// BuildKit `parseWords`: whitespace-separated words, quotes kept, escapes kept.
    static func words(_ rest: ArraySlice<UInt8>, escape: UInt8) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var inWord = false, inQuote = false, blankOK = false
        var quote: UInt8 = 0
        var i = rest.startIndex
        let end = rest.endIndex
        while i < end {
            let c = rest[i]
            let sp = Bytes.spaceLength(rest, at: i)
            let width = sp > 0 ? sp : 1
            if !inWord && !inQuote {
                if sp > 0 { i += sp; continue }
                inWord = true
            }
            if inWord {
                if sp > 0 {
                    inWord = false
                    if blankOK || !word.isEmpty { words.append(word) }
                    word = []
                    blankOK = false
                    i += width
                    continue
                }
                if c == ASCII.apostrophe || c == ASCII.quote {
                    quote = c; blankOK = true; inWord = false; inQuote = true
                }
                if c == escape {
                    if i + 1 == end { i += 1; continue }
                    word.append(c)
                    i += 1
                }
                word.append(rest[i])
                i += 1
                continue
            }
            // in quote
            if c == quote { inQuote = false; inWord = true }
            if c == escape && quote != ASCII.apostrophe {
                if i + 1 == end { inQuote = false; inWord = true; i += 1; continue }
                i += 1
                word.append(c)
            }
            word.append(rest[i])
            i += 1
        }
        if inWord || inQuote, blankOK || !word.isEmpty { words.append(word) }
        return words
    }

    private static func keyValue(_ key: String, _ value: String, _ sep: String) -> [BuildKitArgument] {
        [.value(key), .value(value), .value(sep)]
    }

    /// ENV and LABEL: `KEY value` (old form) or `KEY=value ...`.
    private static func nameVal(_ rest: ArraySlice<UInt8>, key: String, escape: UInt8) throws(Failure)
        -> [BuildKitArgument]
    {
        let ws = words(rest, escape: escape)
        guard let first = ws.first else { return [] }
        if !first.contains(ASCII.equals) {
            let parts = splitWhitespace(rest, limit: 2)
            guard parts.count >= 2 else { throw Failure(reason: "\(key) must have two arguments") }
            return keyValue(Bytes.string(parts[0]), Bytes.string(parts[1]), "")
        }
        var out: [BuildKitArgument] = []
        for w in ws {
            guard let eq = w.firstIndex(of: ASCII.equals) else {
                throw Failure(
                    reason:
                        "Syntax error - can't find = in \(GoQuote.quote(Bytes.string(w[...]))). Must be of the form: "
                        + "name=value"
                )
            }
            out += keyValue(Bytes.string(w[..<eq]), Bytes.string(w[(eq + 1)...]), "=")
        }
        return out
    }

    private static func nameOrNameVal(_ rest: ArraySlice<UInt8>, escape: UInt8) -> [BuildKitArgument] {
        words(rest, escape: escape).map { .value(Bytes.string($0[...])) }
    }

    /// Go `regexp.MustCompile("[\t\v\f\r ]+").Split(s, n)`.
    private static func splitWhitespace(_ text: ArraySlice<UInt8>, limit: Int = -1) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            if limit > 0 && parts.count == limit - 1 { break }
            if text[i].isTokenSpace {
                var j = i
                while j < text.endIndex && text[j].isTokenSpace { j += 1 }
                parts.append(text[start..<i])
                start = j
                i = j
                continue
            }
            i += 1
        }
        parts.append(text[start..<text.endIndex])
        return parts
    }

    private static func whitespaceDelimited(_ rest: ArraySlice<UInt8>) -> [BuildKitArgument] {
        if rest.isEmpty { return [] }
        return splitWhitespace(rest).map { .value(Bytes.string($0)) }
    }

    private static func maybeJSON(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        if rest.isEmpty { return ([], false) }
        switch JSONArray.parse(rest) {
        case .strings(let list): return (list.map { .value($0) }, true)
        case .notStrings: throw Failure(reason: JSONArray.notStringArrayMessage)
        case .invalid: return ([.value(Bytes.string(rest))], false)
        }
    }

    private static func maybeJSONToList(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        switch JSONArray.parse(rest) {
        case .strings(let list): return (list.map { .value($0) }, true)
        case .notStrings: throw Failure(reason: JSONArray.notStringArrayMessage)
        case .invalid: return (whitespaceDelimited(rest), false)
        }
    }

    private static func healthConfig(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        var sep = rest.startIndex
        while sep < rest.endIndex && !rest[sep].isGoByteSpace { sep += 1 }
        var next = sep
        while next < rest.endIndex && rest[next].isGoByteSpace { next += 1 }
        if sep == rest.startIndex { return ([], false) }
        let (cmd, json) = try maybeJSON(rest[next...])
        return ([.value(Bytes.string(rest[rest.startIndex..<sep]))] + cmd, json)
    }
}
