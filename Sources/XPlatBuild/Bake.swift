// `xplat bake`: the targets of a bake file, read as buildx reads them, planned together, built in
// dependency order, every target verified before any is published.
//
// xplat does not evaluate HCL, JSON or compose files: it runs `docker buildx bake --print` with the
// user's files, `--set` overrides and target names, and takes buildx's resolved JSON
// (`BakeDefinition`) as its input. Each target becomes a `BuildRequest` meaning what the same
// flags mean to `xplat build`; what a driver cannot honour is refused before anything builds,
// by that driver's check, naming the target.

import Foundation
import XPlatDocker
import XPlatPlatform
import XPlatSupport

/// What `xplat bake` hands to buildx's `bake --print`: its own flags, as buildx takes them.
public struct BakeInvocation: Sendable, Hashable {
    /// `-f FILE`, in order (none: buildx's defaults, `docker-bake.hcl`, compose files...).
    public var files: [String]
    /// `--set PATTERN.KEY=VALUE`, in order.
    public var sets: [String]
    /// Targets or groups (none: buildx's `default`).
    public var targets: [String]
    public var push: Bool
    public var load: Bool
    /// `--no-cache`, `--pull` when given (nil: the file decides).
    public var noCache: Bool?
    public var pull: Bool?
    public var provenance: String?
    public var sbom: String?

    public init(
        files: [String] = [], sets: [String] = [], targets: [String] = [], push: Bool = false, load: Bool = false,
        noCache: Bool? = nil, pull: Bool? = nil, provenance: String? = nil, sbom: String? = nil
    ) {
        self.files = files
        self.sets = sets
        self.targets = targets
        self.push = push
        self.load = load
        self.noCache = noCache
        self.pull = pull
        self.provenance = provenance
        self.sbom = sbom
    }

    /// `buildx bake --print ...`: buildx turns `--push`, `--load`, `--no-cache`, `--pull`,
    /// `--provenance` and `--sbom` into `--set *.KEY=...` overrides itself, so the printed targets
    /// carry them.
    public var printArguments: [String] {
        var args = ["buildx", "bake", "--print"]
        for file in files { args += ["--file", file] }
        for set in sets { args += ["--set", set] }
        if push { args.append("--push") }
        if load { args.append("--load") }
        if let noCache { args.append("--no-cache=\(noCache)") }
        if let pull { args.append("--pull=\(pull)") }
        if let provenance { args.append("--provenance=\(provenance)") }
        if let sbom { args.append("--sbom=\(sbom)") }
        return args + targets
    }
}

/// xplat's own choices for every target of a bake.
public struct BakeOptions: Sendable {
    /// Platforms of a target that names none (buildx: the builder's default; xplat: as `xplat build`).
    public var defaultPlatforms: [Platform]
    /// What buildx's `local` in a platform list means: this machine's platform.
    public var localPlatform: Platform?
    public var rewrite: Bool
    public var verify: Bool
    public var progress: ProgressMode
    /// `--network` for every target that sets none; nil: `xplat build`'s default (buildx's).
    public var network: NetworkMode?
    /// Where base images come from (`XPLAT_REGISTRY`).
    public var registry: String
    /// `--metadata-file`: one object per target, in bake's shape.
    public var metadataFile: String?
    /// The folder buildx ran in, against which it printed relative paths; nil: the current one.
    public var directory: String?
    /// The environment secrets and ssh agents are read from (`SSH_AUTH_SOCK`, `env=` secrets).
    public var environment: [String: String] = [:]

    public init(
        defaultPlatforms: [Platform], rewrite: Bool = false, verify: Bool = true, progress: ProgressMode = .auto,
        network: NetworkMode? = nil, registry: String = "127.0.0.1:5000", metadataFile: String? = nil
    ) {
        self.defaultPlatforms = defaultPlatforms
        self.rewrite = rewrite
        self.verify = verify
        self.progress = progress
        self.network = network
        self.registry = registry
        self.metadataFile = metadataFile
    }
}

/// What buildx printed: its JSON as it came, parsed, and the buildx that printed it.
public struct BakePrint: Sendable, Hashable {
    /// `bake --print`'s stdout, unchanged (what `xplat bake --print` passes through).
    public var json: String
    public var definition: BakeDefinition
    /// `docker buildx version`'s version word (`v0.10.5`).
    public var buildx: String

