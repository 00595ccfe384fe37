// The options of `docker buildx build` (buildx 0.10 to 0.12) beyond what to build and where:
// same names, same repeatability, same defaults. Parsed into `BuildRequest`'s typed values.

import ArgumentParser
import Foundation
import XPlatBuild
import XPlatSupport

/// buildx's build flags, as `xplat build` takes them.
struct BuildFlagOptions: ParsableArguments {
    @Option(
        name: .customLong("secret"),
        help: "A secret for RUN --mount=type=secret: id=ID[,src=PATH|,env=NAME] (repeatable).")
    var secrets: [String] = []

    @Option(
        name: .customLong("ssh"),
        help: "An ssh agent or keys for RUN --mount=type=ssh: default|ID[=SOCKET|KEY[,KEY]] (repeatable).")
    var ssh: [String] = []

    @Option(
        name: .customLong("build-context"),
        help: "A named context: NAME=DIR|docker-image://REF|oci-layout://PATH|URL (repeatable).")
    var buildContexts: [String] = []

    @Option(name: .customLong("label"), help: "An image label KEY=VALUE, in every platform's config (repeatable).")
    var labels: [String] = []

    @Option(
        name: .customLong("annotation"),
        help: ArgumentHelp(
            "An OCI annotation [TYPE[PLATFORM]:]KEY=VALUE; TYPE manifest (default), index, manifest-descriptor, "
                + "index-descriptor (repeatable).")
    )
    var annotations: [String] = []

    @Option(
        name: .customLong("add-host"), help: "An /etc/hosts entry HOST:IP for RUN steps (repeatable, comma-separated).")
    var extraHosts: [String] = []

    @Option(
        name: .customLong("allow"),
        help: "An extra entitlement: network.host, security.insecure (repeatable, comma-separated).")
    var allow: [String] = []

    @Option(name: .customLong("ulimit"), help: "A ulimit of RUN steps: NAME=SOFT[:HARD] (repeatable).")
    var ulimits: [String] = []

    @Option(name: .customLong("shm-size"), help: "Size of /dev/shm for RUN steps (e.g. 128m).")
    var shmSize: String?

    @Flag(name: .customLong("pull"), help: "Always look base images up in their registry.")
    var pull = false

    @Flag(name: [.short, .customLong("quiet")], help: "No progress; print only the image id (as buildx) on success.")
    var quiet = false

    @Option(name: .customLong("attest"), help: "An attestation: type=provenance|sbom[,KEY=VALUE] (repeatable).")
    var attests: [String] = []

    @Option(name: .customLong("no-cache-filter"), help: "A stage to build without the cache (repeatable).")
    var noCacheFilter: [String] = []

    @Option(name: .customLong("cgroup-parent"), help: "The parent cgroup of RUN steps.")
    var cgroupParent: String?

    @Option(name: .customLong("iidfile"), help: "Write the image id (the index digest for several platforms) to FILE.")
    var imageIDFile: String?

    @Option(
        name: .customLong("cache-from"),
        help: "A cache to read: REF, or type=registry|local|gha|s3|azblob,... (repeatable).")
    var cacheFrom: [String] = []

    @Option(
        name: .customLong("cache-to"),
        help: "A cache to write: type=registry|local|inline|gha|s3|azblob,... (repeatable).")
    var cacheTo: [String] = []

    @Option(name: .long, help: "Network for RUN steps: default (the builder's, buildx's default), host, none.")
    var network: String?

    // buildx accepts these for `docker build` compatibility and ignores them (BuildKit has no
    // such setting); xplat does the same and says so.
    @Flag(name: .customLong("compress"), help: .hidden) var compress = false
    @Option(name: .customLong("isolation"), help: .hidden) var isolation: String?
    @Option(name: .customLong("security-opt"), help: .hidden) var securityOpt: [String] = []
    @Flag(name: .customLong("squash"), help: .hidden) var squash = false
    @Option(name: [.short, .customLong("memory")], help: .hidden) var memory: String?
    @Option(name: .customLong("memory-swap"), help: .hidden) var memorySwap: String?
    @Option(name: [.short, .customLong("cpu-shares")], help: .hidden) var cpuShares: Int64?
    @Option(name: .customLong("cpu-period"), help: .hidden) var cpuPeriod: Int64?
    @Option(name: .customLong("cpu-quota"), help: .hidden) var cpuQuota: Int64?
    @Option(name: .customLong("cpuset-cpus"), help: .hidden) var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems"), help: .hidden) var cpusetMems: String?
    @Flag(name: .customLong("rm"), help: .hidden) var remove = false
    @Flag(name: .customLong("force-rm"), help: .hidden) var forceRemove = false

