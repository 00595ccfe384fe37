// The solve phase of a build, one strategy per driver: the engine's own BuildKit (`EngineStrategy`)
// or buildx (`BuildxStrategy`). A strategy turns a plan's solves into each platform's root
// filesystem (when verification or the output needs it) and whatever the publish phase asked for
// (an image per platform or per solve), and says which node built what, how, in how long.

import Foundation
import Synchronization
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// What one solve phase works with.
struct SolveJob: Sendable {
    var request: BuildRequest
    var plan: Plan
    var commands: DriverCommands
    /// The build's private temporary folder; every platform's root goes to `roots/<linux_arm64>`.
    var work: String
    /// True when each platform's root filesystem is needed (local/tar output, verification, smoke).
    var needRoots: Bool
    /// What the publish phase needs from each solve besides roots.
    var image: SolveImage
    /// A short lower-case name of this run (temporary builders and images are named after it).
    var runID: String
    var cleanup: Cleanup
    var progress: BuildProgress?
    /// How registries are reached (CAs, insecure registries, credentials): also for a failed
    /// build's question to the registry about the base image's platforms.
    var registryConfiguration: RegistryConfiguration

    /// Where `platform`'s root goes.
    func root(_ platform: Platform) -> String { "\(work)/roots/\(platform.folderName)" }

    /// The tag under which `platform`'s image waits in `node`'s engine to be read back (`--push`,
    /// `type=oci`); its removal is registered at cleanup now, so it runs whatever happens from
    /// here on (also Ctrl-C right after the build).
    func temporaryTag(_ platform: Platform, on node: BuilderNode, runner: any CommandRunner) -> String {
        let tag = "xplat-\(runID):\(platform.folderName)"
        cleanup.run(commands.removeImages([tag], engine: .of(node)), with: runner)
        return tag
    }
}

/// The image a publisher needs each solve to make, besides the roots verification reads.
enum SolveImage: Sendable, Hashable {
    /// Nothing: the output is made from the roots (`local`, `tar`) or there is none.
    case none
    /// Each platform's image as files on this machine (`--push`, `type=oci`): the engine's image
    /// read back with `docker save` (the engine, buildx's `docker` driver), or the builder's own
    /// OCI export (other drivers); the roots come from its layers.
    case staged
    /// Loaded into the engine under the user's tags (`--load`).
    case loaded(tags: [String])

    init(_ output: OutputSpec, tags: [String]) {
        switch output {
        case .push, .oci: self = .staged
        case .load: self = .loaded(tags: tags)
        case .local, .tar, .none: self = .none
        }
    }
}

/// What the solve phase hands to verification and publishing.
struct SolvedBuild: Sendable {
    var results: [Platform: PlatformResult] = [:]
    /// Each platform's image as files (for `.staged`).
    var images: [Platform: LocalImage] = [:]
    /// The attestation manifests (provenance, SBOM) a builder's OCI export held beside the
    /// images, by the digest of the image each describes: published after the images, unchanged.
    var attestations: [String: [LocalImage]] = [:]
}

/// One driver's way of running a plan's solves.
protocol DriverStrategy: Sendable {
    /// Refuses, before anything runs, what this driver (with this buildx, nil for the engine)
    /// cannot do for `request`.
    func check(_ request: BuildRequest, plan: Plan, buildx: BuildxVersion?) throws
    /// Runs every solve of the plan; throws `BuildError` (the first failure; the others are cancelled).
    func solve(_ job: SolveJob) async throws -> SolvedBuild
}

/// Cleanup actions, run once whatever happens (also after cancellation), last added first.
final class Cleanup: Sendable {
    let actions = Mutex<[@Sendable () async -> Void]>([])

    func add(_ action: @escaping @Sendable () async -> Void) { actions.withLock { $0.append(action) } }

    /// Removes `path` (a file or a folder) at cleanup.
    func remove(_ path: String) { add { try? FileManager.default.removeItem(atPath: path) } }

    /// Runs `command` at cleanup, ignoring its outcome (removing a temporary builder or image).
    func run(_ command: Command, with runner: any CommandRunner) { add { _ = try? await runner.run(command) } }

