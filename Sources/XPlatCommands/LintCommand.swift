import ArgumentParser
import Foundation
import XPlatDockerfile
import XPlatSupport

/// `xplat lint Dockerfile [--json]`
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

    func run() async throws {
        let dockerfile = try DockerfileInput.parse(file)
        let findings: [Finding]
        let stageFindings: [RewriteFinding]
        do {
            findings = try Linter.lint(dockerfile, target: target)
            // Why build stages cannot be moved (XP1nn), judged with the Dockerfile's folder as context.
            let options = try DockerfileInput.options(file: file, target: target, buildArgs: [:], context: nil, platform: nil)
            stageFindings = try Rewriter.stageFindings(dockerfile, options: options)
        } catch let error as DockerfileSyntaxError {
            throw XPlatFailure(error.description, exitCode: XPlatExit.couldNotCheck)
        }
        let style = Style.detect(fd: 1, environment: ProcessInfo.processInfo.environment)
        emit(json
             ? try RewriteRenderer.lintJSON(file: dockerfile.fileName, findings: findings, stageFindings: stageFindings)
             : RewriteRenderer.findingsText(findings, stageFindings, colorize: DockerfileInput.severityColor(style)))
        let errors = findings.filter { $0.severity == .error }.count
        if errors > 0 {
            throw XPlatFailure("\(dockerfile.fileName): \(errors) error-level finding\(errors == 1 ? "" : "s")", exitCode: XPlatExit.checkFailed)
        }
    }
}
