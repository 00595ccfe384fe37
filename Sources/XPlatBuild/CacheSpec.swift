// `--cache-from`/`--cache-to`, parsed as buildx parses them, and keyed per solve: xplat splits a
// build into several solves (per platform, per node), each of which exports its own cache; the
// key (the solve's platform set and the output mode) keeps them from overwriting each other.

import Foundation
import XPlatPlatform
import XPlatSupport

/// Which way a cache option goes.
public enum CacheDirection: String, Sendable, Hashable {
    /// `--cache-from`.
    case `import`
    /// `--cache-to`.
    case export

    var flag: String { self == .import ? "--cache-from" : "--cache-to" }
}

/// The cache backends buildx passes to BuildKit.
public enum CacheType: String, Sendable, Hashable, CaseIterable {
    /// An image in a registry (`ref=REPO:TAG`).
    case registry
    /// An OCI layout in a local folder (`dest=DIR` to export, `src=DIR` to import).
    case local
    /// The cache inside the exported image itself (export only).
    case inline
    /// GitHub Actions' cache service (`scope=`, token and URL from the runner's environment).
    case gha
    /// An S3 bucket (`bucket=`, `region=`, `name=`).
    case s3
    /// Azure Blob Storage (`account_url=`, `name=`).
    case azblob
}

/// One cache import or export.
public struct CacheSpec: Sendable, Hashable {
    public var type: CacheType
    /// Every attribute but `type` (`ref`, `dest`, `src`, `mode`, `tag`, `scope`, ...), keys lower-case.
    public var attributes: [String: String]

    public init(type: CacheType, attributes: [String: String]) {
        self.type = type
        self.attributes = attributes
    }

    /// A registry cache's `REPO:TAG` (nil for other types).
    public var ref: String? { type == .registry ? attributes["ref"] : nil }

    /// Parses one value of `direction`'s flag. A value without `=` is one or more registry
    /// references (`user/app:cache,user/app:cache2`), as buildx reads it; gha takes its token and
    /// URL from `ACTIONS_RUNTIME_TOKEN`/`ACTIONS_CACHE_URL` when not given (buildx reads them
    /// itself, and silently drops a gha cache without them; xplat refuses it).
    public static func parse(_ text: String, direction: CacheDirection, environment: [String: String] = [:]) throws
        -> [CacheSpec]
    {
        let fields: [String]
        do { fields = try CSVFields.split(text) } catch let error as CSVFieldsError {
            throw BuildError.badCache(text, error.reason)
        }
        if !fields.contains(where: { $0.contains("=") }) {
            guard !fields.contains(where: \.isEmpty) else { throw BuildError.badCache(text, "an empty reference") }
            return fields.map { CacheSpec(type: .registry, attributes: ["ref": $0]) }
        }
        var attrs: [String: String] = [:]
        var type: String?
        for field in fields {
            guard let kv = KeyValue(field), let value = kv.value else {
                throw BuildError.badCache(text, "\"\(field)\" is not key=value")
            }
            if kv.key.lowercased() == "type" { type = value } else { attrs[kv.key.lowercased()] = value }
        }
        guard let type else {
            throw BuildError.badCache(text, "needs type= (registry, local, inline, gha, s3, azblob)")
        }
        guard let known = CacheType(rawValue: type) else {
            throw BuildError.badCache(text, "unknown type \"\(type)\" (registry, local, inline, gha, s3, azblob)")
        }
        var spec = CacheSpec(type: known, attributes: attrs)
        try spec.check(text, direction: direction, environment: environment)
        return [spec]
    }

    /// Parses a value that must be exactly one cache (`ref` only, or `type=...`).
    public init(parsing text: String, direction: CacheDirection = .import) throws {
        let specs = try Self.parse(text, direction: direction)
        guard specs.count == 1 else { throw BuildError.badCache(text, "one cache per value here") }
        self = specs[0]
    }

