import Foundation
import XPlatPlatform

/// The steps of one solve, as its plain progress told them.
public struct StepLog: Sendable {
    private struct Step: Sendable {
        var name: String
        var lines: [String] = []
        var total = 0
        var error: String?
    }

    private var steps: [Int: Step] = [:]
    private var order: [Int] = []
    /// The step whose header came last: buildx 0.10.5 prints some of a step's lines as `#0 0.305
    /// text` right after that header (and keeps them in that step's box).
    private var lastStarted: Int?
    /// BuildKit's closing summary has begun (its first `------`): the boxes there repeat lines
    /// already read.
    private var summarizing = false
    /// In the summary, the step whose box is open (` > NAME:`): its lines there are its own, also
    /// buildx's `#0` ones, whatever step started last.
    private var boxed: String?
    /// Lines kept per step (the last ones).
    private let keep: Int

    /// An empty log keeping each step's last `keep` output lines.
    public init(keep: Int = FailedStep.lineLimit) { self.keep = keep }

    /// Reads one line; returns it classified.
    @discardableResult
    public mutating func read(_ line: String) -> BuildKitLine {
        let parsed = BuildKitLine(line)
        switch parsed {
        case .step(let id, let name): start(id, name: name)
        case .output(let id, _): if !summarizing { append(line, to: id) }
        case .error(let id, let message): steps[id]?.error = message
        case .other: summary(line)
        case .status: break
        }
        return parsed
    }

    /// The name of step `id`, once it started; for an id no step has (buildx's `#0`), the step
    /// whose header came last.
    public func name(of id: Int) -> String? {
        if summarizing { return boxed }
        return (steps[id] ?? lastStarted.flatMap { steps[$0] })?.name
    }

    /// The steps that failed for their own reason (not cancelled because another one failed),
    /// in the order they started.
    public var failed: [FailedStep] {
        order.compactMap { id -> FailedStep? in
            guard let step = steps[id], let error = step.error, !Self.isCancellation(error) else { return nil }
            return FailedStep(name: step.name, lines: step.lines, omitted: step.total - step.lines.count, error: error)
        }
    }

    /// A line outside any step: the summary's rules and box headings.
    private mutating func summary(_ line: String) {
        if line == "------" {
            summarizing = true
        } else if summarizing, line.hasPrefix(" > "), line.hasSuffix(":") {
            boxed = String(line.dropFirst(3).dropLast())
        }
    }

    private mutating func start(_ id: Int, name: String) {
        if steps[id] == nil { order.append(id) }
        lastStarted = id
        // BuildKit names a step again when it resumes; its lines stay.
        steps[id, default: Step(name: name)].name = name
    }

    private mutating func append(_ text: String, to step: Int) {
        guard let id = steps[step] != nil ? step : lastStarted else { return }
        steps[id]?.lines.append(text)
        steps[id]?.total += 1
        if let count = steps[id]?.lines.count, count > keep { steps[id]?.lines.removeFirst(count - keep) }
    }

    private static func isCancellation(_ error: String) -> Bool {
        error.hasSuffix("context canceled") || error == "CANCELED" || error.hasSuffix("canceled")
    }
}
