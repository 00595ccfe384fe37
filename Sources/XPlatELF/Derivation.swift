// From ELF facts to kind, linkage and platform, with the evidence for each part.

import CElf
import XPlatPlatform

enum Derivation {
    static func classify(_ info: inout ELFInfo, hasPIEFlag: Bool) {
        switch Int32(info.type) {
        case ET_EXEC:
            info.kind = .executable
            info.linkage = info.interpreter == nil ? .static : .dynamic
            info.evidence.linkage = info.interpreter.map { "PT_INTERP \($0)" } ?? "ET_EXEC without PT_INTERP"
        case ET_DYN:
            if let interpreter = info.interpreter {
                info.kind = .executable
                info.linkage = .dynamic
                info.evidence.linkage = "PT_INTERP \(interpreter)"
            } else if hasPIEFlag {
                info.kind = .executable
                info.linkage = .staticPIE
                info.evidence.linkage = "ET_DYN with DF_1_PIE, no PT_INTERP"
            } else {
                info.kind = .sharedObject
                info.linkage = .dynamic
                info.evidence.linkage =
                    info.needed.isEmpty
                    ? "ET_DYN without PT_INTERP or DF_1_PIE, no DT_NEEDED"
                    : "ET_DYN without PT_INTERP or DF_1_PIE"
            }
        case ET_REL:
            info.kind = .relocatable
        case ET_CORE:
            info.kind = .core
        default:
            info.kind = nil
        }
    }

    private static let osABINames: [UInt8: (name: String, os: String)] = [
        0: ("ELFOSABI_NONE", "linux"), 3: ("ELFOSABI_GNU", "linux"), 2: ("ELFOSABI_NETBSD", "netbsd"),
        6: ("ELFOSABI_SOLARIS", "solaris"), 9: ("ELFOSABI_FREEBSD", "freebsd"), 12: ("ELFOSABI_OPENBSD", "openbsd"),
    ]

    static func platform(_ info: inout ELFInfo, vfpArgs: Int?) {
        if info.machine == ELFMachine.arm { armFloat(&info, vfpArgs: vfpArgs) }
        guard info.kind != nil else {
            info.platformProblem = "e_type \(info.type) is not an executable, shared object, object file or core"
            return
        }
        // Operating system: Go says it outright; otherwise the OS ABI byte (0 is used by Linux).
        let os: String
        if let goos = info.go?.goos {
            os = goos
            info.evidence.os = "Go GOOS=\(goos)"
        } else if let known = osABINames[info.osABI] {
            os = known.os
            info.evidence.os = "OS ABI \(known.name) (\(info.osABI)): \(known.os)"
        } else {
            info.platformProblem = "unknown OS ABI \(info.osABI) in e_ident"
            return
        }
        let rows = ArchitectureTable.entries(elfClass: info.elfClass, byteOrder: info.byteOrder, machine: info.machine)
        guard let row = rows.first else {
            info.platformProblem =
                "\(ELFMachine.name(info.machine)), \(info.elfClass.rawValue) \(info.byteOrder.rawValue) is not a "
                + "platform xplat knows"
            return
        }
        let architecture = row.platform.architecture
        info.evidence.architecture =
            "\(ELFMachine.name(info.machine)), \(info.elfClass.rawValue), \(info.byteOrder.rawValue)"
        if let riscv = info.riscvFloatABI { info.evidence.floatABI = "e_flags float ABI \(riscv)" }

        var variant: String?
        if row.armArchitecture != nil {
            variant = armVariant(&info, rows: rows)
        } else if row.x86Level != nil {
            variant = x86Variant(&info, rows: rows)
        }
        do {
            info.platform = try Platform(os: os, architecture: architecture, variant: variant)
        } catch {
            info.platformProblem = "\(error)"
            info.evidence.variant = nil
        }
    }

    /// The ARM variant: Go's GOARM, else `Tag_CPU_arch`, else the Debian port of the file's float ABI
    /// (hard: armhf, v7; soft: armel, v5), each read from the table's rows of this ELF identity.
    private static func armVariant(_ info: inout ELFInfo, rows: [ArchitectureInfo]) -> String? {
        if let goarm = info.go?.goarm, let row = rows.first(where: { $0.goarm == goarm }) {
            info.evidence.variant = "Go GOARM=\(goarm)"
            return row.platform.variant
        }
        if let arch = info.armArchitecture {
            info.evidence.variant = "Tag_CPU_arch=\(arch)"
            return "v\(arch.platformVersion)"
        }
        // No attributes (hand-written or stripped): the float ABI is what Debian's ports imply.
        guard let row = rows.first(where: { $0.floatABI == info.floatABI && $0.debianArch != nil }),
            let debian = row.debianArch, let float = row.floatABI
        else { return nil }
        info.evidence.variant =
            "no Tag_CPU_arch; \(float.rawValue)-float EABI implies \(debian) (\(row.platform.variant ?? "-"))"
        return row.platform.variant
    }

    /// The x86-64 level: Go's GOAMD64, else the GNU property note's ISA level, else the baseline row.
    private static func x86Variant(_ info: inout ELFInfo, rows: [ArchitectureInfo]) -> String? {
        if let goamd64 = info.go?.goamd64, let row = rows.first(where: { $0.goamd64 == goamd64 }) {
            info.evidence.variant = "Go GOAMD64=\(goamd64)"
            return row.platform.variant
        }
        if let level = info.x86ISALevel, let row = rows.first(where: { $0.x86Level == level }) {
            info.evidence.variant =
                level == 1
                ? "GNU property ISA needed x86-64-baseline"
                : "GNU property ISA needed x86-64-v\(level)"
            return row.platform.variant
        }
        info.evidence.variant = "no GNU property ISA note: x86-64 baseline (v1)"
        return nil
    }

    private static func armFloat(_ info: inout ELFInfo, vfpArgs: Int?) {
        var facts: [String] = []
        var hard = false
        if info.flags & UInt32(EF_ARM_ABI_FLOAT_HARD) != 0 {
            hard = true
            facts.append("e_flags EF_ARM_ABI_FLOAT_HARD")
        } else if info.flags & UInt32(EF_ARM_ABI_FLOAT_SOFT) != 0 {
            facts.append("e_flags EF_ARM_ABI_FLOAT_SOFT")
        } else {
            facts.append("no float ABI flag in e_flags")
        }
        if let vfpArgs {
            let names = ["base (soft)", "VFP registers", "toolchain-specific", "compatible with both"]
            facts.append("Tag_ABI_VFP_args=\(vfpArgs < names.count ? names[vfpArgs] : String(vfpArgs))")
            if vfpArgs == 1 { hard = true }
        }
        info.floatABI = hard ? .hard : .soft
        info.evidence.floatABI = facts.joined(separator: ", ")
    }
}
