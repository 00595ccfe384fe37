// Progress on stderr, per platform. `plain`: every line BuildKit prints, tagged with its platform and
// node. `tty`: a block redrawn in place, one row per platform (current step, elapsed time,
// `(emulated)` when the step runs under QEMU) with the running step's last output lines under it.
// Otherwise (`auto` off a terminal): one row per step change.

import Foundation
import Synchronization
import XPlatPlatform
import XPlatSupport

/// How progress is shown.
public enum ProgressStyle: Sendable, Hashable {
    /// Every BuildKit line, tagged `[linux/arm64 on default]`.
    case plain
    /// The per-platform block, redrawn in place, with each running step's last lines.
    case tty
    /// One row per step change.
    case rows
    /// Nothing.
    case quiet

    /// The style of a `--progress` mode; `auto` is `tty` on a terminal, else rows.
    public init(_ mode: ProgressMode, terminal: Bool) {
        switch mode {
        case .plain: self = .plain
        case .tty: self = .tty
        case .quiet: self = .quiet
        case .auto: self = terminal ? .tty : .rows
        }
    }
}

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
        /// The running step's last output lines (tty).
        var lastLines: [String] = []
    }

    /// Output lines shown under a running step (tty).
    static let shownLines = 3

    private let rows: Mutex<[Row]>
    private let style: ProgressStyle
    private let write: @Sendable (String) -> Void
    private let drawn = Mutex(Drawn())
    /// What each line starts with besides the platform (a bake target's name); nil for a build.
    private let label: String?

    /// The block on screen: how many lines, when it was drawn, and whether a redraw held back by
    /// the rate limit is still owed.
    private struct Drawn {
        var lines = 0
        var at: ContinuousClock.Instant?
        var owed = false
    }

    /// DEC auto-wrap mode off and on (`CSI ? 7 l`, `CSI ? 7 h`).
    static let wrapOff = "\u{1B}[?7l", wrapOn = "\u{1B}[?7h"

    /// Output lines redraw the block at most this often.
    static let redrawInterval = Duration.milliseconds(100)
    /// Where held-back redraws run (`redraw(force:)`).
    private static let redrawQueue = DispatchQueue(label: "xplat.progress.redraw")

    /// - Parameters:
    ///   - plan: the platforms and the stages each runs under emulation.
    ///   - style: how progress is shown.
    ///   - label: a bake target's name, put before the platform on each line.
    ///   - write: where text goes (stderr in the CLI).
    public init(
        plan: Plan, style: ProgressStyle, label: String? = nil,
        write: @escaping @Sendable (String) -> Void = StandardError.write
    ) {
        self.label = label
        self.rows = Mutex(
            plan.platforms.filter { $0.mode != .impossible }.map {
                Row(
                    platform: $0.platform, node: $0.node ?? "?", emulatedStages: Set($0.emulatedSteps.map(\.stage)),
                    emulatedAnywhere: !$0.emulatedSteps.isEmpty)
            })
        self.style = style
        self.write = write
    }

    /// The step name in a plain progress line (`#8 [build 2/4] RUN go build` -> `[build 2/4] RUN go build`),
    /// and the stage label in BuildKit's form (`build`, or `stage-1` for an unnamed stage).
    public static func step(in line: String) -> (step: String, stage: String?)? {
        guard case .step(_, let name) = BuildKitLine(line), let label = StepLabel(name) else { return nil }
        return (name, label.stage)
    }

    /// Feeds one line of a platform's build output (a one-platform solve).
    public func line(_ text: String, platform: Platform) {
        guard let (step, stage) = Self.step(in: text) else { return }
        started(step: step, stage: stage, platforms: [platform])
    }

    /// One line of a solve's output, read: shown as the style wants it. `step` is the name of the
    /// step the line belongs to; `platforms` the platforms it is for, `node` where it runs.
    func show(_ text: String, parsed: BuildKitLine, step: String?, platforms: [Platform], node: String) {
        switch style {
        case .quiet: return
        case .plain:
            // BuildKit's blank lines between steps carry nothing once every line is tagged.
            if !text.isEmpty {
                write(
                    "[\(label.map { $0 + " " } ?? "")\(platforms.map(\.description).joined(separator: ",")) on "
                        + "\(node)] \(text)\n"
                )
            }
        case .tty, .rows: showCompact(parsed, step: step, platforms: platforms)
        }
    }

    private func showCompact(_ parsed: BuildKitLine, step: String?, platforms: [Platform]) {
        switch parsed {
        case .step(_, let name):
            guard let label = StepLabel(name) else { return }
            started(step: name, stage: label.stage, platforms: platforms)
        case .output(_, let text):
            guard style == .tty, let step, StepLabel(step) != nil else { return }
            output(text, platforms: platforms)
        default:
            return
        }
    }

    private func started(step: String, stage: String?, platforms: [Platform]) {
        for platform in platforms {
            let changed: String? = rows.withLock { rows in
                guard let i = rows.firstIndex(where: { $0.platform == platform }), rows[i].step != step else {
                    return nil
                }
                Self.start(step, stage: stage, in: &rows[i])
                return Self.render(rows[i], label: label)
            }
            if let changed { emit(changed, force: true) }
        }
    }

    private static func start(_ step: String, stage: String?, in row: inout Row) {
        row.step = step
        row.lastLines = []
        let isRun = step.contains("] RUN ")
        if let stage {
            // BuildKit calls unnamed stages stage-N; the plan calls them #N.
            let label = stage.hasPrefix("stage-") ? "#" + stage.dropFirst(6) : stage
            row.emulatedNow = row.emulatedStages.contains(label) && isRun
        } else {
            row.emulatedNow = row.emulatedAnywhere && isRun
        }
    }

    private func output(_ text: String, platforms: [Platform]) {
        rows.withLock { rows in
            for i in rows.indices where platforms.contains(rows[i].platform) {
                rows[i].lastLines = Array((rows[i].lastLines + [text]).suffix(Self.shownLines))
            }
        }
        emit(nil, force: false)
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
                rows[i].lastLines = []
            }
            rows[i].state = state
            return Self.render(rows[i], label: label)
        }
        if let changed {
            if style == .plain { write(changed + "\n") } else { emit(changed, force: true) }
        }
    }

    static func render(_ row: Row, label: String?) -> String {
        let elapsed = row.finished ?? row.started.map { .now - $0 } ?? .zero
        let time = String(format: "%6.1fs", elapsed.seconds)
        let flag = row.emulatedNow ? " (emulated)" : ""
        return "[\(label.map { $0 + " " } ?? "")\(row.platform) on \(row.node) \(time)]\(flag) \(row.step)"
    }

    /// A row changed (`line`), or a running step printed (nil): a row per change, or the block
    /// redrawn (output lines redraw it at most ten times a second).
    private func emit(_ line: String?, force: Bool) {
        switch style {
        case .quiet, .plain: return
        case .rows: if let line { write(line + "\n") }
        case .tty: redraw(force: force)
        }
    }

    /// Redraws the block; output lines (`force` false) at most every `redrawInterval`. A redraw the
    /// limit holds back is made when the interval is over, so a step's last lines are shown even
    /// when it prints nothing after them.
    private func redraw(force: Bool) {
        let wait: Duration? = drawn.withLock { d in
            if !force, let at = d.at, ContinuousClock.now - at < Self.redrawInterval {
                guard !d.owed else { return nil }
                d.owed = true
                return Self.redrawInterval - (ContinuousClock.now - at)
            }
            draw(&d)
            return nil
        }
        guard let wait else { return }
        // On a queue of its own, not a Task nor a global queue: the owed redraw must not wait for a
        // thread of the cooperative pool (or of the global queue it runs on here), which blocking
        // callers may all hold; a serial queue made for it gets a thread of its own.
        Self.redrawQueue.asyncAfter(deadline: .now() + wait.seconds) { [self] in owedRedraw() }
    }

    /// The held-back redraw, unless a redraw made since took its place or no platform still builds
    /// (the final rows are drawn, and what follows them on stderr must not be drawn over).
    private func owedRedraw() {
        drawn.withLock { d in
            guard d.owed else { return }
            d.owed = false
            guard rows.withLock({ $0.contains { $0.state == "building" } }) else { return }
            draw(&d)
        }
    }

    /// Writes the block over the one drawn before (under `drawn`'s lock: one redraw at a time).
    private func draw(_ state: inout Drawn) {
        let block = rows.withLock { rows in rows.flatMap { Self.block($0, label: label) } }
        let previous = state.lines
        state = Drawn(lines: block.count, at: .now, owed: false)
        // Auto-wrap is off while the block is drawn: a line wider than the terminal (a compiler's
        // line under its step) is cut at the edge instead of taking two rows, so moving up
        // `previous` rows lands on the block's first line.
        var text = Self.wrapOff + (previous > 0 ? "\u{1B}[\(previous)A" : "")
        for line in block { text += "\u{1B}[2K" + String(line.prefix(160)) + "\n" }
        // A shorter block than last time clears the lines it no longer uses and ends above them.
        let unused = max(0, previous - block.count)
        if unused > 0 { text += String(repeating: "\u{1B}[2K\n", count: unused) + "\u{1B}[\(unused)A" }
        write(text + Self.wrapOn)
    }

    /// A row and, while its step runs, the step's last output lines.
    private static func block(_ row: Row, label: String?) -> [String] {
        [render(row, label: label)] + row.lastLines.map { "    " + $0 }
    }
}
