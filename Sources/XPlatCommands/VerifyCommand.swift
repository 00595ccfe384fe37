import ArgumentParser
import Foundation
import XPlatPlatform
import XPlatSupport
import XPlatVerify

/// `xplat verify [--platform P] [--static] [--json] PATH...`
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every ELF file in a file, directory tree, tar archive or platform export is built for its platform.",
        discussion: """
            PATH is a file, a directory (an image rootfs), a tar archive (docker export, -o type=tar), or a \
            multi-platform local export (out/ holding linux_amd64, linux_arm_v7, ...: each folder is checked \
            against the platform in its name unless --platform is given). Without any platform, prints what \
            each ELF file is. Exit codes: 0 all good; 1 problems found; 2 could not check.
            """
    )

    @Option(name: .long, help: "The platform every ELF must run on (linux/arm/v7, arm64, amd64/v3, ...).")
    var platform: String?

    @Flag(name: .customLong("static"), help: "Require every executable to be statically linked (static or static-pie).")
    var requireStatic = false

    @Flag(name: .long, help: "Print JSON (schema xplat.verify/v1; see README).")
    var json = false

    @Argument(help: "Files, directories or tar archives to verify.")
    var paths: [String]

    func run() async throws {
        var expected: Platform?
        if let platform {
            do {
                expected = try Platform(parsing: platform)
            } catch let error as PlatformError {
                throw XPlatFailure("--platform: \(error)", exitCode: XPlatExit.usage)
            }
        }
        let report: VerifyReport
        do {
            report = try Verifier(platform: expected, requireStatic: requireStatic).verify(paths: paths)
        } catch let error as VerifyError {
            throw XPlatFailure("verify: \(error)", exitCode: XPlatExit.couldNotCheck)
        }
        if json {
            emit(try report.json())
        } else {
            let style = Style.detect(fd: 1, environment: ProcessInfo.processInfo.environment)
            emit(report.text(mark: { style.red(style.bold($0)) }))
        }
        if !report.ok {
            throw XPlatFailure(
                "\(report.summary.failed) file\(report.summary.failed == 1 ? "" : "s") failed verification",
                exitCode: XPlatExit.checkFailed)
        }
    }
}
