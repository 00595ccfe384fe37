// The Dockerfile lines a failed step came from, shown as BuildKit shows a source excerpt
// (`Dockerfile:6`, a rule, numbered lines with `>>>` on the step's own, a rule).

import XPlatDockerfile

/// A step's lines in its Dockerfile, with a few lines around them.
public struct DockerfileExcerpt: Sendable, Hashable, Codable {
    /// The file as the user knows it (`Dockerfiles/go-hello/Dockerfile`).
    public var file: String
    /// The step's first and last line (1-based).
    public var lines: ClosedRange<Int>
    /// The numbered lines, BuildKit's way (` %3d | >>> text`).
    public var text: String
    /// A remark shown after the lines (the step ran rewritten, with `--rewrite`).
    public var note: String?

    /// An excerpt as `locate` makes it.
    public init(file: String, lines: ClosedRange<Int>, text: String, note: String? = nil) {
        self.file = file
        self.lines = lines
        self.text = text
        self.note = note
    }

    /// Places the step `label` names in `dockerfile`, nil when it cannot be placed for sure (a
    /// stage that gets steps from its base's ONBUILD, a label that does not fit the file).
    /// `file` is how the excerpt names the file.
    public static func locate(_ label: StepLabel, in dockerfile: Dockerfile, file: String) -> DockerfileExcerpt? {
        guard let graph = try? StageGraph(dockerfile), let stage = stage(label, in: graph),
            !inheritsOnBuild(stage, in: graph, dockerfile: dockerfile)
        else { return nil }
        let steps = countedSteps(of: stage, in: dockerfile)
        guard steps.count == label.total, (1...steps.count).contains(label.index) else { return nil }
        let instruction = dockerfile.instructions[steps[label.index - 1]]
        guard label.command.split(separator: " ").first?.lowercased() == instruction.command else { return nil }
        let range = instruction.startLine...max(instruction.startLine, instruction.endLine)
        return DockerfileExcerpt(file: file, lines: range, text: render(range, of: dockerfile))
    }

    /// The stage a label names: by name, `stage-N` for the unnamed stage N, none for the only stage.
    private static func stage(_ label: StepLabel, in graph: StageGraph) -> Stage? {
        guard let name = label.stage else { return graph.stages.count == 1 ? graph.stages.first : nil }
        if let named = graph.stage(named: name) { return named }
        guard name.hasPrefix("stage-"), let index = Int(name.dropFirst(6)), graph.stages.indices.contains(index) else {
            return nil
        }
        return graph.stages[index].name == nil ? graph.stages[index] : nil
    }

    /// Whether the stage this stage is built FROM has ONBUILD instructions: BuildKit runs the
    /// triggers first and numbers them among the stage's own steps (`[stage-1 1/2] RUN trigger`,
    /// then `[stage-1 2/2]` for the stage's own first step and `[stage-1 3/2]` for its second, seen
    /// with BuildKit 0.11.6), so the label's position does not name the stage's own instruction.
    /// Triggers reach only the stage directly FROM the one declaring them (a stage FROM that one
    /// is numbered as usual, checked the same way).
    private static func inheritsOnBuild(_ stage: Stage, in graph: StageGraph, dockerfile: Dockerfile) -> Bool {
        guard case .stage(let base) = stage.base, graph.stages.indices.contains(base) else { return false }
        return graph.stages[base].instructions.contains { dockerfile.instructions[$0].command == "onbuild" }
    }

    /// The instructions BuildKit numbers `[i/n]` in a stage: FROM of an image (not of another
    /// stage, not scratch), then every RUN, COPY, ADD and WORKDIR.
    private static func countedSteps(of stage: Stage, in dockerfile: Dockerfile) -> [Int] {
        var steps: [Int] = []
        if case .image = stage.base { steps.append(stage.fromInstruction) }
        let counted: Set<String> = ["run", "copy", "add", "workdir"]
        steps += stage.instructions.filter {
            $0 != stage.fromInstruction && counted.contains(dockerfile.instructions[$0].command)
        }
        return steps
    }

    /// BuildKit's source excerpt: two lines around a one-line step, one around a longer one.
    private static func render(_ range: ClosedRange<Int>, of dockerfile: Dockerfile) -> String {
        let lines = String(decoding: dockerfile.bytes, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        let shown = padded(range, lineCount: lines.count)
        var text = "\(String(repeating: "-", count: 20))\n"
        for number in shown {
            let marker = range.contains(number) ? ">>>" : "   "
            let line = lines[number - 1].hasSuffix("\r") ? lines[number - 1].dropLast() : lines[number - 1]
            text += " \(leftPadded(number, to: 3)) | \(marker) \(line)\n"
        }
        return text + String(repeating: "-", count: 20)
    }

    /// BuildKit widens the range by `pad` steps (4 for one line, 2 for several), one line before and
    /// one after per step while there are lines.
    private static func padded(_ range: ClosedRange<Int>, lineCount: Int) -> ClosedRange<Int> {
        var start = range.lowerBound, end = min(range.upperBound, lineCount)
        let pad = start == end ? 4 : 2
        var p = 0
        while p < pad {
            if start > 1 { start -= 1; p += 1 }
            if end != lineCount { end += 1; p += 1 }
            p += 1
        }
        return start...end
    }

    private static func leftPadded(_ number: Int, to width: Int) -> String {
        let digits = String(number)
        return String(repeating: " ", count: max(0, width - digits.count)) + digits
    }
}
