// Cross-readiness findings. Each rule has a stable id and name (`XP001 arg-target-default`), a
// severity, a message that quotes what was found, and a fix where one is known. Positions are
// file:line:column of the offending text, so editors and CI annotations can point at it.

/// How serious a finding is. `error` fails `xplat lint` and `xplat rewrite --check`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case warning, error
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// The rules, with their stable ids.
public enum Rule: String, Sendable, Hashable, Codable, CaseIterable {
    case argTargetDefault = "arg-target-default"
    case targetArgGlobalOnly = "target-arg-global-only"
    case hardcodedGoArch = "hardcoded-goarch"
    case hardcodedPlatform = "hardcoded-platform"
    case archInURL = "arch-in-url"
    case runtimeArchDetection = "runtime-arch-detection"
    case buildPlatformOnFinal = "buildplatform-final-stage"
    case hardcodedRustTarget = "hardcoded-rust-target"
    case archInImage = "arch-in-image"
    case archCaseFallback = "arch-case-fallback"
    case buildPlatformForeignTool = "buildplatform-amd64-download"
    case buildStageNotCross = "build-stage-not-cross"
    case platformStageMissing = "platform-stage-missing"

    /// `XP001` ...
    public var id: String {
        switch self {
        case .argTargetDefault: return "XP001"
        case .targetArgGlobalOnly: return "XP002"
        case .hardcodedGoArch: return "XP003"
        case .hardcodedPlatform: return "XP004"
        case .archInURL: return "XP005"
        case .runtimeArchDetection: return "XP006"
        case .buildPlatformOnFinal: return "XP007"
        case .hardcodedRustTarget: return "XP008"
        case .archInImage: return "XP009"
        case .archCaseFallback: return "XP010"
        case .buildPlatformForeignTool: return "XP011"
        case .buildStageNotCross: return "XP012"
        case .platformStageMissing: return "XP013"
        }
    }

    public var severity: Severity {
        switch self {
        case .argTargetDefault, .targetArgGlobalOnly, .buildPlatformOnFinal: return .error
        // `uname -m` on the build platform is right for host tools (a compiler, rustup-init): a warning.
        // The others name a hazard whose effect depends on the platforms built: warnings.
        case .hardcodedGoArch, .hardcodedPlatform, .archInURL, .runtimeArchDetection, .hardcodedRustTarget,
            .archInImage, .archCaseFallback, .buildPlatformForeignTool, .buildStageNotCross, .platformStageMissing:
            return .warning
        }
    }
}

/// What a linter finding and a rewriter finding share: a rule (its id and name) at a place in the
/// file, with a severity, a message and, when known, a fix. Both print as
/// `file:line:column: severity: XPnnn name: message` and list in file order.
public protocol DockerfileFinding: Sendable, CustomStringConvertible {
    /// `XP001`, `XP101`.
    var id: String { get }
    /// `arg-target-default`, `runs-target-code`.
    var ruleName: String { get }
    var severity: Severity { get }
    var file: String { get }
    var line: Int { get }
    /// 1-based, in characters.
    var column: Int { get }
    var message: String { get }
    /// What to write instead, when known.
    var fix: String? { get }
}

extension DockerfileFinding {
    /// `Dockerfile:3:5: error: XP001 arg-target-default: message`.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(id) \(ruleName): \(message)"
    }

    /// File order: by line, then column, then rule id.
    public func precedes(_ other: some DockerfileFinding) -> Bool {
        (line, column, id) < (other.line, other.column, other.id)
    }
}

/// One finding.
public struct Finding: DockerfileFinding, Hashable, Codable {
    public var rule: Rule
    public var severity: Severity
    public var file: String
    public var line: Int
    /// 1-based, in characters.
    public var column: Int
    public var message: String
    /// What to write instead, when known.
    public var fix: String?

    /// `XP001`.
    public var id: String { rule.id }
    /// `arg-target-default`.
    public var ruleName: String { rule.rawValue }
}

/// Finds cross-build mistakes in a Dockerfile.
public enum Linter {
    /// All findings, ordered by position.
    ///
    /// - Parameter target: the stage built (`--target`); default the last stage.
    public static func lint(_ dockerfile: Dockerfile, target: String? = nil) throws(DockerfileSyntaxError) -> [Finding]
    {
        lint(try StageGraph(dockerfile), target: target)
    }

