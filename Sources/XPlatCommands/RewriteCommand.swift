import ArgumentParser
import Foundation
import XPlatDockerfile
import XPlatPlatform
import XPlatSupport

/// `xplat rewrite Dockerfile [--write | -o FILE | --stdout | --json] [--check]`
struct RewriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite",
        abstract: "Rewrite build stages to run on $BUILDPLATFORM and cross-compile for $TARGETPLATFORM.",
        discussion: ErrorMap.discussion(
            """
            Prints a unified diff by default; stage classification and findings go to standard error.
            """,
            exitCodes: [XPlatExit.ok, XPlatExit.checkFailed, XPlatExit.couldNotCheck],
            saying: [
                XPlatExit.ok: "done",
                XPlatExit.checkFailed: "with --check when a rewrite or an error-level finding exists",
                XPlatExit.couldNotCheck: "unreadable file or syntax error (file:line: reason)",
            ])
    )

    @Argument(help: "The Dockerfile (`-` reads standard input).")
    var file: String

    @Flag(name: .long, help: "Rewrite the file in place (atomically).")
    var write = false

    @Option(
        name: [.short, .customLong("output")],
        help: ArgumentHelp("Write the rewritten Dockerfile to FILE.", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Print the whole rewritten file instead of a diff.")
    var stdout = false

    @Flag(name: .long, help: "Exit 1 when a rewrite is needed or an error-level finding exists (for CI).")
    var check = false

    @Flag(name: .long, help: "Print changes, stages and findings as JSON (schema xplat.rewrite/v1).")
    var json = false

    @Flag(name: .long, help: "Print findings only (as `xplat lint`).")
    var findingsOnly = false

    @OptionGroup var evidence: EvidenceOptions

    func validate() throws {
        let outputs = [write, output != nil, stdout, json, findingsOnly].filter { $0 }.count
        if outputs > 1 { throw ValidationError("choose one of --write, -o, --stdout, --json, --findings-only") }
        if write && file == "-" { throw ValidationError("--write needs a file, not standard input") }
    }

    func run() async throws {
        let dockerfile = try DockerfileInput.parse(file)
        let options = try await evidence.rewriteOptions(for: dockerfile, file: file)
        let result: RewriteResult
        do {
            result = try Rewriter.rewrite(dockerfile, options: options)
        } catch {
            throw ErrorMap.failure(for: error)
        }
        let env = ProcessInfo.processInfo.environment
        let out = Style.detect(fd: 1, environment: env), err = Style.detect(fd: 2, environment: env)
        let colors = DockerfileInput.severityColor(findingsOnly ? out : err)
        let findingsText = RewriteRenderer.findingsText(result.findings, result.stageFindings, colorize: colors)
        if json {
            emit(try RewriteRenderer.json(result))
        } else if findingsOnly {
            emit(findingsText)
        } else {
            StandardError.write(RewriteRenderer.stagesText(result.stages) + findingsText)
            if stdout {
                emit(result.text)
            } else if write || output != nil {
                let path = output ?? file
                if result.changed || output != nil {
                    do { try AtomicFile.write(result.text, to: path) } catch {
                        throw ErrorMap.couldNotCheck("\(error)")
                    }
                }
                StandardError.write(
                    result.changed
                        ? "wrote \(path) (\(result.edits.count) edits)\n" : "\(file): no rewrite, unchanged\n")
            } else {
                let colors = UnifiedDiff.Colors(
                    header: { out.bold($0) }, hunk: { out.cyan($0) }, added: { out.green($0) }, removed: { out.red($0) }
                )
                emit(
                    UnifiedDiff.render(
                        old: result.original, new: result.text, fileName: result.fileName, colors: colors))
            }
        }
        if check && (result.changed || result.hasErrors) {
            throw ErrorMap.checkFailed(
                "\(result.fileName): " + (result.changed ? "rewrite needed" : "")
                    + (result.changed && result.hasErrors ? ", " : "")
                    + (result.hasErrors ? "error-level findings" : ""))
        }
        if findingsOnly && result.hasErrors {
            throw ErrorMap.checkFailed("\(result.fileName): error-level findings")
        }
    }
}
