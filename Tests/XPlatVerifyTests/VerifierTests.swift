import Foundation
import Testing
import XPlatELF
import XPlatPlatform
import XPlatSupport
import XPlatTestSupport

@testable import XPlatVerify

/// A scratch tree of real binaries; removed at the end of each test.
struct Tree {
    let root: String
    init() throws { root = try makeTemporaryDirectory("xplat-verify") }

    func copy(_ binary: TestBinary, to path: String) throws {
        try mkdir(parent(path))
        try FileManager.default.copyItem(atPath: binary.path, toPath: root + "/" + path)
    }

    func write(_ text: String, to path: String) throws {
        try mkdir(parent(path))
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + path))
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        try mkdir(parent(path))
        try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + path))
    }

    func link(_ path: String, to target: String) throws {
        try mkdir(parent(path))
        try FileManager.default.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: target)
    }

    func parent(_ path: String) -> String {
        path.split(separator: "/").dropLast().joined(separator: "/")
    }

    func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
    }

    func tar(_ name: String, _ arguments: [String] = []) async throws -> String {
        let archive = root + "/" + name
        let output = try await SubprocessRunner().run(Command("tar", ["-cf", archive] + arguments))
        #expect(output.succeeded, "tar: \(output.stderr)")
        return archive
    }

    func remove() { removeTree(root) }
}

@Suite("Verifier: platform rules on real binaries")
struct VerifierPlatformTests {
    static let cases: [(String, String, Bool)] = [
        ("c-armhf-static", "linux/arm/v6", false),  // ARMv7 code on an ARMv6 machine
        ("c-armel-static", "linux/arm/v6", true),  // ARMv5TE runs on ARMv6
        ("c-armv5te-static", "linux/arm/v6", true),
        ("c-armv6-static", "linux/arm/v5", false),
        ("go-arm-v7", "linux/arm/v6", false),
        ("go-arm-v5", "linux/arm/v6", true),
        ("go-arm-v6", "linux/arm/v7", true),
        ("c-armhf-static", "linux/arm64", false),  // 32-bit arm: strict by default (see compatibleOnly)
        ("c-armv8-hard-static", "linux/arm/v7", false),
        ("c-amd64-v3-static", "linux/amd64", false),  // x86-64-v3 needs AVX2
        ("c-amd64-v3-static", "linux/amd64/v3", true),
        ("c-amd64-v2-static", "linux/amd64/v3", true),
        ("go-amd64-v3", "linux/amd64", false),
        ("go-amd64-v3", "linux/amd64/v4", true),
        ("go-amd64-v1", "linux/amd64", true),
        ("c-386-static", "linux/amd64", false),  // 32-bit x86: strict by default
        ("c-arm64-static", "linux/amd64", false),
        ("go-arm64", "linux/amd64", false),
        ("c-riscv64-static", "linux/riscv64", true),
        ("c-s390x-static", "linux/ppc64le", false),
        ("go-ppc64le", "linux/ppc64le", true),
        ("c-mips64le-static", "linux/mips64le", true),
    ]

