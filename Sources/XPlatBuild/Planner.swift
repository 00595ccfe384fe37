// The planner: a pure function from (platforms, nodes, graph) to where and how each platform builds.
//
// Ranking (`Planner.Rank`), best first, for each (platform, node) pair:
//   exactNative       the node's CPU is that platform
//   compatibleNative  the node's CPU runs it (arm64 runs arm/v7, amd64 runs 386)
//   cross             heavy stages run on the node's own platform; at most light RUNs emulated
//   emulated          heavy RUNs under QEMU (slow: ~10x for compilers)
//   impossible        never chosen
// A node that cannot execute a stage's platform at all (no native CPU, no *proven* emulator) is
// never chosen for it: unlike buildx, no silent fall-back to node 0. Among equal ranks a node the
// platform is pinned to wins, then the least-loaded node (platforms spread over nodes), then order.

import XPlatPlatform

/// How a platform is built.
public enum BuildMode: String, Sendable, Hashable, Codable, CaseIterable {
    case native, cross, emulated, impossible
}

/// A RUN step that executes under emulation.
public struct PlannedStep: Sendable, Hashable, Codable {
    public var stage: String
    public var line: Int
    public var text: String
    /// The platform it runs as.
    public var platform: Platform
    public var heavy: Bool

    public init(stage: String, line: Int, text: String, platform: Platform, heavy: Bool) {
        self.stage = stage
        self.line = line
        self.text = text
        self.platform = platform
        self.heavy = heavy
    }
}

/// The decision for one platform.
public struct PlatformPlan: Sendable, Hashable, Codable {
    public var platform: Platform
    public var mode: BuildMode
    /// The chosen node's name (nil when impossible).
    public var node: String?
    /// RUN steps that will execute under QEMU on that node, in Dockerfile order.
    public var emulatedSteps: [PlannedStep]
    /// Number of RUN steps that run natively.
    public var nativeStepCount: Int
    /// Why impossible, or a note on the choice.
    public var reason: String?

    public init(
        platform: Platform, mode: BuildMode, node: String?, emulatedSteps: [PlannedStep] = [],
        nativeStepCount: Int = 0, reason: String? = nil
    ) {
        self.platform = platform
        self.mode = mode
        self.node = node
        self.emulatedSteps = emulatedSteps
        self.nativeStepCount = nativeStepCount
        self.reason = reason
    }
}

/// One invocation of BuildKit: a node and the platforms it solves together.
public struct Solve: Sendable, Hashable, Codable {
    public var node: String
    public var platforms: [Platform]

    public init(node: String, platforms: [Platform]) {
        self.node = node
        self.platforms = platforms
    }
}

/// The pure planner.
public enum Planner {
    /// How good a (platform, node) pair is, best first; see the file comment.
    public enum Rank: Int, Sendable, Hashable, Comparable {
        case exactNative, compatibleNative, cross, emulated, impossible

        public static func < (a: Rank, b: Rank) -> Bool { a.rawValue < b.rawValue }
    }

    /// What building `platform` on `node` would take.
    public struct Assessment: Sendable, Hashable {
        public var mode: BuildMode
        public var rank: Rank
        public var emulatedSteps: [PlannedStep]
        public var nativeStepCount: Int
        /// Why the node cannot build the platform (mode `impossible`).
        public var problem: String?
    }

    /// Assesses `platform` on `node` for `graph`: which RUN steps of the reachable stages the node
    /// runs natively and which under emulation; impossible when a stage's platform is one it neither
    /// runs nor provenly emulates.
    public static func assess(_ platform: Platform, on node: BuilderNode, graph: BuildGraph) -> Assessment {
        var emulated: [PlannedStep] = []
        var nativeCount = 0
        var missing: [(Platform, String)] = []
        for stage in graph.reachableStages {
            guard let runsAs = stagePlatform(stage, building: platform, on: node) else {
                return impossible("node \(node.name) reports no native platform")
            }
            if node.runsNatively(runsAs) {
                nativeCount += stage.runs.count
                continue
            }
            guard let first = stage.runs.first else { continue }
            if !node.emulatesProvenly(runsAs) {
                missing.append((runsAs, "stage \(stage.label) RUN at line \(first.line)"))
                continue
            }
            emulated += stage.runs.map {
                PlannedStep(stage: stage.label, line: $0.line, text: $0.text, platform: runsAs, heavy: $0.heavy)
            }
        }
        if let (p, neededBy) = missing.first { return impossible(noEmulator(for: p, on: node, neededBy: neededBy)) }
        let (mode, rank) = modeAndRank(platform, on: node, emulated: emulated, totalRuns: nativeCount + emulated.count)
        return Assessment(mode: mode, rank: rank, emulatedSteps: emulated, nativeStepCount: nativeCount, problem: nil)
    }