    public init(json: String, definition: BakeDefinition, buildx: String) {
        self.json = json
        self.definition = definition
        self.buildx = buildx
    }
}

/// A target built on another through a named context (`contexts = { NAME = "target:OTHER" }`).
public struct BakeLink: Codable, Sendable, Hashable {
    /// The named context (`FROM NAME`, `COPY --from=NAME`).
    public var context: String
    /// The target whose result it is.
    public var target: String
}

/// One target, mapped onto `xplat build`'s request.
public struct BakeTargetRequest: Sendable {
    public var name: String
    public var request: BuildRequest
    /// The targets this one builds on, by context name.
    public var links: [BakeLink]
}

/// How bake targets become build requests, and in which order they build.
public enum BakeMapping {
    /// Every printed target (buildx prints the requested ones, their groups expanded, and the
    /// targets they build on), each after the targets it builds on; otherwise by name.
    /// Throws `.bake` for a link to a target buildx did not print, or a cycle.
    public static func order(_ definition: BakeDefinition) throws -> [String] {
        var done: [String] = [], visiting: Set<String> = []
        func visit(_ name: String, from: String?) throws {
            guard !done.contains(name) else { return }
            guard let target = definition.targets[name] else {
                throw BuildError.bake(
                    "target \"\(from ?? name)\": context target:\(name) names no target of the definition (targets: "
                        + "\(definition.targets.keys.sorted().joined(separator: ", ")))"
                )
            }
            guard visiting.insert(name).inserted else {
                throw BuildError.bake("target \"\(name)\": its target: contexts form a cycle")
            }
            for link in target.targetContexts { try visit(link.target, from: name) }
            visiting.remove(name)
            done.append(name)
        }
        for name in definition.targets.keys.sorted() { try visit(name, from: nil) }
        return done
    }

    /// The request for `target`: each field means what the same flag means to `xplat build`
    /// (parsed by the same parsers). A value that does not parse is refused here, before anything
    /// builds (`.target(NAME, ...)`); what a driver cannot do, by that driver's check.
    /// `inlineDirectory` gives a folder for a `dockerfile-inline` text.
    public static func request(for target: BakeTarget, options: BakeOptions, inlineDirectory: () throws -> String)
        throws -> BuildRequest
    {
        do {
            if let call = target.call, call != "build" {
                throw BuildError.conflict(
                    "call \"\(call)\": a frontend method (buildx's --call), which builds nothing; run docker buildx "
                        + "bake --call \(call) for it, or drop it to build"
                )
            }
            let printedContext = target.context ?? "."
            if isRemote(printedContext) {
                throw BuildError.conflict(
                    "context \"\(printedContext)\": a remote context; xplat plans from the Dockerfile, so the context "
                        + "must be a local folder"
                )
            }
            let context = resolve(printedContext, in: options.directory)
            let dockerfile = try dockerfilePath(target, context: context, inlineDirectory: inlineDirectory)
            let platforms =
                target.platforms.isEmpty
                ? options.defaultPlatforms
                : try parsePlatforms(target.platforms, local: options.localPlatform ?? options.defaultPlatforms.first)
            let env = options.environment
            var request = BuildRequest(
                dockerfile: dockerfile, context: context, platforms: platforms, target: target.target,
                buildArgs: target.args.keys.sorted().compactMap { key in target.args[key]!.map { "\(key)=\($0)" } },
                output: try output(target.outputs), tags: target.tags,
                cacheFrom: try target.cacheFrom.flatMap {
                    try CacheSpec.parse($0, direction: .import, environment: env)
                },
                cacheTo: try target.cacheTo.flatMap { try CacheSpec.parse($0, direction: .export, environment: env) },
                noCache: target.noCache ?? false, verify: options.verify, rewrite: options.rewrite,
                progress: options.progress,
                registry: options.registry)
            if let network = try target.network.map(NetworkMode.init(parsing:)) ?? options.network {
                request.network = network
            }
            request.attests = try target.attest.map(AttestSpec.init(parsing:))
            request.secrets = try target.secrets.map { try SecretSpec(parsing: $0, environment: env) }
            request.ssh = try target.ssh.map { try SSHSpec(parsing: $0, environment: env) }
            request.labels = target.labels.compactMapValues { $0 }  // buildx drops a label whose value is null
            request.annotations = try target.annotations.map(AnnotationSpec.init(parsing:))
            request.ulimits = try target.ulimits.map(Ulimit.init(parsing:))
            if let shm = target.shmSize {
                guard let bytes = ByteSize.parse(shm) else {
                    throw BuildError.badOption(
                        option: "shm-size", value: shm, reason: "expected a size such as 128m or 1g")
                }
                request.shmSize = bytes
            }
            request.pull = target.pull ?? false
            request.noCacheFilter = target.noCacheFilter
            request.allow = try target.entitlements.map(Entitlement.init(parsing:))
            request.buildContexts = try namedContexts(target, in: options.directory)
            try request.validate()
            return request
        } catch let error as BuildError {
            throw BuildError.target(target.name, error)
        }
    }

