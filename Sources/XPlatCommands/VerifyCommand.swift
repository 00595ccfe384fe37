import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("verify: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