    /// The platform `stage` runs as when building `platform` on `node`; nil for a
    /// `$BUILDPLATFORM` stage on a node that reports no platform of its own.
    static func stagePlatform(_ stage: BuildStage, building platform: Platform, on node: BuilderNode) -> Platform? {
        switch stage.platform {
        case .target: return platform
        case .fixed(let p): return p
        case .build: return node.buildPlatform
        }
    }

    /// An assessment the planner never chooses, with why.
    static func impossible(_ problem: String) -> Assessment {
        Assessment(mode: .impossible, rank: .impossible, emulatedSteps: [], nativeStepCount: 0, problem: problem)
    }

    /// Why `node` cannot run `p`, which the RUN `neededBy` names needs: an emulator it lists but has
    /// not proven, or none at all.
    static func noEmulator(for p: Platform, on node: BuilderNode, neededBy: String) -> String {
        let listed = node.emulated.first { $0.platform == p || $0.platform.canRun(p) }
        let why: String
        if let listed, !listed.proven {
            why = "its \(p) emulator is not proven (\(listed.problem ?? "no probe ran"))"
        } else {
            why =
                "it neither runs \(p) natively nor emulates it (no binfmt handler for "
                + "\(p.info?.qemuName ?? p.description))"
        }
        return "node \(node.name) (\(node.buildPlatform?.description ?? "?")): \(why); needed by \(neededBy)"
    }

    /// The mode and rank (see the file comment) from what runs emulated: nothing (native, or cross
    /// when the node's CPU cannot run the target), only light steps beside native ones (cross), or
    /// heavy or all steps (emulated).
    static func modeAndRank(_ platform: Platform, on node: BuilderNode, emulated: [PlannedStep], totalRuns: Int)
        -> (BuildMode, Rank)
    {
        if emulated.isEmpty {
            if node.runsNativelyExactly(platform) { return (.native, .exactNative) }
            if node.runsNatively(platform) { return (.native, .compatibleNative) }
            return (.cross, .cross)
        }
        if emulated.count < totalRuns, !emulated.contains(where: \.heavy) { return (.cross, .cross) }
        return (.emulated, .emulated)
    }

    /// Plans every platform: the best node and mode for each, spreading platforms over equally
    /// good nodes. Pure: same input, same plan.
    public static func plan(platforms: [Platform], nodes: [BuilderNode], graph: BuildGraph) -> [PlatformPlan] {
        var load = [String: Int]()
        var result: [PlatformPlan] = []
        for platform in platforms {
            guard !nodes.isEmpty else {
                result.append(
                    PlatformPlan(
                        platform: platform, mode: .impossible, node: nil,
                        reason: "no builder node: start an engine (dockerd) or name one with --node"))
                continue
            }
            let assessed = nodes.enumerated().map {
                ($0.offset, $0.element, assess(platform, on: $0.element, graph: graph))
            }
            let viable = assessed.filter { $0.2.mode != .impossible }
            guard
                let best = viable.min(by: { a, b in
                    if a.2.rank != b.2.rank { return a.2.rank < b.2.rank }
                    let pa = a.1.pinned.contains(platform), pb = b.1.pinned.contains(platform)
                    if pa != pb { return pa }
                    let la = load[a.1.name, default: 0], lb = load[b.1.name, default: 0]
                    if la != lb { return la < lb }
                    return a.0 < b.0
                })
            else {
                let reasons = assessed.compactMap(\.2.problem)
                result.append(
                    PlatformPlan(
                        platform: platform, mode: .impossible, node: nil,
                        reason: reasons.joined(separator: "; ") + " (fix: xplat doctor --fix)"))
                continue
            }
            load[best.1.name, default: 0] += 1
            result.append(
                PlatformPlan(
                    platform: platform, mode: best.2.mode, node: best.1.name,
                    emulatedSteps: best.2.emulatedSteps, nativeStepCount: best.2.nativeStepCount))
        }
        return result
    }

    /// Groups planned platforms into BuildKit invocations: one per node for drivers that build
    /// several platforms in one solve, else one per platform.
    public static func solves(for plans: [PlatformPlan], nodes: [BuilderNode]) -> [Solve] {
        var solves: [Solve] = []
        for plan in plans where plan.mode != .impossible {
            guard let name = plan.node, let node = nodes.first(where: { $0.name == name }) else { continue }
            if node.driver.buildsSeveralPlatformsPerSolve, let i = solves.firstIndex(where: { $0.node == name }) {
                solves[i].platforms.append(plan.platform)
            } else {
                solves.append(Solve(node: name, platforms: [plan.platform]))
            }
        }
        return solves
    }
}
