// The platform model.
//
// A `Platform` is an OCI platform (`os/architecture[/variant]`), normalized when it is made, the way
// containerd/platforms does it: every alias a user may type maps to one canonical form.
//
// | input                                   | normalized      |
// | --------------------------------------- | --------------- |
// | `x86_64`, `x86-64`, `amd64`, `amd64/v1` | `linux/amd64`   |
// | `amd64/v3`                              | `linux/amd64/v3`|
// | `i386`, `i686`, `x86`, `386`            | `linux/386`     |
// | `aarch64`, `arm64`, `arm64/v8`          | `linux/arm64`   |
// | `arm`, `armhf`, `armv7`, `armv7l`       | `linux/arm/v7`  |
// | `armel`, `armv6`, `armv6l`              | `linux/arm/v6`  |
// | `armv5`, `armv5te`, `arm/5`             | `linux/arm/v5`  |
// | `arm64/v8.2`, `aarch64/8.2`             | `linux/arm64/v8.2` |
// | `arm64/9`, `arm64/v9.0`                 | `linux/arm64/v9`|
// | `ppc64el`, `powerpc64le`, `ppc64le`     | `linux/ppc64le` |
// | `mips64el`, `mips64le`                  | `linux/mips64le`|
// | `loongarch64`, `loong64`                | `linux/loong64` |
//
// The spellings live in the architecture table's rows (`architectureNames`, `aliases`,
// `variantNames`), as does compatibility (`runs`). `armel` follows containerd (arm/v6); Debian's armel
// port is ARMv5TE soft-float, linux/arm/v5 (its `debianArch`); `xplat platforms armel` says both.
//
// A single component is an architecture on linux. Matching comes in two strengths: `==` (exact)
// and `canRun(_:)` (compatible: what this platform's machines execute natively), with `runnable`
// giving the ordered list of preferences, best first.

