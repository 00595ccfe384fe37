// `docker buildx inspect [NAME]`: a builder, its driver and its nodes.

import Foundation

/// One builder as `docker buildx inspect` prints it.
public struct BuildxInspection: Sendable, Hashable {
    /// One node: `Name:`, `Endpoint:`, `Status:`, `Buildkit:`, `Platforms:`.
    public struct Node: Sendable, Hashable {
        public var name: String
        public var endpoint: String
        public var status: String
        /// BuildKit's version on the node (`v0.11.6`, or the engine's `20.10.24+dfsg1` for `docker`).
        public var buildkit: String?
        public var platforms: BuildxPlatformList

        public init(
            name: String, endpoint: String = "", status: String = "", buildkit: String? = nil,
            platforms: BuildxPlatformList = BuildxPlatformList()
        ) {
            self.name = name
            self.endpoint = endpoint
            self.status = status
            self.buildkit = buildkit
            self.platforms = platforms
        }

        /// Running (or not yet started, `inactive`): a node buildx can build on.
        public var usable: Bool { status.isEmpty || status == "running" || status == "inactive" }
    }

    public var name: String
    /// buildx's driver name: `docker`, `docker-container`, `remote`, `kubernetes`.
    public var driver: String
    public var nodes: [Node]

    /// Parses the text: builder-level `Name:`/`Driver:`, then after `Nodes:` one block per node.
    /// - Throws: `BuildxInspectError` when no builder name was printed.
    public static func parse(_ text: String) throws -> BuildxInspection {
        var result = BuildxInspection(name: "", driver: "", nodes: [])
        var inNodes = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "Nodes": inNodes = true
            case "Name" where inNodes: result.nodes.append(Node(name: value))
            case "Name": result.name = value
            case "Driver" where !inNodes: result.driver = value
            case "Endpoint" where inNodes: result.nodes[result.nodes.count - 1].endpoint = value
            case "Status" where inNodes: result.nodes[result.nodes.count - 1].status = value
            case "Buildkit" where inNodes: result.nodes[result.nodes.count - 1].buildkit = value
            case "Platforms" where inNodes:
                result.nodes[result.nodes.count - 1].platforms = BuildxPlatformList.parse(value)
            default: break
            }
        }
        guard !result.name.isEmpty else { throw BuildxInspectError(text: String(text.prefix(80))) }
        return result
    }
}

/// `docker buildx inspect` printed no builder.
public struct BuildxInspectError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var description: String { "`docker buildx inspect` printed no builder (it printed \"\(text)\")" }
}
