// What the planner needs to know about a Dockerfile, as plain values (made from XPlatDockerfile's
// stage graph by `BuildGraph(dockerfile:)`, or directly in tests).

import XPlatPlatform

/// Where a stage runs.
public enum StagePlatform: Sendable, Hashable, Codable, CustomStringConvertible {
    /// No `--platform`, or `--platform=$TARGETPLATFORM`: the platform being built.
    case target
    /// `--platform=$BUILDPLATFORM`: the building node's own platform.
    case build
    /// A literal `--platform=linux/arm64`.
    case fixed(Platform)

    public var description: String {
        switch self {
        case .target: return "$TARGETPLATFORM"
        case .build: return "$BUILDPLATFORM"
        case .fixed(let p): return p.description
        }
    }
}

/// One `RUN` instruction.
public struct RunStep: Sendable, Hashable, Codable {
    /// 1-based line of the instruction in the Dockerfile.
    public var line: Int
    /// The instruction as written (first line, without continuation noise), for messages.
    public var text: String
    /// True when the step does heavy work (compiling, installing packages): emulating it is slow.
    public var heavy: Bool

    public init(line: Int, text: String, heavy: Bool) {
        self.line = line
        self.text = text
        self.heavy = heavy
    }
}

/// One `FROM` stage.
public struct BuildStage: Sendable, Hashable, Codable {
    /// 0-based position among the stages.
    public var index: Int
    /// `AS name`, or nil.
    public var name: String?
    /// The base image (`golang:1.19`, `scratch`, or another stage's name).
    public var base: String
    public var platform: StagePlatform
    public var runs: [RunStep]
    /// Indexes of the stages this one needs: its base when that is a stage, `COPY --from`,
    /// `RUN --mount=from=`.
    public var dependencies: [Int]

    public init(
        index: Int, name: String? = nil, base: String, platform: StagePlatform = .target,
        runs: [RunStep] = [], dependencies: [Int] = []
    ) {
        self.index = index
        self.name = name
        self.base = base
        self.platform = platform
        self.runs = runs
        self.dependencies = dependencies
    }

    /// `name` or `#index`, the way messages refer to a stage.
    public var label: String { name ?? "#\(index)" }
}

/// A Dockerfile's stages and the stage being built.
public struct BuildGraph: Sendable, Hashable, Codable {
    public var stages: [BuildStage]
    /// Index of the target stage (the last one unless `--target` names another).
    public var target: Int

    public init(stages: [BuildStage], target: Int? = nil) {
        self.stages = stages
        self.target = target ?? max(stages.count - 1, 0)
    }

    /// Selects the target stage by name or index, as `--target` does.
    /// - Throws: `BuildError.unknownTarget` listing the stage names.
    public func targeting(_ name: String?) throws -> BuildGraph {
        guard let name else { return self }
        if let stage = stages.first(where: { $0.name?.lowercased() == name.lowercased() }) {
            return BuildGraph(stages: stages, target: stage.index)
        }
        throw BuildError.unknownTarget(name, available: stages.compactMap(\.name))
    }

    /// The stages the target needs, itself included, in Dockerfile order (what BuildKit executes).
    public var reachableStages: [BuildStage] {
        guard stages.indices.contains(target) else { return [] }
        var seen = Set<Int>()
        var stack = [target]
        while let i = stack.popLast() {
            guard stages.indices.contains(i), seen.insert(i).inserted else { continue }
            stack.append(contentsOf: stages[i].dependencies)
        }
        return stages.filter { seen.contains($0.index) }
    }
}
