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
        ("linux/arm64/v7", "unknown variant \"v7\" for arm64"),
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
        for name in ["linux/amd64", "linux/amd64/v2", "linux/amd64/v3", "linux/amd64/v4", "linux/386", "linux/arm64",
                     "linux/arm/v5", "linux/arm/v6", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x",
                     "linux/mips64le", "linux/loong64"] {
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
            let bytes = row.byteOrder == .little
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

    @Test("binfmt escapes round-trip, including literal characters")
    func escapes() {
        #expect(BinfmtPattern.unescape("\\x7fELF\\x02") == [0x7f, 0x45, 0x4c, 0x46, 0x02])
        let row = ArchitectureTable.entries[0]
        #expect(BinfmtPattern.unescape(row.binfmt.maskString) == row.binfmt.mask)
    }

    @Test("uname -m maps back to the platform", arguments: [
        ("x86_64", "linux/amd64"), ("aarch64", "linux/arm64"), ("armv7l", "linux/arm/v7"),
        ("armv6l", "linux/arm/v6"), ("riscv64", "linux/riscv64"), ("s390x", "linux/s390x"),
        ("ppc64le", "linux/ppc64le"), ("i686", "linux/386"),
    ])
    func uname(machine: String, expected: String) {
        #expect(ArchitectureTable.platform(unameMachine: machine)?.description == expected)
    }
}
