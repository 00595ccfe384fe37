// XPlatVerify: check that every ELF file of every platform is built for the platform it claims,
// in a folder, a tar, an export, or a published image.
//
// Import it from your own tests:
//
//     import XPlatVerify
//     let report = try await ImageVerifier().verify("127.0.0.1:5000/team/app:1",
//                                                   platforms: [try Platform(parsing: "linux/arm64")])
//     #expect(report.ok, "\(report.problemLines)")
//     let folder = try Verifier(platform: try Platform(parsing: "linux/arm/v7")).verify(root: "out/rootfs")
//     #expect(folder.file("/usr/bin/app")?.platform?.description == "linux/arm/v7")
//
// Sources (`VerifySource` decides which, once): an image reference through XPlatRegistry; an
// OCI layout folder or archive; a `docker save` archive; a file; a directory tree (an image
// rootfs); a tar archive, plain or compressed (`docker export`, `-o type=tar`); or the
// per-platform folders a multi-platform local export writes (`out/linux_amd64`, in a directory or
// at the top of a tar): a folder named `os_arch[_variant]` gives its root the platform when none is
// passed. Every archive and layer is read by XPlatArchive (libarchive), streamed.
//
// Rules, each problem one line naming the file:
// - With a platform, every executable and shared object must be runnable on it (`Platform.canRun`:
//   an arm/v5 binary passes linux/arm/v7, an amd64/v3 binary fails linux/amd64). A 32-bit binary
//   on the 64-bit platform that runs it only through compatibility (arm on arm64, 386 on amd64) is
//   a problem unless `allowCompatible` (then a note). Object files and core dumps are reported but
//   not held to the platform.
// - A dynamic executable's interpreter (PT_INTERP) must exist inside its root: symlinks are resolved
//   inside the root (absolute targets restart at the root, ".." stops at it), loops are errors. A root
//   that is a single file has nothing to resolve against, so that check is skipped for it.
// - `requireStatic`: every executable must be static or static-pie.
// - A truncated, corrupt or unreadable ELF is a problem, never a crash.
// - Across several roots: an executable or shared object byte-identical in two roots is flagged
//   unless every one of those roots' platforms accepts it (the "COPY of a prebuilt amd64 binary"
//   bug). Non-ELF files and object files are never compared.
// - Images (ImageVerifier.swift): per platform of an index, on the final filesystem of its layers.
// Directory trees are walked with readdir's d_type and worker threads; only the first 64 bytes of
// each file are read unless it is ELF.
