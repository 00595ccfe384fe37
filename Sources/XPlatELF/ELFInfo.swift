// The result of inspecting one ELF file.

import XPlatPlatform

/// What an ELF file is, as far as running it goes (`e_type`, refined by the program headers).
public enum ELFKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// `ET_EXEC`, or `ET_DYN` with PT_INTERP or `DF_1_PIE` (a PIE).
    case executable
    /// `ET_DYN` that is not a PIE: a shared library (and the dynamic loader itself).
    case sharedObject = "shared-object"
    /// `ET_REL`: an object file.
    case relocatable
    /// `ET_CORE`: a core dump.
    case core
}

/// How an executable gets its libraries.
public enum Linkage: String, Sendable, Hashable, Codable, CaseIterable {
    /// No PT_INTERP, fixed address (`ET_EXEC`).
    case `static`
    /// No PT_INTERP, position independent (`ET_DYN` with `DF_1_PIE` or no DT_NEEDED).
    case staticPIE = "static-pie"
    /// Loaded through a program interpreter (PT_INTERP), or a shared object.
    case dynamic

    /// True for `static` and `static-pie`: the file needs nothing from the root to start.
    public var isStatic: Bool { self != .dynamic }
}

/// Go build information from `.go.buildinfo` (Go 1.18 and later record the build settings).
public struct GoBuildInfo: Sendable, Hashable, Codable {
    /// Toolchain version (`go1.19.8`).
    public var version: String
    /// `build\tKEY=VALUE` settings from the module info (`GOOS`, `GOARCH`, `GOARM`, `GOAMD64`, `CGO_ENABLED`, ...).
    public var settings: [String: String]

    public init(version: String, settings: [String: String]) {
        self.version = version
        self.settings = settings
    }

    public var goos: String? { settings["GOOS"] }
    public var goarch: String? { settings["GOARCH"] }
    public var goarm: String? { settings["GOARM"] }
    public var goamd64: String? { settings["GOAMD64"] }
}

/// The fact behind each part of a detected platform, in words a user can check with `readelf`.
public struct PlatformEvidence: Sendable, Hashable, Codable {
    /// e.g. `OS ABI ELFOSABI_NONE (0): linux` or `Go GOOS=linux`.
    public var os: String?
    /// e.g. `EM_AARCH64, ELF64, little-endian`.
    public var architecture: String?
    /// e.g. `Tag_CPU_arch=v7`, `GNU property ISA needed x86-64-v3`, `Go GOAMD64=v3`.
    public var variant: String?
    /// e.g. `e_flags EF_ARM_ABI_FLOAT_HARD, Tag_ABI_VFP_args=VFP registers`.
    public var floatABI: String?
    /// e.g. `PT_INTERP /lib/ld-linux-armhf.so.3` or `no PT_INTERP, ET_EXEC`.
    public var linkage: String?

    public init(
        os: String? = nil, architecture: String? = nil, variant: String? = nil,
        floatABI: String? = nil, linkage: String? = nil
    ) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.floatABI = floatABI
        self.linkage = linkage
    }
}

/// The ARM architecture named by `Tag_CPU_arch` in `.ARM.attributes`.
public struct ARMArchitecture: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The raw `Tag_CPU_arch` value (10 = v7, 14 = v8, ...).
    public var tag: Int

    public init(tag: Int) { self.tag = tag }

    static let names = [
        "Pre-v4", "v4", "v4T", "v5T", "v5TE", "v5TEJ", "v6", "v6KZ", "v6T2", "v6K", "v7", "v6-M", "v6S-M",
        "v7E-M", "v8", "v8-R", "v8-M.baseline", "v8-M.mainline", "v8.1-A", "v8.2-A", "v8.3-A",
        "v8.1-M.mainline", "v9",
    ]

    /// The name ARM's ABI gives the value (`v5TE`, `v7`), as `readelf -A` prints it.
    public var description: String { tag >= 0 && tag < Self.names.count ? Self.names[tag] : "unknown(\(tag))" }

    /// The OCI arm variant whose machines run this code: 5 (v4..v5TEJ), 6 (v6*), 7 (v7*), 8 (v8 and later).
    public var platformVersion: Int {
        switch tag {
        case ...5: return 5
        case 6, 7, 8, 9, 11, 12: return 6
        case 10, 13: return 7
        default: return 8
        }
    }
}

/// Everything xplat reads from one ELF file.
public struct ELFInfo: Sendable, Hashable, Codable {
    public var elfClass: ELFClass
    public var byteOrder: ByteOrder
    /// `e_machine`.
    public var machine: UInt16
    /// `e_ident[EI_OSABI]`.
    public var osABI: UInt8
    /// `e_type` (`ET_EXEC` = 2, `ET_DYN` = 3, ...).
    public var type: UInt16
    /// `e_flags`.
    public var flags: UInt32
    /// `executable`, `shared-object`, `relocatable` or `core`; nil for other `e_type` values.
    public var kind: ELFKind?
    /// static / static-pie / dynamic for executables and shared objects; nil for object files and cores.
    public var linkage: Linkage?
    /// PT_INTERP.
    public var interpreter: String?
    /// DT_NEEDED, in file order.
    public var needed: [String]
    /// ARM: the EABI version from `e_flags` (5 for every current toolchain).
    public var armEABIVersion: Int?
    /// ARM: hard or soft float calling convention.
    public var floatABI: FloatABI?
    /// ARM: `Tag_CPU_arch`, when `.ARM.attributes` has it.
    public var armArchitecture: ARMArchitecture?
    /// x86-64: the level from `GNU_PROPERTY_X86_ISA_1_NEEDED` (1 = baseline ... 4), when the note is there.
    public var x86ISALevel: Int?
    /// RISC-V: the float ABI in `e_flags` (`soft`, `single`, `double`, `quad`).
    public var riscvFloatABI: String?
    /// Go build info, for Go binaries.
    public var go: GoBuildInfo?
    /// The platform the file is built for; nil when the machine is not in xplat's table.
    public var platform: Platform?
    /// Why `platform` is nil.
    public var platformProblem: String?
    /// The facts behind each part of `platform`.
    public var evidence: PlatformEvidence
}
