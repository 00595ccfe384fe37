// One table, in one place, per architecture.
//
// Everything xplat knows about an architecture lives in its `ArchitectureInfo` row: how its ELF
// files look (class, byte order, e_machine, the ABI facts that tell variants apart), how QEMU runs it
// (binary name, binfmt_misc magic and mask, as Debian's qemu-user-static registers them), and what it
// is called by Go, Rust, GNU, Debian, Alpine and `uname -m`. No other file spells an architecture.

/// ELF file class.
public enum ELFClass: String, Sendable, Codable, Hashable {
    case elf32 = "ELF32"
    case elf64 = "ELF64"
}

/// ELF data encoding.
public enum ByteOrder: String, Sendable, Codable, Hashable {
    case little = "little-endian"
    case big = "big-endian"
}

/// ARM floating-point calling convention.
public enum FloatABI: String, Sendable, Codable, Hashable {
    case hard, soft
}

/// Well-known ELF `e_machine` values (from `<elf.h>`).
public enum ELFMachine {
    public static let i386: UInt16 = 3
    public static let mips: UInt16 = 8
    public static let ppc64: UInt16 = 21
    public static let s390: UInt16 = 22
    public static let arm: UInt16 = 40
    public static let x86_64: UInt16 = 62
    public static let aarch64: UInt16 = 183
    public static let riscv: UInt16 = 243
    public static let loongarch: UInt16 = 258

    /// A readable name for an `e_machine` value, for messages about files of unknown platforms.
    public static func name(_ machine: UInt16) -> String {
        switch machine {
        case i386: return "EM_386 (x86)"
        case mips: return "EM_MIPS"
        case ppc64: return "EM_PPC64"
        case s390: return "EM_S390"
        case arm: return "EM_ARM"
        case x86_64: return "EM_X86_64"
        case aarch64: return "EM_AARCH64"
        case riscv: return "EM_RISCV"
        case loongarch: return "EM_LOONGARCH"
        case 2: return "EM_SPARC"
        case 20: return "EM_PPC"
        case 43: return "EM_SPARCV9"
        case 50: return "EM_IA_64"
        default: return "e_machine \(machine)"
        }
    }
}

