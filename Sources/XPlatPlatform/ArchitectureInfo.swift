/// Everything xplat knows about one platform's architecture.
public struct ArchitectureInfo: Sendable, Hashable, Codable {
    /// The normalized platform (`linux/arm/v7`).
    public var platform: Platform

    // ELF identity
    public var elfClass: ELFClass
    public var byteOrder: ByteOrder
    /// `e_machine`.
    public var elfMachine: UInt16
    /// For arm: the ARM architecture this variant means (`Tag_CPU_arch` minimum): 5 (v5TE), 6, 7, 8.
    public var armArchitecture: Int?
    /// For arm: the float ABI this platform's userland uses by convention (Debian armel: soft;
    /// armhf and Alpine armhf: hard).
    public var floatABI: FloatABI?
    /// For amd64: the x86-64 micro-architecture level (1-4).
    public var x86Level: Int?
    /// Float ABI named in `e_flags` for RISC-V (`double` for riscv64 lp64d).
    public var riscvFloatABI: String?
    /// Program interpreters (PT_INTERP) of glibc and musl on this platform.
    public var interpreters: [String]

    // QEMU and binfmt_misc
    /// QEMU user-mode binary without `-static` (`qemu-aarch64`).
    public var qemuName: String
    /// The binfmt_misc pattern QEMU registers for this architecture.
    public var binfmt: BinfmtPattern

    // Toolchains and distributions
    public var goos: String
    public var goarch: String
    /// `GOARM` (5, 6, 7) for arm.
    public var goarm: String?
    /// `GOAMD64` (v1-v4) for amd64.
    public var goamd64: String?
    public var rustTarget: String
    public var rustMuslTarget: String
    public var gnuTriplet: String
    /// Zig's `-Dtarget` (static musl builds, Zig's default for cross targets).
    public var zigTarget: String
    /// Debian architecture name; nil where Debian has no port (arm/v6).
    public var debianArch: String?
    /// Alpine architecture name; nil where Alpine has no port.
    public var alpineArch: String?
    /// What `uname -m` prints on this platform.
    public var unameMachine: String

    // Names and compatibility
    /// Spellings of the architecture itself, on its default row only (`x86_64`, `aarch64`, `arm`): alone
    /// they name this row, and a variant may follow (`x86_64/v3`, `arm/v6`).
    public var architectureNames: [String] = []
    /// Spellings that name exactly this row (`armhf`, `armv7l`, `arm32v7`): a different variant after
    /// them is an error (`armhf/v6`).
    public var aliases: [String] = []
    /// Variant spellings that select this row within its architecture (`v3`, `3`; `v1` for amd64).
    public var variantNames: [String] = []
    /// What this platform's machines run natively, best first (containerd's `Only`): itself first.
    public var runs: [Platform] = []

    /// The Go environment setting for this variant (`GOARM=7`, `GOAMD64=v3`), nil where Go has none.
    public var goVariantSetting: (name: String, value: String)? {
        if let goarm { return ("GOARM", goarm) }
        if let goamd64 { return ("GOAMD64", goamd64) }
        return nil
    }
}

extension ArchitectureInfo {
    /// This row with its names and compatibility added (lists are appended; `runs` defaults to itself).
    func named(
        architecture: [String] = [], aliases: [String] = [], variants: [String] = [], runs: [Platform]? = nil
    ) -> ArchitectureInfo {
        var row = self
        row.architectureNames += architecture
        row.aliases += aliases
        row.variantNames += variants
        if let runs { row.runs = runs } else if row.runs.isEmpty { row.runs = [platform] }
        return row
    }
}
