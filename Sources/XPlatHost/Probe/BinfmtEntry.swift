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

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
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

private func hex2(_ byte: UInt8) -> String { (byte < 16 ? "0" : "") + String(byte, radix: 16) }