/// The architecture table and lookups into it.
public enum ArchitectureTable {
    /// Every row, in display order.
    public static let entries: [ArchitectureInfo] = {
        func p(_ arch: String, _ variant: String? = nil) -> Platform {
            Platform(normalizedOS: "linux", architecture: arch, variant: variant)
        }
        // Debian qemu-user-static's /usr/share/binfmts patterns (qemu-binfmt-conf.sh for x86).
        let le64 = "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00"
        let le32 = "\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00"
        let stdMask =
            "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff"
        let x86Mask =
            "\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff"
        func pattern(_ magic: String, _ mask: String) -> BinfmtPattern {
            BinfmtPattern(offset: 0, magic: BinfmtPattern.unescape(magic)!, mask: BinfmtPattern.unescape(mask)!)
        }
        let x86_64 = pattern(le64 + "\\x3e\\x00", x86Mask)
        let i386 = pattern(le32 + "\\x03\\x00", x86Mask)
        let arm = pattern(le32 + "\\x28\\x00", stdMask)

        func amd64(_ level: Int) -> ArchitectureInfo {
            let lower = stride(from: level, through: 2, by: -1).map { p("amd64", "v\($0)") }
            return ArchitectureInfo(
                platform: p("amd64", level == 1 ? nil : "v\(level)"), elfClass: .elf64, byteOrder: .little,
                elfMachine: ELFMachine.x86_64, x86Level: level,
                interpreters: ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1"],
                qemuName: "qemu-x86_64", binfmt: x86_64, goos: "linux", goarch: "amd64", goamd64: "v\(level)",
                rustTarget: "x86_64-unknown-linux-gnu", rustMuslTarget: "x86_64-unknown-linux-musl",
                gnuTriplet: "x86_64-linux-gnu", zigTarget: "x86_64-linux-musl", debianArch: "amd64",
                alpineArch: "x86_64", unameMachine: "x86_64"
            )
            .named(
                architecture: level == 1 ? ["amd64", "x86_64", "x86-64", "x64"] : [],
                variants: ["v\(level)", "\(level)"], runs: lower + [p("amd64"), p("386")])
        }
        func armRow(
            _ version: Int, float: FloatABI, goarm: String, rust: String, musl: String, gnu: String,
            debian: String?, alpine: String?, uname: String
        ) -> ArchitectureInfo {
            return ArchitectureInfo(
                platform: p("arm", "v\(version)"), elfClass: .elf32, byteOrder: .little, elfMachine: ELFMachine.arm,
                armArchitecture: version, floatABI: float,
                interpreters: float == .hard
                    ? ["/lib/ld-linux-armhf.so.3", "/lib/ld-musl-armhf.so.1"]
                    : ["/lib/ld-linux.so.3", "/lib/ld-musl-arm.so.1"],
                qemuName: "qemu-arm", binfmt: arm, goos: "linux", goarch: "arm", goarm: goarm,
                rustTarget: rust, rustMuslTarget: musl, gnuTriplet: gnu,
                zigTarget: float == .hard ? "arm-linux-musleabihf" : "arm-linux-musleabi", debianArch: debian,
                alpineArch: alpine,
                unameMachine: uname
            )
            .named(
                variants: ["v\(version)", "\(version)"],
                runs: stride(from: version, through: 5, by: -1).map { p("arm", "v\($0)") })
        }
        return [
            amd64(1), amd64(2), amd64(3), amd64(4),
            ArchitectureInfo(
                platform: p("386"), elfClass: .elf32, byteOrder: .little, elfMachine: ELFMachine.i386,
                interpreters: ["/lib/ld-linux.so.2", "/lib/ld-musl-i386.so.1"],
                qemuName: "qemu-i386", binfmt: i386, goos: "linux", goarch: "386",
                rustTarget: "i686-unknown-linux-gnu", rustMuslTarget: "i686-unknown-linux-musl",
                gnuTriplet: "i686-linux-gnu", zigTarget: "x86-linux-musl", debianArch: "i386", alpineArch: "x86",
                unameMachine: "i686"
            )
            .named(architecture: ["386", "i386", "i486", "i586", "i686", "x86"]),
            ArchitectureInfo(
                platform: p("arm64"), elfClass: .elf64, byteOrder: .little, elfMachine: ELFMachine.aarch64,
                interpreters: ["/lib/ld-linux-aarch64.so.1", "/lib/ld-musl-aarch64.so.1"],
                qemuName: "qemu-aarch64", binfmt: pattern(le64 + "\\xb7\\x00", stdMask),
                goos: "linux", goarch: "arm64",
                rustTarget: "aarch64-unknown-linux-gnu", rustMuslTarget: "aarch64-unknown-linux-musl",
                gnuTriplet: "aarch64-linux-gnu", zigTarget: "aarch64-linux-musl", debianArch: "arm64",
                alpineArch: "aarch64", unameMachine: "aarch64"
            )
            .named(
                architecture: ["arm64", "aarch64", "armv8", "arm64v8"], variants: ["v8", "8", "v8.0"],
                runs: [p("arm64"), p("arm", "v8"), p("arm", "v7"), p("arm", "v6"), p("arm", "v5")]),
            armRow(
                7, float: .hard, goarm: "7", rust: "armv7-unknown-linux-gnueabihf",
                musl: "armv7-unknown-linux-musleabihf", gnu: "arm-linux-gnueabihf", debian: "armhf",
                alpine: "armv7", uname: "armv7l"
            )
            .named(architecture: ["arm"], aliases: ["armhf", "armv7", "armv7l", "armv7hl", "arm32v7"]),
            armRow(
                6, float: .hard, goarm: "6", rust: "arm-unknown-linux-gnueabihf",
                musl: "arm-unknown-linux-musleabihf", gnu: "arm-linux-gnueabihf", debian: nil,
                alpine: "armhf", uname: "armv6l"
            )
            // containerd normalizes armel to arm/v6; Debian's armel port is the v5 row (see
            // `PlatformReport.notes`).
            .named(aliases: ["armel", "armv6", "armv6l", "arm32v6"]),
            armRow(
                5, float: .soft, goarm: "5", rust: "armv5te-unknown-linux-gnueabi",
                musl: "armv5te-unknown-linux-musleabi", gnu: "arm-linux-gnueabi", debian: "armel",
                alpine: nil, uname: "armv5tel"
            )
            .named(aliases: ["armv5", "armv5l", "armv5te", "armv5tel", "arm32v5"], variants: ["v5te"]),
            ArchitectureInfo(
                platform: p("riscv64"), elfClass: .elf64, byteOrder: .little, elfMachine: ELFMachine.riscv,
                riscvFloatABI: "double",
                interpreters: ["/lib/ld-linux-riscv64-lp64d.so.1", "/lib/ld-musl-riscv64.so.1"],
                qemuName: "qemu-riscv64", binfmt: pattern(le64 + "\\xf3\\x00", stdMask),
                goos: "linux", goarch: "riscv64",
                rustTarget: "riscv64gc-unknown-linux-gnu", rustMuslTarget: "riscv64gc-unknown-linux-musl",
                gnuTriplet: "riscv64-linux-gnu", zigTarget: "riscv64-linux-musl", debianArch: "riscv64",
                alpineArch: "riscv64", unameMachine: "riscv64"
            )
            .named(architecture: ["riscv64", "riscv64gc"]),
            ArchitectureInfo(
                platform: p("ppc64le"), elfClass: .elf64, byteOrder: .little, elfMachine: ELFMachine.ppc64,
                interpreters: ["/lib64/ld64.so.2", "/lib/ld-musl-powerpc64le.so.1"],
                qemuName: "qemu-ppc64le",
                binfmt: pattern(
                    le64 + "\\x15\\x00",
                    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfc\\xff\\xff"
                        + "\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\x00"
                ),
                goos: "linux", goarch: "ppc64le",
                rustTarget: "powerpc64le-unknown-linux-gnu", rustMuslTarget: "powerpc64le-unknown-linux-musl",
                gnuTriplet: "powerpc64le-linux-gnu", zigTarget: "powerpc64le-linux-musl", debianArch: "ppc64el",
                alpineArch: "ppc64le", unameMachine: "ppc64le"
            )
            .named(architecture: ["ppc64le", "ppc64el", "powerpc64le"]),
            ArchitectureInfo(
                platform: p("s390x"), elfClass: .elf64, byteOrder: .big, elfMachine: ELFMachine.s390,
                interpreters: ["/lib/ld64.so.1", "/lib/ld-musl-s390x.so.1"],
                qemuName: "qemu-s390x",
                binfmt: pattern(
                    "\\x7fELF\\x02\\x02\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x16",
                    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfc\\xff\\xff"
                        + "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff"
                ),
                goos: "linux", goarch: "s390x",
                rustTarget: "s390x-unknown-linux-gnu", rustMuslTarget: "s390x-unknown-linux-musl",
                gnuTriplet: "s390x-linux-gnu", zigTarget: "s390x-linux-musl", debianArch: "s390x", alpineArch: "s390x",
                unameMachine: "s390x"
            )
            .named(architecture: ["s390x"]),
            ArchitectureInfo(
                platform: p("mips64le"), elfClass: .elf64, byteOrder: .little, elfMachine: ELFMachine.mips,
                interpreters: ["/lib64/ld.so.1", "/lib/ld-musl-mips64el.so.1"],
                qemuName: "qemu-mips64el",
                binfmt: pattern(
                    le64 + "\\x08\\x00",
                    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xfe\\xff"
                        + "\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff"
                ),
                goos: "linux", goarch: "mips64le",
                rustTarget: "mips64el-unknown-linux-gnuabi64", rustMuslTarget: "mips64el-unknown-linux-muslabi64",
                gnuTriplet: "mips64el-linux-gnuabi64", zigTarget: "mips64el-linux-muslabi64", debianArch: "mips64el",
                alpineArch: nil, unameMachine: "mips64"
            )
            .named(architecture: ["mips64le", "mips64el"]),
            ArchitectureInfo(
                platform: p("loong64"), elfClass: .elf64, byteOrder: .little, elfMachine: ELFMachine.loongarch,
                interpreters: ["/lib64/ld-linux-loongarch-lp64d.so.1", "/lib/ld-musl-loongarch64.so.1"],
                qemuName: "qemu-loongarch64",
                binfmt: pattern(
                    le64 + "\\x02\\x01",
                    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfc\\x00\\xff"
                        + "\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff"
                ),
                goos: "linux", goarch: "loong64",
                rustTarget: "loongarch64-unknown-linux-gnu", rustMuslTarget: "loongarch64-unknown-linux-musl",
                gnuTriplet: "loongarch64-linux-gnu", zigTarget: "loongarch64-linux-musl", debianArch: "loong64",
                alpineArch: "loongarch64",
                unameMachine: "loongarch64"
            )
            .named(architecture: ["loong64", "loongarch64"]),
        ]
    }()

