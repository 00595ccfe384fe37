import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("plan: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
