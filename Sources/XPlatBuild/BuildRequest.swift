// What the user asked `xplat build` for, parsed and validated.

import Foundation
import XPlatPlatform
import XPlatSupport

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
