import Foundation
import XPlatDocker
import XPlatDockerfile
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Where a failed step comes from in the Dockerfile the build read.
enum FailedStepSource {
    /// `step` with its Dockerfile lines, when they can be placed. With `--rewrite` BuildKit read a
    /// rewritten copy; the rewriter edits FROM and RUN lines and adds ARGs but never adds or drops
    /// a step BuildKit numbers, so a label that fits the user's own file names the same step there
    /// (with a note that it ran rewritten); else the copy's lines are shown, named as such.
    static func placing(_ step: FailedStep, job: SolveJob) -> FailedStep {
        guard let label = StepLabel(step.name) else { return step }
        var placed = step
        let user = job.request.dockerfile, built = job.commands.dockerfile, shown = userName(of: user)
        if built == user {
            placed.source = read(user).flatMap { DockerfileExcerpt.locate(label, in: $0, file: shown) }
        } else if var original = read(user).flatMap({ DockerfileExcerpt.locate(label, in: $0, file: shown) }) {
            let rewrite =
                shown == user
                ? "`xplat rewrite \(user)`"
                : shown == "<stdin>"
                    ? "`xplat rewrite -` (the same Dockerfile on its standard input)" : "`xplat rewrite FILE`"
            original.note = "--rewrite built a rewritten copy of this Dockerfile: \(rewrite) shows it"
            placed.source = original
        } else {
            placed.source = read(built).flatMap {
                DockerfileExcerpt.locate(label, in: $0, file: "\(shown) (as --rewrite rewrote it)")
            }
        }
        return placed
    }

    /// The Dockerfile as the user knows it. One read from standard input (`-f -`, or a lone
    /// Dockerfile as the context `-`) is xplat's copy in a `xplat-stdin-*` folder, removed when the
    /// build ends: it is `<stdin>` (as `xplat rewrite -` names it), and a Dockerfile inside a
    /// context tar on standard input `<stdin context>/PATH`.
    static func userName(of path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let folder = parts.lastIndex(where: { $0.hasPrefix(StandardInput.folderPrefix + "-") }) else {
            return path
        }
        let inside = parts[(folder + 1)...]
        if inside.first == "context", inside.count > 1 {
            return (["<stdin context>"] + inside.dropFirst()).joined(separator: "/")
        }
        return inside.count == 1 ? "<stdin>" : path
    }

    private static func read(_ path: String) -> Dockerfile? {
        guard let data = try? UserFile.read(path) else { return nil }
        return try? DockerfileParser.parse(bytes: Array(data), fileName: path)
    }
}
