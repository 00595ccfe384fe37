import Foundation
import XPlatJSON
import XPlatPlatform
import XPlatSupport

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
