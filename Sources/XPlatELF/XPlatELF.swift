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
