// What the user asked `xplat build` for, parsed and validated.

import Foundation
import XPlatPlatform
import XPlatSupport

/// Where the result goes (buildx's `-o`, `--push`, `--load`).
public enum OutputSpec: Sendable, Hashable, CustomStringConvertible {
    /// A folder; with several platforms (or `platform-split=true`) one `DEST/linux_arm64` each.
    case local(dest: String, split: Bool?)
    /// One tar file; per-platform folders inside when several platforms.
    case tar(dest: String)
    /// An OCI image layout holding an image index: a directory (`tar=false`) or a tar file.
    case oci(dest: String, tar: Bool)
    /// Push to the registry under `-t` tags, with an image index for all platforms.
    case push
    /// Load one platform's image into the engine under `-t` tags.
    case load
    /// Build only (cache, verification skipped: there is nothing to verify).
    case none

    /// Parses one `-o` value: `type=local,dest=DIR`, `type=tar,dest=F`, `type=oci,dest=X[,tar=false]`,
    /// `type=registry`, `type=image,push=true`, `type=docker`, `type=cacheonly`, or a bare path (local).
    public static func parse(_ text: String) throws -> OutputSpec {
        guard text.contains("=") else {
            guard !text.isEmpty, text != "-" else { throw BuildError.badOutput(text, "writing to stdout is not supported; give dest=") }
            return .local(dest: text, split: nil)
        }
        var attrs: [String: String] = [:]
        for field in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kv = KeyValue(field), let value = kv.value else { throw BuildError.badOutput(text, "\"\(field)\" is not key=value") }
            attrs[kv.key.lowercased()] = value
        }
        let type = attrs["type"] ?? "local"
        func dest() throws -> String {
            guard let d = attrs["dest"], !d.isEmpty else { throw BuildError.badOutput(text, "type=\(type) needs dest=PATH") }
            guard d != "-" else { throw BuildError.badOutput(text, "writing to stdout is not supported; give a file") }
            return d
        }
        func bool(_ key: String) throws -> Bool? {
            guard let v = attrs[key] else { return nil }
            switch v.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw BuildError.badOutput(text, "\(key)=\(v): expected true or false")
            }
        }
        switch type {
        case "local": return .local(dest: try dest(), split: try bool("platform-split"))
        case "tar": return .tar(dest: try dest())
        case "oci": return .oci(dest: try dest(), tar: try bool("tar") ?? true)
        case "registry": return .push
        case "image": return try bool("push") == true ? .push : .load
        case "docker": return .load
        case "cacheonly": return .none
        default:
            throw BuildError.badOutput(text, "unknown type \"\(type)\" (local, tar, oci, registry, image, docker, cacheonly)")
        }
    }

    /// The output mode's name, part of every cache key.
    public var mode: String {
        switch self {
        case .local: return "local"
        case .tar: return "tar"
        case .oci: return "oci"
        case .push: return "push"
        case .load: return "load"
        case .none: return "none"
        }
    }

    public var description: String {
        switch self {
        case .local(let d, _): return "type=local,dest=\(d)"
        case .tar(let d): return "type=tar,dest=\(d)"
        case .oci(let d, let t): return "type=oci,dest=\(d)\(t ? "" : ",tar=false")"
        case .push: return "push"
        case .load: return "load"
        case .none: return "cacheonly"
        }
    }
}

/// A registry cache (`--cache-from`/`--cache-to type=registry,ref=REPO:TAG[,mode=max]`).
public struct CacheSpec: Sendable, Hashable {
    /// `REPO:TAG`.
    public var ref: String
    /// Other attributes passed through to buildx (`mode=max`).
    public var attributes: [String: String]

    /// Parses `type=registry,ref=R` or a bare `R`.
    public init(parsing text: String) throws {
        var attrs: [String: String] = [:]
        if !text.contains("=") {
            attrs["ref"] = text
        } else {
            for field in text.split(separator: ",") {
                guard let kv = KeyValue(field), let value = kv.value else { throw BuildError.badCache(text, "\"\(field)\" is not key=value") }
                attrs[kv.key] = value
            }
        }
        if let type = attrs.removeValue(forKey: "type"), type != "registry" {
            throw BuildError.badCache(text, "only type=registry is supported (a registry cache with a cache tag)")
        }
        guard let ref = attrs.removeValue(forKey: "ref"), !ref.isEmpty else { throw BuildError.badCache(text, "needs ref=REPO:TAG") }
        self.ref = ref
        self.attributes = attrs
    }

    /// The cache image of one solve: the tag gets the cache key (the solve's platform set and the
    /// output mode), so a cache made for one set or mode is never taken for another, and two nodes
    /// of one build never overwrite each other's cache.
    public func keyedRef(key: CacheKey) -> String {
        let (repo, tag) = ImageReference.split(ref)
        return "\(repo):\(tag ?? "cache")-\(key.digest)"
    }

