import Foundation
import XPlatPlatform

/// A binfmt_misc register line: `:name:type:offset:magic:mask:interpreter:flags`.
///
/// The form written to `/proc/sys/fs/binfmt_misc/register` and kept in `/etc/binfmt.d/*.conf`.
public struct RegisterLine: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// `M` (magic) or `E` (extension).
    public var type: String
    public var pattern: BinfmtPattern?
    public var fileExtension: String?
    public var interpreter: String
    public var flags: String

    public init(name: String, pattern: BinfmtPattern, interpreter: String, flags: String) {
        self.name = name
        self.type = "M"
        self.pattern = pattern
        self.fileExtension = nil
        self.interpreter = interpreter
        self.flags = flags
    }

    /// Parses a register line; the first character is the field separator, as the kernel allows.
    public static func parse(_ text: String, file: String, line: Int) throws -> RegisterLine {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let sep = trimmed.first else {
            throw HostProbeError.malformedEntry(file: file, line: line, value: text, reason: "empty register line")
        }
        let fields = trimmed.dropFirst().split(separator: sep, omittingEmptySubsequences: false).map(String.init)
        func bad(_ why: String) -> HostProbeError {
            .malformedEntry(file: file, line: line, value: text, reason: why)
        }
        guard fields.count >= 6 else { throw bad("expected :name:type:offset:magic:mask:interpreter:flags") }
        let name = fields[0]
        let type = fields[1]
        let flags = fields.count > 6 ? fields[6] : ""
        guard !name.isEmpty, !name.contains("/") else { throw bad("bad entry name \"\(name)\"") }
        switch type {
        case "M":
            let offset = fields[2].isEmpty ? 0 : Int(fields[2])
            guard let offset, let magic = BinfmtPattern.unescape(fields[3]), !magic.isEmpty else {
                throw bad("bad offset or magic")
            }
            var mask =
                fields[4].isEmpty
                ? [UInt8](repeating: 0xff, count: magic.count) : (BinfmtPattern.unescape(fields[4]) ?? [])
            guard mask.count == magic.count else {
                throw bad("mask length \(mask.count) differs from magic length \(magic.count)")
            }
            mask = Array(mask)
            var r = RegisterLine(
                name: name, pattern: BinfmtPattern(offset: offset, magic: magic, mask: mask),
                interpreter: fields[5], flags: flags)
            r.type = "M"
            return r
        case "E":
            var r = RegisterLine(
                name: name, pattern: BinfmtPattern(offset: 0, magic: [], mask: []),
                interpreter: fields[5], flags: flags)
            r.type = "E"
            r.pattern = nil
            r.fileExtension = fields[3]
            return r
        default:
            throw bad("type must be M or E, not \"\(type)\"")
        }
    }

    /// The line, every magic and mask byte escaped (so `:` and `\n` bytes are safe).
    public var description: String {
        if type == "E" {
            return ":\(name):E::\(fileExtension ?? "")::\(interpreter):\(flags)"
        }
        let p = pattern ?? BinfmtPattern(offset: 0, magic: [], mask: [])
        return ":\(name):M:\(p.offset):\(p.magicString):\(p.maskString):\(interpreter):\(flags)"
    }

    /// The entry the kernel shows after this line is registered.
    public var entry: BinfmtEntry {
        // The kernel shows O for C (C implies O) and keeps the order POCF.
        var shown = ""
        if flags.contains("P") { shown += "P" }
        if flags.contains("O") || flags.contains("C") { shown += "O" }
        if flags.contains("C") { shown += "C" }
        if flags.contains("F") { shown += "F" }
        return BinfmtEntry(
            name: name, enabled: true, interpreter: interpreter, flags: shown,
            pattern: pattern, fileExtension: fileExtension)
    }
}
