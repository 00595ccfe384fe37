import Foundation
import XPlatPlatform

/// Which platforms an ELF-matching binfmt pattern covers, decided by the bytes, never by names.
public enum ELFIdentity {
    /// The first 20 bytes of an ELF header for `row`: ident, `e_type`, `e_machine`.
    public static func header(for row: ArchitectureInfo, type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
        bytes.append(row.elfClass == .elf64 ? 2 : 1)
        bytes.append(row.byteOrder == .little ? 1 : 2)
        bytes.append(1)  // EI_VERSION
        bytes += [UInt8](repeating: 0, count: 9)  // OSABI SYSV, ABI version, padding
        func half(_ value: UInt16) -> [UInt8] {
            row.byteOrder == .little
                ? [UInt8(value & 0xff), UInt8(value >> 8)] : [UInt8(value >> 8), UInt8(value & 0xff)]
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

    /// True when `row` and `other` share an ELF identity (QEMU runs them with the same interpreter).
    static func sameIdentity(_ row: ArchitectureInfo, _ other: ArchitectureInfo) -> Bool {
        row.elfClass == other.elfClass && row.byteOrder == other.byteOrder && row.elfMachine == other.elfMachine
    }
}
