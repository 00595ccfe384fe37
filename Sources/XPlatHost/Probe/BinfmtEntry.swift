import Foundation
import XPlatPlatform

/// One binfmt_misc entry as the kernel shows it (`/proc/sys/fs/binfmt_misc/<name>`).
public struct BinfmtEntry: Sendable, Hashable, Codable {
    /// The entry's file name (`qemu-aarch64`).
    public var name: String
    public var enabled: Bool
    /// The interpreter path, as registered (not resolved under a fixture root).
    public var interpreter: String
    /// Kernel flags as shown: `P` preserve argv[0], `O` open binary, `C` credentials, `F` fix binary.
    public var flags: String
    /// Magic/mask match (`M` entries); nil for extension entries.
    public var pattern: BinfmtPattern?
    /// File name extension (`E` entries, `extension .jar`).
    public var fileExtension: String?

    public init(
        name: String, enabled: Bool, interpreter: String, flags: String,
        pattern: BinfmtPattern?, fileExtension: String? = nil
    ) {
        self.name = name
        self.enabled = enabled
        self.interpreter = interpreter
        self.flags = flags
        self.pattern = pattern
        self.fileExtension = fileExtension
    }

    /// The interpreter was opened at registration time: works inside containers and chroots.
    public var fixBinary: Bool { flags.contains("F") }
    /// Credentials come from the emulated binary (setuid binaries gain privileges under emulation).
    public var credentials: Bool { flags.contains("C") }

    /// Parses the kernel's text for entry `name`.
    ///
    /// - Throws: `HostProbeError.malformedEntry` quoting the file, line and value.
    public static func parse(name: String, text: String, file: String) throws -> BinfmtEntry {
        var enabled: Bool?
        var interpreter = ""
        var flags = ""
        var offset = 0
        var magic: [UInt8]?
        var mask: [UInt8]?
        var ext: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.isEmpty { continue }
            func bad(_ why: String) -> HostProbeError {
                .malformedEntry(file: file, line: index + 1, value: line, reason: why)
            }
            if line == "enabled" { enabled = true; continue }
            if line == "disabled" { enabled = false; continue }
            let (key, value) = split(line)
            switch key {
            case "interpreter": interpreter = value
            case "flags:": flags = value
            case "offset":
                guard let v = Int(value), v >= 0 else { throw bad("offset is not a number") }
                offset = v
            case "magic":
                guard let v = hexBytes(value) else { throw bad("magic is not hexadecimal") }
                magic = v
            case "mask":
                guard let v = hexBytes(value) else { throw bad("mask is not hexadecimal") }
                mask = v
            case "extension": ext = value
            default: continue  // newer kernels may add lines; they do not change what we judge
            }
        }
        guard let enabled else {
            throw HostProbeError.malformedEntry(
                file: file, line: 1, value: String(text.prefix(40)),
                reason: "expected \"enabled\" or \"disabled\"")
        }
        var pattern: BinfmtPattern?
        if let magic {
            var m = mask ?? [UInt8](repeating: 0xff, count: magic.count)
            if m.count < magic.count { m += [UInt8](repeating: 0xff, count: magic.count - m.count) }
            pattern = BinfmtPattern(offset: offset, magic: magic, mask: Array(m.prefix(magic.count)))
        }
        return BinfmtEntry(
            name: name, enabled: enabled, interpreter: interpreter, flags: flags,
            pattern: pattern, fileExtension: ext)
    }

    private static func split(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(of: " ") else { return (line, "") }
        return (String(line[..<space]), String(line[line.index(after: space)...]))
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The kernel's own text for this entry: what a directory standing in for binfmt_misc holds.
    public var kernelText: String {
        var lines = [enabled ? "enabled" : "disabled", "interpreter \(interpreter)", "flags: \(flags)"]
        if let pattern {
            lines.append("offset \(pattern.offset)")
            lines.append("magic " + pattern.magic.map { hex2($0) }.joined())
            lines.append("mask " + pattern.mask.map { hex2($0) }.joined())
        } else if let fileExtension {
            lines.append("extension \(fileExtension)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

private func hex2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }

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

/// Which platforms an ELF-matching binfmt pattern covers, decided by the bytes, never by names.
public enum ELFIdentity {
    /// The first 20 bytes of an ELF header for `row`: ident, `e_type`, `e_machine`.
    public static func header(for row: ArchitectureInfo, type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
        bytes.append(row.elfClass == .elf64 ? 2 : 1)
        bytes.append(row.byteOrder == .little ? 1 : 2)
        bytes.append(1)  // EI_VERSION
        bytes += [UInt8](repeating: 0, count: 9)  // OSABI SYSV, ABI version, padding
        func half(_ v: UInt16) -> [UInt8] {
            row.byteOrder == .little ? [UInt8(v & 0xff), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xff)]
        }
        bytes += half(type)
        bytes += half(row.elfMachine)
        bytes += row.byteOrder == .little ? [1, 0, 0, 0] : [0, 0, 0, 1]  // e_version
        return bytes
    }

    /// `ET_EXEC`.
    public static let executable: UInt16 = 2
    /// `ET_DYN` (PIE executables).
    public static let sharedObject: UInt16 = 3

    /// How a pattern covers one table row.
    public enum Coverage: String, Sendable, Codable {
        /// Both ET_EXEC and ET_DYN (PIE) executables match.
        case full
        /// Only ET_EXEC matches: PIE executables of this platform will not run.
        case executablesOnly = "exec-only"
        /// Only ET_DYN matches.
        case pieOnly = "pie-only"
    }

    /// Table rows `pattern` matches, with coverage, in table order.
    public static func rows(matching pattern: BinfmtPattern) -> [(ArchitectureInfo, Coverage)] {
        ArchitectureTable.entries.compactMap { row in
            let exec = pattern.matches(header(for: row, type: executable))
            let dyn = pattern.matches(header(for: row, type: sharedObject))
            switch (exec, dyn) {
            case (true, true): return (row, .full)
            case (true, false): return (row, .executablesOnly)
            case (false, true): return (row, .pieOnly)
            default: return nil
            }
        }
    }

    /// True when `a` and `b` share an ELF identity (QEMU runs them with the same interpreter).
    static func sameIdentity(_ a: ArchitectureInfo, _ b: ArchitectureInfo) -> Bool {
        a.elfClass == b.elfClass && a.byteOrder == b.byteOrder && a.elfMachine == b.elfMachine
    }
}
