import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct RewriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rewrite", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("rewrite: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