    /// The attributes each type needs, and gha's credentials from the environment.
    private mutating func check(_ text: String, direction: CacheDirection, environment: [String: String]) throws {
        func need(_ key: String, _ what: String) throws {
            guard let v = attributes[key], !v.isEmpty else {
                throw BuildError.badCache(text, "type=\(type.rawValue) needs \(key)=\(what)")
            }
        }
        switch type {
        case .registry: try need("ref", "REPO:TAG")
        case .local: try need(direction == .export ? "dest" : "src", "DIR")
        case .inline:
            guard direction == .export else {
                throw BuildError.badCache(
                    text, "type=inline is an export (--cache-to); import the image itself with --cache-from REF")
            }
        case .gha:
            // buildx reads the runner's token and URL from the environment it inherits from xplat;
            // they are checked here, never copied into the value: a token on buildx's command
            // line would show in `ps`, in recordings and in every message quoting the cache.
            let token = attributes["token"] ?? environment["ACTIONS_RUNTIME_TOKEN"]
            let url = attributes["url"] ?? environment["ACTIONS_CACHE_URL"]
            guard token?.isEmpty == false, url?.isEmpty == false else {
                throw BuildError.badCache(
                    text,
                    "type=gha needs token= and url= (or ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL, as a GitHub "
                        + "Actions runner sets them)"
                )
            }
        case .s3: try need("region", "REGION"); try need("bucket", "BUCKET")
        case .azblob: try need("account_url", "URL")
        }
        if let mode = attributes["mode"], direction == .export, mode != "min", mode != "max" {
            throw BuildError.badCache(text, "mode=\(mode): min or max")
        }
    }

    /// The attribute that names one cache among several in the same place, and its default:
    /// the registry tag, the local layout's tag, gha's scope, s3's and azblob's manifest name.
    /// Nil for inline (the cache travels in each image).
    var keyedAttribute: (key: String, fallback: String)? {
        switch type {
        case .registry: return nil  // the tag is part of `ref`
        case .local: return ("tag", "latest")
        case .gha: return ("scope", "buildkit")
        case .s3, .azblob: return ("name", "buildkit")
        case .inline: return nil
        }
    }

    /// The cache image of one solve: the tag gets the cache key (the solve's platform set and the
    /// output mode), so a cache made for one set or mode is never taken for another, and two nodes
    /// of one build never overwrite each other's cache.
    public func keyedRef(key: CacheKey) -> String {
        let (repo, tag) = ImageReference.split(ref ?? "")
        return "\(repo):\(tag ?? "cache")-\(key.digest)"
    }

    /// This cache for the solve of `key`: the registry tag, the local tag, the gha scope or the
    /// s3/azblob name gets `-KEY`; inline is unchanged.
    public func keyed(_ key: CacheKey) -> CacheSpec {
        var copy = self
        if type == .registry {
            copy.attributes["ref"] = keyedRef(key: key)
        } else if let (attribute, fallback) = keyedAttribute {
            copy.attributes[attribute] = "\(attributes[attribute] ?? fallback)-\(key.digest)"
        }
        return copy
    }

    /// buildx's `--cache-from`/`--cache-to` value of this cache keyed for `key`: `type=T` and the
    /// attributes, sorted (`ref` of a registry cache first, as before).
    public func buildxValue(key: CacheKey) -> String {
        keyed(key).flagValue
    }

    /// `type=T,k=v,...` with the attributes as they are (`ref` first, then sorted).
    public var flagValue: String {
        let keys = attributes.keys.sorted { a, b in a == "ref" ? b != "ref" : b == "ref" ? false : a < b }
        return CSVFields.join(["type=\(type.rawValue)"] + keys.map { "\($0)=\(attributes[$0]!)" })
    }
}

/// The key of anything xplat caches for a build: the platform set and the output mode.
public struct CacheKey: Sendable, Hashable {
    public var platforms: [Platform]
    public var outputMode: String

    public init(platforms: [Platform], outputMode: String) {
        self.platforms = platforms.sorted()
        self.outputMode = outputMode
    }

    /// 12 hex digits of FNV-1a over `linux/amd64,linux/arm64|push`.
    public var digest: String {
        let text = platforms.map(\.description).joined(separator: ",") + "|" + outputMode
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(String(h, radix: 16).suffix(12))
    }
}

/// The tags of local caches (`--cache-from type=local,src=DIR`): an OCI layout whose `index.json`
/// names each exported cache by `org.opencontainers.image.ref.name`. buildx's BuildKit client
/// warns and goes on when DIR has no `index.json`, but fails the build when it has one without
/// the tag asked for (checked on buildx 0.10.5: "local cache importer requires either explicit
/// digest, "latest" tag or custom tag on index.json"), so xplat asks a solve only for tags there.
enum LocalCacheIndex {
    /// The tags in each local cache source's `index.json`, by `src`; a source without one is absent.
    static func tags(of caches: [CacheSpec]) -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for cache in caches where cache.type == .local {
            guard let src = cache.attributes["src"], found[src] == nil,
                let data = FileManager.default.contents(atPath: "\(src)/index.json"),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            let manifests = object["manifests"] as? [[String: Any]] ?? []
            found[src] = Set(
                manifests.compactMap { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] })
        }
        return found
    }
}
