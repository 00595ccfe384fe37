// BuildKit's `--progress plain` output, read line by line: which step (vertex) a line belongs to,
// the step's own output, and which step failed. The same format comes from dockerd 20.10's
// `DOCKER_BUILDKIT=1 docker build --progress plain` and from buildx (0.10.5 checked):
//
//     #9 [build 3/3] RUN go build -o /out/hello .
//     #9 0.412 ./main.go:7:2: undefined: foo
//     #9 ERROR: process "/bin/sh -c go build -o /out/hello ." did not complete successfully: exit code: 1
//
// and, when the build fails, BuildKit's box of the failed step's last lines
// (`------` / ` > [build 3/3] RUN go build -o /out/hello .:` / lines / `------`).

import Foundation
import XPlatPlatform

/// One line of BuildKit's plain progress, classified.
public enum BuildKitLine: Sendable, Hashable {
    /// `#9 [build 3/3] RUN go build`: step 9 starts (its name, as BuildKit shows it).
    case step(id: Int, name: String)
    /// `#9 0.412 text`: a line the step's process printed (the text without BuildKit's prefix).
    case output(id: Int, text: String)
    /// `#9 ERROR: message`.
    case error(id: Int, message: String)
    /// `#9 DONE 0.4s`, `#9 CACHED`, a transfer's progress and anything else BuildKit says about step 9.
    case status(id: Int)
    /// A line outside any step (the error summary, warnings).
    case other

    /// Reads one line.
    public init(_ line: String) {
        guard line.hasPrefix("#"), let space = line.firstIndex(of: " "),
            let id = Int(line[line.index(after: line.startIndex)..<space])
        else {
            self = .other
            return
        }
        let rest = String(line[line.index(after: space)...])
        self = Self.classify(rest, id: id)
    }

    private static func classify(_ rest: String, id: Int) -> BuildKitLine {
        if rest.hasPrefix("ERROR: ") { return .error(id: id, message: String(rest.dropFirst(7))) }
        if rest.hasPrefix("ERROR") { return .error(id: id, message: String(rest.dropFirst(5))) }
        if rest.hasPrefix("[") { return .step(id: id, name: rest) }
        if let text = outputText(rest) { return .output(id: id, text: text) }
        return .status(id: id)
    }

    /// `0.412 text` -> `text`: BuildKit prefixes a process's lines with seconds since the step began.
    private static func outputText(_ rest: String) -> String? {
        let time = rest.prefix { $0 != " " }
        guard let first = time.first, first.isNumber, time.contains("."), Double(time) != nil else { return nil }
        return String(rest.dropFirst(time.count + 1))
    }
}

/// The label of a step name (`[linux/amd64->arm64 build 3/3] RUN go build`), read.
public struct StepLabel: Sendable, Hashable {
    /// The platform BuildKit names in a multi-platform solve: the target of a cross step
    /// (`linux/amd64->arm64` means linux/arm64), nil when the label names none.
    public var platform: Platform?
    /// The stage label: a name, `stage-N` for an unnamed stage, nil for a single-stage Dockerfile.
    public var stage: String?
    /// The step's position in its stage (1-based).
    public var index: Int
    /// The stage's step count as BuildKit counts it (ONBUILD triggers run before the stage's own
    /// steps are numbered among them but not counted: `[stage-1 3/2]`).
    public var total: Int
    /// What follows the label (`RUN go build -o /out/hello .`).
    public var command: String

    /// Reads `[...] COMMAND`; nil for internal steps (`[internal] load ...`, `[auth] ...`) and
    /// anything that is not a Dockerfile step.
    public init?(_ name: String) {
        guard name.hasPrefix("["), let close = name.firstIndex(of: "]") else { return nil }
        var words = name[name.index(after: name.startIndex)..<close].split(separator: " ")
        guard let position = words.popLast(), let slash = position.firstIndex(of: "/"),
            let index = Int(position[..<slash]), let total = Int(position[position.index(after: slash)...])
        else { return nil }
        let platformWord = words.first { $0.contains("/") }
        words.removeAll { $0.contains("/") }
        guard words.count <= 1 else { return nil }
        self.platform = platformWord.flatMap(Self.target)
        self.stage = words.first.map(String.init)
        self.index = index
        self.total = total
        self.command = String(name[name.index(after: close)...].drop { $0 == " " })
    }

    /// `linux/arm64` -> linux/arm64; `linux/amd64->arm64` -> linux/arm64 (the target keeps the
    /// base's OS); `linux/amd64->arm/v7` -> linux/arm/v7.
    private static func target(_ word: Substring) -> Platform? {
        let parts = word.components(separatedBy: "->")
        guard parts.count == 2 else { return try? Platform(parsing: String(word)) }
        let os = parts[0].split(separator: "/").first.map(String.init) ?? "linux"
        return (try? Platform(parsing: "\(os)/\(parts[1])")) ?? (try? Platform(parsing: parts[1]))
    }
}

/// A step that failed: its name, its last lines of output and BuildKit's error.
public struct FailedStep: Sendable, Hashable, Codable {
    /// BuildKit's name of the step (`[build 3/3] RUN go build -o /out/hello .`).
    public var name: String
    /// The platform it was built for; nil when the step served every platform of its solve.
    public var platform: Platform?
    /// The step's last output lines (at most `FailedStep.lineLimit`), as BuildKit printed them
    /// (`#9 0.412 ./main.go:7:2: undefined: foo`).
    public var lines: [String]
    /// Output lines left out before `lines`.
    public var omitted: Int
    /// BuildKit's error for the step (`process "/bin/sh -c ..." did not complete successfully: exit code: 1`).
    public var error: String
    /// Where the step comes from in the Dockerfile, when it could be placed.
    public var source: DockerfileExcerpt?

    /// How many of a failed step's last lines are shown.
    public static let lineLimit = 20

    /// A failed step; `source` is filled in once the step is placed in its Dockerfile.
    public init(
        name: String, platform: Platform? = nil, lines: [String], omitted: Int = 0, error: String,
        source: DockerfileExcerpt? = nil
    ) {
        self.name = name
        self.platform = platform
        self.lines = lines
        self.omitted = omitted
        self.error = error
        self.source = source
    }
}

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