    /// `contexts`: `target:OTHER` kept as it is (`BakeService` replaces it with the other
    /// target's image once built); the others as `--build-context` takes them, a relative folder
    /// against the folder buildx ran in.
    static func namedContexts(_ t: BakeTarget, in directory: String?) throws -> [NamedContext] {
        try t.contexts.keys.sorted().map { name in
            let value = t.contexts[name]!
            if value.hasPrefix("target:") {
                return NamedContext(name: name, source: .target(String(value.dropFirst("target:".count))))
            }
            let isFolder = !value.contains("://") && !isRemote(value)
            return try NamedContext(parsing: "\(name)=\(isFolder ? resolve(value, in: directory) : value)")
        }
    }

    /// A path buildx printed relative to `directory` (nil: the current folder).
    static func resolve(_ path: String, in directory: String?) -> String {
        guard let directory, !path.hasPrefix("/") else { return clean(path) }
        return clean(directory + "/" + path)
    }

    /// Go's `path.Clean`, as buildx joins paths: no `.` segments, no doubled `/`, `..` taken
    /// lexically (`./hack/x` -> `hack/x`, `a/../b` -> `b`).
    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// buildx's rule: the Dockerfile is relative to the context unless absolute; an inline
    /// Dockerfile is written to a file of its own.
    static func dockerfilePath(_ t: BakeTarget, context: String, inlineDirectory: () throws -> String) throws -> String
    {
        if let inline = t.dockerfileInline {
            let path = "\(try inlineDirectory())/\(t.name).Dockerfile"
            do { try AtomicFile.write(inline, to: path) } catch {
                throw BuildError.fileSystem(path: path, action: "write the inline Dockerfile", reason: "\(error)")
            }
            return path
        }
        let file = t.dockerfile ?? "Dockerfile"
        if isRemote(file) {
            throw BuildError.conflict("dockerfile \"\(file)\": xplat reads the Dockerfile; give a local file")
        }
        return file.hasPrefix("/") ? clean(file) : clean(context + "/" + file)
    }

    static func isRemote(_ path: String) -> Bool {
        ["http://", "https://", "git://", "git@", "github.com/", "ssh://"].contains { path.hasPrefix($0) }
            || path.hasSuffix(".git")
    }

    /// A target's platform list; `local` (buildx: the client's platform) is this machine's.
    static func parsePlatforms(_ list: [String], local: Platform?) throws -> [Platform] {
        var out: [Platform] = []
        for word in list.flatMap({ $0.split(separator: ",").map(String.init) }) {
            if word == "local", let local {
                if !out.contains(local) { out.append(local) }
                continue
            }
            do {
                for platform in try Platform.parseList(word) where !out.contains(platform) { out.append(platform) }
            } catch { throw BuildError.conflict("platforms [\(list.joined(separator: ", "))]: \(error)") }
        }
        return out
    }

    /// buildx 0.10 takes one output per target ("multiple outputs currently unsupported").
    static func output(_ outputs: [String]) throws -> OutputSpec {
        guard outputs.count <= 1 else {
            throw BuildError.badOutput(
                outputs.joined(separator: " "), "one output per target (buildx: multiple outputs currently unsupported)"
            )
        }
        let spec = try outputs.first.map(OutputSpec.parse) ?? .none
        // Several targets' results and xplat's own lines would share one stream.
        if spec.isStandardOutput {
            throw BuildError.badOutput(
                outputs[0], "a bake target writes to a file or folder, not to standard output: give dest=PATH")
        }
        return spec
    }
}