    @Test("compatible match per binary", arguments: cases)
    func platformRule(file: String, platform: String, passes: Bool) async throws {
        let set = try await TestBinarySet.load()
        let expected = try Platform(parsing: platform)
        let report = try Verifier(platform: expected).verify(root: set[file].path)
        #expect(report.ok == passes, "\(file) on \(platform): \(report.problemLines)")
        #expect(report.files.count == 1)
        if !passes, Verifier.compatibilityReason(expected, try Platform(parsing: set[file].platform)) == nil {
            let found = set[file].platform
            #expect(
                report.problemLines == [
                    "\(set[file].path): expected \(expected), found \(found) "
                        + "(\(try #require(report.files.first?.elf.map { reasonFact($0, expected) })))"
                ])
        }
    }

    @Test(
        """
        an armhf shared object whose Tag_CPU_arch says v8 passes linux/arm/v7 with a note (as Debian's \
        libgcrypt); an executable does not
        """
    )
    func armLibraryVariantIsANote() async throws {
        let set = try await TestBinarySet.load()
        let v7 = try Platform(parsing: "linux/arm/v7")
        let library = try Verifier(platform: v7).verify(root: set["libxplat-armv8-hard.so"].path)
        #expect(library.ok, "\(library.problemLines)")
        let notes = library.files.flatMap(\.notes)
        #expect(
            notes == [
                "linux/arm/v8 shared object accepted on linux/arm/v7: its Tag_CPU_arch=v8 is the highest of its "
                    + "objects; libraries carry newer code they choose at run time by CPU features (executables are "
                    + "held to the variant)"
            ])
        let executable = try Verifier(platform: v7).verify(root: set["c-armv8-hard-static"].path)
        #expect(!executable.ok)
        let v6 = try Platform(parsing: "linux/arm/v6")
        let older = try Verifier(platform: v6).verify(root: set["libxplat-armv8-hard.so"].path)
        #expect(
            older.ok, "a v8 library on arm/v6 (soft ABI expected) is judged by the same rule: \(older.problemLines)")
    }

    func reasonFact(_ info: ELFInfo, _ expected: Platform) -> String {
        info.platform?.architecture == expected.architecture
            || (expected.architecture == "arm64" && info.platform?.architecture == "arm")
            ? info.evidence.variant ?? "" : info.evidence.architecture ?? ""
    }

    @Test(
        "a 32-bit binary on its 64-bit platform fails with the reason, unless allowCompatible (then a note)",
        arguments: [
            (
                "c-armhf-static", "linux/arm64",
                "expected linux/arm64, found linux/arm/v7 (32-bit: AArch64-only cores (for example Neoverse V2, Apple "
                    + "M-series, AmpereOne) cannot run 32-bit Arm code; --allow-compatible accepts it)"
            ),
            (
                "c-386-static", "linux/amd64",
                "expected linux/amd64, found linux/386 (32-bit: a kernel without IA32 emulation (CONFIG_IA32_EMULATION "
                    + "off, or ia32_emulation=0) cannot run 32-bit x86 code; --allow-compatible accepts it)"
            ),
        ])
    func compatibleOnly(file: String, platform: String, message: String) async throws {
        let set = try await TestBinarySet.load()
        let expected = try Platform(parsing: platform)
        let strict = try Verifier(platform: expected).verify(root: set[file].path)
        #expect(strict.problemLines == ["\(set[file].path): \(message)"])
        #expect(strict.files.first?.problems.map(\.kind) == [.compatibleOnly])
        let allowed = try Verifier(platform: expected, allowCompatible: true).verify(root: set[file].path)
        #expect(allowed.ok)
        #expect(allowed.files.first?.notes.count == 1)
        #expect(
            allowed.files.first?.notes.first?.hasPrefix(
                "\(set[file].platform) accepted on \(platform) (--allow-compatible); ") == true)
    }

    @Test("arm/v7 mismatch names the attribute; amd64/v3 names the ISA note")
    func messages() async throws {
        let set = try await TestBinarySet.load()
        let arm = try Verifier(platform: Platform(parsing: "linux/arm/v6")).verify(root: set["c-armhf-static"].path)
        #expect(arm.mismatches.first?.reason == "expected linux/arm/v6, found linux/arm/v7 (Tag_CPU_arch=v7)")
        let x86 = try Verifier(platform: Platform(parsing: "linux/amd64")).verify(root: set["c-amd64-v3-static"].path)
        #expect(
            x86.mismatches.first?.reason
                == "expected linux/amd64, found linux/amd64/v3 (GNU property ISA needed x86-64-v3)")
        let go = try Verifier(platform: Platform(parsing: "linux/amd64")).verify(root: set["go-amd64-v3"].path)
        #expect(go.mismatches.first?.reason == "expected linux/amd64, found linux/amd64/v3 (Go GOAMD64=v3)")
        let arm64 = try Verifier(platform: Platform(parsing: "linux/amd64")).verify(root: set["c-arm64-static"].path)
        #expect(
            arm64.mismatches.first?.reason
                == "expected linux/amd64, found linux/arm64 (EM_AARCH64, ELF64, little-endian)")
        #expect(arm64.mismatches.first?.problems.map(\.kind) == [.wrongPlatform])
    }

    @Test("--static: dynamic executables fail, static and static-pie pass, libraries are not executables")
    func requireStatic() async throws {
        let set = try await TestBinarySet.load()
        let verifier = Verifier(requireStatic: true)
        for file in ["c-amd64-static", "c-amd64-static-pie", "go-arm64", "libxplat-amd64.so"] {
            #expect(try verifier.verify(root: set[file].path).ok, "\(file)")
        }
        let dynamic = try verifier.verify(root: set["c-amd64-dynamic"].path)
        #expect(
            dynamic.problemLines == [
                "\(set["c-amd64-dynamic"].path): dynamically linked (PT_INTERP /lib64/ld-linux-x86-64.so.2), but "
                    + "--static requires static executables"
            ])
    }
}

