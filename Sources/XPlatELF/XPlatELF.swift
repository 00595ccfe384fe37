// XPlatELF: what an ELF file is built for, read through libelf.
//
// The one entry point is `ELFInspector`:
//
//     let info = try ELFInspector.inspect(path: "/usr/bin/ls")
//     info.platform          // linux/amd64
//     info.evidence.variant  // "no GNU property ISA note: x86-64 baseline (v1)"
//     info.linkage           // .dynamic, info.interpreter == "/lib64/ld-linux-x86-64.so.2"
//
// It reads, through gelf: class, byte order, e_machine, OS ABI, e_type and e_flags; the ARM EABI
// version and float ABI (e_flags and `Tag_ABI_VFP_args`); the ARM architecture (`Tag_CPU_arch` in the
// `aeabi` subsection of `.ARM.attributes`); the x86-64 ISA level (`GNU_PROPERTY_X86_ISA_1_NEEDED` in the
// GNU property note); Go build info (`.go.buildinfo`: GOOS, GOARCH, GOARM, GOAMD64); the RISC-V float
// ABI; PT_INTERP; static, static-pie or dynamic linkage; DT_NEEDED. From these it derives the `Platform`
// with the evidence for each part. Go build info wins for the variant: a Go binary carries no
// `Tag_CPU_arch` and no ISA note, but says exactly which GOARM/GOAMD64 it was built for.
//
// Every libelf failure becomes an `ELFError` carrying `elf_errmsg(-1)` (see `LibELF.wrap`); truncated,
// corrupt, empty or absurd inputs are errors, never crashes. Files are opened with `ELF_C_READ`, not
// `ELF_C_READ_MMAP`: on a tree scan mmap doubles the cost (a Scripts/bench-verify measurement, the
// tree scan of the README's Benchmarks). Inspections of
// different files may run on different threads at once.

import CElf
import XPlatPlatform

#if canImport(Glibc)
    import Glibc
#endif

/// Why a file could not be inspected. Every case names the file.
public enum ELFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read (`errno` text).
    case unreadable(path: String, reason: String)
    /// The file does not start with the ELF magic.
    case notELF(path: String)
    /// libelf refused the file: `operation` is the libelf call, `message` is `elf_errmsg(-1)`.
    case libelf(path: String, operation: String, message: String)
    /// The file is ELF but its contents contradict themselves (found by xplat's own checks).
    case malformed(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .unreadable(let p, _), .notELF(let p), .libelf(let p, _, _), .malformed(let p, _): return p
        }
    }

    /// The reason without the path, for reports that print the path in a column of their own.
    public var reason: String {
        switch self {
        case .unreadable(_, let r): return "cannot read: \(r)"
        case .notELF: return "not an ELF file"
        case .libelf(_, let op, let msg): return "corrupt ELF: \(op): \(msg)"
        case .malformed(_, let r): return "corrupt ELF: \(r)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// The thin layer between Swift and libelf: one-time library initialisation and `wrap`, which turns
/// a C failure (NULL or -1) into an `ELFError` carrying libelf's own message.
enum LibELF {
    /// `elf_version(EV_CURRENT)` must run once before any other libelf call; a Swift global is
    /// initialised exactly once, thread-safely.
    static let ready: Bool = elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    /// libelf's message for the last error on this thread (libelf keeps it thread-local).
    static func lastMessage() -> String {
        guard let text = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: text)
    }

    /// Unwraps a pointer result; NULL becomes `ELFError.libelf` with `elf_errmsg(-1)`.
    static func wrap<T>(_ operation: String, _ path: String, _ call: () -> T?) throws -> T {
        guard let value = call() else {
            throw ELFError.libelf(path: path, operation: operation, message: lastMessage())
        }
        return value
    }

    /// Checks a status result; -1 (any negative value) becomes `ELFError.libelf`.
    static func wrap(_ operation: String, _ path: String, _ call: () -> Int32) throws {
        if call() < 0 {
            throw ELFError.libelf(path: path, operation: operation, message: lastMessage())
        }
    }
}