    /// All findings for an already-built graph: the file-wide rules, then each stage's FROM and
    /// instructions, then the rules about how stages feed each other.
    ///
    /// - Parameter views: the graph expanded for each platform built (`FROM x-${TARGETARCH}` names
    ///   a stage per platform): XP012 is judged on each, and XP013 reports a platform for which such
    ///   a FROM names no stage.
    /// - Parameter baseImages: base images' configs from the registry: ONBUILD triggers that wire
    ///   the target count as the stage's wiring (XP012).
    public static func lint(
        _ graph: StageGraph, target: String? = nil, views: [StageGraph] = [],
        baseImages: [String: BaseImageConfig] = [:]
    ) -> [Finding] {
        var c = LintContext(graph: graph, targetIndex: graph.targetStage(target)?.index, baseImages: baseImages)
        c.argTargetDefaults()
        for stage in graph.stages {
            c.fromPlatform(stage)
            c.archInImage(stage)
            for i in stage.instructions where i != stage.fromInstruction {
                c.instruction(i, in: stage)
            }
        }
        c.buildStagesNotCross()
        for view in views {
            var v = LintContext(graph: view, targetIndex: view.targetStage(target)?.index, baseImages: baseImages)
            v.buildStagesNotCross()
            c.findings += v.findings.filter { f in
                !c.findings.contains { $0.line == f.line && $0.column == f.column && $0.rule == f.rule }
            }
        }
        c.platformStagesMissing(views, target: target)
        return c.findings.sorted { $0.precedes($1) }
    }

    /// True when the stage, or the stage chain it derives from, is on `$BUILDPLATFORM`.
    static func runsOnBuildPlatform(_ stage: Stage, _ graph: StageGraph) -> Bool {
        if stage.platform == .buildPlatform { return true }
        if stage.platform != .none { return false }
        if case .stage(let p) = stage.base { return runsOnBuildPlatform(graph.stages[p], graph) }
        return false
    }
}

/// Small byte searches over instruction text.
enum Text {

    /// Like `find`, but the match must not continue with an identifier character.
    static func findWord(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        var from = hay.startIndex
        while let at = Bytes.find(needle, in: hay[from...]) {
            let end = from + at + needle.count
            if end >= hay.endIndex || !isIdent(hay[end]) || needle.last == ASCII.openBrace {
                return from + at - hay.startIndex
            }
            from = end
        }
        return nil
    }

    /// `$NAME` and `${NAME...}` references: offset (relative to `hay`) of the `$`, and the name.
    static func variableReferences(in hay: ArraySlice<UInt8>) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var i = hay.startIndex
        while i < hay.endIndex {
            guard hay[i] == ASCII.dollar else { i += 1; continue }
            var s = i + 1
            if s < hay.endIndex, hay[s] == ASCII.openBrace { s += 1 }
            var e = s
            while e < hay.endIndex, isIdent(hay[e]) { e += 1 }
            if e > s { out.append((i - hay.startIndex, Bytes.string(hay[s..<e]))) }
            i = max(e, i + 1)
        }
        return out
    }

    static func isIdent(_ c: UInt8) -> Bool { c.isASCIILetter || c.isASCIIDigit || c == UInt8(ascii: "_") }

    /// `KEY=value` assignments (KEY at a word start); offset relative to `hay`.
    static func assignments(of key: String, in hay: ArraySlice<UInt8>) -> [(offset: Int, value: String)] {
        var out: [(Int, String)] = []
        let needle = Array((key + "=").utf8)
        var from = hay.startIndex
        while let at = Bytes.find(needle, in: hay[from...]) {
            let s = from + at
            let v = s + needle.count
            from = v
            if s > hay.startIndex && isIdent(hay[s - 1]) { continue }
            var e = v
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != UInt8(ascii: ";"), hay[e] != UInt8(ascii: "&"),
                hay[e] != ASCII.backslash || e + 1 < hay.endIndex && !hay[e + 1].isGoByteSpace
            { e += 1 }
            let value = Bytes.string(hay[v..<e])
            if !value.isEmpty { out.append((s - hay.startIndex, value)) }
        }
        return out
    }

    /// `http://` and `https://` URLs; offset relative to `hay`.
    static func urls(in hay: ArraySlice<UInt8>) -> [(offset: Int, text: String)] {
        var out: [(Int, String)] = []
        var from = hay.startIndex
        while let at = Bytes.find(Array("http".utf8), in: hay[from...]) {
            let s = from + at
            var e = s
            while e < hay.endIndex, !hay[e].isGoByteSpace, hay[e] != ASCII.quote, hay[e] != ASCII.apostrophe,
                hay[e] != UInt8(ascii: ")"), hay[e] != UInt8(ascii: ";")
            { e += 1 }
            let text = Bytes.string(hay[s..<e])
            if text.hasPrefix("http://") || text.hasPrefix("https://") { out.append((s - hay.startIndex, text)) }
            from = max(e, s + 4)
        }
        return out
    }
}