    private static let byPlatform: [Platform: ArchitectureInfo] = Dictionary(
        entries.map { ($0.platform, $0) }, uniquingKeysWith: { first, _ in first })
    private static let byArchitectureName: [String: ArchitectureInfo] = Dictionary(
        entries.flatMap { row in row.architectureNames.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
    private static let byAlias: [String: ArchitectureInfo] = Dictionary(
        entries.flatMap { row in row.aliases.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })

    /// The row for `platform`, including the variants that share another row's ABI facts (see
    /// `extendedRow`).
    public static func entry(for platform: Platform) -> ArchitectureInfo? {
        guard platform.os == "linux" else { return nil }
        return byPlatform[platform] ?? extendedRow(platform)
    }

    /// Variants without a row of their own, as containerd/platforms accepts them:
    /// - arm/v8 (32-bit code on ARMv8) has the arm/v7 ABI and runs what arm/v7 runs;
    /// - arm64/v8.1-v8.9, v9, v9.1-v9.9 are arm64 with newer instructions; v9.x also runs v8.0 to
    ///   v8.(x+5) (v9.0 branched from v8.5), as containerd's `Only` orders them.
    private static func extendedRow(_ platform: Platform) -> ArchitectureInfo? {
        guard let variant = platform.variant else { return nil }
        let arm64 = entries.first { $0.elfMachine == ELFMachine.aarch64 }!
        if platform.architecture == arm64.platform.architecture, let (major, minor) = arm64Level(variant),
            (major, minor) != (8, 0)
        {
            var row = arm64
            row.platform = platform
            row.architectureNames = []
            row.variantNames = [variant]
            let own = ((major == 8 ? 1 : 0)...minor).reversed().map { arm64Platform(major, $0) }
            let older = major == 9 ? (1...min(minor + 5, 9)).reversed().map { arm64Platform(8, $0) } : []
            row.runs = own + older + arm64.runs
            return row
        }
        let armRows = entries.filter { $0.armArchitecture != nil }
        if let newest = armRows.max(by: { $0.armArchitecture! < $1.armArchitecture! }),
            platform.architecture == newest.platform.architecture, variant == "v\(newest.armArchitecture! + 1)"
        {
            var row = newest
            row.platform = platform
            row.armArchitecture = newest.armArchitecture! + 1
            row.architectureNames = []
            row.aliases = []
            row.variantNames = [variant, String(variant.dropFirst())]
            row.runs = [platform] + newest.runs
            return row
        }
        return nil
    }

    /// `v8.2` -> (8, 2), `v9` -> (9, 0): the arm64 levels containerd orders (single-digit minors).
    private static func arm64Level(_ variant: String) -> (major: Int, minor: Int)? {
        let parts = variant.drop { $0 == "v" }.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int(parts[0]), (8...9).contains(major) else { return nil }
        guard parts.count == 2 else { return (major, 0) }
        guard parts[1].count == 1, let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    /// linux/arm64 at a level: (8, 0) is plain linux/arm64, (9, 0) is linux/arm64/v9.
    private static func arm64Platform(_ major: Int, _ minor: Int) -> Platform {
        let arm64 = entries.first { $0.elfMachine == ELFMachine.aarch64 }!.platform
        let variant: String? = (major, minor) == (8, 0) ? nil : minor == 0 ? "v\(major)" : "v\(major).\(minor)"
        return Platform(normalizedOS: "linux", architecture: arm64.architecture, variant: variant)
    }

    /// The normalized platform for an architecture and a variant spelling (`amd64`, `3` ->
    /// linux/amd64/v3; `arm64`, `v8.0` -> linux/arm64), nil when the architecture has no such variant.
    static func platform(architecture: String, variant: String) -> Platform? {
        let rows = entries.filter { $0.platform.architecture == architecture }
        if let row = rows.first(where: { $0.variantNames.contains(variant) }) { return row.platform }
        if rows.contains(where: { $0.elfMachine == ELFMachine.aarch64 }), let (major, minor) = arm64Level(variant) {
            return arm64Platform(major, minor)
        }
        let candidate = Platform(
            normalizedOS: "linux", architecture: architecture,
            variant: variant.hasPrefix("v") ? variant : "v" + variant)
        return extendedRow(candidate)?.platform
    }

    /// The row an architecture word names (`x86_64`, `aarch64`, `arm`) and whether the word fixes the
    /// variant (`armhf`: yes).
    static func row(named word: String) -> (row: ArchitectureInfo, fixesVariant: Bool)? {
        if let row = byArchitectureName[word] { return (row, false) }
        if let row = byAlias[word] { return (row, true) }
        return nil
    }

    /// The variants of an architecture, for messages: `v2, v3, v4` or `v8.1-v8.9, v9, v9.1-v9.9`.
    static func knownVariants(of architecture: String) -> [String] {
        let rows = entries.filter { $0.platform.architecture == architecture }
        var known = rows.compactMap(\.platform.variant)
        if rows.contains(where: { $0.elfMachine == ELFMachine.aarch64 }) { known += ["v8.1-v8.9", "v9", "v9.1-v9.9"] }
        if let newest = rows.compactMap(\.armArchitecture).max() { known.append("v\(newest + 1)") }
        return known
    }

    /// Rows whose ELF identity (class, byte order, machine) matches, in table order.
    public static func entries(elfClass: ELFClass, byteOrder: ByteOrder, machine: UInt16) -> [ArchitectureInfo] {
        entries.filter { $0.elfClass == elfClass && $0.byteOrder == byteOrder && $0.elfMachine == machine }
    }

    /// One row per architecture, its default: amd64 (v1), 386, arm64, arm/v7, riscv64, ... (what QEMU
    /// emulates).
    public static var baseEntries: [ArchitectureInfo] {
        entries.filter { !$0.architectureNames.isEmpty }
    }

    /// Distinct architecture names, in table order.
    public static var architectureNames: [String] {
        var seen = Set<String>()
        return entries.map(\.platform.architecture).filter { seen.insert($0).inserted }
    }

    /// The row of the same architecture at x86-64 micro-architecture `level` (amd64 at level 3 ->
    /// linux/amd64/v3); nil when `row` has no x86 levels or none at `level`.
    public static func entry(sameArchitectureAs row: ArchitectureInfo, x86Level level: Int) -> ArchitectureInfo? {
        entries.first { $0.platform.architecture == row.platform.architecture && $0.x86Level == level }
    }

    /// The platform of a Linux machine from `uname -m` (`aarch64` -> linux/arm64).
    public static func platform(unameMachine: String) -> Platform? {
        let m = unameMachine.trimmingWhitespace()
        if let row = entries.first(where: { $0.unameMachine == m }) { return row.platform }
        return try? Platform(parsing: m)
    }
}