    func run() async {
        let list = actions.withLock { a -> [@Sendable () async -> Void] in
            defer { a = [] }
            return a.reversed()
        }
        // Unstructured: a cancelled build still removes its leftovers (a child of a cancelled
        // task would have its own commands killed at once).
        await Task { for action in list { await action() } }.value
    }
}

/// Options dockerd 20.10's BuildKit (`docker build`, and buildx's `docker` driver) accepts and does
/// not apply, or fails on: checked on the engine, RUN saw the default `ulimit -n`, `/dev/shm` size
/// and cgroup, and `--add-host NAME:host-gateway` failed ("failed to parse IP").
enum SilentlyIgnored {
    /// The flags of `request` that such a BuildKit would ignore or fail on, as the user gave them.
    static func flags(_ request: BuildRequest) -> [String] {
        var flags: [String] = request.ulimits.map { "--ulimit \($0.flagValue)" }
        if let size = request.shmSize { flags.append("--shm-size \(size)") }
        if let parent = request.cgroupParent { flags.append("--cgroup-parent \(parent)") }
        flags += request.extraHosts.filter { $0.ip == "host-gateway" }.map { "--add-host \($0.flagValue)" }
        return flags
    }

    /// The flags to refuse for the engine nodes of `plan` (none when every engine is dockerd 23+).
    static func flags(_ request: BuildRequest, on nodes: [BuilderNode]) -> [String] {
        nodes.contains(where: \.hasLegacyEngineBuildKit) ? flags(request) : []
    }
}

/// Runs one piece of work per solve concurrently. When one fails, the others get `grace` to finish
/// (a compile error in one platform usually comes with the same in the others, a moment later)
/// before they are cancelled, and the failures are reported together: every failed platform's step.
func solveConcurrently<Item: Sendable, Part: Sendable>(
    _ items: [Item], grace: Duration = .seconds(3), _ work: @escaping @Sendable (Item) async throws -> Part
) async throws -> [Part] {
    try await withThrowingTaskGroup(of: Part?.self) { group in
        for item in items { group.addTask { try await work(item) } }
        var parts: [Part] = []
        var errors: [any Error] = []
        var running = items.count
        while let next = await group.nextResult() {
            switch next {
            case .success(let part?): parts.append(part)
            case .success(nil): group.cancelAll()
            case .failure(let error):
                if errors.isEmpty {
                    group.addTask {
                        try? await Task.sleep(for: grace); return nil
                    }
                }
                errors.append(error)
            }
            if case .success(nil) = next { continue }
            running -= 1
            // The grace ends early when nothing is left to wait for.
            if running == 0 { group.cancelAll() }
        }
        if let error = combinedFailure(errors) { throw error }
        return parts
    }
}

/// The failures of several solves as one: build failures of one cause (the first's diagnosis)
/// together, each step under its platform; else the first error. A failure of another cause is
/// left out, as buildx shows only the first: one summary and action cannot speak for both, and
/// told together the first's cause was printed for every platform (`linux/riscv64,
/// linux/amd64: the base image … has no linux/riscv64 variant` over amd64's compile error).
private func combinedFailure(_ errors: [any Error]) -> (any Error)? {
    let all = errors.compactMap { error -> (Platform?, BuildDiagnosis)? in
        guard case .buildFailed(let platform, let diagnosis) = error as? BuildError else { return nil }
        return (platform, diagnosis)
    }
    guard let cause = all.first?.1 else { return errors.first }
    let failed = all.filter { $0.1.kind == cause.kind && $0.1.summary == cause.summary && $0.1.action == cause.action }
    guard let first = failed.first, failed.count > 1 else { return errors.first }
    var diagnosis = first.1
    for (platform, other) in failed.dropFirst() {
        diagnosis.steps += other.steps.map { step in
            var step = step
            step.platform = step.platform ?? platform
            return step
        }
    }
    diagnosis.steps = diagnosis.steps.map { step in
        var step = step
        step.platform = step.platform ?? first.0
        return step
    }
    return BuildError.buildFailed(platform: nil, diagnosis: diagnosis)
}