@Suite("Verifier: roots, interpreters, archives, duplicates")
struct VerifierRootTests {
    @Test("a dynamic binary needs its interpreter inside the root; symlinks resolve inside it")
    func interpreters() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        let arm64 = try Platform(parsing: "linux/arm64")
        // Without the loader.
        try tree.copy(set["c-arm64-dynamic"], to: "bare/usr/bin/app")
        let bare = try Verifier(platform: arm64).verify(root: tree.root + "/bare")
        #expect(
            bare.problemLines == [
                "\(tree.root)/bare/usr/bin/app: interpreter /lib/ld-linux-aarch64.so.1 not found in \(tree.root)/bare: "
                    + "/lib does not exist"
            ])
        #expect(bare.mismatches.first?.problems.map(\.kind) == [.missingInterpreter])
        // Debian's merged /usr: /lib -> usr/lib, and an absolute link that must resolve in the root.
        try tree.copy(set["c-arm64-dynamic"], to: "merged/usr/bin/app")
        try tree.link("merged/lib", to: "usr/lib")
        try tree.copy(set["c-arm64-static"], to: "merged/usr/lib/aarch64-linux-gnu/ld-2.36.so")
        try tree.link("merged/usr/lib/ld-linux-aarch64.so.1", to: "/usr/lib/aarch64-linux-gnu/ld-2.36.so")
        let merged = try Verifier(platform: arm64).verify(root: tree.root + "/merged")
        #expect(merged.ok, "\(merged.problemLines)")
        #expect(merged.summary.elf == 2)
        // A link that escapes the root by "..": clamped at the root, so the host's file does not count.
        try tree.copy(set["c-amd64-dynamic"], to: "escape/bin/app")
        try tree.link("escape/lib64", to: "../../../../../../../../lib64")
        let escape = try Verifier().verify(root: tree.root + "/escape")
        #expect(escape.problemLines.count == 1, "the host's /lib64 must not satisfy the root")
        #expect(escape.mismatches.first?.problems.map(\.kind) == [.missingInterpreter])
        // A loop.
        try tree.copy(set["c-armhf-dynamic"], to: "loop/bin/app")
        try tree.link("loop/lib/ld-linux-armhf.so.3", to: "ld-b")
        try tree.link("loop/lib/ld-b", to: "/lib/ld-linux-armhf.so.3")
        let loop = try Verifier().verify(root: tree.root + "/loop")
        #expect(
            loop.problemLines == [
                "\(tree.root)/loop/bin/app: interpreter /lib/ld-linux-armhf.so.3 in \(tree.root)/loop: symlink loop "
                    + "(more than 40 links)"
            ])
    }

    @Test("corrupt, truncated, empty and non-ELF files in a tree")
    func brokenFiles() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: set["c-armhf-static"].path)))
        try tree.write(Array(good.prefix(40)), to: "r/bin/truncated")
        try tree.write([], to: "r/empty")
        try tree.write("#!/bin/sh\necho hi\n", to: "r/bin/script")
        try tree.write([0x7F, 0x45], to: "r/short")
        try tree.copy(set["c-armhf-static"], to: "r/bin/good")
        let report = try Verifier(platform: Platform(parsing: "linux/arm/v7")).verify(root: tree.root + "/r")
        #expect(report.summary.files == 5)
        #expect(report.summary.elf == 1, "only the good binary was inspected")
        #expect(report.summary.skipped == 3)
        #expect(report.mismatches.map(\.path) == ["/bin/truncated"])
        #expect(report.mismatches.first?.problems.first?.kind == .corrupt)
        #expect(report.mismatches.first?.reason == "corrupt ELF: truncated: 40 bytes, too short for an ELF header")
    }

    @Test("multi-platform export: folder names give platforms; copied binaries are flagged")
    func multiPlatformExport() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-amd64-static"], to: "good/linux_amd64/app")
        try tree.copy(set["c-arm64-static"], to: "good/linux_arm64/app")
        try tree.copy(set["go-arm-v5"], to: "good/linux_arm_v6/tool")
        try tree.copy(set["go-arm-v5"], to: "good/linux_arm_v7/tool")  // v5 code is right for both
        try tree.write("#!/bin/sh\n", to: "good/linux_amd64/run.sh")
        try tree.write("#!/bin/sh\n", to: "good/linux_arm64/run.sh")
        let good = try Verifier().verify(root: tree.root + "/good")
        #expect(
            good.roots.map { $0.platform?.description } == [
                "linux/amd64", "linux/arm64", "linux/arm/v6", "linux/arm/v7",
            ])
        #expect(good.ok, "\(good.problemLines)")

        try tree.copy(set["c-amd64-static"], to: "bad/linux_amd64/app")
        try tree.copy(set["c-amd64-static"], to: "bad/linux_arm64/app")
        let bad = try Verifier().verify(root: tree.root + "/bad")
        let base = tree.root + "/bad"
        #expect(
            bad.problemLines == [
                "\(base)/linux_amd64/app: byte-identical to \(base)/linux_arm64/app (linux/arm64 output): a binary "
                    + "copied into several platforms' outputs, built for linux/amd64",
                "\(base)/linux_arm64/app: expected linux/arm64, found linux/amd64 (EM_X86_64, ELF64, little-endian)",
                "\(base)/linux_arm64/app: byte-identical to \(base)/linux_amd64/app (linux/amd64 output): a binary "
                    + "copied into several platforms' outputs, built for linux/amd64",
            ])
        // --platform overrides the folder names.
        let forced = try Verifier(platform: Platform(parsing: "linux/amd64")).verify(root: tree.root + "/good")
        #expect(
            forced.mismatches.map(\.root) == [
                tree.root + "/good/linux_arm64", tree.root + "/good/linux_arm_v6", tree.root + "/good/linux_arm_v7",
            ])
    }

    @Test("an arm64 binary in an amd64 root fails; a platform folder given directly keeps its platform")
    func foreignBinaryInRoot() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-amd64-static"], to: "linux_amd64/bin/ok")
        try tree.copy(set["go-arm64"], to: "linux_amd64/bin/wrong")
        let report = try Verifier().verify(root: tree.root + "/linux_amd64")
        #expect(report.roots.first?.platform?.description == "linux/amd64")
        #expect(report.mismatches.map(\.path) == ["/bin/wrong"])
        #expect(report.file("/bin/wrong")?.platform?.description == "linux/arm64")
    }

    @Test("tar archives (GNU, pax, long names, symlinks, hardlinks) give the same results as the tree")
    func tarArchives() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        let long = "usr/lib/" + String(repeating: "very-long-directory-name/", count: 6) + "tool"
        try tree.copy(set["c-armhf-dynamic"], to: "rootfs/usr/bin/app")
        try tree.copy(set["c-armhf-static"], to: "rootfs/usr/lib/arm-linux-gnueabihf/ld-linux-armhf.so.3")
        try tree.link("rootfs/lib", to: "usr/lib")
        try tree.link("rootfs/usr/lib/ld-linux-armhf.so.3", to: "arm-linux-gnueabihf/ld-linux-armhf.so.3")
        try tree.copy(set["c-arm64-static"], to: "rootfs/" + long)
        try tree.write("text\n", to: "rootfs/etc/motd")
        let linkResult = link(tree.root + "/rootfs/usr/bin/app", tree.root + "/rootfs/usr/bin/app-hardlink")
        #expect(linkResult == 0)
        let v7 = try Verifier(platform: Platform(parsing: "linux/arm/v7"))
        let direct = try v7.verify(root: tree.root + "/rootfs")
        #expect(direct.mismatches.map(\.path) == ["/" + long])
        for format in ["gnu", "pax", "ustar"] where format != "ustar" || long.count < 255 {
            let archive = try await tree.tar(
                "rootfs-\(format).tar", ["--format=\(format)", "-C", tree.root + "/rootfs", "."])
            let report = try v7.verify(root: archive)
            #expect(report.roots.map(\.kind) == [.tar])
            #expect(report.files.map(\.path) == direct.files.map(\.path), "\(format)")
            #expect(report.files.map(\.platform) == direct.files.map(\.platform), "\(format)")
            #expect(report.mismatches.map(\.path) == ["/" + long], "\(format): \(report.problemLines)")
            #expect(
                report.summary.files == direct.summary.files && report.summary.elf == direct.summary.elf, "\(format)")
        }
        // Without the loader in the archive.
        let bare = try await tree.tar("bare.tar", ["-C", tree.root + "/rootfs", "usr/bin/app"])
        let report = try v7.verify(root: bare)
        #expect(
            report.problemLines == [
                "\(bare):/usr/bin/app: interpreter /lib/ld-linux-armhf.so.3 not found in \(bare): /lib does not exist"
            ])
    }

    @Test(
        "a compressed tar archive (gzip, zstd, xz, bzip2: what README and --help list) is read like a plain one",
        arguments: ["gzip", "zstd", "xz", "bzip2"])
    func compressedTar(compression: String) async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-armhf-static"], to: "rootfs/usr/bin/good")
        try tree.copy(set["c-arm64-static"], to: "rootfs/usr/bin/wrong")
        let archive = try await tree.tar(
            "rootfs.tar.\(compression)", ["--\(compression)", "-C", tree.root + "/rootfs", "."])
        let report = try Verifier(platform: Platform(parsing: "linux/arm/v7")).verify(root: archive)
        #expect(report.roots.map(\.kind) == [.tar])
        #expect(report.files.map(\.path) == ["/usr/bin/good", "/usr/bin/wrong"], "\(report.files.map(\.path))")
        #expect(report.mismatches.map(\.path) == ["/usr/bin/wrong"], "\(report.problemLines)")
    }

    /// Only ELF files are read whole (and held to the 2 GiB limit): a 3 GiB data file costs its first
    /// bytes. GNU tar's sparse format keeps the archive small; libarchive reports the full size.
    @Test("a 3 GiB non-ELF member of a tar is skipped after its first bytes, not refused")
    func hugeNonELFMember() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-arm64-static"], to: "rootfs/usr/bin/app")
        try tree.mkdir("rootfs/data")
        let big = tree.root + "/rootfs/data/big.bin"
        #expect(FileManager.default.createFile(atPath: big, contents: Data("data".utf8)))
        #expect(truncate(big, 3 << 30) == 0)
        let archive = try await tree.tar("sparse.tar", ["--sparse", "-C", tree.root + "/rootfs", "."])
        let report = try Verifier(platform: Platform(parsing: "linux/arm64")).verify(root: archive)
        #expect(report.ok, "\(report.problemLines)")
        #expect(report.summary.files == 2 && report.summary.elf == 1 && report.summary.skipped == 1)
    }

    @Test("a multi-platform tar splits into platform roots")
    func multiPlatformTar() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-amd64-static"], to: "out/linux_amd64/app")
        try tree.copy(set["c-amd64-static"], to: "out/linux_arm_v7/app")
        let archive = try await tree.tar("out.tar", ["-C", tree.root + "/out", "linux_amd64", "linux_arm_v7"])
        let report = try Verifier().verify(root: archive)
        #expect(report.roots.map(\.path) == [archive + ":linux_amd64", archive + ":linux_arm_v7"])
        #expect(report.mismatches.count == 2, "\(report.problemLines)")
        #expect(
            report.file("/app", root: archive + ":linux_arm_v7")?.problems.map(\.kind) == [.wrongPlatform, .duplicate])
    }

    @Test("inputs that cannot be checked throw VerifyError")
    func cannotCheck() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        #expect(throws: VerifyError(tree.root + "/missing", "cannot open: No such file or directory")) {
            try Verifier().verify(root: tree.root + "/missing")
        }
        try tree.copy(set["c-arm64-static"], to: "t/app")
        let archive = try await tree.tar("t.tar", ["-C", tree.root + "/t", "app"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: archive)))
        try tree.write(Array(bytes.prefix(5000)), to: "cut.tar")
        #expect(throws: VerifyError.self) { try Verifier().verify(root: tree.root + "/cut.tar") }
        var corrupt = bytes
        corrupt[10] ^= 0x55
        try tree.write(corrupt, to: "corrupt.tar")
        #expect(throws: VerifyError(tree.root + "/corrupt.tar", "Unrecognized archive format")) {
            try Verifier().verify(root: tree.root + "/corrupt.tar")
        }
        try tree.write([0x1F, 0x8B, 8, 0] + Array(repeating: 0, count: 600), to: "x.tar.gz")
        #expect(throws: VerifyError.self) { try Verifier().verify(root: tree.root + "/x.tar.gz") }
    }

    @Test("JSON follows the xplat.verify/v2 schema")
    func json() async throws {
        let set = try await TestBinarySet.load()
        let tree = try Tree()
        defer { tree.remove() }
        try tree.copy(set["c-armhf-dynamic"], to: "linux_arm_v6/bin/app")
        let report = try Verifier().verify(root: tree.root + "/linux_arm_v6")
        let object = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "xplat.verify/v2")
        let roots = try #require(object["roots"] as? [[String: Any]])
        #expect(roots.first?["platform"] as? String == "linux/arm/v6")
        #expect(
            Set(roots.first?.keys.map { $0 } ?? []) == [
                "path", "platform", "kind", "source", "manifest", "subject", "files", "elf", "ok",
            ])
        #expect(object["findings"] as? [Any] != nil)
        let files = try #require(object["files"] as? [[String: Any]])
        let file = try #require(files.first)
        #expect(
            Set(file.keys) == [
                "path", "root", "platform", "expected", "ok", "reason", "problems", "notes", "kind", "linkage",
                "interpreter", "needed", "evidence", "class", "byteOrder", "machine", "floatABI", "go",
            ])
        #expect(file["path"] as? String == "/bin/app")
        #expect(file["platform"] as? String == "linux/arm/v7")
        #expect(file["ok"] as? Bool == false)
        #expect(file["kind"] as? String == "executable" && file["linkage"] as? String == "dynamic")
        #expect(file["interpreter"] as? String == "/lib/ld-linux-armhf.so.3")
        #expect(file["needed"] as? [String] == ["libc.so.6"])
        #expect(file["floatABI"] as? String == "hard")
        #expect((file["evidence"] as? [String: String])?["variant"] == "Tag_CPU_arch=v7")
        #expect(file["go"] is NSNull)
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["elf"] as? Int == 1 && summary["failed"] as? Int == 1 && summary["problems"] as? Int == 2)
    }
}

@Suite("PathResolver")
struct PathResolverTests {
    static let tree: [String: Node] = [
        "/lib": .symlink("usr/lib"), "/usr": .directory, "/usr/lib": .directory, "/usr/lib/ld.so": .file,
        "/abs": .symlink("/usr/lib/ld.so"), "/up": .symlink("../../../usr/lib/ld.so"), "/a": .symlink("b"),
        "/b": .symlink("a"), "/dir": .symlink("/usr"), "/f": .file,
    ]

    @Test(
        "resolution stays inside the root",
        arguments: [
            ("/lib/ld.so", Resolution.file("/usr/lib/ld.so")),
            ("/abs", .file("/usr/lib/ld.so")),
            ("/up", .file("/usr/lib/ld.so")),
            ("/../../lib/ld.so", .file("/usr/lib/ld.so")),
            ("/a", .loop),
            ("/dir", .notRegular("/usr")),
            ("/f/x", .missing("/f (not a directory)")),
            ("/nope/ld.so", .missing("/nope")),
        ])
    func resolve(path: String, expected: Resolution) {
        #expect(
            PathResolver.resolve(path, lookup: { Self.tree[$0] ?? ($0 == "/" ? .directory : .missing) }) == expected)
    }
}
