import ArgumentParser
import Foundation
import XPlatPlatform
import XPlatSupport
import XPlatVerify

/// `xplat verify [--platform P,...] [--static] [--allow-compatible] [--allow-empty] [--exclude PATTERN]... [--json]
/// SOURCE...`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check that every ELF file of every platform of an image, export, archive or folder is built for that "
            + "platform.",
        discussion: ErrorMap.discussion(
            """
            SOURCE is an image reference (host/repo:tag, repo@sha256:..., docker://...), an OCI layout folder or \
            OCI archive (oci-layout + index.json), a docker save archive (manifest.json; every image in it), a \
            directory (an image rootfs, or a multi-platform local export holding linux_amd64, linux_arm_v7, ...), \
            a tar archive (plain, gzip, zstd, xz or bzip2), or a file. Images are checked per platform of their \
            index, on their final filesystem. Without any platform, prints what each ELF file is.
            """,
            exitCodes: [XPlatExit.ok, XPlatExit.checkFailed, XPlatExit.couldNotCheck],
            saying: [
                XPlatExit.ok: "all good",
                XPlatExit.checkFailed: "problems found",
                XPlatExit.couldNotCheck: "could not check, or nothing to check (no ELF file at all)",
            ])
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The platforms that must be there, comma-separated (linux/amd64,linux/arm64); one platform is also what "
                + "every ELF of a folder or tar must run on.")
    )
    var platform: [String] = []

    @Flag(name: .customLong("static"), help: "Require every executable to be statically linked (static or static-pie).")
    var requireStatic = false

    @Flag(
        name: .long,
        help:
            "Accept 32-bit binaries on the 64-bit platform that runs them (arm/v7 on arm64, 386 on amd64), with a note."
    )
    var allowCompatible = false

    @Flag(name: .long, help: "Exit 0 when a source has no ELF file at all (default: exit 2, nothing to check).")
    var allowEmpty = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Do not check files whose path in the image or folder matches PATTERN (shell pattern; * also matches /), "
                + "e.g. '*/testdata/*'."
                + " Repeatable; excluded files are counted.", valueName: "PATTERN"))
    var exclude: [String] = []

    @Flag(name: .long, help: "Print JSON (schema xplat.verify/v2; see README).")
    var json = false

    @Argument(
        help: "Image references, OCI layouts or archives, docker save archives, directories, tar archives or files.")
    var sources: [String]

    func run() async throws {
        var platforms: [Platform] = []
        for text in platform.flatMap({ $0.split(separator: ",").map(String.init) }) {
            do {
                platforms.append(try Platform(parsing: text))
            } catch let error as PlatformError {
                throw ErrorMap.usage("--platform: \(error)")
            }
        }
        for pattern in exclude where !(pattern.hasPrefix("/") || pattern.hasPrefix("*")) {
            throw ErrorMap.usage(
                "--exclude \"\(pattern)\": a pattern is matched against a path from the root (/usr/bin/app): start it "
                    + "with / or *")
        }
        let rules = Verifier(requireStatic: requireStatic, allowCompatible: allowCompatible, excluded: exclude)
        let report: VerifyReport
        do {
            report = try await ImageVerifier(rules: rules).verify(sources: sources, platforms: platforms)
        } catch let error as VerifyError {
            throw ErrorMap.failure(for: error, prefix: "verify: ")
        }
        if json {
            emit(try report.json())
        } else {
            let style = Style.detect(fd: 1, environment: ProcessInfo.processInfo.environment)
            emit(report.text(mark: { style.red(style.bold($0)) }))
        }
        try exit(for: report)
    }

    func exit(for report: VerifyReport) throws {
        if !report.ok {
            let s = report.summary
            let findings = report.findings.filter(\.isError).count
            let parts = [
                s.failed > 0 ? "\(s.failed) file\(s.failed == 1 ? "" : "s") failed verification" : nil,
                findings > 0 ? "\(findings) source finding\(findings == 1 ? "" : "s")" : nil,
            ]
            throw ErrorMap.checkFailed(parts.compactMap { $0 }.joined(separator: "; "))
        }
        let empty = report.sourcesWithoutELF
        if !empty.isEmpty && !allowEmpty {
            throw ErrorMap.couldNotCheck(
                "verify: nothing to check: no ELF file in \(empty.joined(separator: ", ")) (--allow-empty accepts that)"
            )
        }
    }
}
