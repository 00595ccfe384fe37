// The rewriter: move build stages to `$BUILDPLATFORM` and make them cross-compile for `$TARGETPLATFORM`.
//
// 1. Roles. The target stage and the stages it is built FROM make the image: they stay on the target
//    platform. Every other stage the target needs (through COPY --from / RUN --mount=from) is a build
//    stage. Build stages derived from each other form a family; only the family's root FROM gets
//    `--platform=$BUILDPLATFORM`, the others inherit it (never a second --platform).
// 2. Safety. A family moves only when its toolchain is known (Go, Rust/cargo, C/C++, Zig) and the
//    evidence (the Dockerfile and the build context: go.mod, `import "C"`, Cargo.lock, Makefile,
//    CMakeLists.txt, configure.ac) says the wiring is enough: no tests or freshly built binaries run,
//    no native add-ons, no architecture probes, cgo and target libraries only where they can be wired
//    (Debian/Ubuntu images), no Makefile or script whose content is not visible. Otherwise it is left
//    with findings (XP1nn, `RewriteFinding`) at the place that shows why (StagePlanner, its stage rules
//    in StagePlanner+StageRules.swift, its toolchain rules in StagePlanner+Toolchains.swift).
// 3. Edits (Wiring). Byte-range insertions and replacements inside the instructions being rewritten;
//    all other bytes stay as they are. Wired RUNs mention $TARGETARCH, which is how a second pass
//    recognises them (rewrite is idempotent). Defaults on automatic platform args (`ARG
//    TARGETARCH=amd64`, `${BUILDPLATFORM:-linux/amd64}`) are removed: BuildKit would use them.

import XPlatPlatform

/// Options for `Rewriter.rewrite`.
public struct RewriteOptions: Sendable, Hashable {
    /// The stage to build (`--target`); default the last stage.
    public var target: String?
    /// `--build-arg` values used to expand ARGs in FROM.
    public var buildArgs: [String: String]
    /// The platforms built: FROM lines with automatic args (`FROM runner-${TARGETARCH}`) are expanded
    /// for each, and a stage's role is the union over them.
    public var platforms: [Platform]
    /// The build context's evidence files; nil when none is visible (standard input).
    public var context: BuildContext?
    /// What the registry says of base images (ENV, ONBUILD), by the name a FROM line gives; empty when
    /// not read (the rewrite then judges by the Dockerfile and the context alone).
    public var baseImages: [String: BaseImageConfig] = [:]

    /// The usual set: one platform per architecture of the table (amd64, 386, arm64, arm/v7, ...).
    public static var defaultPlatforms: [Platform] { ArchitectureTable.baseEntries.map(\.platform) }

    public init(
        target: String? = nil, buildArgs: [String: String] = [:],
        platforms: [Platform] = RewriteOptions.defaultPlatforms,
        context: BuildContext? = nil
    ) {
        self.target = target
        self.buildArgs = buildArgs
        self.platforms = platforms
        self.context = context
    }
}

/// A compiler toolchain the rewriter knows how to point at the target.
public enum Toolchain: String, Sendable, Hashable, Codable, CaseIterable {
    case go, rust, c, zig
}

/// What a stage is for.
public enum StageRole: String, Sendable, Hashable, Codable {
    /// The stage built (last, or `--target`).
    case target
    /// A stage the target is built FROM: part of the image.
    case targetBase = "target-base"
    /// Produces files the target needs (copied or mounted): may run on the build platform.
    case build
    /// Not needed to build the target.
    case unused
}

/// What the rewriter did with a stage.
public enum StageOutcome: String, Sendable, Hashable, Codable {
    /// Already runs on $BUILDPLATFORM and compiles for the target.
    case crossReady = "cross-ready"
    /// Edited.
    case rewritten
    /// A build stage that could move but was not; see the reasons.
    case left
    /// Not a build stage (target, its bases, unused): nothing to do.
    case notApplicable = "not-applicable"
}

/// Per-stage result.
public struct StageClassification: Sendable, Hashable, Codable {
    public var index: Int
    public var name: String?
    public var line: Int
    public var role: StageRole
    public var toolchains: [Toolchain]
    public var outcome: StageOutcome
    /// Why (for `left`, what blocks the rewrite).
    public var reasons: [String]
    /// `--platform` before and after.
    public var platformBefore: String
    public var platformAfter: String
}

/// One edit: replace `range` (byte offsets in the original) with `replacement`.
public struct TextEdit: Sendable, Hashable, Codable {
    public var range: Range<Int>
    public var replacement: String
    /// 1-based lines of the original touched by the edit (for an insertion, the line it lands on).
    public var startLine: Int
    public var endLine: Int
    /// Stage whose instruction is edited.
    public var stage: Int
    public var kind: EditKind
}

