import ArgumentParser
import XPlatPlatform
import XPlatSupport

/// `xplat platforms [--json] [PLATFORM...]`
struct PlatformsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platforms",
        abstract: "Explain platform strings: normalized form, ELF identity, QEMU/binfmt, toolchain and distro names.",
        discussion: ErrorMap.discussion(
            "With no argument, prints the whole architecture table.",
            exitCodes: [XPlatExit.ok, XPlatExit.couldNotCheck],
            saying: [XPlatExit.couldNotCheck: "a platform it cannot read"])
    )

    @Flag(name: .long, help: "Print JSON (an array of objects; see README).")
    var json = false

    @Argument(help: "Platforms such as linux/arm64, aarch64, armhf, amd64/v3.")
    var platforms: [String] = []

    func run() async throws {
        let rows: [PlatformExplanation]
        do {
            rows = try PlatformReport.explain(platforms)
        } catch let error as PlatformError {
            throw ErrorMap.failure(for: error)
        }
        emit(json ? try PlatformReport.json(rows) : PlatformReport.text(rows))
    }
}
