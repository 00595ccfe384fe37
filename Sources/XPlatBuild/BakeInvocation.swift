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

    /// The buildx that printed the definition, which is the one that builds: known, not asked again.
    public var plugin: BuildxPlugin {
        .present(BuildxVersion.parse(buildx) ?? BuildxVersion(major: 0, minor: 0, patch: 0, text: "unknown"))
    }
}