/// An OCI platform: operating system, architecture and optional variant, always normalized.
public struct Platform: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// Operating system, lower case (`linux`).
    public let os: String
    /// Normalized architecture (`amd64`, `arm64`, `arm`, `riscv64`, ...).
    public let architecture: String
    /// Normalized variant (`v7` for arm, `v3` for amd64), or nil.
    public let variant: String?

    /// Makes a platform from parts, normalizing them. Throws `PlatformError` on unknown parts.
    public init(os: String = "linux", architecture: String, variant: String? = nil) throws {
        let osName = try Self.normalizeOS(os, input: "\(os)/\(architecture)")
        let (arch, v) = try Self.normalizeArchitecture(
            architecture, variant: variant, input: [os, architecture, variant].compactMap { $0 }.joined(separator: "/"))
        self.os = osName
        self.architecture = arch
        self.variant = v
    }

    /// Internal memberwise initializer for already-normalized parts (the table).
    init(normalizedOS os: String, architecture: String, variant: String?) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// Parses `os/arch[/variant]`, `arch[/variant]` or an alias such as `aarch64` or `armhf`.
    ///
    /// - Throws: `PlatformError` quoting `text` when it is empty, malformed or unknown.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw PlatformError.empty }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3, !parts.contains(where: { $0.isEmpty }) else {
            throw PlatformError.malformed(text, "expected os/architecture[/variant]")
        }
        for part in parts where !part.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
        {
            throw PlatformError.malformed(text, "unexpected character in \"\(part)\"")
        }
        let first = parts[0].lowercased()
        if Self.knownOS.contains(first) || first == "macos" {
            guard parts.count >= 2 else { throw PlatformError.missingArchitecture(text) }
            try self.init(os: first, architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
        } else if parts.count == 3 {
            throw PlatformError.unknownOS(text, parts[0])
        } else if parts.count == 2, ArchitectureTable.row(named: first) == nil {
            // "foo/arm64": first part is neither an OS nor an architecture.
            throw ArchitectureTable.row(named: parts[1].lowercased()) != nil
                ? PlatformError.unknownOS(text, parts[0]) : PlatformError.unknownArchitecture(text, parts[0])
        } else {
            try self.init(os: "linux", architecture: first, variant: parts.count == 2 ? parts[1] : nil)
        }
    }

    /// Parses a comma-separated list (`linux/amd64,linux/arm64`), dropping duplicates, keeping order.
    public static func parseList(_ text: String) throws -> [Platform] {
        var seen = Set<Platform>()
        var result: [Platform] = []
        for item in text.split(separator: ",") {
            let platform = try Platform(parsing: String(item))
            if seen.insert(platform).inserted { result.append(platform) }
        }
        guard !result.isEmpty else { throw PlatformError.empty }
        return result
    }

    /// `os/architecture[/variant]`.
    public var description: String {
        variant.map { "\(os)/\(architecture)/\($0)" } ?? "\(os)/\(architecture)"
    }

    /// The form used in folder names of a multi-platform local export: `linux_arm_v7`.
    public var folderName: String { description.replacingOccurrences(of: "/", with: "_") }

    /// The table entry for this platform, if the table knows it (every linux platform that parses does).
    public var info: ArchitectureInfo? { ArchitectureTable.entry(for: self) }

    public static func < (lhs: Platform, rhs: Platform) -> Bool { lhs.description < rhs.description }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: Normalization

    private static let knownOS: Set<String> = [
        "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix", "android",
        "ios", "plan9", "dragonfly", "js", "wasip1",
    ]

    private static func normalizeOS(_ os: String, input: String) throws -> String {
        let lower = os.lowercased()
        if lower == "macos" { return "darwin" }
        guard knownOS.contains(lower) else { throw PlatformError.unknownOS(input, os) }
        return lower
    }

    /// The architecture word and variant spelling, normalized through the architecture table's names.
    private static func normalizeArchitecture(_ arch: String, variant: String?, input: String) throws -> (
        String, String?
    ) {
        guard let (row, fixesVariant) = ArchitectureTable.row(named: arch.lowercased()) else {
            throw PlatformError.unknownArchitecture(input, arch)
        }
        let name = row.platform.architecture
        guard let given = variant?.lowercased() else { return (name, row.platform.variant) }
        guard let chosen = ArchitectureTable.platform(architecture: name, variant: given),
            !fixesVariant || chosen == row.platform
        else {
            throw PlatformError.unknownVariant(input, given, architecture: name)
        }
        return (name, chosen.variant)
    }

    // MARK: Matching

    /// Platforms this platform's machines run natively, best first (containerd's `Only`), from the
    /// table row's `runs`: amd64/v3 runs v3, v2, v1 and 386; arm64 runs arm64 and arm/v8..v5; arm/v7
    /// runs v7, v6, v5. Another OS on the same architecture runs the same list on that OS.
    public var runnable: [Platform] {
        let linux = Platform(normalizedOS: "linux", architecture: architecture, variant: variant)
        guard let row = ArchitectureTable.entry(for: linux) else { return [self] }
        return row.runs.map { Platform(normalizedOS: os, architecture: $0.architecture, variant: $0.variant) }
    }

    /// True when a binary built for `other` runs on this platform (compatible match).
    public func canRun(_ other: Platform) -> Bool { runnable.contains(other) }
}

/// Why a platform string was rejected. Every case quotes the input.
public enum PlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case malformed(String, String)
    case missingArchitecture(String)
    case unknownOS(String, String)
    case unknownArchitecture(String, String)
    case unknownVariant(String, String, architecture: String)

    public var description: String {
        switch self {
        case .empty:
            return "empty platform: expected os/architecture[/variant], e.g. linux/arm64"
        case .malformed(let input, let why):
            return "invalid platform \"\(input)\": \(why)"
        case .missingArchitecture(let input):
            return "invalid platform \"\(input)\": no architecture (write e.g. \(input)/arm64)"
        case .unknownOS(let input, let os):
            return "invalid platform \"\(input)\": unknown operating system \"\(os)\""
        case .unknownArchitecture(let input, let arch):
            return
                "invalid platform \"\(input)\": unknown architecture \"\(arch)\" (known: "
                + "\(ArchitectureTable.architectureNames.joined(separator: ", ")))"
        case .unknownVariant(let input, let variant, let arch):
            let known = ArchitectureTable.knownVariants(of: arch)
            let hint = known.isEmpty ? "\(arch) has no variants" : "known: \(known.joined(separator: ", "))"
            return "invalid platform \"\(input)\": unknown variant \"\(variant)\" for \(arch) (\(hint))"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