    /// buildx's `--cache-from`/`--cache-to` value: `type=registry,ref=KEYED` and the other attributes.
    public func buildxValue(key: CacheKey) -> String {
        (["type=registry", "ref=\(keyedRef(key: key))"] + attributes.keys.sorted().map { "\($0)=\(attributes[$0]!)" })
            .joined(separator: ",")
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

/// Splitting image references.
public enum ImageReference {
    /// `host:5000/a/b:tag` -> (`host:5000/a/b`, `tag`); digests are kept in the repository part.
    public static func split(_ ref: String) -> (repository: String, tag: String?) {
        if ref.contains("@") { return (ref, nil) }
        if let colon = ref.lastIndex(of: ":"), !ref[colon...].contains("/") {
            return (String(ref[..<colon]), String(ref[ref.index(after: colon)...]))
        }
        return (ref, nil)
    }
}

/// Progress display.
public enum ProgressMode: String, Sendable, CaseIterable {
    /// tty on a terminal, else plain.
    case auto, plain, tty, quiet
}

/// A validated build request.
public struct BuildRequest: Sendable {
    public var dockerfile: String
    public var context: String
    public var platforms: [Platform]
    public var target: String?
    /// `KEY=VALUE` (or `KEY`: the value from the environment), in the order given.
    public var buildArgs: [String]
    public var output: OutputSpec
    public var tags: [String]
    public var cacheFrom: [CacheSpec]
    public var cacheTo: [CacheSpec]
    public var metadataFile: String?
    public var noCache: Bool
    /// `--network` for RUN steps (`none`: hermetic, what engines without a bridge need).
    public var network: String
    public var verify: Bool
    /// `--smoke 'CMD ARGS'`: run CMD from each platform's root under QEMU.
    public var smoke: [String]?
    public var rewrite: Bool
    public var progress: ProgressMode
    /// The registry for temporary images (OCI layouts) and platform queries.
    public var registry: String
    /// `--provenance VALUE` (buildx's attestation flag, passed through); nil: none asked for.
    public var provenance: String?
    /// `--sbom VALUE`, passed through; nil: none asked for.
    public var sbom: String?

    public init(dockerfile: String, context: String, platforms: [Platform], target: String? = nil,
                buildArgs: [String] = [], output: OutputSpec = .none, tags: [String] = [],
                cacheFrom: [CacheSpec] = [], cacheTo: [CacheSpec] = [], metadataFile: String? = nil,
                noCache: Bool = false, network: String = "none", verify: Bool = true, smoke: [String]? = nil,
                rewrite: Bool = false, progress: ProgressMode = .auto, registry: String = "127.0.0.1:5000") {
        self.dockerfile = dockerfile
        self.context = context
        self.platforms = platforms
        self.target = target
        self.buildArgs = buildArgs
        self.output = output
        self.tags = tags
        self.cacheFrom = cacheFrom
        self.cacheTo = cacheTo
        self.metadataFile = metadataFile
        self.noCache = noCache
        self.network = network
        self.verify = verify
        self.smoke = smoke
        self.rewrite = rewrite
        self.progress = progress
        self.registry = registry
        self.provenance = nil
        self.sbom = nil
    }

    /// True when the user asked buildx for attestations (`--provenance`/`--sbom` other than false).
    public var wantsAttestations: Bool {
        [provenance, sbom].contains { $0 != nil && $0 != "false" && $0 != "0" }
    }

    /// The cache key of a solve of `platforms` for this request's output.
    public func cacheKey(for platforms: [Platform]) -> CacheKey { CacheKey(platforms: platforms, outputMode: output.mode) }

    /// The cache key of the whole request (all its platforms).
    public var cacheKey: CacheKey { cacheKey(for: platforms) }

    /// Checks combinations buildx would reject, with the reason.
    public func validate() throws {
        for arg in buildArgs {
            guard let key = KeyValue(arg)?.key, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw BuildError.badBuildArg(arg)
            }
        }
        switch output {
        case .push where tags.isEmpty:
            throw BuildError.conflict("--push needs -t/--tag NAME:TAG (e.g. -t \(registry)/hello:latest)")
        case .push:
            // Each -t is a registry reference with a tag (a name without a host is Docker Hub's).
            _ = try ImagePublisher.targets(tags)
        case .load where platforms.count != 1:
            throw BuildError.conflict("--load takes exactly one platform (got \(platforms.map(\.description).joined(separator: ",")))"
                + ": an engine image store holds one platform per tag; use --push or -o type=oci for several")
        case .load where tags.isEmpty:
            throw BuildError.conflict("--load needs -t/--tag NAME:TAG")
        default: break
        }
        if let smoke, smoke.isEmpty { throw BuildError.conflict("--smoke needs a command, e.g. --smoke '/usr/local/bin/hello --version'") }
    }
}
