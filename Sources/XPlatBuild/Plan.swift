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
