// The options `plan` and `build` share: what to build (Dockerfile, context, platforms, target,
// build args) and where (nodes, builder, driver).

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatHost
import XPlatPlatform
import XPlatSupport

/// Flags shared by `plan` and `build`.
struct BuildInputOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Platforms, comma-separated or repeated (linux/amd64,linux/arm64); default: $DOCKER_DEFAULT_PLATFORM, else "
                + "this machine's platform.")
    )
    var platform: [String] = []

    @Option(
        name: [.short, .customLong("file")],
        help: "The Dockerfile (default: CONTEXT/Dockerfile; - reads it from standard input).")
    var file: String?

    @Option(name: .long, help: "The stage to build.")
    var target: String?

    @Option(name: .customLong("build-arg"), help: "KEY=VALUE, repeatable.")
    var buildArgs: [String] = []

    @OptionGroup var location: NodeOptions

    @Flag(name: .long, help: "Build from the cross-compiling rewrite of the Dockerfile (your file is untouched).")
    var rewrite = false

    @Argument(help: "The build context folder (- reads a tar of it, or a lone Dockerfile, from standard input).")
    var context: String

    func validate() throws {
        _ = try parsePlatforms()
    }

    func parsePlatforms() throws -> [Platform] {
        guard !platform.isEmpty else {
            do {
                return try DefaultPlatform.resolve(
                    environment: ProcessInfo.processInfo.environment,
                    unameMachine: HostProbe.unameMachine())
            } catch { throw ValidationError("\(error)") }
        }
        do { return try Platform.parseList(platform.joined(separator: ",")) } catch {
            throw ValidationError("--platform: \(error)")
        }
    }

    /// The Dockerfile: `-f`, else `CONTEXT/Dockerfile`; `-` (standard input) as given. With a
    /// context from standard input, `-f` names a file inside it and stays relative.
    var dockerfile: String {
        if context == BuildRequest.standardInput { return file ?? "Dockerfile" }
        return file ?? (context as NSString).appendingPathComponent("Dockerfile")
    }

    func selection() throws -> NodeSelection { try location.selection() }
}
