// Shell words of RUN text, with the words in command position marked: how the rewriter and the RUN
// classifier read a command line.

/// Shell words of a command, with their offsets (relative to the text), split at blanks and at
/// `; & | ( )`; `isCommand` marks words in command position (after env assignments).
struct ShellWord { var text: String; var offset: Int; var isCommand: Bool }

enum Shell {
    static func words(_ s: ArraySlice<UInt8>) -> [ShellWord] {
        var out: [ShellWord] = []
        var i = s.startIndex
        var expectCommand = true
        while i < s.endIndex {
            let c = s[i]
            if c == ASCII.newline { expectCommand = true; i += 1; continue }
            if c == ASCII.hash {
                while i < s.endIndex, s[i] != ASCII.newline { i += 1 }
                continue
            }
            // A line continuation (`\` before the newline, with or without a CR) does not end the command.
            if c == ASCII.backslash,
                let nl = s[(i + 1)...].prefix(while: { $0 != ASCII.newline }).allSatisfy({ $0.isGoByteSpace })
                    ? s[(i + 1)...].firstIndex(of: ASCII.newline) : nil
            {
                i = nl + 1; continue
            }
            if c.isGoByteSpace || c == ASCII.backslash && (i + 1 == s.endIndex || s[i + 1].isGoByteSpace) {
                i += 1; continue
            }
            if c == UInt8(ascii: ";") || c == UInt8(ascii: "&") || c == UInt8(ascii: "|") || c == UInt8(ascii: "(")
                || c == UInt8(ascii: ")") || c == UInt8(ascii: "`")
            {
                expectCommand = true; i += 1; continue
            }
            let start = i
            var word: [UInt8] = []
            while i < s.endIndex {
                let d = s[i]
                if d.isGoByteSpace || d == UInt8(ascii: ";") || d == UInt8(ascii: "&") || d == UInt8(ascii: "|")
                    || d == UInt8(ascii: ")") || d == UInt8(ascii: "`")
                {
                    break
                }
                if d == ASCII.quote || d == ASCII.apostrophe {
                    i += 1
                    while i < s.endIndex, s[i] != d { word.append(s[i]); i += 1 }
                    i += 1
                    continue
                }
                word.append(d)
                i += 1
            }
            let text = String(decoding: word, as: UTF8.self)
            let isAssignment =
                expectCommand && text.has("=") && !text.hasPrefix("=")
                && text.prefix(while: { $0 != "=" }).allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            out.append(ShellWord(text: text, offset: start - s.startIndex, isCommand: expectCommand && !isAssignment))
            if !isAssignment
                && !["then", "do", "else", "if", "while", "!", "{", "exec", "time", "sudo", "env"].contains(text)
            {
                expectCommand = false
            }
            if i < s.endIndex, s[i] == UInt8(ascii: "(") { i += 1 }
            i = max(i, start + 1)
        }
        return out
    }

    static func name(_ w: String) -> String { w.split(separator: "/").last.map(String.init) ?? w }
}
