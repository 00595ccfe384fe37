import Foundation
import Testing
import XPlatTestSupport

@testable import XPlatELF

/// Bad inputs must end in an `ELFError`, never a trap.
@Suite("ELF inspection of corrupt, truncated, empty and hostile inputs")
struct CorruptInputTests {
    func write(_ bytes: [UInt8], in dir: String, _ name: String) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("empty, non-ELF, bare-magic and missing files are typed errors")
    func smallInputs() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeTree(dir) }
        let empty = try write([], in: dir, "empty")
        #expect(throws: ELFError.notELF(path: empty)) { try ELFInspector.inspect(path: empty) }
        let text = try write(Array("#!/bin/sh\necho hi\n".utf8), in: dir, "script")
        #expect(throws: ELFError.notELF(path: text)) { try ELFInspector.inspect(path: text) }
        let magic = try write(ELFInspector.magic, in: dir, "magic")
        #expect(throws: ELFError.malformed(path: magic, reason: "truncated: 4 bytes, too short for an ELF header")) {
            try ELFInspector.inspect(path: magic)
        }
        #expect(throws: ELFError.unreadable(path: dir + "/missing", reason: "No such file or directory")) {
            try ELFInspector.inspect(path: dir + "/missing")
        }
        #expect(throws: ELFError.notELF(path: "mem")) { try ELFInspector.inspect(bytes: [], path: "mem") }
    }

    @Test("every truncation of real binaries is an error or a result, never a crash")
    func truncations() async throws {
        let set = try await TestBinarySet.load()
        var errors = 0
        for file in ["c-armhf-dynamic", "c-amd64-v3-dynamic", "go-arm-v7", "c-s390x-dynamic", "libxplat-arm64.so"] {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: set[file].path)))
            var lengths = Array(0..<80) + [100, 128, 200, 256, 512, 1000, 4096, 8192]
            lengths += stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)).map { $0 }
            lengths += [bytes.count - 1, bytes.count - 64]
            for length in lengths where length < bytes.count {
                do {
                    _ = try ELFInspector.inspect(bytes: Array(bytes.prefix(length)), path: "\(file)[..\(length)]")
                } catch let error as ELFError {
                    errors += 1
                    #expect(error.path == "\(file)[..\(length)]", "the error names the input")
                }
            }
        }
        #expect(errors > 400, "short prefixes cannot be inspected")
    }

    @Test("header fields pointing outside the file are errors")
    func hostileHeaders() async throws {
        let set = try await TestBinarySet.load()
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: set["c-amd64-dynamic"].path)))
        func patched(_ offset: Int, _ value: UInt64, _ width: Int) -> [UInt8] {
            var b = original
            for i in 0..<width { b[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            return b
        }
        // ELF64: e_phoff 0x20, e_shoff 0x28, e_phnum 0x38, e_shnum 0x3C, e_shstrndx 0x3E.
        let cases: [(String, [UInt8])] = [
            ("e_phoff past the end", patched(0x20, 1 << 40, 8)),
            ("e_shoff past the end", patched(0x28, 1 << 40, 8)),
            ("e_phnum 0xffff", patched(0x38, 0xFFFF, 2)),
            ("e_shnum 0xfffe", patched(0x3C, 0xFFFE, 2)),
            ("e_shstrndx out of range", patched(0x3E, 0xFFF0, 2)),
            ("ELF class 7", patched(4, 7, 1)),
            ("data encoding 9", patched(5, 9, 1)),
        ]
        for (name, bytes) in cases {
            #expect(throws: ELFError.self, "\(name)") { try ELFInspector.inspect(bytes: bytes, path: name) }
        }
        #expect(
            throws: ELFError.malformed(
                path: "x",
                reason:
                    "section headers (e_shoff 1099511627776, e_shnum 29) end past the file's \(original.count) bytes")
        ) { try ELFInspector.inspect(bytes: patched(0x28, 1 << 40, 8), path: "x") }
        // PT_INTERP with an absurd size: find the program header and patch p_filesz.
        var interp = original
        let phoff = Int(original[0x20]) | Int(original[0x21]) << 8
        for index in 0..<Int(original[0x38]) {
            let at = phoff + index * 56
            if original[at] == 3 {
                for i in 0..<8 { interp[at + 0x20 + i] = i == 4 ? 1 : 0 }  // p_filesz = 1 << 32
            }
        }
        #expect(throws: ELFError.malformed(path: "interp", reason: "PT_INTERP of 4294967296 bytes")) {
            try ELFInspector.inspect(bytes: interp, path: "interp")
        }
    }

    @Test("random byte flips in the headers never crash")
    func fuzz() async throws {
        let set = try await TestBinarySet.load()
        var rng = SplitMix(seed: 0x5eed)
        var inspected = 0
        for file in ["c-armhf-static", "c-amd64-v3-dynamic", "go-amd64-v3", "c-ppc64le-dynamic"] {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: set[file].path)))
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + Int(rng.next() % 8)) {
                    let at = Int(rng.next() % 512)
                    bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
                _ = try? ELFInspector.inspect(bytes: bytes, path: file)
                inspected += 1
            }
        }
        #expect(inspected == 600)
    }

    @Test(".ARM.attributes parsing: strings, ULEB128 tags and overruns")
    func armAttributes() throws {
        // 'A', subsection "aeabi": file scope with Tag_CPU_name "7-A" (5), Tag_CPU_arch 10 (6),
        // Tag_compatibility (32: ULEB + string), an odd tag > 32 (string), Tag_ABI_VFP_args 1 (28).
        var file: [UInt8] = [1, 0, 0, 0, 0]
        file +=
            [5] + Array("7-A".utf8) + [0] + [6, 10] + [32, 0] + Array("gnu".utf8) + [0] + [67] + Array("2.09".utf8) + [
                0
            ]
        file += [28, 1]
        let size = UInt32(file.count)
        file[1] = UInt8(size & 0xFF)
        var sub: [UInt8] = [0, 0, 0, 0] + Array("aeabi".utf8) + [0] + file
        sub[0] = UInt8(sub.count)
        let section: [UInt8] = [UInt8(ascii: "A")] + sub
        let parsed = try section.withUnsafeBytes { try ARMAttributes.parse($0, order: .little, path: "x") }
        #expect(parsed == ARMAttributes(cpuArch: 10, vfpArgs: 1))
        for cut in 2..<section.count {  // "A" alone is a valid, empty section
            let prefix = Array(section.prefix(cut))
            #expect(throws: ELFError.self, "cut at \(cut)") {
                try prefix.withUnsafeBytes { try ARMAttributes.parse($0, order: .little, path: "x") }
            }
        }
        let badVersion: [UInt8] = [0x42]
        #expect(throws: ELFError.malformed(path: "x", reason: ".ARM.attributes: format version 66, expected 'A'")) {
            try badVersion.withUnsafeBytes { try ARMAttributes.parse($0, order: .little, path: "x") }
        }
    }

    @Test("Go build info: inline format parsed, old format and garbage ignored")
    func goBuildInfo() {
        func uvarint(_ value: Int) -> [UInt8] {
            value < 128 ? [UInt8(value)] : [UInt8(value & 0x7F | 0x80), UInt8(value >> 7)]
        }
        let modinfo =
            String(repeating: "x", count: 16)
            + "path\texample.com/x\nbuild\tGOARCH=arm\nbuild\tGOARM=6\nbuild\tGOOS=linux\n"
        var bytes: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8) + [8, 2] + Array(repeating: 0, count: 16)
        bytes += uvarint(8) + Array("go1.19.8".utf8) + uvarint(modinfo.utf8.count) + Array(modinfo.utf8)
        let info = bytes.withUnsafeBytes { GoBuildInfoParser.parse($0) }
        #expect(info == GoBuildInfo(version: "go1.19.8", settings: ["GOARCH": "arm", "GOARM": "6", "GOOS": "linux"]))
        var old = bytes
        old[15] = 0
        #expect(old.withUnsafeBytes { GoBuildInfoParser.parse($0) } == nil, "pre-1.18 pointer format has no settings")
        let cut = Array(bytes.prefix(60))
        #expect(cut.withUnsafeBytes { GoBuildInfoParser.parse($0) } == nil, "a truncated string is rejected")
    }
}
