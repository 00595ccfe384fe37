import ArgumentParser
import Foundation
import XPlatDockerfile
import XPlatSupport

/// `xplat lint Dockerfile [--json] [--context DIR] [--platform LIST]`
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report cross-build mistakes in a Dockerfile (file:line:column, rule id, fix).",
        discussion: "Exit codes: 0 no error-level finding; 1 error-level findings; 2 unreadable file or syntax error; 64 usage."
    )

    @Argument(help: "The Dockerfile (`-` reads standard input).")
    var file: String

    @Flag(name: .long, help: "Print JSON (schema xplat.lint/v1).")
    var json = false

    @Option(name: .long, help: "Stage to build (default: the last).")
    var target: String?

    @Option(name: .customLong("build-arg"), help: "NAME=VALUE used to expand ARGs in FROM (repeatable).")
    var buildArgs: [String] = []

    @Option(name: .long, help: ArgumentHelp("The build context read as evidence, as `xplat rewrite` reads it; default: the Dockerfile's folder.", valueName: "DIR"))
    var context: String?

    @Flag(name: .customLong("no-registry"), help: "Do not read base images' configs (ENV, ONBUILD) from the registry (XPLAT_REGISTRY for Docker Hub names).")
    var noRegistry = false

    @Option(name: .long, help: ArgumentHelp("Platforms built, comma-separated; default: one per architecture.", valueName: "LIST"))
    var platform: String?

    func validate() throws {
        for arg in buildArgs where KeyValue(arg)?.value == nil { throw ValidationError("--build-arg \(arg): expected NAME=VALUE") }
    }

    func run() async throws {
        let dockerfile = try DockerfileInput.parse(file)
        let findings: [Finding]
        let stageFindings: [RewriteFinding]
        do {
            // Why build stages cannot be moved (XP1nn), judged with the same context and platforms as the rewrite.
            var args: [String: String] = [:]
            for kv in buildArgs.compactMap(KeyValue.init) { args[kv.key] = kv.value ?? "" }
            var options = try DockerfileInput.options(file: file, target: target, buildArgs: args, context: context, platform: platform)
            if !noRegistry {
            let reading = await BaseImages.read(dockerfile, buildArgs: args)
            options.baseImages = reading.configs
            if let note = reading.note { StandardError.write(note) }
        }
            let result = try Rewriter.rewrite(dockerfile, options: options)
            findings = result.findings
            stageFindings = result.stageFindings
        } catch let error as DockerfileSyntaxError {
            throw ErrorMap.failure(for: error)
        }
        let style = Style.detect(fd: 1, environment: ProcessInfo.processInfo.environment)
        emit(json
             ? try RewriteRenderer.lintJSON(file: dockerfile.fileName, findings: findings, stageFindings: stageFindings)
             : RewriteRenderer.findingsText(findings, stageFindings, colorize: DockerfileInput.severityColor(style)))
        let errors = findings.filter { $0.severity == .error }.count
        if errors > 0 {
            throw ErrorMap.checkFailed("\(dockerfile.fileName): \(errors) error-level finding\(errors == 1 ? "" : "s")")
        }
    }
}
