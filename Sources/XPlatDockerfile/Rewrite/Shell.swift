// Shell words of RUN text, with the words in command position marked: how the rewriter and the RUN
// classifier read a command line.

/// Shell words of a command, with their offsets (relative to the text), split at blanks and at
/// `; & | ( )`; `isCommand` marks words in command position (after env assignments).
struct ShellWord { var text: String; var offset: Int; var isCommand: Bool }

enum Shell {
    static func words(_ command: ArraySlice<UInt8>) -> [ShellWord] {
        var out: [ShellWord] = []
        var i = command.startIndex
        var expectCommand = true
        while i < command.endIndex {
            let c = command[i]
            if c == ASCII.newline { expectCommand = true; i += 1; continue }
            if c == ASCII.hash {
                while i < command.endIndex, command[i] != ASCII.newline { i += 1 }
                continue
            }
            // A line continuation (`\` before the newline, with or without a CR) does not end the command.
            if c == ASCII.backslash,
                let nl = command[(i + 1)...].prefix(while: { $0 != ASCII.newline }).allSatisfy({ $0.isGoByteSpace })
                    ? command[(i + 1)...].firstIndex(of: ASCII.newline) : nil
            {
                i = nl + 1; continue
            }
            if c.isGoByteSpace || c == ASCII.backslash && (i + 1 == command.endIndex || command[i + 1].isGoByteSpace) {
                i += 1; continue
            }
            if c == UInt8(ascii: ";") || c == UInt8(ascii: "&") || c == UInt8(ascii: "|") || c == UInt8(ascii: "(")
                || c == UInt8(ascii: ")") || c == UInt8(ascii: "`")
            {
                expectCommand = true; i += 1; continue
            }
            let start = i
            var word: [UInt8] = []
            while i < command.endIndex {
                let d = command[i]
                if d.isGoByteSpace || d == UInt8(ascii: ";") || d == UInt8(ascii: "&") || d == UInt8(ascii: "|")
                    || d == UInt8(ascii: ")") || d == UInt8(ascii: "`")
                {
                    break
                }
                if d == ASCII.quote || d == ASCII.apostrophe {
                    i += 1
                    while i < command.endIndex, command[i] != d { word.append(command[i]); i += 1 }
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
            out.append(
                ShellWord(text: text, offset: start - command.startIndex, isCommand: expectCommand && !isAssignment))
            if !isAssignment
                && !["then", "do", "else", "if", "while", "!", "{", "exec", "time", "sudo", "env"].contains(text)
            {
                expectCommand = false
            }
            if i < command.endIndex, command[i] == UInt8(ascii: "(") { i += 1 }
            i = max(i, start + 1)
        }
        return out
    }

    static func name(_ word: String) -> String { word.split(separator: "/").last.map(String.init) ?? word }
}
