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
            if let gap = gap(in: command, at: i) {
                if gap.startsCommand { expectCommand = true }
                i = gap.end
                continue
            }
            let start = i
            let read = readWord(in: command, from: start)
            i = read.end
            let text = String(decoding: read.word, as: UTF8.self)
            let isAssignment = expectCommand && isEnvAssignment(text)
            out.append(
                ShellWord(text: text, offset: start - command.startIndex, isCommand: expectCommand && !isAssignment))
            if !isAssignment && !commandPrefixes.contains(text) { expectCommand = false }
            if i < command.endIndex, command[i] == UInt8(ascii: "(") { i += 1 }
            i = max(i, start + 1)
        }
        return out
    }

    /// Words after which the next word is still in command position.
    private static let commandPrefixes: Set<String> = [
        "then", "do", "else", "if", "while", "!", "{", "exec", "time", "sudo", "env",
    ]

    /// What lies between words at `i`, if not a word: a newline, a comment, a line continuation, a blank or
    /// an operator. `end` is where the next thing starts; `startsCommand` when a new command follows.
    private static func gap(in command: ArraySlice<UInt8>, at i: Int) -> (end: Int, startsCommand: Bool)? {
        let c = command[i]
        if c == ASCII.newline { return (i + 1, true) }
        if c == ASCII.hash { return (command[i...].firstIndex(of: ASCII.newline) ?? command.endIndex, false) }
        // A line continuation (`\` before the newline, with or without a CR) does not end the command.
        if c == ASCII.backslash,
            let nl = command[(i + 1)...].prefix(while: { $0 != ASCII.newline }).allSatisfy({ $0.isGoByteSpace })
                ? command[(i + 1)...].firstIndex(of: ASCII.newline) : nil
        {
            return (nl + 1, false)
        }
        if c.isGoByteSpace || c == ASCII.backslash && (i + 1 == command.endIndex || command[i + 1].isGoByteSpace) {
            return (i + 1, false)
        }
        if c == UInt8(ascii: ";") || c == UInt8(ascii: "&") || c == UInt8(ascii: "|") || c == UInt8(ascii: "(")
            || c == UInt8(ascii: ")") || c == UInt8(ascii: "`")
        {
            return (i + 1, true)
        }
        return nil
    }

    /// The word starting at `start`, its quotes removed, and the index after it.
    private static func readWord(in command: ArraySlice<UInt8>, from start: Int) -> (word: [UInt8], end: Int) {
        var i = start
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
        return (word, i)
    }

    /// An environment assignment (`NAME=value`) in command position.
    private static func isEnvAssignment(_ text: String) -> Bool {
        text.has("=") && !text.hasPrefix("=")
            && text.prefix(while: { $0 != "=" }).allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func name(_ word: String) -> String { word.split(separator: "/").last.map(String.init) ?? word }
}
