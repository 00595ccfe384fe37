import Foundation
import Testing
import XPlatPlatform
import XPlatTestSupport

@testable import XPlatELF

@Suite("ELF inspection of real cross-compiled binaries")
struct ELFInspectorTests {
    @Test("every binary in the manifest is detected exactly")
    func manifestBinaries() async throws {
        let set = try await TestBinarySet.load()
        #expect(set.binaries.count >= 40, "the script builds the whole matrix")
        for binary in set.binaries where binary.kind != "relocatable" {
            let info = try ELFInspector.inspect(path: binary.path)
            #expect(info.platform?.description == binary.platform, "\(binary): platform (\(info.evidence))")
            #expect(info.linkage?.rawValue == binary.linkage, "\(binary): linkage")
            #expect(info.interpreter == binary.interpreter, "\(binary): interpreter")
            #expect(info.kind?.rawValue == binary.kind, "\(binary): kind")
            #expect(info.floatABI?.rawValue == binary.floatABI, "\(binary): float ABI")
            #expect(info.platformProblem == nil, "\(binary): \(info.platformProblem ?? "")")
            #expect(info.evidence.architecture != nil && info.evidence.os != nil, "\(binary): evidence")
        }
    }

    @Test("object files are relocatable with a platform and no linkage")
    func objectFile() async throws {
        let set = try await TestBinarySet.load()
        let info = try ELFInspector.inspect(path: set["lib-amd64.o"].path)
        #expect(info.kind == .relocatable)
        #expect(info.linkage == nil)
        #expect(info.platform?.description == "linux/amd64")
    }

    @Test("the evidence names the fact that decided each variant")
    func evidence() async throws {
        let set = try await TestBinarySet.load()
        func info(_ file: String) throws -> ELFInfo { try ELFInspector.inspect(path: set[file].path) }
        #expect(try info("c-armhf-static").evidence.variant == "Tag_CPU_arch=v7")
        #expect(try info("c-armel-static").evidence.variant == "Tag_CPU_arch=v5TE")
        #expect(try info("c-armv6-static").evidence.variant == "Tag_CPU_arch=v6")
        #expect(try info("c-armv8-hard-static").evidence.variant == "Tag_CPU_arch=v8")
        #expect(try info("c-amd64-v3-static").evidence.variant == "GNU property ISA needed x86-64-v3")
        #expect(try info("c-amd64-v3-static").x86ISALevel == 3)
        #expect(try info("c-amd64-static").evidence.variant == "GNU property ISA needed x86-64-baseline")
        #expect(try info("go-amd64-v3").evidence.variant == "Go GOAMD64=v3")
        #expect(try info("go-arm-v6").evidence.variant == "Go GOARM=6")
        #expect(try info("go-arm-v6").evidence.os == "Go GOOS=linux")
        let armhf = try info("c-armhf-dynamic")
        #expect(armhf.evidence.floatABI == "e_flags EF_ARM_ABI_FLOAT_HARD, Tag_ABI_VFP_args=VFP registers")
        #expect(armhf.armEABIVersion == 5)
        #expect(armhf.armArchitecture == ARMArchitecture(tag: 10))
        #expect(try info("c-armel-dynamic").evidence.floatABI == "e_flags EF_ARM_ABI_FLOAT_SOFT")
        #expect(
            try info("c-armv6-hard-bare").evidence.floatABI
                == "e_flags EF_ARM_ABI_FLOAT_HARD, Tag_ABI_VFP_args=VFP registers")
        #expect(try info("c-riscv64-static").riscvFloatABI == "double")
        #expect(try info("c-amd64-static-pie").evidence.linkage == "ET_DYN with DF_1_PIE, no PT_INTERP")
    }

    @Test("DT_NEEDED and Go build info are read")
    func neededAndGo() async throws {
        let set = try await TestBinarySet.load()
        for file in ["c-arm64-dynamic", "c-armhf-dynamic", "c-s390x-dynamic", "c-386-dynamic", "c-mips64le-dynamic"] {
            let info = try ELFInspector.inspect(path: set[file].path)
            #expect(info.needed == ["libc.so.6"], "\(file): DT_NEEDED")
        }
        let lib = try ELFInspector.inspect(path: set["libxplat-arm64.so"].path)
        #expect(lib.needed == ["libc.so.6"])
        #expect(lib.kind == .sharedObject && lib.linkage == .dynamic)
        let go = try ELFInspector.inspect(path: set["go-arm-v7"].path)
        #expect(go.go?.version.hasPrefix("go1.") == true, "Go version from .go.buildinfo")
        #expect(go.go?.goarch == "arm" && go.go?.goarm == "7" && go.go?.goos == "linux")
        #expect(go.armArchitecture == nil, "Go writes no .ARM.attributes, so GOARM is the only variant evidence")
        #expect(try ELFInspector.inspect(path: set["c-arm64-static"].path).go == nil)
    }

    @Test("the same result from a file descriptor and from memory")
    func memoryMatchesFile() async throws {
        let set = try await TestBinarySet.load()
        for file in ["c-armhf-dynamic", "go-amd64-v3", "c-s390x-static", "c-amd64-v3-dynamic"] {
            let path = set[file].path
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(try ELFInspector.inspect(bytes: bytes, path: path) == ELFInspector.inspect(path: path), "\(file)")
        }
    }
}
