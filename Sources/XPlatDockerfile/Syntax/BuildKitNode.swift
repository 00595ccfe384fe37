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

/// Go's `strconv.Quote`, so dumps compare byte for byte with BuildKit's.
public enum GoQuote {
    /// `s` in double quotes as Go quotes it: C escapes for control characters, `\x`, `\u` or `\U` for other unprintable
    /// ones.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, 2)
                } else if v < 0x80 || isPrint(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if v < 0x10000 {
                    out += "\\u" + hex(v, 4)
                } else {
                    out += "\\U" + hex(v, 8)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

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

    static func keyValue(_ key: String, _ value: String, _ sep: String) -> [BuildKitArgument] {
        [.value(key), .value(value), .value(sep)]
    }

    /// ENV and LABEL: `KEY value` (old form) or `KEY=value ...`.
    static func nameVal(_ rest: ArraySlice<UInt8>, key: String, escape: UInt8) throws(Failure) -> [BuildKitArgument] {
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

    static func nameOrNameVal(_ rest: ArraySlice<UInt8>, escape: UInt8) -> [BuildKitArgument] {
        words(rest, escape: escape).map { .value(Bytes.string($0[...])) }
    }

    /// Go `regexp.MustCompile("[\t\v\f\r ]+").Split(s, n)`.
    static func splitWhitespace(_ s: ArraySlice<UInt8>, limit: Int = -1) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if limit > 0 && parts.count == limit - 1 { break }
            if s[i].isTokenSpace {
                var j = i
                while j < s.endIndex && s[j].isTokenSpace { j += 1 }
                parts.append(s[start..<i])
                start = j
                i = j
                continue
            }
            i += 1
        }
        parts.append(s[start..<s.endIndex])
        return parts
    }

    static func whitespaceDelimited(_ rest: ArraySlice<UInt8>) -> [BuildKitArgument] {
        if rest.isEmpty { return [] }
        return splitWhitespace(rest).map { .value(Bytes.string($0)) }
    }

    static func maybeJSON(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        if rest.isEmpty { return ([], false) }
        switch JSONArray.parse(rest) {
        case .strings(let list): return (list.map { .value($0) }, true)
        case .notStrings: throw Failure(reason: JSONArray.notStringArrayMessage)
        case .invalid: return ([.value(Bytes.string(rest))], false)
        }
    }

    static func maybeJSONToList(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        switch JSONArray.parse(rest) {
        case .strings(let list): return (list.map { .value($0) }, true)
        case .notStrings: throw Failure(reason: JSONArray.notStringArrayMessage)
        case .invalid: return (whitespaceDelimited(rest), false)
        }
    }

    static func healthConfig(_ rest: ArraySlice<UInt8>) throws(Failure) -> Result {
        var sep = rest.startIndex
        while sep < rest.endIndex && !rest[sep].isGoByteSpace { sep += 1 }
        var next = sep
        while next < rest.endIndex && rest[next].isGoByteSpace { next += 1 }
        if sep == rest.startIndex { return ([], false) }
        let (cmd, json) = try maybeJSON(rest[next...])
        return ([.value(Bytes.string(rest[rest.startIndex..<sep]))] + cmd, json)
    }
}

/// A strict JSON reader for Dockerfile exec-form arrays (Go `json.Unmarshal` into `[]interface{}`).
enum JSONArray {
    enum Outcome { case strings([String]), notStrings, invalid }
    static let notStringArrayMessage = "when using JSON array syntax, arrays must be comprised of strings only"

    static func parse(_ input: ArraySlice<UInt8>) -> Outcome {
        var p = Reader(b: input, i: input.startIndex)
        p.skipSpace()
        guard p.peek == ASCII.openBracket else { return .invalid }
        p.i += 1
        var out: [String] = []
        var allStrings = true
        p.skipSpace()
        if p.peek == UInt8(ascii: "]") {
            p.i += 1
        } else {
            while true {
                p.skipSpace()
                if p.peek == ASCII.quote {
                    guard let s = p.string() else { return .invalid }
                    out.append(s)
                } else {
                    guard p.value() else { return .invalid }
                    allStrings = false
                }
                p.skipSpace()
                if p.peek == UInt8(ascii: ",") { p.i += 1; continue }
                if p.peek == UInt8(ascii: "]") { p.i += 1; break }
                return .invalid
            }
        }
        p.skipSpace()
        guard p.i == input.endIndex else { return .invalid }
        return allStrings ? .strings(out) : .notStrings
    }

    struct Reader {
        let b: ArraySlice<UInt8>
        var i: Int
        var peek: UInt8? { i < b.endIndex ? b[i] : nil }
        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }
        mutating func literal(_ word: String) -> Bool {
            for c in word.utf8 { guard peek == c else { return false }; i += 1 }
            return true
        }
        /// Any JSON value; true when well formed.
        mutating func value() -> Bool {
            skipSpace()
            guard let c = peek else { return false }
            switch c {
            case ASCII.quote: return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case ASCII.openBracket:
                i += 1; skipSpace()
                if peek == UInt8(ascii: "]") { i += 1; return true }
                while true {
                    guard value() else { return false }
                    skipSpace()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    if peek == UInt8(ascii: "]") { i += 1; return true }
                    return false
                }
            case ASCII.openBrace:
                i += 1; skipSpace()
                if peek == ASCII.closeBrace { i += 1; return true }
                while true {
                    skipSpace()
                    guard peek == ASCII.quote, string() != nil else { return false }
                    skipSpace()
                    guard peek == UInt8(ascii: ":") else { return false }
                    i += 1
                    guard value() else { return false }
                    skipSpace()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    if peek == ASCII.closeBrace { i += 1; return true }
                    return false
                }
            default:
                return number()
            }
        }
        mutating func number() -> Bool {
            let start = i
            if peek == ASCII.dash { i += 1 }
            guard let d = peek, d.isASCIIDigit else { return false }
            if d == UInt8(ascii: "0") { i += 1 } else { while let c = peek, c.isASCIIDigit { i += 1 } }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard let c = peek, c.isASCIIDigit else { return false }
                while let c = peek, c.isASCIIDigit { i += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == ASCII.dash { i += 1 }
                guard let c = peek, c.isASCIIDigit else { return false }
                while let c = peek, c.isASCIIDigit { i += 1 }
            }
            return i > start
        }
        mutating func hex4() -> UInt32? {
            guard i + 4 <= b.endIndex else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
        mutating func string() -> String? {
            guard peek == ASCII.quote else { return nil }
            i += 1
            var bytes: [UInt8] = []
            while let c = peek {
                if c == ASCII.quote { i += 1; return String(decoding: bytes, as: UTF8.self) }
                if c < 0x20 { return nil }
                if c == ASCII.backslash {
                    i += 1
                    guard let e = peek else { return nil }
                    i += 1
                    switch e {
                    case ASCII.quote, ASCII.backslash, UInt8(ascii: "/"): bytes.append(e)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var v = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(v) {
                            let save = i
                            if peek == ASCII.backslash, i + 1 < b.endIndex, b[i + 1] == UInt8(ascii: "u") {
                                i += 2
                                if let lo = hex4(), (0xDC00..<0xE000).contains(lo) {
                                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    i = save; v = 0xFFFD
                                }
                            } else {
                                v = 0xFFFD
                            }
                        } else if (0xDC00..<0xE000).contains(v) {
                            v = 0xFFFD
                        }
                        bytes += Array(String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8)
                    default: return nil
                    }
                    continue
                }
                bytes.append(c)
                i += 1
            }
            return nil
        }
    }
}
