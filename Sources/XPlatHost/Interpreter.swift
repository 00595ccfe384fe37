import Foundation
import XPlatPlatform

/// What the probe learned about one binfmt interpreter file.
public struct InterpreterFacts: Sendable, Hashable, Codable {
    /// The path as registered.
    public var path: String
    public var exists: Bool
    public var isELF: Bool
    /// True when the file is an ELF without `PT_INTERP` (needs no dynamic loader: works in any rootfs).
    public var isStatic: Bool
    /// `PT_INTERP` of a dynamic interpreter.
    public var programInterpreter: String?
    /// `e_machine` of the interpreter itself.
    public var elfMachine: UInt16?
    /// `qemu-aarch64 version 7.2.22 (...)` reduced to `7.2.22`, when it is QEMU.
    public var qemuVersion: String?
    /// First line of `--version`, as printed.
    public var versionLine: String?
    /// Why the file could not be inspected.
    public var error: String?

    public init(path: String, exists: Bool, isELF: Bool = false, isStatic: Bool = false,
                programInterpreter: String? = nil, elfMachine: UInt16? = nil,
                qemuVersion: String? = nil, versionLine: String? = nil, error: String? = nil) {
        self.path = path
        self.exists = exists
        self.isELF = isELF
        self.isStatic = isStatic
        self.programInterpreter = programInterpreter
        self.elfMachine = elfMachine
        self.qemuVersion = qemuVersion
        self.versionLine = versionLine
        self.error = error
    }
}

/// Reads an interpreter's ELF header and program headers by hand, for the one question that matters
/// here: is it static (no `PT_INTERP`), so that it runs inside any container when registered with F.
enum InterpreterInspector {
    static func inspect(registered path: String, at file: String) -> InterpreterFacts {
        guard HostFiles.exists(file) else { return InterpreterFacts(path: path, exists: false) }
        guard let header = HostFiles.bytes(file, count: 64) else {
            return InterpreterFacts(path: path, exists: true, error: "cannot read: \(errorDescription(errno))")
        }
        guard header.count >= 52, header[0] == 0x7f, header[1] == 0x45, header[2] == 0x4c, header[3] == 0x46 else {
            let what = header.starts(with: [0x23, 0x21]) ? "a script (#!), not an ELF executable" : "not an ELF file"
            return InterpreterFacts(path: path, exists: true, error: what)
        }
        let is64 = header[4] == 2
        let little = header[5] == 1
        func u16(_ b: [UInt8], _ o: Int) -> Int {
            little ? Int(b[o]) | Int(b[o + 1]) << 8 : Int(b[o]) << 8 | Int(b[o + 1])
        }
        func u32(_ b: [UInt8], _ o: Int) -> UInt64 {
            let v = (0..<4).map { UInt64(b[o + $0]) }
            return little ? v[0] | v[1] << 8 | v[2] << 16 | v[3] << 24 : v[3] | v[2] << 8 | v[1] << 16 | v[0] << 24
        }
        func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
            little ? u32(b, o) | u32(b, o + 4) << 32 : u32(b, o) << 32 | u32(b, o + 4)
        }
        guard !is64 || header.count >= 64 else {
            return InterpreterFacts(path: path, exists: true, isELF: true, error: "truncated ELF header")
        }
        let machine = UInt16(u16(header, 18))
        let phoff = is64 ? u64(header, 32) : u32(header, 28)
        let phentsize = u16(header, is64 ? 54 : 42)
        let phnum = u16(header, is64 ? 56 : 44)
        guard phnum > 0, phentsize >= (is64 ? 56 : 32), phnum < 4096,
              let table = HostFiles.bytes(file, count: phentsize * phnum, offset: phoff),
              table.count == phentsize * phnum
        else {
            return InterpreterFacts(path: path, exists: true, isELF: true, elfMachine: machine,
                                    error: "cannot read its program headers")
        }
        for i in 0..<phnum {
            let o = i * phentsize
            guard u32(table, o) == 3 else { continue }  // PT_INTERP
            let offset = is64 ? u64(table, o + 8) : u32(table, o + 4)
            let size = is64 ? u64(table, o + 32) : u32(table, o + 16)
            let bytes = HostFiles.bytes(file, count: Int(min(size, 4096)), offset: offset) ?? []
            let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return InterpreterFacts(path: path, exists: true, isELF: true, isStatic: false,
                                    programInterpreter: name, elfMachine: machine)
        }
        return InterpreterFacts(path: path, exists: true, isELF: true, isStatic: true, elfMachine: machine)
    }

    /// `qemu-aarch64 version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)` -> `7.2.22`.
    static func qemuVersion(fromVersionOutput text: String) -> String? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("qemu-"),
              let range = line.range(of: " version ") else { return nil }
        let rest = line[range.upperBound...]
        let version = rest.prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }
}

func errorDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}