    /// The ignored `docker build` flags given, each with buildx's reason.
    var ignoredFlags: [String] {
        var given: [(Bool, String)] = [
            (compress, "--compress"), (isolation != nil, "--isolation"), (!securityOpt.isEmpty, "--security-opt"),
            (squash, "--squash"), (memory != nil, "--memory"), (memorySwap != nil, "--memory-swap"),
            (cpuShares != nil, "--cpu-shares"), (cpuPeriod != nil, "--cpu-period"), (cpuQuota != nil, "--cpu-quota"),
            (cpusetCpus != nil, "--cpuset-cpus"), (cpusetMems != nil, "--cpuset-mems"), (remove, "--rm"),
            (forceRemove, "--force-rm"),
        ]
        given.removeAll { !$0.0 }
        return given.map(\.1)
    }

    /// The warning for the ignored flags (nil when none was given).
    var ignoredWarning: String? {
        let flags = ignoredFlags
        guard !flags.isEmpty else { return nil }
        return
            "warning: \(flags.joined(separator: ", ")): ignored with BuildKit, as buildx ignores them (docker build's "
            + "legacy builder options)"
    }

    /// Fills the typed values of `request` from these flags; `environment` gives secrets without
    /// a source, `SSH_AUTH_SOCK` and gha's token.
    func apply(to request: inout BuildRequest, environment: [String: String]) throws {
        request.secrets = lastByKey(try secrets.map { try SecretSpec(parsing: $0, environment: environment) }, \.id)
        request.ssh = lastByKey(try ssh.map { try SSHSpec(parsing: $0, environment: environment) }, \.id)
        request.buildContexts = lastByKey(try buildContexts.map(NamedContext.init(parsing:)), \.name)
        for label in labels {
            guard let kv = KeyValue(label) else {
                throw BuildError.badOption(option: "--label", value: label, reason: "expected KEY=VALUE")
            }
            request.labels[kv.key] = kv.value ?? ""
        }
        request.annotations = try annotations.map(AnnotationSpec.init(parsing:))
        request.extraHosts = try commaList(extraHosts, option: "--add-host").map(ExtraHost.init(parsing:))
        request.allow = try commaList(allow, option: "--allow").map(Entitlement.init(parsing:))
        request.ulimits = lastByKey(try ulimits.map(Ulimit.init(parsing:)), \.name)
        if let shmSize {
            guard let bytes = ByteSize.parse(shmSize) else {
                throw BuildError.badOption(
                    option: "--shm-size", value: shmSize, reason: "expected a size such as 67108864, 64m or 1g")
            }
            request.shmSize = bytes
        }
        request.pull = pull
        request.quiet = quiet
        request.attests = try attests.map(AttestSpec.init(parsing:))
        request.noCacheFilter = noCacheFilter
        request.cgroupParent = cgroupParent
        request.imageIDFile = imageIDFile
        request.cacheFrom = try cacheFrom.flatMap {
            try CacheSpec.parse($0, direction: .import, environment: environment)
        }
        request.cacheTo = try cacheTo.flatMap { try CacheSpec.parse($0, direction: .export, environment: environment) }
        if let network { request.network = try NetworkMode(parsing: network) }
    }
}

/// The values of repeated `flags`, each a comma-separated list (pflag's StringSlice).
private func commaList(_ values: [String], option: String) throws -> [String] {
    try values.flatMap { value in
        do { return try CSVFields.split(value).filter { !$0.isEmpty } } catch let error as CSVFieldsError {
            throw BuildError.badOption(option: option, value: value, reason: error.reason)
        }
    }
}

/// One value per key, the last given winning in its place, as buildx's maps keep them.
private func lastByKey<T>(_ values: [T], _ key: (T) -> String) -> [T] {
    var index: [String: Int] = [:]
    var result: [T] = []
    for value in values {
        if let i = index[key(value)] {
            result[i] = value
        } else {
            index[key(value)] = result.count
            result.append(value)
        }
    }
    return result
}

/// buildx's boolean flags take a value too, as pflag reads them (`--push=true`, `--pull=false`,
/// `--rm=false`: docker build's idiom), which ArgumentParser's flags refuse. Before parsing,
/// `build`'s `--NAME=TRUE` becomes `--NAME` and `--NAME=FALSE` is dropped; any other value is
/// left for the parser to refuse. Words after `--` are the user's, left as they are.
enum BuildxBoolFlags {
    /// buildx build's boolean flags (v0.10 to v0.12).
    static let names: Set<String> = [
        "load", "push", "pull", "no-cache", "quiet", "compress", "squash", "rm", "force-rm",
    ]

    /// `arguments` (subcommand first) with the boolean flags of `build` written as ArgumentParser takes them.
    static func normalize(_ arguments: [String]) -> [String] {
        guard arguments.first == "build" else { return arguments }
        var result: [String] = []
        var options = true
        for word in arguments {
            guard options, word.hasPrefix("--"), let equals = word.firstIndex(of: "="),
                names.contains(String(word[word.index(word.startIndex, offsetBy: 2)..<equals]))
            else {
                if word == "--" { options = false }
                result.append(word)
                continue
            }
            switch word[word.index(after: equals)...] {
            case "1", "t", "T", "true", "TRUE", "True": result.append(String(word[..<equals]))
            case "0", "f", "F", "false", "FALSE", "False": break
            default: result.append(word)
            }
        }
        return result
    }
}
