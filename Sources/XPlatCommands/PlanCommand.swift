// `xplat plan`: where and how each platform would build, without building.

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

/// Flags shared by `plan` and `build`.
struct BuildInputOptions: ParsableArguments {
    @Option(name: .long, help: "Comma-separated platforms (linux/amd64,linux/arm64); default: this machine's platform.")
    var platform: String?

    @Option(name: [.short, .customLong("file")], help: "The Dockerfile (default: CONTEXT/Dockerfile).")
    var file: String?

    @Option(name: .long, help: "The stage to build.")
    var target: String?

    @Option(name: .customLong("build-arg"), help: "KEY=VALUE, repeatable.")
    var buildArgs: [String] = []

    @Option(name: .customLong("node"), help: "A docker endpoint to build on: NAME=unix:///path.sock, NAME=tcp://h:p or NAME=CONTEXT (repeatable).")
    var nodes: [String] = []

    @Option(name: .long, help: "A buildx builder to use (default: the current one).")
    var builder: String?

    @Option(name: .long, help: "auto (buildx if the client has it and no --node is given), buildx, or engine.")
    var driver: DriverChoice = .auto

    @Flag(name: .long, help: "Build from the cross-compiling rewrite of the Dockerfile (your file is untouched).")
    var rewrite = false

    @Argument(help: "The build context folder.")
    var context: String

    func validate() throws {
        _ = try parsePlatforms()
    }

    func parsePlatforms() throws -> [Platform] {
        guard let platform else {
            do {
                return try DefaultPlatform.resolve(environment: ProcessInfo.processInfo.environment,
                                                   unameMachine: HostProbe.unameMachine())
            } catch { throw ValidationError("\(error)") }
        }
        do { return try Platform.parseList(platform) } catch { throw ValidationError("--platform: \(error)") }
    }

    var dockerfile: String { file ?? (context as NSString).appendingPathComponent("Dockerfile") }

    func selection() throws -> NodeSelection {
        do {
            return NodeSelection(nodes: try nodes.map(NodeSpec.init(parsing:)), builder: builder,
                                 driver: driver)
        } catch { throw ValidationError("\(error)") }
    }
}

extension DriverChoice: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show, per platform, the node and the mode (native, cross, emulated, impossible) a build would use.",
        discussion: "Exit codes: 0 every platform buildable; 1 some platform impossible; 2 could not plan.")

    @OptionGroup var input: BuildInputOptions

    @Flag(name: .long, help: "Print the plan as JSON (schema xplat.plan/v1).")
    var json = false

    func run() async throws {
        let request = BuildRequest(dockerfile: input.dockerfile, context: input.context, platforms: try input.parsePlatforms(),
                                   target: input.target, buildArgs: input.buildArgs, rewrite: input.rewrite,
                                   registry: BuildEnvironment.registry)
        let plan: Plan
        let service = try await BuildEnvironment.service()
        do { plan = try await service.plan(request, selection: try input.selection()) } catch {
            throw BuildEnvironment.failure(error)
        }
        emit(json ? try PlanRenderer.json(plan) : PlanRenderer.text(plan, style: Style.detect(fd: 1, environment: BuildEnvironment.environment)))
        if !plan.buildable { throw XPlatFailure("some platforms cannot be built (see the plan)", exitCode: XPlatExit.checkFailed) }
    }
}
