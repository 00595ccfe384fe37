import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// The JSON shape of a bake plan (`xplat.bake-plan/v1`), decodable for tools and tests.
public struct BakePlanDocument: Codable, Sendable, Hashable {
    /// One target: the targets it builds on, its output, its tags and its plan (`xplat.plan/v1`).
    public struct Target: Codable, Sendable, Hashable {
        public var name: String
        public var after: [BakeLink]
        public var output: String
        public var tags: [String]
        public var plan: PlanDocument
    }

    public var schema: String
    public var buildx: String
    public var buildable: Bool
    /// In build order.
    public var targets: [Target]

    public init(_ plan: BakePlan) {
        schema = BakePlan.schema
        buildx = plan.buildx
        buildable = plan.buildable
        targets = plan.targets.map {
            Target(
                name: $0.name, after: $0.links, output: $0.request.output.description, tags: $0.request.tags,
                plan: PlanDocument($0.plan))
        }
    }
}
