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
    /// `type=registry`, `type=image,push=true`, `type=docker`, `type=cacheonly`, or a bare path (local);
    /// `-`, and `tar`/`oci` without dest or with `dest=-`: standard output, as buildx.
    public static func parse(_ text: String) throws -> OutputSpec {
        guard text.contains("=") else {
            guard !text.isEmpty else { throw BuildError.badOutput(text, "expected a folder, - or type=...") }
            // `-o -`: a tar of the result on standard output, as buildx writes it.
            return text == OutputSpec.standardOutput ? .tar(dest: text) : .local(dest: text, split: nil)
        }
        let attrs = try attributes(text)
        let type = attrs["type"] ?? "local"
        try checkAttributes(attrs, type: type, text: text)
        func dest() throws -> String {
            guard let d = attrs["dest"], !d.isEmpty else {
                throw BuildError.badOutput(text, "type=\(type) needs dest=PATH")
            }
            guard d != OutputSpec.standardOutput else {
                throw BuildError.badOutput(text, "dest cannot be stdout for \(type) exporter (as buildx)")
            }
            return d
        }
        // A file exporter without dest, or with dest=-, writes to standard output (buildx).
        func file() -> String { attrs["dest"].flatMap { $0.isEmpty ? nil : $0 } ?? OutputSpec.standardOutput }
        // BuildKit's exporters read these with Go's `strconv.ParseBool` (checked: buildx 0.10.5 and
        // BuildKit 0.11.6 take `tar=f`, refuse `tar=tRuE`).
        func bool(_ key: String) throws -> Bool? {
            guard let v = attrs[key] else { return nil }
            guard let b = OptionFields.bool(v) else {
                throw BuildError.badOutput(text, "\(key)=\(v): expected true or false")
            }
            return b
        }
        switch type {
        case "local": return .local(dest: try dest(), split: try bool("platform-split"))
        case "tar": return .tar(dest: file())
        case "oci":
            let tar = try bool("tar") ?? true
            return .oci(dest: tar ? file() : try dest(), tar: tar)
        case "registry": return .push
        case "image": return try bool("push") == true ? .push : .load
        case "docker": return .load
        case "cacheonly": return .none
        default:
            throw BuildError.badOutput(
                text, "unknown type \"\(type)\" (local, tar, oci, registry, image, docker, cacheonly)")
        }
    }

    /// The exporter type of an `-o` value as buildx reads it (`local` for a bare folder, `tar`
    /// for `-`); `registry` stays `registry`.
    public static func exporterType(_ text: String) throws -> String {
        guard text.contains("=") else { return text == standardOutput ? "tar" : "local" }
        return try attributes(text)["type"] ?? "local"
    }

    /// The `key=value` fields of an `-o` value (CSV, as buildx reads them), keys lower-case.
    private static func attributes(_ text: String) throws -> [String: String] {
        let fields: [String]
        do { fields = try CSVFields.split(text) } catch let error as CSVFieldsError {
            throw BuildError.badOutput(text, error.reason)
        }
        var attrs: [String: String] = [:]
        for field in fields {
            guard let kv = KeyValue(field), let value = kv.value else {
                throw BuildError.badOutput(text, "\"\(field)\" is not key=value")
            }
            attrs[kv.key.trimmingCharacters(in: .whitespaces).lowercased()] = value
        }
        return attrs
    }

    /// The attributes xplat takes for each exporter type: what it does with any other would be
    /// to drop it silently, so another is refused, named.
    private static let known: [String: Set<String>] = [
        "local": ["dest", "platform-split"], "tar": ["dest"], "oci": ["dest", "tar", "name"],
        "registry": ["name", "push"], "image": ["name", "push"], "docker": ["name"], "cacheonly": [],
    ]

    private static func checkAttributes(_ attrs: [String: String], type: String, text: String) throws {
        guard let allowed = known[type] else { return }
        if type == "docker", attrs["dest"] != nil {
            throw BuildError.badOutput(
                text,
                "type=docker,dest=FILE (a tar for docker load) is not made by xplat: use --load, or -o "
                    + "type=oci,dest=FILE for a file"
            )
        }
        for key in attrs.keys.sorted() where key.hasPrefix("annotation") {
            guard type != "local", type != "tar", type != "cacheonly" else {
                throw BuildError.badOutput(text, "\"\(key)\": a \(type) output has no image to annotate")
            }
            _ = try AnnotationSpec(exporterAttribute: key, value: attrs[key] ?? "", output: text)
        }
        for key in attrs.keys.sorted() where key != "type" && !allowed.contains(key) && !key.hasPrefix("annotation") {
            throw BuildError.badOutput(
                text,
                "xplat does not take \"\(key)\" for type=\(type) (it takes "
                    + "\(allowed.sorted().joined(separator: ", ")), annotation.KEY=VALUE)"
            )
        }
    }

    /// What an image output's attributes add to the request: `name=` (more `-t` names, comma
    /// separated) and buildx 0.10's way to annotate, `annotation[-TYPE][[PLATFORM]].KEY=VALUE`.
    public static func imageAttributes(_ text: String) throws -> (names: [String], annotations: [AnnotationSpec]) {
        guard text.contains("=") else { return ([], []) }
        let attrs = try attributes(text)
        let names = attrs["name"].map { $0.split(separator: ",").map(String.init) } ?? []
        var annotations: [AnnotationSpec] = []
        for (key, value) in attrs.sorted(by: { $0.key < $1.key }) where key.hasPrefix("annotation") {
            annotations.append(try AnnotationSpec(exporterAttribute: key, value: value, output: text))
        }
        return (names, annotations)
    }

    /// `-` as a destination: standard output (a tar, or an OCI layout's tar).
    public static let standardOutput = "-"

    /// True when the output goes to standard output (`-o -`, `type=tar`/`type=oci` to `-`).
    public var isStandardOutput: Bool {
        switch self {
        case .tar(let dest), .oci(let dest, _): return dest == Self.standardOutput
        default: return false
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

/// A validated build request: every option of `docker buildx build` (buildx 0.10 to 0.12) as a
/// typed value, with buildx's defaults.
public struct BuildRequest: Sendable {
    /// `-` for the path of a Dockerfile or a context read from standard input (`-f -`, context `-`).
    public static let standardInput = "-"

    /// The Dockerfile (`-f`), or `-`: read from standard input.
    public var dockerfile: String
    /// The context folder, or `-`: a tar (or a lone Dockerfile) read from standard input.
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
    /// `--network` for RUN steps; `.default` (buildx's default) passes nothing: the builder's own.
    public var network: NetworkMode
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
    /// `--attest type=...` (repeatable), besides the `--provenance`/`--sbom` shorthands.
    public var attests: [AttestSpec] = []
    /// `--secret` (repeatable), each mounted by id in every solve.
    public var secrets: [SecretSpec] = []
    /// `--ssh` (repeatable), each agent or key set forwarded to every solve.
    public var ssh: [SSHSpec] = []
    /// `--build-context NAME=VALUE` (repeatable).
    public var buildContexts: [NamedContext] = []
    /// `--label KEY=VALUE` (repeatable; `KEY` alone is an empty value): in every platform's image config.
    public var labels: [String: String] = [:]
    /// `--annotation` (repeatable), placed as buildx places them.
    public var annotations: [AnnotationSpec] = []
    /// `--add-host HOST:IP` (repeatable, comma-separated lists accepted).
    public var extraHosts: [ExtraHost] = []
    /// `--allow` entitlements (repeatable, comma-separated lists accepted).
    public var allow: [Entitlement] = []
    /// `--ulimit NAME=SOFT[:HARD]` (repeatable).
    public var ulimits: [Ulimit] = []
    /// `--shm-size`, in bytes; nil: the builder's default (64 MiB).
    public var shmSize: UInt64?
    /// `--pull`: always look up base images in their registry.
    public var pull: Bool = false
    /// `-q`/`--quiet`: no progress; stdout gets only the image id, as buildx prints it.
    public var quiet: Bool = false
    /// `--no-cache-filter STAGE` (repeatable): stages built without the cache.
    public var noCacheFilter: [String] = []
    /// `--cgroup-parent`: the parent cgroup of RUN steps.
    public var cgroupParent: String?
    /// `--iidfile FILE`: where the image id of the whole build goes.
    public var imageIDFile: String?

    public init(
        dockerfile: String, context: String, platforms: [Platform], target: String? = nil,
        buildArgs: [String] = [], output: OutputSpec = .none, tags: [String] = [],
        cacheFrom: [CacheSpec] = [], cacheTo: [CacheSpec] = [], metadataFile: String? = nil,
        noCache: Bool = false, network: NetworkMode = .default, verify: Bool = true, smoke: [String]? = nil,
        rewrite: Bool = false, progress: ProgressMode = .auto, registry: String = "127.0.0.1:5000"
    ) {
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

    /// Every attestation asked for: `--attest` values, then the `--provenance`/`--sbom` shorthands.
    public func allAttests() throws -> [AttestSpec] {
        var all = attests
        if let provenance, !provenance.isEmpty {
            all.append(try AttestSpec(shorthand: "provenance", value: provenance))
        }
        if let sbom, !sbom.isEmpty { all.append(try AttestSpec(shorthand: "sbom", value: sbom)) }
        return all
    }

    /// True when the user asked buildx for attestations (`--attest`, `--provenance`/`--sbom`
    /// other than false).
    public var wantsAttestations: Bool {
        ((try? allAttests()) ?? []).contains(where: \.enabled)
    }

    /// The cache key of a solve of `platforms` for this request's output.
    public func cacheKey(for platforms: [Platform]) -> CacheKey {
        CacheKey(platforms: platforms, outputMode: output.mode)
    }

    /// The cache key of the whole request (all its platforms).
    public var cacheKey: CacheKey { cacheKey(for: platforms) }

    /// The `--annotation` values placed at `level` (for `platform`'s manifest or descriptor, or
    /// the index), as `KEY: VALUE`; nil when there are none.
    public func annotations(at level: AnnotationSpec.Level, for platform: Platform? = nil) -> [String: String]? {
        var found: [String: String] = [:]
        for a in annotations where a.placement == level && (platform.map(a.applies(to:)) ?? true) {
            found[a.key] = a.value
        }
        return found.isEmpty ? nil : found
    }

    /// True when the Dockerfile or the context comes from standard input.
    public var readsStandardInput: Bool { dockerfile == Self.standardInput || context == Self.standardInput }

    /// Checks combinations buildx would reject, with the reason.
    public func validate() throws {
        for arg in buildArgs {
            guard let key = KeyValue(arg)?.key, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw BuildError.badBuildArg(arg)
            }
        }
        try validateOutput()
        if let smoke, smoke.isEmpty {
            throw BuildError.conflict("--smoke needs a command, e.g. --smoke '/usr/local/bin/hello --version'")
        }
        if dockerfile == Self.standardInput, context == Self.standardInput {
            throw BuildError.conflict(
                "-f - and context -: standard input can hold the Dockerfile or the context, not both (as buildx: "
                    + "\"can't use stdin for both build context and dockerfile\")"
            )
        }
        if noCache, !noCacheFilter.isEmpty {
            throw BuildError.conflict(
                "--no-cache and --no-cache-filter cannot be used together (as buildx 0.10 refuses them)")
        }
        try validateAttests()
    }

    private func validateOutput() throws {
        switch output {
        case .push where tags.isEmpty:
            throw BuildError.conflict("--push needs -t/--tag NAME:TAG (e.g. -t \(registry)/hello:latest)")
        case .push:
            // Each -t is a registry reference with a tag (a name without a host is Docker Hub's).
            _ = try ImagePublisher.targets(tags)
        case .load where platforms.count != 1:
            throw BuildError.conflict(
                "--load takes exactly one platform (got \(platforms.map(\.description).joined(separator: ","))): an "
                    + "engine image store holds one platform per tag; use --push or -o type=oci for several")
        case .load where tags.isEmpty:
            throw BuildError.conflict("--load needs -t/--tag NAME:TAG")
        case .local, .tar:
            if let imageIDFile {
                throw BuildError.conflict(
                    "--iidfile \(imageIDFile): local and tar exporters are incompatible with image ID file (as buildx "
                        + "says): use --push, --load or -o type=oci"
                )
            }
        default: break
        }
        try validateAnnotations()
    }

    /// Annotations need an image xplat publishes: an index pushed or written as an OCI layout
    /// (an image store and a folder of files keep none); `index-descriptor` only has a place in
    /// an OCI layout's `index.json`.
    private func validateAnnotations() throws {
        guard let first = annotations.first else { return }
        switch output {
        case .push:
            if let a = annotations.first(where: { $0.level == .indexDescriptor }) {
                throw BuildError.conflict(
                    "--annotation \(a.flagValue): an index-descriptor annotation lives in an OCI layout's index.json "
                        + "(-o type=oci); a registry has no place for it"
                )
            }
        case .oci: break
        default:
            let why =
                output == .load
                ? "an engine's image store keeps no annotations"
                : output == .none
                    ? "the build makes no image to annotate" : "a \(output.mode) output has no image to annotate"
            throw BuildError.conflict("--annotation \(first.flagValue): \(why); use --push or -o type=oci")
        }
    }

    /// One attestation of each type, as buildx insists ("duplicate attestation field").
    private func validateAttests() throws {
        var seen = Set<String>()
        for attest in try allAttests() where !seen.insert(attest.type).inserted {
            throw BuildError.conflict(
                "--attest: duplicate attestation field \(attest.type) (give each type once, --provenance/--sbom "
                    + "included)"
            )
        }
    }
}
