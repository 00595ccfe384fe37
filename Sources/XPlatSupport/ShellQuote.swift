import Foundation

/// POSIX shell quoting, for showing commands a user can paste.
public enum ShellQuote {
    /// `word` unchanged when it needs no quoting, else single-quoted.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Splits a command line into words the way a POSIX shell does for quoting (single quotes,
    /// double quotes with `\"`/`\\` escapes, backslash outside quotes); nothing is expanded.
    /// - Throws: `ShellSplitError` for an unterminated quote, quoting the input.
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            switch c {
            case "'":
                inWord = true
                while true {
                    guard let d = chars.next() else { throw ShellSplitError(line: line, quote: "'") }
                    if d == "'" { break }
                    word.append(d)
                }
            case "\"":
                inWord = true
                while true {
                    guard let d = chars.next() else { throw ShellSplitError(line: line, quote: "\"") }
                    if d == "\"" { break }
                    if d == "\\", let e = chars.next() {
                        if e != "\"" && e != "\\" && e != "$" && e != "`" { word.append(d) }
                        word.append(e)
                    } else {
                        word.append(d)
                    }
                }
            case "\\":
                inWord = true
                if let d = chars.next() { word.append(d) }
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }

    private static let safe = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
}

/// An unterminated quote in a command line given to `ShellQuote.split`.
public struct ShellSplitError: Error, Sendable, CustomStringConvertible {
    public var line: String
    public var quote: Character
    public var description: String { "unterminated \(quote) in \"\(line)\"" }
}
