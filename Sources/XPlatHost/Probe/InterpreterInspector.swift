import Foundation
import XPlatELF
import XPlatPlatform

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
