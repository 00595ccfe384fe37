// Errors of planning and building; each names the value at fault and, where one helps, the action.

import XPlatPlatform
import XPlatRegistry

/// Why a plan or build could not go ahead.
public enum BuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--target NAME` names no stage.
    case unknownTarget(String, available: [String])
    /// A `--node` entry is malformed.
    case badNode(String, String)
    /// An `-o`/`--output` value is malformed or unsupported.
    case badOutput(String, String)
    /// A `--cache-from`/`--cache-to` value is malformed.
    case badCache(String, String)
    /// A `--build-arg` is not `KEY=VALUE` or `KEY`.
    case badBuildArg(String)
    /// A value of another option is malformed: the option, the value as given, and why.
    case badOption(option: String, value: String, reason: String)
    /// The chosen driver cannot do what an option asks: the option, the driver (as the user
    /// knows it), what it lacks, and the action (the driver that can).
    case unsupported(option: String, driver: String, reason: String, action: String)
    /// Options that cannot go together.
    case conflict(String)
    /// The Dockerfile or context cannot be read.
    case unreadable(String, String)
    /// The Dockerfile's text does not parse (message from XPlatDockerfile, with file:line); `cause`
    /// is XPlatDockerfile's own error.
    case dockerfile(String, cause: ErrorCause? = nil)
    /// A docker endpoint did not answer.
    case endpointUnreachable(node: String, endpoint: String, detail: String)
    /// Some requested platforms cannot be built with these nodes.
    case impossible([PlatformPlan])
    /// BuildKit failed for a platform; `diagnosis` holds the mapped cause and action.
    case buildFailed(platform: Platform?, diagnosis: BuildDiagnosis)
    /// A step after the build (push, manifest list, copy) failed.
    case assemblyFailed(String, cause: ErrorCause? = nil)
    /// A file operation of the build failed: what was done to which path, and the system's reason.
    case fileSystem(path: String, action: String, reason: String)
    /// A tool (buildx, BuildKit) printed or wrote something xplat cannot read (the detail says what).
    case toolOutput(String)
    /// Verification of a platform's output found mismatches (the report text).
    case verificationFailed([Platform: String])
    /// Verification or smoke tests could not run; `cause` is the verifier's own error.
    case verificationError(String, cause: ErrorCause? = nil)
    /// The user interrupted the build.
    case interrupted
    /// `docker buildx bake --print` failed or printed a definition xplat cannot honour: buildx's
    /// own message, or xplat's naming the target and field.
    case bake(String)
    /// The docker client cannot run `docker buildx` (a bake needs `docker buildx bake --print`):
    /// the client's path and what `docker buildx version` said.
    case noBuildx(client: String, said: String)
    /// An error of one bake target (the target's name, then the error as `xplat build` gives it).
    indirect case target(String, BuildError)

    /// The error and, on its own line, what to do about it.
    public var description: String { message + (action.map { "\n  action: \($0)" } ?? "") }

    /// What went wrong, without the action (`action`).
    public var message: String {
        switch self {
        case .unknownTarget(let name, let available):
            let list =
                available.isEmpty
                ? "the Dockerfile names no stages (use AS NAME)" : "stages: \(available.joined(separator: ", "))"
            return "--target \"\(name)\": no such stage (\(list))"
        case .badNode(let value, let why):
            return "--node \"\(value)\": \(why) (expected NAME=unix:///path.sock, NAME=tcp://host:port or NAME=CONTEXT)"
        case .badOutput(let value, let why):
            return "--output \"\(value)\": \(why)"
        case .badCache(let value, let why):
            return "cache option \"\(value)\": \(why)"
        case .badBuildArg(let value):
            return "--build-arg \"\(value)\": expected KEY=VALUE or KEY"
        case .badOption(let option, let value, let reason):
            return "\(option) \"\(value)\": \(reason)"
        case .unsupported(let option, let driver, let reason, _):
            return "\(option): \(driver) \(reason)"
        case .conflict(let why):
            return why
        case .unreadable(let path, let why):
            return "\(path): \(why)"
        case .dockerfile(let message, _):
            return message
        case .endpointUnreachable(let node, let endpoint, let detail):
            return "node \(node) (\(endpoint)) does not answer: \(detail)"
        case .impossible(let plans):
            return plans.map { "\($0.platform): cannot be built: \($0.reason ?? "no node can run it")" }.joined(
                separator: "\n")
        case .buildFailed(let platform, let diagnosis):
            return Self.describe(failure: diagnosis, platform: platform)
        case .assemblyFailed(let why, _):
            return why
        case .fileSystem(let path, let action, let reason):
            return "\(path): cannot \(action): \(reason)"
        case .toolOutput(let why):
            return why
        case .verificationFailed(let reports):
            return "verification failed for " + reports.keys.sorted().map(\.description).joined(separator: ", ") + ":\n"
                + reports.keys.sorted().map { reports[$0]! }.joined(separator: "\n")
        case .verificationError(let why, _):
            return why
        case .interrupted:
            return "interrupted: child builds stopped, temporary outputs removed"
        case .bake(let why):
            return why
        case .noBuildx(let client, let said):
            return
                "bake needs docker buildx to read the bake file (`docker buildx bake --print`): \(client) "
                + "cannot run it "
                + "(`docker buildx version`: \(said.split(separator: "\n").joined(separator: " ")))"
        case .target(let name, let error):
            return "target \"\(name)\": \(error.message)"
        }
    }
}

extension BuildError {
    /// What to do about it, where xplat knows.
    public var action: String? {
        switch self {
        case .buildFailed(_, let diagnosis): return diagnosis.action
        case .unsupported(_, _, _, let action): return action
        case .endpointUnreachable:
            return
                "start the engine (dockerd), or check the docker context (`docker context ls`), DOCKER_HOST or --node"
        case .noBuildx:
            return "install the docker-buildx plugin (docker-buildx-plugin, or into ~/.docker/cli-plugins), or set "
                + "XPLAT_DOCKER to a docker client that has it"
        case .assemblyFailed(_, let cause?): return (cause.error as? RegistryError)?.action
        case .target(_, let error): return error.action
        default: return nil
        }
    }

    /// A failed build, as buildx shows one: each failed step's box of last lines and its
    /// Dockerfile lines, then the cause and the action.
    private static func describe(failure diagnosis: BuildDiagnosis, platform: Platform?) -> String {
        let platforms = platform.map { [$0] } ?? distinct(diagnosis.steps.compactMap(\.platform))
        let prefix = platforms.isEmpty ? "" : platforms.map(\.description).joined(separator: ", ") + ": "
        var text =
            diagnosis.steps.isEmpty
            ? "\(prefix)build failed: \(diagnosis.summary)"
            : "\(prefix)build failed at \(distinct(diagnosis.steps.map(\.name)).joined(separator: ", "))\n"
                + steps(diagnosis.steps, headed: platforms.count > 1) + "\n\(prefix)\(diagnosis.summary)"
        if !diagnosis.excerpt.isEmpty {
            text +=
                "\n  BuildKit said:\n"
                + diagnosis.excerpt.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n")
        }
        return text
    }

    private static func distinct<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    /// Each step's box (headed by its platform when several failed), and after the boxes of the
    /// steps of one Dockerfile place, that place once.
    private static func steps(_ steps: [FailedStep], headed: Bool) -> String {
        var parts: [String] = []
        for (index, step) in steps.enumerated() {
            parts.append(box(step, headed: headed))
            let next = index + 1 < steps.count ? steps[index + 1].source : nil
            if let source = step.source, source != next {
                parts.append(
                    "\(source.file):\(source.lines.lowerBound)\n\(source.text)"
                        + (source.note.map { "\n(\($0))" } ?? ""))
            }
        }
        return parts.joined(separator: "\n")
    }

    /// BuildKit's box of a failed step: `------`, ` > NAME:`, its lines, `------`.
    private static func box(_ step: FailedStep, headed: Bool) -> String {
        var text = headed ? step.platform.map { "\($0):\n" } ?? "" : ""
        text += "------\n > \(step.name):\n"
        if step.omitted > 0 { text += "(\(step.omitted) earlier lines left out)\n" }
        return text + step.lines.map { $0 + "\n" }.joined() + "------"
    }
}

/// An underlying error kept with its type, so a caller can still handle it as what it is; two
/// causes are equal when they are of one type and say the same.
public struct ErrorCause: Sendable, Equatable, CustomStringConvertible {
    public let error: any Error

    public init(_ error: any Error) { self.error = error }

    public var description: String { "\(error)" }

    public static func == (a: ErrorCause, b: ErrorCause) -> Bool {
        type(of: a.error) == type(of: b.error) && a.description == b.description
    }
}
