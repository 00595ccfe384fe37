// Byte-level helpers shared by the parser and the rewriter. The parser works on UTF-8 bytes so that
// every offset it records is a byte offset into the original file, which is what lossless printing and
// range edits need.

enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let backslash = UInt8(ascii: "\\")
    private static let backtick = UInt8(ascii: "`")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let equals = UInt8(ascii: "=")
    static let dash = UInt8(ascii: "-")
    static let lt = UInt8(ascii: "<")
    static let dollar = UInt8(ascii: "$")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
}

extension UInt8 {
    /// `\t \v \f \r` and space: BuildKit's `tokenWhitespace` / `reWhitespace` class.
    var isTokenSpace: Bool { self == 0x20 || self == 0x09 || self == 0x0B || self == 0x0C || self == 0x0D }
    /// Go's `unicode.IsSpace(rune(b))` for a single byte (BuildKit applies it to bytes in places).
    var isGoByteSpace: Bool {
        self == 0x20 || (self >= 0x09 && self <= 0x0D) || self == 0x85 || self == 0xA0
    }
    /// RE2's `\s`: `[\t\n\f\r ]`.
    var isRE2Space: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0C || self == 0x0D }
    var isASCIILetter: Bool { (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) }
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
}

enum Bytes {
    /// Length in bytes of the Unicode white space (Go's `unicode.IsSpace`) starting at `index`, or 0.
    @inline(__always)
    static func spaceLength<C: RandomAccessCollection>(_ bytes: C, at index: C.Index) -> Int
    where C.Element == UInt8, C.Index == Int {
        let c = bytes[index]
        if c < 0x80 { return (c == 0x20 || (c >= 0x09 && c <= 0x0D)) ? 1 : 0 }
        // Multi-byte spaces: U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
        if c == 0xC2, index + 1 < bytes.endIndex {
            return (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0) ? 2 : 0
        }
        if c == 0xE1, index + 2 < bytes.endIndex {
            return (bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80) ? 3 : 0
        }
        if c == 0xE2, index + 2 < bytes.endIndex {
            let c1 = bytes[index + 1], c2 = bytes[index + 2]
            if c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF) { return 3 }
            if c1 == 0x81 && c2 == 0x9F { return 3 }
            return 0
        }
        if c == 0xE3, index + 2 < bytes.endIndex {
            return (bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80) ? 3 : 0
        }
        return 0
    }

    /// Index of the first non-space byte (Go `TrimLeftFunc(unicode.IsSpace)`).
    static func trimLeft(_ bytes: ArraySlice<UInt8>) -> Int {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let n = spaceLength(bytes, at: i)
            if n == 0 { break }
            i += n
        }
        return i
    }

    /// End index after trimming trailing Unicode white space (Go `TrimRightFunc(unicode.IsSpace)`).
    private static func trimRight(_ bytes: ArraySlice<UInt8>) -> Int {
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let c = bytes[end - 1]
            if c < 0x80 {
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) { end -= 1; continue }
                break
            }
            // Walk back to the start of the scalar and test it.
            var s = end - 1
            while s > bytes.startIndex && bytes[s] & 0xC0 == 0x80 { s -= 1 }
            if spaceLength(bytes, at: s) == end - s { end = s } else { break }
        }
        return end
    }

    static func trimSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let s = trimLeft(bytes)
        let e = trimRight(bytes[s...])
        return bytes[s..<max(s, e)]
    }

    /// End index after removing trailing `\r` and `\n` (BuildKit `trimNewline`).
    static func trimNewline(_ bytes: ArraySlice<UInt8>) -> Int {
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[end - 1] == ASCII.newline || bytes[end - 1] == ASCII.cr { end -= 1 }
        return end
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The one byte-substring search of this module (Foundation's `contains` goes through CFString
    /// and dominated the rewrite profile): the offset of `needle` relative to `hay`'s start, if any.
    static func find<C: RandomAccessCollection>(_ needle: [UInt8], in hay: C) -> Int?
    where C.Element == UInt8, C.Index == Int {
        guard let first = needle.first else { return 0 }
        guard needle.count <= hay.count else { return nil }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i] == first {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i - hay.startIndex }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Go's `strings.TrimSpace`.
    var goTrimmed: String {
        let b = Array(utf8)[...]
        return Bytes.string(Bytes.trimSpace(b))
    }
}

extension StringProtocol {
    /// Substring search on UTF-8 bytes, through `Bytes.find`.
    func has(_ needle: String) -> Bool {
        let n = Array(needle.utf8)
        if let r = utf8.withContiguousStorageIfAvailable({ Bytes.find(n, in: $0) != nil }) { return r }
        return Bytes.find(n, in: Array(utf8)) != nil
    }
}
