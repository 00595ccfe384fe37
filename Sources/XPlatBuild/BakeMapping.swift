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
            try rejectUnbuildable(target)
            let context = resolve(target.context ?? ".", in: options.directory)
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
            try applyRunOptions(of: target, to: &request, options: options)
            try request.validate()
            return request
        } catch let error as BuildError {
            throw BuildError.target(target.name, error)
        }
    }

    /// A target xplat cannot build: a frontend method other than `build`, or a remote context.
    private static func rejectUnbuildable(_ target: BakeTarget) throws {
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
    }

    /// The target's settings for the build's run: network, attestations, secrets, SSH, labels, annotations,
    /// ulimits, shm size, pull, no-cache filter, entitlements and named contexts.
    private static func applyRunOptions(of target: BakeTarget, to request: inout BuildRequest, options: BakeOptions)
        throws
    {
        let env = options.environment
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
    }

    /// `contexts`: `target:OTHER` kept as it is (`BakeService` replaces it with the other
    /// target's image once built); the others as `--build-context` takes them, a relative folder
    /// against the folder buildx ran in.
    static func namedContexts(_ target: BakeTarget, in directory: String?) throws -> [NamedContext] {
        try target.contexts.keys.sorted().map { name in
            let value = target.contexts[name]!
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
    static func dockerfilePath(_ target: BakeTarget, context: String, inlineDirectory: () throws -> String) throws
        -> String
    {
        if let inline = target.dockerfileInline {
            let path = "\(try inlineDirectory())/\(target.name).Dockerfile"
            do { try AtomicFile.write(inline, to: path) } catch {
                throw BuildError.fileSystem(path: path, action: "write the inline Dockerfile", reason: "\(error)")
            }
            return path
        }
        let file = target.dockerfile ?? "Dockerfile"
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
