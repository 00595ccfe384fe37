import Foundation
import Testing

@testable import XPlatPlatform

@Suite("Platform normalization")
struct NormalizationTests {
    // (input, normalized) pairs, containerd/platforms' table plus the distro spellings users paste.
    static let cases: [(String, String)] = [
        ("linux/amd64", "linux/amd64"), ("amd64", "linux/amd64"), ("x86_64", "linux/amd64"),
        ("x86-64", "linux/amd64"), ("linux/x86_64", "linux/amd64"), ("amd64/v1", "linux/amd64"),
        ("linux/amd64/v1", "linux/amd64"), ("linux/amd64/v2", "linux/amd64/v2"), ("amd64/v3", "linux/amd64/v3"),
        ("linux/amd64/4", "linux/amd64/v4"), ("LINUX/AMD64", "linux/amd64"),
        ("i386", "linux/386"), ("386", "linux/386"), ("i686", "linux/386"), ("linux/x86", "linux/386"),
        ("aarch64", "linux/arm64"), ("arm64", "linux/arm64"), ("arm64/v8", "linux/arm64"),
        ("linux/arm64/8", "linux/arm64"), ("linux/aarch64", "linux/arm64"),
        ("arm", "linux/arm/v7"), ("linux/arm", "linux/arm/v7"), ("armhf", "linux/arm/v7"),
        ("armv7l", "linux/arm/v7"), ("linux/arm/7", "linux/arm/v7"), ("armel", "linux/arm/v6"),
        ("linux/arm/v6", "linux/arm/v6"), ("armv6l", "linux/arm/v6"), ("linux/arm/v5", "linux/arm/v5"),
        ("armv5te", "linux/arm/v5"), ("linux/arm/v8", "linux/arm/v8"),
        ("riscv64", "linux/riscv64"), ("ppc64el", "linux/ppc64le"), ("powerpc64le", "linux/ppc64le"),
        ("linux/ppc64le", "linux/ppc64le"), ("s390x", "linux/s390x"), ("mips64el", "linux/mips64le"),
        ("linux/mips64le", "linux/mips64le"), ("loongarch64", "linux/loong64"), ("loong64", "linux/loong64"),
        ("arm64/v8.2", "linux/arm64/v8.2"), ("aarch64/8.2", "linux/arm64/v8.2"), ("linux/arm64/v8.0", "linux/arm64"),
        ("arm64/9", "linux/arm64/v9"), ("linux/arm64/v9.0", "linux/arm64/v9"), ("linux/arm64/v9.3", "linux/arm64/v9.3"),
        ("windows/amd64", "windows/amd64"), ("macos/arm64", "darwin/arm64"), ("  linux/arm64 ", "linux/arm64"),
    ]

    @Test("aliases normalize to one canonical form", arguments: cases)
    func normalizes(input: String, expected: String) throws {
        #expect(try Platform(parsing: input).description == expected)
    }

    @Test("normalized strings parse back to themselves", arguments: cases.map(\.1))
    func roundTrips(text: String) throws {
        #expect(try Platform(parsing: text).description == text)
    }

    static let bad: [(String, String)] = [
        ("", "empty platform"),
        ("linux", "\"linux\": no architecture"),
        ("linux/", "\"linux/\": expected os/architecture"),
        ("linux/sparc", "unknown architecture \"sparc\""),
        ("beos/amd64", "unknown operating system \"beos\""),
        ("linux/amd64/v9", "unknown variant \"v9\" for amd64"),
        ("linux/arm64/v7", "unknown variant \"v7\" for arm64 (known: v8.1-v8.9, v9, v9.1-v9.9)"),
        ("linux/arm64/v8.10", "unknown variant \"v8.10\" for arm64"),
        ("linux/arm64/v10", "unknown variant \"v10\" for arm64"),
        ("linux/arm/v9", "unknown variant \"v9\" for arm (known: v7, v6, v5, v8)"),
        ("linux/arm/v4", "unknown variant \"v4\" for arm"),
        ("linux/riscv64/v1", "unknown variant \"v1\" for riscv64"),
        ("armhf/v6", "unknown variant \"v6\" for arm"),
        ("linux/arm64/v8/x", "expected os/architecture"),
        ("linux/arm 64", "unexpected character"),
    ]

