import ArgumentParser
import Foundation
import XPlatDockerfile
import XPlatSupport

/// `xplat lint Dockerfile [--json] [--context DIR] [--platform LIST]`
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Report cross-build mistakes in a Dockerfile (file:line:column, rule id, fix).",
        discussion: ErrorMap.discussion(
            exitCodes: [XPlatExit.ok, XPlatExit.checkFailed, XPlatExit.couldNotCheck],
            saying: [
                XPlatExit.ok: "no error-level finding",
                XPlatExit.checkFailed: "error-level findings",
                XPlatExit.couldNotCheck: "unreadable file or syntax error",
            ])
    )

    @Argument(help: "The Dockerfile (`-` reads standard input).")
    var file: String

    @Flag(name: .long, help: "Print JSON (schema xplat.lint/v1).")
    var json = false

    @OptionGroup var evidence: EvidenceOptions

    func run() async throws {
        let dockerfile = try DockerfileInput.parse(file)
        // Why build stages cannot be moved (XP1nn), judged with the same context and platforms as the rewrite.
        let options = try await evidence.rewriteOptions(for: dockerfile, file: file)
        let result: RewriteResult
        do {
            result = try Rewriter.rewrite(dockerfile, options: options)
        } catch {
            throw ErrorMap.failure(for: error)
        }
        let findings = result.findings
        let style = Style.detect(fd: 1, environment: ProcessInfo.processInfo.environment)
        emit(
            json
                ? try RewriteRenderer.lintJSON(
                    file: dockerfile.fileName, findings: findings, stageFindings: result.stageFindings)
                : RewriteRenderer.findingsText(
                    findings, result.stageFindings, colorize: DockerfileInput.severityColor(style)))
        let errors = findings.filter { $0.severity == .error }.count
        if errors > 0 {
            throw ErrorMap.checkFailed("\(dockerfile.fileName): \(errors) error-level finding\(errors == 1 ? "" : "s")")
        }
    }
}
