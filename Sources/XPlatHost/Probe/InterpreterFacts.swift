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