    @Test("bad input is an error that quotes it", arguments: bad)
    func rejects(input: String, message: String) {
        #expect {
            try Platform(parsing: input)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    @Test("lists are split, normalized and deduplicated in order")
    func parsesLists() throws {
        let list = try Platform.parseList("linux/arm64,amd64,aarch64,linux/arm/v7")
        #expect(list.map(\.description) == ["linux/arm64", "linux/amd64", "linux/arm/v7"])
    }

    @Test("JSON encodes a platform as its normalized string")
    func codable() throws {
        let data = try JSONEncoder().encode([try Platform(parsing: "armhf")])
        #expect(String(decoding: data, as: UTF8.self) == #"["linux\/arm\/v7"]"#)
        let back = try JSONDecoder().decode([Platform].self, from: Data(#"["aarch64"]"#.utf8))
        #expect(back.map(\.description) == ["linux/arm64"])
    }

    @Test("folder names match buildx's multi-platform local export")
    func folderNames() throws {
        #expect(try Platform(parsing: "linux/arm/v7").folderName == "linux_arm_v7")
        #expect(try Platform(parsing: "linux/amd64").folderName == "linux_amd64")
    }
}

@Suite("Platform matching")
struct MatchingTests {
    static let runnable: [(String, [String])] = [
        ("linux/amd64", ["linux/amd64", "linux/386"]),
        ("linux/amd64/v3", ["linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386"]),
        ("linux/arm64", ["linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm/v7", ["linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm/v6", ["linux/arm/v6", "linux/arm/v5"]),
        ("linux/arm/v5", ["linux/arm/v5"]),
        ("linux/riscv64", ["linux/riscv64"]),
        ("linux/s390x", ["linux/s390x"]),
        ("linux/386", ["linux/386"]),
        ("linux/arm/v8", ["linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"]),
        // containerd's `Only`: v8.x runs v8.(x-1)..v8.0; v9.x runs v9.(x-1)..v9.0, then v8.(x+5)..v8.0.
        (
            "linux/arm64/v8.2",
            [
                "linux/arm64/v8.2", "linux/arm64/v8.1", "linux/arm64", "linux/arm/v8", "linux/arm/v7",
                "linux/arm/v6", "linux/arm/v5",
            ]
        ),
        (
            "linux/arm64/v9.1",
            [
                "linux/arm64/v9.1", "linux/arm64/v9", "linux/arm64/v8.6", "linux/arm64/v8.5",
                "linux/arm64/v8.4", "linux/arm64/v8.3", "linux/arm64/v8.2", "linux/arm64/v8.1",
                "linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5",
            ]
        ),
        ("windows/amd64", ["windows/amd64", "windows/386"]),
    ]

    @Test("each platform lists what it runs, best first", arguments: runnable)
    func ordered(platform: String, expected: [String]) throws {
        #expect(try Platform(parsing: platform).runnable.map(\.description) == expected)
    }

    static let compat: [(String, String, Bool)] = [
        ("linux/arm/v6", "linux/arm/v7", false),
        ("linux/arm/v6", "linux/arm/v5", true),
        ("linux/amd64", "linux/amd64/v3", false),
        ("linux/amd64/v3", "linux/amd64", true),
        ("linux/amd64", "linux/arm64", false),
        ("linux/arm64", "linux/amd64", false),
        ("linux/386", "linux/amd64", false),
        ("linux/arm64", "linux/arm/v7", true),
        ("linux/arm64", "linux/arm64/v8.2", false),
        ("linux/arm64/v9", "linux/arm64/v8.5", true),
        ("linux/arm64/v9", "linux/arm64/v8.6", false),
        ("windows/amd64", "linux/amd64", false),
    ]

    @Test("compatible match is directional", arguments: compat)
    func compatible(host: String, binary: String, expected: Bool) throws {
        #expect(try Platform(parsing: host).canRun(try Platform(parsing: binary)) == expected)
    }

    @Test("exact match is equality of normalized values")
    func exact() throws {
        #expect(try Platform(parsing: "aarch64") == Platform(parsing: "linux/arm64/v8"))
        #expect(try Platform(parsing: "linux/arm/v7") != Platform(parsing: "linux/arm/v6"))
    }
}

@Suite("Architecture table")
struct TableTests {
    @Test("every row's platform parses back to itself and has a unique key")
    func rowsAreCanonical() throws {
        var seen = Set<Platform>()
        for row in ArchitectureTable.entries {
            #expect(try Platform(parsing: row.platform.description) == row.platform)
            #expect(seen.insert(row.platform).inserted, "duplicate row \(row.platform)")
        }
    }

    @Test("the issue's required architectures are all present")
    func coverage() throws {
        for name in [
            "linux/amd64", "linux/amd64/v2", "linux/amd64/v3", "linux/amd64/v4", "linux/386", "linux/arm64",
            "linux/arm/v5", "linux/arm/v6", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x",
            "linux/mips64le", "linux/loong64",
        ] {
            #expect(try Platform(parsing: name).info != nil, "\(name) missing from the table")
        }
    }

    @Test("each binfmt pattern matches its own ELF header and no other architecture's")
    func binfmtPatterns() {
        func header(_ row: ArchitectureInfo) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 20)
            h[0] = 0x7f; h[1] = 0x45; h[2] = 0x4c; h[3] = 0x46
            h[4] = row.elfClass == .elf64 ? 2 : 1
            h[5] = row.byteOrder == .little ? 1 : 2
            h[6] = 1
            let type: UInt16 = 2, machine = row.elfMachine
            let bytes =
                row.byteOrder == .little
                ? [UInt8(type & 0xff), UInt8(type >> 8), UInt8(machine & 0xff), UInt8(machine >> 8)]
                : [UInt8(type >> 8), UInt8(type & 0xff), UInt8(machine >> 8), UInt8(machine & 0xff)]
            h.replaceSubrange(16..<20, with: bytes)
            return h
        }
        for row in ArchitectureTable.baseEntries {
            for other in ArchitectureTable.baseEntries {
                let same = other.qemuName == row.qemuName
                #expect(row.binfmt.matches(header(other)) == same, "\(row.qemuName) vs \(other.platform)")
            }
        }
    }

    @Test("every name in the table names one row, and each row's variant names lead back to it")
    func namesAreUnique() throws {
        var owner: [String: Platform] = [:]
        for row in ArchitectureTable.entries {
            for name in row.architectureNames + row.aliases {
                #expect(owner.updateValue(row.platform, forKey: name) == nil, "\(name) names two rows")
                #expect(try Platform(parsing: name) == row.platform, "\(name) parses to \(row.platform)")
            }
            for variant in row.variantNames {
                #expect(try Platform(parsing: "\(row.platform.architecture)/\(variant)") == row.platform)
            }
            #expect(row.runs.first == row.platform, "\(row.platform) runs itself first")
        }
    }

    @Test("armel: containerd's arm/v6, and the note names Debian's armel port (arm/v5, soft-float)")
    func armel() throws {
        let row = try #require(try PlatformReport.explain(["armel"]).first)
        #expect(row.platform.description == "linux/arm/v6")
        #expect(
            row.notes == [
                "armel means linux/arm/v6 here (as containerd normalizes it); Debian's armel is linux/arm/v5 (ARMv5 "
                    + "soft-float)"
            ])
        let debian = try #require(ArchitectureTable.entries.first { $0.debianArch == "armel" })
        #expect(
            debian.platform.description == "linux/arm/v5" && debian.floatABI == .soft && debian.armArchitecture == 5)
    }

    @Test(
        "the Go variant setting comes from the goarm/goamd64 columns",
        arguments: [
            ("linux/arm/v6", "GOARM=6"), ("linux/arm/v8", "GOARM=7"), ("linux/amd64/v3", "GOAMD64=v3"),
            ("linux/amd64", "GOAMD64=v1"),
            ("linux/arm64", "-"), ("linux/riscv64", "-"),
        ])
    func goVariant(platform: String, expected: String) throws {
        let setting = try #require(try Platform(parsing: platform).info).goVariantSetting
        #expect(setting.map { "\($0.name)=\($0.value)" } ?? "-" == expected)
    }

    @Test("binfmt escapes round-trip, including literal characters")
    func escapes() {
        #expect(BinfmtPattern.unescape("\\x7fELF\\x02") == [0x7f, 0x45, 0x4c, 0x46, 0x02])
        let row = ArchitectureTable.entries[0]
        #expect(BinfmtPattern.unescape(row.binfmt.maskString) == row.binfmt.mask)
    }

    @Test(
        "uname -m maps back to the platform",
        arguments: [
            ("x86_64", "linux/amd64"), ("aarch64", "linux/arm64"), ("armv7l", "linux/arm/v7"),
            ("armv6l", "linux/arm/v6"), ("riscv64", "linux/riscv64"), ("s390x", "linux/s390x"),
            ("ppc64le", "linux/ppc64le"), ("i686", "linux/386"),
        ])
    func uname(machine: String, expected: String) {
        #expect(ArchitectureTable.platform(unameMachine: machine)?.description == expected)
    }

    @Test("the default --platform: DOCKER_DEFAULT_PLATFORM as docker reads it, else this machine's base platform")
    func defaultPlatform() throws {
        #expect(
            try DefaultPlatform.resolve(environment: [:], unameMachine: "aarch64").map(\.description) == ["linux/arm64"]
        )
        #expect(
            try DefaultPlatform.resolve(environment: ["DOCKER_DEFAULT_PLATFORM": ""], unameMachine: "x86_64").map(
                \.description) == ["linux/amd64"])
        #expect(
            try DefaultPlatform.resolve(
                environment: ["DOCKER_DEFAULT_PLATFORM": "linux/arm64,linux/arm/v7"], unameMachine: "x86_64"
            )
            .map(\.description) == ["linux/arm64", "linux/arm/v7"])
        #expect(throws: DefaultPlatformError.unknownMachine("pdp11")) {
            try DefaultPlatform.resolve(environment: [:], unameMachine: "pdp11")
        }
        #expect(throws: DefaultPlatformError.self) {
            try DefaultPlatform.resolve(
                environment: ["DOCKER_DEFAULT_PLATFORM": "linux/amd64/v9"], unameMachine: "x86_64")
        }
    }
}
