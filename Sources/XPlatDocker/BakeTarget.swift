import Foundation

/// One target of a resolved bake definition, each field as buildx printed it (nil / empty: absent).
public struct BakeTarget: Sendable, Hashable {
    public var name: String
    public var context: String?
    /// Named contexts: `NAME: PATH | docker-image://REF | target:OTHER | oci-layout://DIR | URL`.
    public var contexts: [String: String]
    public var dockerfile: String?
    public var dockerfileInline: String?
    /// Build args; a `null` value (buildx: unset) is kept as nil.
    public var args: [String: String?]
    public var labels: [String: String?]
    public var tags: [String]
    public var cacheFrom: [String]
    public var cacheTo: [String]
    public var target: String?
    public var secrets: [String]
    public var ssh: [String]
    public var platforms: [String]
    public var outputs: [String]
    public var pull: Bool?
    public var noCache: Bool?
    public var noCacheFilter: [String]
    public var attest: [String]
    public var annotations: [String]
    public var shmSize: String?
    public var ulimits: [String]
    public var network: String?
    /// `inherits` as printed (buildx has already merged the parents in).
    public var inherits: [String]
    /// `entitlements` (buildx 0.18+): what `--allow` grants.
    public var entitlements: [String]
    /// `call` (buildx 0.18+): `build`, or a frontend method (`check`, `outline`, `targets`).
    public var call: String?
    /// `description` (buildx 0.17+): words for people, no effect on the build.
    public var description: String?

    public init(name: String) {
        self.name = name
        contexts = [:]
        args = [:]
        labels = [:]
        tags = []
        cacheFrom = []
        cacheTo = []
        secrets = []
        ssh = []
        platforms = []
        outputs = []
        noCacheFilter = []
        attest = []
        annotations = []
        ulimits = []
        inherits = []
        entitlements = []
    }

    /// The other targets this one builds on (`contexts = { x = "target:y" }`), by context name.
    public var targetContexts: [(context: String, target: String)] {
        contexts.keys.sorted().compactMap { key in
            guard let value = contexts[key], value.hasPrefix("target:") else { return nil }
            return (key, String(value.dropFirst("target:".count)))
        }
    }
}
