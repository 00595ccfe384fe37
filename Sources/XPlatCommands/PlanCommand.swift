// `xplat plan`: where and how each platform would build, without building.

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

extension DriverChoice: ExpressibleByArgument {}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show, per platform, the node and the mode (native, cross, emulated, impossible) a build would use.",
        discussion: ErrorMap.discussion(
            exitCodes: [XPlatExit.ok, XPlatExit.checkFailed, XPlatExit.couldNotCheck],
            saying: [
                XPlatExit.ok: "every platform buildable",
                XPlatExit.checkFailed: "some platform impossible",
                XPlatExit.couldNotCheck: "could not plan",
            ]))

    @OptionGroup var input: BuildInputOptions

    @Flag(name: .long, help: "Print the plan as JSON (schema xplat.plan/v1).")
    var json = false

    func run() async throws {
        let request = BuildRequest(
            dockerfile: input.dockerfile, context: input.context, platforms: try input.parsePlatforms(),
            target: input.target, buildArgs: input.buildArgs, rewrite: input.rewrite,
            registry: BuildEnvironment.registry)
        let plan: Plan
        let service = try await BuildEnvironment.service()
        do { plan = try await service.plan(request, selection: try input.selection()) } catch {
            throw ErrorMap.failure(for: error)
        }
        emit(
            json
                ? try PlanRenderer.json(plan)
                : PlanRenderer.text(plan, style: Style.detect(fd: 1, environment: BuildEnvironment.environment)))
        if !plan.buildable { throw ErrorMap.checkFailed("some platforms cannot be built (see the plan)") }
    }
}
