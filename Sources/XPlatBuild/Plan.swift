// The plan document: what `xplat plan` prints and `xplat build` executes.

import Foundation
import XPlatJSON
import XPlatPlatform
import XPlatSupport

/// A complete build plan.
///
/// JSON form (`xplat.plan/v1`, keys sorted, stable). The top-level `target` and `rewrite` are
/// always present (`null` when unset); inside nodes and platforms, the optional keys marked `?`
/// are omitted when they have no value, never `null`:
/// ```
/// { "schema": "xplat.plan/v1",
///   "dockerfile": "path", "context": "path", "target": "stage name" | null,
///   "driver": "engine" | "buildx",
///   "buildable": true,                       // false when any platform is impossible
///   "rewrite": null | { "diff": "unified diff of the rewritten Dockerfile" },   // null without --rewrite
///   "nodes": [ { "name", "endpoint", "driver", "native": ["linux/amd64"],
///                "emulated": [ { "platform", "proven", "problem"? } ], "pinned": [],
///                "unparsed"?: ["linux/mips64"] } ],   // listed platforms xplat does not know
///   "platforms": [ { "platform": "linux/arm64", "mode": "native|cross|emulated|impossible",
///                    "node"?: "default",          // omitted when impossible
///                    "reason"?: "why impossible", // only when impossible
///                    "nativeStepCount": 3, "emulatedStepCount": 1,
///                    "emulatedSteps": [ { "stage", "line", "text", "platform", "heavy" } ] } ],
///   "solves": [ { "node": "default", "platforms": ["linux/arm64"] } ] }
/// ```
/// `stage` is the stage's name, or `#N` (0-based) for an unnamed stage.
public struct Plan: Sendable, Hashable {
    /// The JSON schema name.
    public static let schema = "xplat.plan/v1"

    public var dockerfile: String
    public var context: String
    /// The `--target` stage name, if one was given.
    public var target: String?
    public var nodes: [BuilderNode]
    public var platforms: [PlatformPlan]
    public var solves: [Solve]
    /// The unified diff of `--rewrite` (nil without it, or empty when nothing changed).
    public var rewriteDiff: String?

    public init(
        dockerfile: String, context: String, target: String? = nil, nodes: [BuilderNode],
        platforms: [PlatformPlan], solves: [Solve], rewriteDiff: String? = nil
    ) {
        self.dockerfile = dockerfile
        self.context = context
        self.target = target
        self.nodes = nodes
        self.platforms = platforms
        self.solves = solves
        self.rewriteDiff = rewriteDiff
    }

    /// Plans `graph` for `platforms` on `nodes` (the pure planner plus the grouping into solves).
    public init(
        dockerfile: String, context: String, target: String?, platforms: [Platform],
        nodes: [BuilderNode], graph: BuildGraph, rewriteDiff: String? = nil
    ) {
        let plans = Planner.plan(platforms: platforms, nodes: nodes, graph: graph)
        self.init(
            dockerfile: dockerfile, context: context, target: target, nodes: nodes, platforms: plans,
            solves: Planner.solves(for: plans, nodes: nodes), rewriteDiff: rewriteDiff)
    }

    /// True when every platform has a node.
    public var buildable: Bool { !platforms.contains { $0.mode == .impossible } }

    /// The driver kind of the nodes (`buildx` when any node is a buildx node).
    public var driverKind: DriverKind { nodes.contains { $0.driver.kind == .buildx } ? .buildx : .engine }

    /// The node called `name`; nil for nil or an unknown name.
    public func node(named name: String?) -> BuilderNode? {
        name.flatMap { n in nodes.first { $0.name == n } }
    }
}

