// Cross-readiness findings. Each rule has a stable id and name (`XP001 arg-target-default`), a
// severity, a message that quotes what was found, and a fix where one is known. Positions are
// file:line:column of the offending text, so editors and CI annotations can point at it.

/// How serious a finding is. `error` fails `xplat lint` and `xplat rewrite --check`.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case warning, error
    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
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
