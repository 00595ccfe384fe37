// The adapter from XPlatDockerfile's stage graph to the planner's `BuildGraph`: the stages, their
// dependencies and which RUNs are heavy all come from XPlatDockerfile (`StageGraph`, `RunClassifier`),
// so the planner and the rewriter read a Dockerfile the same way.

import Foundation
import XPlatDockerfile
import XPlatPlatform

extension BuildGraph {
    /// The stages of a parsed Dockerfile: each `FROM` with its `--platform`, its RUN steps (line,
    /// text, heavy or not) and the stages it needs (base, `COPY --from`, `RUN --mount=from=`).
    /// - Throws: `BuildError.dockerfile` quoting file:line for a FROM BuildKit rejects or a literal
    ///   `--platform` that does not parse.
    public init(dockerfile: Dockerfile) throws {
        let graph: StageGraph
        do { graph = try StageGraph(dockerfile) } catch {
            throw BuildError.dockerfile("\(error)", cause: ErrorCause(error))
        }
        var stages: [BuildStage] = []
        for stage in graph.stages {
            let from = dockerfile.instructions[stage.fromInstruction]
            let platform: StagePlatform
            switch stage.platform {
            case .buildPlatform:
                platform = .build
            case .none, .targetPlatform, .other:
                platform = .target
            case .fixed(let value):
                do { platform = .fixed(try Platform(parsing: value)) } catch {
                    throw BuildError.dockerfile(
                        "\(dockerfile.fileName):\(from.startLine): FROM --platform=\(value): \(error)",
                        cause: ErrorCause(error))
                }
            }
            let runs = stage.runs.map { run in
                RunStep(
                    line: run.line, text: dockerfile.lineText(run.line).trimmingCharacters(in: .whitespaces),
                    heavy: RunClassifier.isHeavy(run.command))
            }
            // The name as written (StageGraph keeps it lower-cased for matching), for messages.
            let words = from.node.strings
            stages.append(
                BuildStage(
                    index: stage.index, name: stage.name == nil ? nil : words[2], base: stage.baseText,
                    platform: platform, runs: runs, dependencies: stage.dependencies.map(\.stage)))
        }
        self.init(stages: stages)
    }
}