/// Why an edit was made (the `kind` of a change in `xplat.rewrite/v1`).
public enum EditKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// `--platform=$BUILDPLATFORM` added to a FROM.
    case platform
    /// `ARG TARGETOS TARGETARCH TARGETVARIANT` added just before the first instruction that needs them.
    case targetArgs = "target-args"
    /// A default removed from an automatic platform ARG (`ARG TARGETARCH=amd64`, `${BUILDPLATFORM:-...}`).
    case argDefault = "arg-default"
    /// The target mapping and the cross toolchain install at the top of a RUN.
    case toolchainSetup = "toolchain-setup"
    /// The target environment in front of a compile command (`GOOS=... go build`).
    case toolchainEnv = "toolchain-env"
    /// A flag added to a compile command (`--target`, `--host`, `-DCMAKE_...`, `-Dtarget`).
    case toolchainFlag = "toolchain-flag"
    /// An output path moved to the target's folder, or outputs copied back where later lines read them.
    case toolchainPath = "toolchain-path"
    /// A compiler name replaced by the cross compiler's (`gcc` -> `"$triplet-gcc"`).
    case compilerName = "compiler-name"
    /// A literal GOOS/GOARCH/GOARM value replaced by the target's.
    case archLiteral = "arch-literal"
}

/// A base image's config as the rewrite reads it: its environment and its ONBUILD triggers.
public struct BaseImageConfig: Sendable, Hashable {
    /// `NAME=value` pairs of the image's ENV.
    public var env: [String: String]
    /// `RUN go build ...`, as the image config lists them.
    public var onBuild: [String]

    public init(env: [String: String] = [:], onBuild: [String] = []) {
        self.env = env
        self.onBuild = onBuild
    }

    /// From the config's `Env` list (`NAME=value`).
    public init(envList: [String], onBuild: [String]) {
        var env: [String: String] = [:]
        for pair in envList {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        self.init(env: env, onBuild: onBuild)
    }
}

/// The outcome of `Rewriter.rewrite`.
public struct RewriteResult: Sendable {
    public var fileName: String
    public var original: String
    /// The new file (equal to `original` when nothing changed).
    public var text: String
    public var edits: [TextEdit]
    /// Findings on the original file.
    public var findings: [Finding]
    /// Why build stages were left, at their places.
    public var stageFindings: [RewriteFinding]
    public var stages: [StageClassification]

    /// True when `text != original`.
    public var changed: Bool { !edits.isEmpty }
    /// True when a finding is an error.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
    /// Instruction line ranges (original file) the edits touched.
    public var rewrittenLines: [ClosedRange<Int>] { edits.map { $0.startLine...$0.endLine } }
}

/// Rewrites Dockerfiles to cross-compile.
public enum Rewriter {
    /// Rewrites `dockerfile`; see the module guide for the rules.
    ///
    /// - Throws: `DockerfileSyntaxError` for Dockerfiles BuildKit rejects at the stage level, or an
    ///   unknown `options.target`.
    public static func rewrite(_ dockerfile: Dockerfile, options: RewriteOptions = RewriteOptions())
        throws(DockerfileSyntaxError) -> RewriteResult
    {
        let graph = try StageGraph(dockerfile, buildArgs: options.buildArgs)
        guard let target = graph.targetStage(options.target) else {
            throw DockerfileSyntaxError(
                fileName: dockerfile.fileName, line: 1,
                reason: "target stage \"\(options.target ?? "")\" not found")
        }
        var views: [StageGraph] = []
        for p in options.platforms {
            views.append(try StageGraph(dockerfile, buildArgs: options.buildArgs, platform: (p, p)))
        }
        var planner = StagePlanner(graph: graph, views: views, context: options.context, baseImages: options.baseImages)
        planner.decide(target: target.index)
        // XP013 over the platforms requested, or the common ones when none were: a Dockerfile that
        // selects stages per platform is not expected to have one for every architecture there is.
        let lintViews =
            options.platforms == RewriteOptions.defaultPlatforms
            ? views.filter { v in v.platform.map { Self.commonPlatforms.contains($0.description) } ?? false } : views
        let findings = Linter.lint(graph, target: options.target, views: lintViews, baseImages: options.baseImages)
        let edits = (planner.edits + ArgDefaults.edits(dockerfile)).sorted {
            ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
        }
        let original = Bytes.string(dockerfile.bytes[...])
        return RewriteResult(
            fileName: dockerfile.fileName, original: original, text: apply(edits, to: dockerfile), edits: edits,
            findings: findings,
            stageFindings: planner.findings.sorted { ($0.line, $0.column, $0.id) < ($1.line, $1.column, $1.id) },
            stages: planner.classes.sorted { $0.index < $1.index })
    }

    /// Platforms XP013 checks when none were requested.
    private static let commonPlatforms: Set<String> = ["linux/amd64", "linux/arm64", "linux/arm/v7"]

    static func apply(_ edits: [TextEdit], to dockerfile: Dockerfile) -> String {
        guard !edits.isEmpty else { return Bytes.string(dockerfile.bytes[...]) }
        var out: [UInt8] = []
        out.reserveCapacity(dockerfile.bytes.count + 512)
        var at = 0
        for e in edits {
            out += dockerfile.bytes[at..<e.range.lowerBound]
            out += Array(e.replacement.utf8)
            at = e.range.upperBound
        }
        out += dockerfile.bytes[at...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `text` and rewrites it.
    public static func rewrite(
        text: String, fileName: String = "Dockerfile", options: RewriteOptions = RewriteOptions()
    ) throws(DockerfileSyntaxError) -> RewriteResult {
        try rewrite(DockerfileParser.parse(text, fileName: fileName), options: options)
    }
}
