import ArgumentParser
import XPlatSupport

// Scaffold during construction; replaced by the subcommand's real implementation.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "(under construction)")

    func run() async throws {
        throw XPlatFailure("doctor: under construction", exitCode: XPlatExit.couldNotCheck)
    }
}
