// XPlatHost: can this machine build each platform, and how, proven.
//
// Three layers, each testable alone:
//   1. `HostProbe.probe(roots:environment:runner:prover:options:)` reads the machine through
//      parameters only (`HostRoots`: binfmt_misc, /proc, PATH, docker sockets, binfmt.d dirs; a
//      `CommandRunner` for `docker` and `qemu --version`; an `ExecProver` that runs the generated probe
//      ELFs in `ProbeBinaries.generated.swift`) and returns raw `HostFacts`. Entries are mapped to
//      platforms by matching their magic/mask against synthetic ELF headers of every table row
//      (`ELFIdentity`), never by their names.
//   2. `DoctorJudge.judge(_:requested:)` is pure: facts in, a `DoctorReport` out (per-platform
//      `Verdict` for the host and each builder node, `DoctorFinding`s with severity and fix command).
//   3. `DoctorRenderer` prints the text table or the stable `xplat.doctor/v1` JSON.
// `BinfmtFixer` plans and applies `--fix` through a `BinfmtWriter` (the kernel, or a directory standing
// in for it in tests). `Doctor.run` ties it together for `xplat doctor`.
