// `docker buildx ls`: the builders and their nodes, from the JSON form (buildx 0.13+) or the table
// form (older buildx, and newer without `--format`). doctor reports them; nothing runs here.

import Foundation
import XPlatPlatform

/// A buildx builder and its nodes (`docker buildx ls`).
public struct BuilderFacts: Sendable, Hashable, Codable {
    /// One node of the builder, as `docker buildx ls` lists it.
    public struct Node: Sendable, Hashable, Codable {
        public var name: String
        public var endpoint: String
        public var status: String?
        public var buildkitVersion: String?
        /// Platforms as listed, normalized; a trailing `*` (set by the user) is dropped.
        public var platforms: [Platform]
        /// Platform strings the parser could not read (kept, never dropped silently).
        public var unparsedPlatforms: [String]
        /// The listing cut the platforms short (`(+3)`): run with `--no-trunc` for all.
        public var truncated: Bool
    }

    public var name: String
    public var driver: String
    public var current: Bool
    public var nodes: [Node]
    public var error: String?
}

/// Parsers for `docker buildx ls`, in both of its forms.
public enum BuildxListing {
    /// `docker buildx ls --format json` (buildx 0.13+): one JSON object per builder per line, with
    /// `Name`, `Driver`, `Nodes[].{Name, Endpoint, Status, Version, Platforms}`; platforms are OCI
    /// platform objects (`{"os":"linux","architecture":"arm","variant":"v7"}`) or strings.
    public static func parseJSON(_ text: String) throws -> [BuilderFacts] {
        var builders: [BuilderFacts] = []
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var objects: [[String: Any]] = []
        if trimmed.hasPrefix("[") {
            guard let array = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]] else {
                throw BuildxListingError(line: 1, value: String(trimmed.prefix(40)), reason: "expected JSON objects")
            }
            objects = array
        } else {
            for (index, line) in trimmed.split(separator: "\n").enumerated() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw BuildxListingError(
                        line: index + 1, value: String(line.prefix(60)), reason: "not a JSON object")
                }
                objects.append(object)
            }
        }
        for object in objects {
            let nodes = (object["Nodes"] as? [[String: Any]] ?? []).map { node -> BuilderFacts.Node in
                let words = (node["Platforms"] as? [Any] ?? []).compactMap { item -> String? in
                    if let s = item as? String { return s }
                    guard let p = item as? [String: Any], let os = p["os"] as? String,
                        let arch = p["architecture"] as? String
                    else { return nil }
                    return [os, arch, p["variant"] as? String].compactMap { $0 }.joined(separator: "/")
                }
                let list = BuildxPlatformList.parse(items: words)
                return BuilderFacts.Node(
                    name: node["Name"] as? String ?? "", endpoint: node["Endpoint"] as? String ?? "",
                    status: node["Status"] as? String, buildkitVersion: node["Version"] as? String,
                    platforms: list.platforms, unparsedPlatforms: list.unparsed, truncated: list.truncated)
            }
            builders.append(
                BuilderFacts(
                    name: object["Name"] as? String ?? "", driver: object["Driver"] as? String ?? "",
                    current: object["Current"] as? Bool ?? false, nodes: nodes, error: object["Err"] as? String))
        }
        return builders
    }

    /// The table form, old (`  node  endpoint  running v0.10.3 linux/amd64`) and new
    /// (` \_ node  \_ endpoint  running  v0.13.2  linux/amd64, linux/arm64*`): builder rows start at
    /// column 0, node rows are indented; the current builder is marked `*` or ` *`.
    public static func parseText(_ text: String) -> [BuilderFacts] {
        var builders: [BuilderFacts] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
            let line = String(rawLine)
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if !line.hasPrefix(" ") {
                // builder row: NAME[ *]  DRIVER  [STATUS]
                var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                var current = false
                if words.count > 1, words[1] == "*" {
                    current = true
                    words.remove(at: 1)
                }
                if var name = words.first, name.hasSuffix("*") {
                    name.removeLast()
                    words[0] = name
                    current = true
                }
                let status = words.count > 2 ? words[2] : nil
                builders.append(
                    BuilderFacts(
                        name: words.first ?? "", driver: words.count > 1 ? words[1] : "",
                        current: current, nodes: [], error: status == "error" ? "error" : nil))
                continue
            }
            guard !builders.isEmpty else { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init).filter {
                $0 != "\\_"
            }
            guard words.count >= 2 else { continue }
            let name = words[0]
            let endpoint = words[1]
            let status = words.count > 2 ? words[2] : nil
            var buildkit: String?
            var platformStart = 3
            if words.count > 3, words[3].first == "v" || words[3].first?.isNumber == true, !words[3].contains("/") {
                buildkit = words[3]
                platformStart = 4
            }
            let list = BuildxPlatformList.parse(
                words.count > platformStart ? words[platformStart...].joined(separator: " ") : "")
            builders[builders.count - 1].nodes.append(
                BuilderFacts.Node(
                    name: name, endpoint: endpoint, status: status, buildkitVersion: buildkit,
                    platforms: list.platforms, unparsedPlatforms: list.unparsed, truncated: list.truncated))
        }
        return builders
    }
}

/// A line of `docker buildx ls --format json` that is not a builder object.
public struct BuildxListingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var value: String
    public var reason: String

    public init(line: Int, value: String, reason: String) {
        self.line = line
        self.value = value
        self.reason = reason
    }

    public var description: String { "docker buildx ls --format json:\(line): \(reason): \"\(value)\"" }
}
