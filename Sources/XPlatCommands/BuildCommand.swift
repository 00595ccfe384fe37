import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("build: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
