import Foundation
import Synchronization
import XPlatPlatform
import XPlatSupport

/// One solve's output (one `docker build` or `docker buildx build`): BuildKit's lines read into
/// steps, each line given to the build's progress with the platforms it is for, and what failed.
public final class SolveOutput: Sendable {
    /// The platforms of the solve.
    public let platforms: [Platform]
    /// The node that runs it.
    public let node: String
    private let progress: BuildProgress?
    private let log = Mutex(StepLog())

    /// The output of a solve of `platforms` on `node`, shown through `progress` (nil: only read).
    public init(platforms: [Platform], node: String, progress: BuildProgress?) {
        self.platforms = platforms
        self.node = node
        self.progress = progress
    }

    /// Reads one line of the solve's output.
    public func line(_ text: String) {
        let (parsed, step) = log.withLock { log -> (BuildKitLine, String?) in
            let parsed = log.read(text)
            return (parsed, Self.stepID(parsed).flatMap { log.name(of: $0) })
        }
        progress?.show(text, parsed: parsed, step: step, platforms: owners(of: step), node: node)
    }

    /// The steps that failed, each with the platform it was for (nil: all of the solve's).
    public var failed: [FailedStep] {
        log.withLock { $0.failed }.map { step in
            var step = step
            step.platform = owner(of: step.name)
            return step
        }
    }

    /// The platform a step is for: the one its label names, else the solve's only one.
    func owner(of step: String) -> Platform? {
        if let named = StepLabel(step)?.platform,
            let match = platforms.first(where: { $0 == named || $0.description == named.description })
        {
            return match
        }
        return platforms.count == 1 ? platforms[0] : nil
    }

    private func owners(of step: String?) -> [Platform] {
        step.flatMap(owner(of:)).map { [$0] } ?? platforms
    }

    private static func stepID(_ line: BuildKitLine) -> Int? {
        switch line {
        case .step(let id, _), .output(let id, _), .error(let id, _), .status(let id): return id
        case .other: return nil
        }
    }
}
