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
