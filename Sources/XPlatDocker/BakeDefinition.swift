// `docker buildx bake --print`: the resolved bake definition, as buildx prints it.
//
// buildx evaluates HCL, JSON and compose files (variables, functions, `inherits`, matrix targets in
// 0.11+, `--set` overrides) and prints the result as
// `{"group": {NAME: {"targets": [..]}}, "target": {NAME: {"context": .., "platforms": [..], ..}}}`.
// xplat never evaluates a bake file itself: this is its only way in. Keys come from buildx's
// `bake.Target` (v0.10 to v0.19): v0.12 added `annotations`, v0.13 `shm-size` and `ulimits`; later
// releases `network`, `entitlements`, `call` and `description`. A key xplat does not know is an
// error that quotes it: a field is never dropped without a word.

import Foundation

/// A resolved bake definition: its groups and targets.
public struct BakeDefinition: Sendable, Hashable {
    /// Group name to its targets (which may be groups), in the printed order.
    public var groups: [String: [String]]
    public var targets: [String: BakeTarget]

    public init(groups: [String: [String]] = [:], targets: [String: BakeTarget] = [:]) {
        self.groups = groups
        self.targets = targets
    }

    /// The keys of a target xplat reads (every key of buildx v0.10 to v0.19).
    public static let knownKeys: Set<String> = [
        "context", "contexts", "dockerfile", "dockerfile-inline", "args", "labels", "tags", "cache-from", "cache-to",
        "target", "secret", "ssh", "platforms", "output", "pull", "no-cache", "no-cache-filter", "attest",
        "annotations", "shm-size", "ulimits", "network", "inherits", "entitlements", "call", "description",
    ]

    /// Parses `bake --print`'s stdout. Throws `BakeDefinitionError` naming the target and key at fault.
    public static func parse(_ text: String) throws -> BakeDefinition {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw BakeDefinitionError(target: nil, key: nil, reason: "not a JSON object: \(text.prefix(80))")
        }
        for key in object.keys where key != "group" && key != "target" {
            throw BakeDefinitionError(target: nil, key: key, reason: "unknown top-level key (expected group, target)")
        }
        var definition = BakeDefinition()
        if let groups = object["group"] {
            guard let groups = groups as? [String: Any] else {
                throw BakeDefinitionError(target: nil, key: "group", reason: "not an object")
            }
            for (name, value) in groups {
                guard let group = value as? [String: Any], let targets = (group["targets"] ?? [String]()) as? [String]
                else {
                    throw BakeDefinitionError(target: name, key: "targets", reason: "a group is {\"targets\": [names]}")
                }
                definition.groups[name] = targets
            }
        }
        guard let targets = object["target"] as? [String: Any] else {
            throw BakeDefinitionError(target: nil, key: "target", reason: "missing or not an object")
        }
        for (name, value) in targets {
            guard let fields = value as? [String: Any] else {
                throw BakeDefinitionError(target: name, key: nil, reason: "not an object")
            }
            definition.targets[name] = try target(name, fields)
        }
        return definition
    }

    private static func target(_ name: String, _ fields: [String: Any]) throws -> BakeTarget {
        var t = BakeTarget(name: name)
        let reader = FieldReader(target: name, fields: fields)
        for key in fields.keys.sorted() where !knownKeys.contains(key) {
            throw BakeDefinitionError(
                target: name, key: key,
                reason:
                    "a bake field xplat does not know; it would be dropped, so xplat stops (xplat knows "
                    + "\(knownKeys.sorted().joined(separator: ", ")))"
            )
        }
        t.context = try reader.string("context")
        t.contexts = try reader.stringMap("contexts").compactMapValues { $0 }
        t.dockerfile = try reader.string("dockerfile")
        t.dockerfileInline = try reader.string("dockerfile-inline")
        t.args = try reader.stringMap("args")
        t.labels = try reader.stringMap("labels")
        t.tags = try reader.strings("tags")
        t.cacheFrom = try reader.strings("cache-from")
        t.cacheTo = try reader.strings("cache-to")
        t.target = try reader.string("target")
        t.secrets = try reader.strings("secret")
        t.ssh = try reader.strings("ssh")
        t.platforms = try reader.strings("platforms")
        t.outputs = try reader.strings("output")
        t.pull = try reader.bool("pull")
        t.noCache = try reader.bool("no-cache")
        t.noCacheFilter = try reader.strings("no-cache-filter")
        t.attest = try reader.strings("attest")
        t.annotations = try reader.strings("annotations")
        t.shmSize = try reader.string("shm-size")
        t.ulimits = try reader.strings("ulimits")
        t.network = try reader.string("network")
        t.inherits = try reader.strings("inherits")
        t.entitlements = try reader.strings("entitlements")
        t.call = try reader.string("call")
        t.description = try reader.string("description")
        return t
    }
}

/// Typed reads of one target's fields, each failure naming the target and key.
private struct FieldReader {
    var target: String
    var fields: [String: Any]

    func fail(_ key: String, _ expected: String) -> BakeDefinitionError {
        BakeDefinitionError(
            target: target, key: key, reason: "expected \(expected), found \(fields[key].map { "\($0)" } ?? "nothing")")
    }

    func string(_ key: String) throws -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let s = value as? String else { throw fail(key, "a string") }
        return s
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let b = value as? Bool else { throw fail(key, "true or false") }
        return b
    }

    func strings(_ key: String) throws -> [String] {
        guard let value = fields[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw fail(key, "a list of strings") }
        return try list.map { item in
            guard let s = item as? String else { throw fail(key, "a list of strings") }
            return s
        }
    }

    func stringMap(_ key: String) throws -> [String: String?] {
        guard let value = fields[key], !(value is NSNull) else { return [:] }
        guard let map = value as? [String: Any] else { throw fail(key, "an object of strings") }
        var out: [String: String?] = [:]
        for (k, v) in map {
            if v is NSNull { out[k] = .some(nil); continue }
            guard let s = v as? String else { throw fail(key, "an object of strings (\(k))") }
            out[k] = s
        }
        return out
    }
}

/// A bake definition xplat cannot read: which target and key, and why.
public struct BakeDefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var target: String?
    public var key: String?
    public var reason: String

    public init(target: String?, key: String?, reason: String) {
        self.target = target
        self.key = key
        self.reason = reason
    }

    public var description: String {
        var place = "bake --print"
        if let target { place += ": target \"\(target)\"" }
        if let key { place += ": \"\(key)\"" }
        return "\(place): \(reason)"
    }
}
