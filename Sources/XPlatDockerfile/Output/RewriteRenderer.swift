// Renderers for `xplat rewrite` and `xplat lint`: text and the stable JSON schema `xplat.rewrite/v1`.
//
// JSON schema `xplat.rewrite/v1` (keys sorted; stable across releases of v1):
//
//     {
//       "schema": "xplat.rewrite/v1",
//       "file": "Dockerfile",
//       "changed": true,                      // the rewrite changes the file
//       "errors": 0,                          // error-level findings
//       "stages": [{ "index": 0, "name": "build", "line": 1,
//                    "role": "target|target-base|build|unused",
//                    "outcome": "cross-ready|rewritten|left|not-applicable",
//                    "toolchains": ["go"], "reasons": ["..."],
//                    "platformBefore": "none", "platformAfter": "$BUILDPLATFORM" }],
//       "changes": [{ "startLine": 1, "endLine": 1, "stage": 0, "kind": "platform",
//                     "offset": 4, "length": 0, "replacement": " --platform=$BUILDPLATFORM" }],
//       "findings": [{ "id": "XP003", "rule": "hardcoded-goarch", "severity": "warning",
//                      "file": "Dockerfile", "line": 5, "column": 18,
//                      "message": "...", "fix": "..." }],
//       "diff": "--- a/Dockerfile\n+++ b/Dockerfile\n..."
//     }
//
// `xplat lint --json` prints `{"schema": "xplat.lint/v1", "file": ..., "errors": n, "findings": [...]}`.

import XPlatJSON
import XPlatPlatform

/// Text and JSON output for rewrite and lint results.
public enum RewriteRenderer {
    /// `file:line:col: severity: XPnnn rule: message` lines, each followed by `  fix: ...` when known:
    /// the linter's findings and the rewriter's (why build stages stay) together, in file order, as the
    /// JSON documents list them.
    public static func findingsText(
        _ findings: [Finding], _ stageFindings: [RewriteFinding] = [],
        colorize: (Severity, String) -> String = { $1 }
    ) -> String {
        inFileOrder(findings, stageFindings).map { f in
            "\(f.file):\(f.line):\(f.column): " + colorize(f.severity, f.severity.rawValue)
                + ": \(f.id) \(f.ruleName): \(f.message)\n"
                + (f.fix.map { "  fix: \($0)\n" } ?? "")
        }.joined()
    }

    /// The linter's findings and the rewriter's merged in file order (the linter's first at one place).
    private static func inFileOrder(_ findings: [Finding], _ stageFindings: [RewriteFinding]) -> [any DockerfileFinding]
    {
        ((findings as [any DockerfileFinding]) + stageFindings).sorted { $0.precedes($1) }
    }

    /// One line per stage: `stage 0 "build" (line 1): build, rewritten [go]: reason; reason`.
    public static func stagesText(_ stages: [StageClassification]) -> String {
        stages.map { s in
            let name = s.name.map { " \"\($0)\"" } ?? ""
            let tools = s.toolchains.isEmpty ? "" : " [" + s.toolchains.map(\.rawValue).joined(separator: ",") + "]"
            return "stage \(s.index)\(name) (line \(s.line)): \(s.role.rawValue), \(s.outcome.rawValue)\(tools): "
                + s.reasons.joined(separator: "; ") + "\n"
        }.joined()
    }

    /// The `xplat.rewrite/v1` document.
    public static func json(_ result: RewriteResult) throws -> String {
        let document = RewriteDocument(
            changed: result.changed,
            changes: result.edits.map {
                ChangeJSON(
                    endLine: $0.endLine, kind: $0.kind.rawValue, length: $0.range.count, offset: $0.range.lowerBound,
                    replacement: $0.replacement, stage: $0.stage, startLine: $0.startLine)
            },
            diff: UnifiedDiff.render(old: result.original, new: result.text, fileName: result.fileName),
            errors: result.findings.filter { $0.severity == .error }.count, file: result.fileName,
            findings: inFileOrder(result.findings, result.stageFindings).map(FindingJSON.init),
            schema: "xplat.rewrite/v1",
            stages: result.stages.map {
                StageJSON(
                    index: $0.index, line: $0.line, name: $0.name, outcome: $0.outcome.rawValue,
                    platformAfter: $0.platformAfter, platformBefore: $0.platformBefore, reasons: $0.reasons,
                    role: $0.role.rawValue, toolchains: $0.toolchains.map(\.rawValue))
            })
        return try encode(document)
    }

    /// The `xplat.lint/v1` document; `stageFindings` (the rewriter's XP1nn) join the linter's, by place.
    public static func lintJSON(file: String, findings: [Finding], stageFindings: [RewriteFinding] = []) throws
        -> String
    {
        try encode(
            LintDocument(
                errors: findings.filter { $0.severity == .error }.count, file: file,
                findings: inFileOrder(findings, stageFindings).map(FindingJSON.init),
                schema: "xplat.lint/v1"))
    }

    /// The encoder's error reaches the caller: never an empty document instead.
    static func encode<T: Encodable>(_ document: T) throws -> String {
        try StableJSON.encode(document)
    }

    struct RewriteDocument: Encodable {
        var changed: Bool
        var changes: [ChangeJSON]
        var diff: String
        var errors: Int
        var file: String
        var findings: [FindingJSON]
        var schema: String
        var stages: [StageJSON]
    }

    struct LintDocument: Encodable {
        var errors: Int
        var file: String
        var findings: [FindingJSON]
        var schema: String
    }

    struct ChangeJSON: Encodable {
        var endLine: Int
        var kind: String
        var length: Int
        var offset: Int
        var replacement: String
        var stage: Int
        var startLine: Int
    }

    struct StageJSON: Encodable {
        var index: Int
        var line: Int
        var name: String?
        var outcome: String
        var platformAfter: String
        var platformBefore: String
        var reasons: [String]
        var role: String
        var toolchains: [String]

        enum CodingKeys: String, CodingKey {
            case index, line, name, outcome, platformAfter, platformBefore, reasons, role, toolchains
        }

        // `name` is always present, `null` for an unnamed stage (the synthesized encoding would drop it).
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(line, forKey: .line)
            try c.encode(name, forKey: .name)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(platformAfter, forKey: .platformAfter)
            try c.encode(platformBefore, forKey: .platformBefore)
            try c.encode(reasons, forKey: .reasons)
            try c.encode(role, forKey: .role)
            try c.encode(toolchains, forKey: .toolchains)
        }
    }

    struct FindingJSON: Encodable {
        var column: Int, file: String, fix: String?, id: String, line: Int, message: String, rule: String,
            severity: String

        init(_ finding: any DockerfileFinding) {
            (column, file, fix, id, line, message, rule, severity) = (
                finding.column, finding.file, finding.fix, finding.id, finding.line, finding.message, finding.ruleName,
                finding.severity.rawValue
            )
        }

        enum CodingKeys: String, CodingKey { case column, file, fix, id, line, message, rule, severity }

        // `fix` is always present, `null` when there is none.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(column, forKey: .column)
            try c.encode(file, forKey: .file)
            try c.encode(fix, forKey: .fix)
            try c.encode(id, forKey: .id)
            try c.encode(line, forKey: .line)
            try c.encode(message, forKey: .message)
            try c.encode(rule, forKey: .rule)
            try c.encode(severity, forKey: .severity)
        }
    }
}
