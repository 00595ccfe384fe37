import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("lint: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
