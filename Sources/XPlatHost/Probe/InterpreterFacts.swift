import Foundation
import XPlatELF
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

    public init(
        path: String, exists: Bool, isELF: Bool = false, isStatic: Bool = false,
        programInterpreter: String? = nil, elfMachine: UInt16? = nil,
        qemuVersion: String? = nil, versionLine: String? = nil, error: String? = nil
    ) {
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

/// Inspects an interpreter through XPlatELF (libelf) for the one question that matters here: is it
/// static (no `PT_INTERP`), so that it runs inside any container when registered with F.
enum InterpreterInspector {
    static func inspect(registered path: String, at file: String) -> InterpreterFacts {
        guard HostFiles.exists(file) else { return InterpreterFacts(path: path, exists: false) }
        do {
            let info = try ELFInspector.inspect(path: file)
            return InterpreterFacts(
                path: path, exists: true, isELF: true, isStatic: info.interpreter == nil,
                programInterpreter: info.interpreter, elfMachine: info.machine)
        } catch ELFError.notELF {
            let head = HostFiles.bytes(file, count: 2) ?? []
            let what = head.starts(with: [0x23, 0x21]) ? "a script (#!), not an ELF executable" : "not an ELF file"
            return InterpreterFacts(path: path, exists: true, error: what)
        } catch ELFError.unreadable(_, let reason) {
            return InterpreterFacts(path: path, exists: true, error: "cannot read: \(reason)")
        } catch {
            return InterpreterFacts(
                path: path, exists: true, isELF: true, error: (error as? ELFError)?.reason ?? "\(error)")
        }
    }

    /// `qemu-aarch64 version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)` -> `7.2.22`.
    static func qemuVersion(fromVersionOutput text: String) -> String? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("qemu-"),
            let range = line.range(of: " version ")
        else { return nil }
        let rest = line[range.upperBound...]
        let version = rest.prefix { $0.isNumber || $0 == "." }
        return version.isEmpty ? nil : String(version)
    }
}