/// Renders plans as text or JSON.
public enum PlanRenderer {
    /// Human-readable plan (stdout of `xplat plan`): the nodes, each platform's node and mode, the
    /// builds, a hint when compilers run under QEMU, the rewrite, and what is not buildable.
    public static func text(_ plan: Plan, style: Style = Style(enabled: false)) -> String {
        var out = "plan for \(plan.dockerfile) (context \(plan.context)"
        out += plan.target.map { ", target \($0))\n" } ?? ")\n"
        let nodeWidth = plan.nodes.map(\.name.count).max() ?? 0
        out += nodes(plan, nodeWidth: nodeWidth)
        out += platforms(plan, nodeWidth: nodeWidth, style: style)
        if !plan.solves.isEmpty {
            out += "builds:\n"
            for solve in plan.solves {
                out += "  \(solve.node): \(solve.platforms.map(\.description).joined(separator: ","))\n"
            }
        }
        out += emulatedCompilerHint(plan)
        if let diff = plan.rewriteDiff {
            out +=
                diff.isEmpty
                ? "rewrite: no change needed\n"
                : "rewrite (the build uses this; your Dockerfile is untouched):\n" + diff
            if !diff.isEmpty, !diff.hasSuffix("\n") { out += "\n" }
        }
        if !plan.buildable {
            let impossible = plan.platforms.filter { $0.mode == .impossible }.map(\.platform.description)
            out += style.red("not buildable: ") + impossible.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// The `nodes:` section: a line per node with its endpoint, driver, native and emulated platforms.
    static func nodes(_ plan: Plan, nodeWidth: Int) -> String {
        var out = "nodes:\n"
        let endpointWidth = plan.nodes.map(\.endpoint.count).max() ?? 0
        for node in plan.nodes {
            let proven = node.emulated.filter(\.proven).map(\.platform.description)
            let unproven = node.emulated.filter { !$0.proven }.map(\.platform.description)
            out +=
                "  \(node.name.padding(toLength: nodeWidth, withPad: " ", startingAt: 0))  "
                + "\(node.endpoint.padding(toLength: endpointWidth, withPad: " ", startingAt: 0))  \(node.driver)  "
                + "native \(node.native.map(\.description).joined(separator: ","))"
            out += proven.isEmpty ? "  emulates nothing" : "  emulates \(proven.joined(separator: ","))"
            if !unproven.isEmpty { out += "  (listed, not working: \(unproven.joined(separator: ",")))" }
            if let unparsed = node.unparsed {
                out += "  (listed, unknown to xplat: \(unparsed.joined(separator: ",")))"
            }
            out += "\n"
        }
        return out
    }

    /// The `platforms:` section: each platform's mode (coloured) and node, or why it is impossible,
    /// and the steps it emulates.
    static func platforms(_ plan: Plan, nodeWidth: Int, style: Style) -> String {
        var out = "platforms:\n"
        let width = plan.platforms.map(\.platform.description.count).max() ?? 0
        for p in plan.platforms {
            let name = p.platform.description.padding(toLength: width, withPad: " ", startingAt: 0)
            let mode = p.mode.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            let coloured: String
            switch p.mode {
            case .native: coloured = style.green(mode)
            case .cross: coloured = style.cyan(mode)
            case .emulated: coloured = style.yellow(mode)
            case .impossible: coloured = style.red(mode)
            }
            if p.mode == .impossible {
                out += "  \(name)  \(coloured)\(p.reason ?? "")\n"
                continue
            }
            out +=
                "  \(name)  \(coloured)on "
                + "\((p.node ?? "?").padding(toLength: nodeWidth, withPad: " ", startingAt: 0))  "
                + "\(p.nativeStepCount) RUN native, \(p.emulatedSteps.count) RUN emulated\n"
            for step in p.emulatedSteps {
                out +=
                    "      emulated: line \(step.line) (stage \(step.stage), "
                    + "\(step.platform)\(step.heavy ? ", heavy" : "")): \(step.text)\n"
            }
        }
        return out
    }

    /// The 5-20x case, compilers under QEMU: how to avoid it (unless the plan already rewrites).
    static func emulatedCompilerHint(_ plan: Plan) -> String {
        let heavy = plan.platforms.filter { $0.mode == .emulated && $0.emulatedSteps.contains(where: \.heavy) }
        guard plan.rewriteDiff == nil, !heavy.isEmpty else { return "" }
        return "hint: \(heavy.map(\.platform.description).joined(separator: ", ")) compile under QEMU; `xplat rewrite` "
            + "shows a cross-compiling Dockerfile, `--rewrite` builds from it\n"
    }

    /// `xplat.plan/v1` JSON.
    /// - Throws: the encoder's error (a non-finite number, say): never an empty document instead.
    public static func json(_ plan: Plan) throws -> String {
        try StableJSON.encode(PlanDocument(plan))
    }
}

/// The JSON shape of a plan (`xplat.plan/v1`); decodable, so tools and tests can read plans back.
public struct PlanDocument: Codable, Sendable, Hashable {
    /// A builder node: its endpoint, driver, and the platforms it runs natively, emulates and is pinned to.
    public struct Node: Codable, Sendable, Hashable {
        public var name: String
        public var endpoint: String
        public var driver: String
        public var native: [Platform]
        public var emulated: [EmulatedPlatform]
        public var pinned: [Platform]
        /// Platform words the node listed that xplat does not know; absent when there are none.
        public var unparsed: [String]?
    }
    /// A RUN step that executes under emulation for one platform.
    public struct Step: Codable, Sendable, Hashable {
        public var stage: String
        public var line: Int
        public var text: String
        public var platform: Platform
        public var heavy: Bool
    }
    /// One requested platform: its mode, node (nil when impossible, with the reason) and RUN counts.
    public struct PlatformEntry: Codable, Sendable, Hashable {
        public var platform: Platform
        public var mode: BuildMode
        public var node: String?
        public var reason: String?
        public var nativeStepCount: Int
        public var emulatedStepCount: Int
        public var emulatedSteps: [Step]
    }
    /// With `--rewrite`: the unified diff from the Dockerfile to what is built.
    public struct Rewrite: Codable, Sendable, Hashable {
        public var diff: String
    }

    public var schema: String
    public var dockerfile: String
    public var context: String
    public var target: String?
    public var driver: String
    public var buildable: Bool
    public var rewrite: Rewrite?
    public var nodes: [Node]
    public var platforms: [PlatformEntry]
    public var solves: [Solve]

    public init(_ plan: Plan) {
        schema = Plan.schema
        dockerfile = plan.dockerfile
        context = plan.context
        target = plan.target
        driver = plan.driverKind.rawValue
        buildable = plan.buildable
        rewrite = plan.rewriteDiff.map { Rewrite(diff: $0) }
        nodes = plan.nodes.map {
            Node(
                name: $0.name, endpoint: $0.endpoint, driver: $0.driver.description, native: $0.native,
                emulated: $0.emulated, pinned: $0.pinned, unparsed: $0.unparsed)
        }
        platforms = plan.platforms.map { p in
            PlatformEntry(
                platform: p.platform, mode: p.mode, node: p.node, reason: p.reason,
                nativeStepCount: p.nativeStepCount, emulatedStepCount: p.emulatedSteps.count,
                emulatedSteps: p.emulatedSteps.map {
                    Step(stage: $0.stage, line: $0.line, text: $0.text, platform: $0.platform, heavy: $0.heavy)
                })
        }
        solves = plan.solves
    }

    enum CodingKeys: String, CodingKey {
        case schema, dockerfile, context, target, driver, buildable, rewrite, nodes, platforms, solves
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(dockerfile, forKey: .dockerfile)
        try c.encode(context, forKey: .context)
        try c.encode(target, forKey: .target)  // null rather than absent: a stable shape
        try c.encode(driver, forKey: .driver)
        try c.encode(buildable, forKey: .buildable)
        try c.encode(rewrite, forKey: .rewrite)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(platforms, forKey: .platforms)
        try c.encode(solves, forKey: .solves)
    }
}
