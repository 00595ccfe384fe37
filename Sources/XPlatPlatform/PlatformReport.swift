// `xplat platforms`: what a platform string means, rendered as text or JSON.

import Foundation
import XPlatJSON

/// One platform explained: what the user typed, the normalized platform, its table row and what
/// its machines can run.
public struct PlatformExplanation: Sendable, Codable, Hashable {
    /// The text as given (or the normalized form when listing the whole table).
    public var input: String
    public var platform: Platform
    public var info: ArchitectureInfo
    /// `runnable` of the platform: what it executes natively, best first.
    public var runs: [Platform]
    /// Where another convention reads the typed name differently (`armel`: containerd's arm/v6,
    /// Debian's ARMv5TE soft-float port).
    public var notes: [String]

    public init(input: String, platform: Platform, info: ArchitectureInfo) {
        self.input = input
        self.platform = platform
        self.info = info
        self.runs = platform.runnable
        self.notes = PlatformReport.notes(input: input, platform: platform)
    }
}

/// Builds and renders `xplat platforms` output.
public enum PlatformReport {
    /// Explains each input; with none, the whole table. Throws on the first bad input.
    public static func explain(_ inputs: [String]) throws -> [PlatformExplanation] {
        if inputs.isEmpty {
            return ArchitectureTable.entries.map {
                PlatformExplanation(input: $0.platform.description, platform: $0.platform, info: $0)
            }
        }
        return try inputs.map { text in
            let platform = try Platform(parsing: text)
            guard let info = platform.info else { throw PlatformError.unknownOS(text, platform.os) }
            return PlatformExplanation(input: text, platform: platform, info: info)
        }
    }

    /// Distribution names in `input` that mean another row to that distribution: `armel` normalizes
    /// to linux/arm/v6 as containerd does, while Debian's armel is linux/arm/v5; Alpine's armhf is
    /// linux/arm/v6, while `armhf` normalizes to linux/arm/v7 (Debian's armhf).
    static func notes(input: String, platform: Platform) -> [String] {
        guard let chosen = platform.info else { return [] }
        let words = Set(input.lowercased().split(separator: "/").map(String.init))
        var out: [String] = []
        for (distribution, name) in [
            ("Debian", \ArchitectureInfo.debianArch), ("Alpine", \ArchitectureInfo.alpineArch),
        ] {
            guard
                let row = ArchitectureTable.entries.first(where: { row in
                    row[keyPath: name].map(words.contains) == true && row[keyPath: name] != chosen[keyPath: name]
                }), let word = row[keyPath: name]
            else { continue }
            let abi = [row.armArchitecture.map { "ARMv\($0)" }, row.floatABI.map { "\($0.rawValue)-float" }]
                .compactMap { $0 }.joined(separator: " ")
            out.append(
                "\(word) means \(platform) here (as containerd normalizes it); \(distribution)'s \(word) is "
                    + "\(row.platform)" + (abi.isEmpty ? "" : " (\(abi))"))
        }
        return out
    }

    /// Stable JSON: an array of objects, keys sorted, two-space indent.
    public static func json(_ rows: [PlatformExplanation]) throws -> String {
        try StableJSON.encode(rows)
    }

    /// Human view: one block per platform, aligned `key  value` lines.
    public static func text(_ rows: [PlatformExplanation]) -> String {
        var out = ""
        for (index, row) in rows.enumerated() {
            if index > 0 { out += "\n" }
            let i = row.info
            out += row.input == row.platform.description ? "\(row.platform)\n" : "\(row.input) -> \(row.platform)\n"
            var abi: [String] = []
            if let v = i.armArchitecture { abi.append("ARMv\(v)") }
            if let f = i.floatABI { abi.append("\(f.rawValue)-float") }
            if let l = i.x86Level { abi.append("x86-64-v\(l)") }
            if let r = i.riscvFloatABI { abi.append("float ABI \(r)") }
            let go =
                ["GOOS=\(i.goos)", "GOARCH=\(i.goarch)"] + (i.goarm.map { ["GOARM=\($0)"] } ?? [])
                + (i.goamd64.map { ["GOAMD64=\($0)"] } ?? [])
            let fields: [(String, String)] =
                [
                    (
                        "elf",
                        "\(i.elfClass.rawValue) \(i.byteOrder.rawValue) \(ELFMachine.name(i.elfMachine))"
                            + (abi.isEmpty ? "" : " " + abi.joined(separator: " "))
                    ),
                    ("interpreters", i.interpreters.joined(separator: " ")),
                    ("qemu", i.qemuName),
                    ("binfmt magic", i.binfmt.magicString),
                    ("binfmt mask", i.binfmt.maskString),
                    ("go", go.joined(separator: " ")),
                    ("rust", "\(i.rustTarget) \(i.rustMuslTarget)"),
                    ("gnu", i.gnuTriplet),
                    ("zig", i.zigTarget),
                    ("debian", i.debianArch ?? "-"),
                    ("alpine", i.alpineArch ?? "-"),
                    ("uname -m", i.unameMachine),
                    ("names", (i.architectureNames + i.aliases).joined(separator: " ")),
                    ("variants", i.variantNames.joined(separator: " ")),
                    ("runs", row.runs.map(\.description).joined(separator: " ")),
                ].filter { !$0.1.isEmpty } + row.notes.map { ("note", $0) }
            for (key, value) in fields {
                out += "  " + key.padding(toLength: 13, withPad: " ", startingAt: 0) + value + "\n"
            }
        }
        return out
    }
}
