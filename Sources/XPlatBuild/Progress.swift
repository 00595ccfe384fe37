// Progress on stderr: per platform, the current BuildKit step, elapsed time, emulated or not.

import Foundation
import Synchronization
import XPlatPlatform
import XPlatSupport

/// Reads BuildKit's `--progress=plain` lines and reports per-platform state.
public final class BuildProgress: Sendable {
    struct Row: Sendable {
        var platform: Platform
        var node: String
        var emulatedStages: Set<String>
        /// True when any RUN of this platform is emulated: what unlabelled `[n/m]` steps (a
        /// single-stage Dockerfile, whose one stage is the target stage) map to.
        var emulatedAnywhere: Bool
        var step = "waiting"
        var emulatedNow = false
        var started: ContinuousClock.Instant?
        var finished: Duration?
        var state = "queued"
    }

    private let rows: Mutex<[Row]>
    private let tty: Bool
    private let quiet: Bool
    private let write: @Sendable (String) -> Void
    private let drawn = Mutex<Int>(0)
    /// What each line starts with besides the platform (a bake target's name); nil for a build.
    private let label: String?

    /// - Parameters:
    ///   - plan: the platforms and the stages each runs under emulation.
    ///   - tty: redraw a block of lines in place; else one plain line per change.
    ///   - label: a bake target's name, put before the platform on each line.
    ///   - write: where text goes (stderr in the CLI).
    public init(plan: Plan, tty: Bool, quiet: Bool = false, label: String? = nil,
                write: @escaping @Sendable (String) -> Void = StandardError.write) {
        self.label = label
        self.rows = Mutex(plan.platforms.filter { $0.mode != .impossible }.map {
            Row(platform: $0.platform, node: $0.node ?? "?", emulatedStages: Set($0.emulatedSteps.map(\.stage)),
                emulatedAnywhere: !$0.emulatedSteps.isEmpty)
        })
        self.tty = tty
        self.quiet = quiet
        self.write = write
    }

    /// The step name in a plain progress line (`#8 [build 2/4] RUN go build` -> `[build 2/4] RUN go build`),
    /// and the stage label in BuildKit's form (`build`, or `stage-1` for an unnamed stage).
    public static func step(in line: String) -> (step: String, stage: String?)? {
        guard line.hasPrefix("#"), let space = line.firstIndex(of: " ") else { return nil }
        let rest = line[line.index(after: space)...]
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { return nil }
        let inside = rest[rest.index(after: rest.startIndex)..<close]
        if inside.hasPrefix("internal") || inside.hasPrefix("auth") { return nil }
        // A single-stage Dockerfile's steps carry no stage label at all: `[2/3] RUN ...`.
        let words = inside.split(separator: " ")
        let stage = words.count >= 2 ? words.first.map(String.init) : nil
        return (String(rest), stage)
    }

    /// Feeds one line of a platform's build output.
    public func line(_ text: String, platform: Platform) {
        guard let (step, stage) = Self.step(in: text) else { return }
        let changed: String? = rows.withLock { rows in
            guard let i = rows.firstIndex(where: { $0.platform == platform }) else { return nil }
            guard rows[i].step != step else { return nil }
            rows[i].step = step
            let isRun = step.contains("] RUN ")
            if let stage {
                // BuildKit calls unnamed stages stage-N; the plan calls them #N.
                let planStage = stage.hasPrefix("stage-") ? "#" + stage.dropFirst(6) : stage
                rows[i].emulatedNow = rows[i].emulatedStages.contains(planStage) && isRun
            } else {
                rows[i].emulatedNow = rows[i].emulatedAnywhere && isRun
            }
            return Self.render(rows[i], label: label)
        }
        if let changed { emit(changed) }
    }

    /// Marks a platform started, finished or failed.
    public func state(_ platform: Platform, _ state: String) {
        let changed: String? = rows.withLock { rows in
            guard let i = rows.firstIndex(where: { $0.platform == platform }) else { return nil }
            switch state {
            case "building":
                rows[i].started = .now
                rows[i].step = "starting"
            default:
                if let s = rows[i].started { rows[i].finished = .now - s }
                rows[i].step = state
                rows[i].emulatedNow = false
            }
            rows[i].state = state
            return Self.render(rows[i], label: label)
        }
        if let changed { emit(changed) }
    }

    static func render(_ row: Row, label: String?) -> String {
        let elapsed = row.finished ?? row.started.map { .now - $0 } ?? .zero
        let time = String(format: "%6.1fs", elapsed.seconds)
        let flag = row.emulatedNow ? " (emulated)" : ""
        return "[\(label.map { $0 + " " } ?? "")\(row.platform) on \(row.node) \(time)]\(flag) \(row.step)"
    }

    private func emit(_ line: String) {
        guard !quiet else { return }
        guard tty else {
            write(line + "\n")
            return
        }
        let block = rows.withLock { $0.map { Self.render($0, label: label) } }
        let previous = drawn.withLock { n -> Int in
            let old = n
            n = block.count
            return old
        }
        var text = previous > 0 ? "\u{1B}[\(previous)A" : ""
        for line in block { text += "\u{1B}[2K" + String(line.prefix(160)) + "\n" }
        write(text)
    }
}
