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

/// Text and JSON output for rewrite and lint results.
public enum RewriteRenderer {
    /// `file:line:col: severity: XPnnn rule: message` lines, each followed by `  fix: ...` when known.
    public static func findingsText(_ findings: [Finding], colorize: (Severity, String) -> String = { $1 }) -> String {
        findings.map { f in
            "\(f.file):\(f.line):\(f.column): " + colorize(f.severity, f.severity.rawValue) + ": \(f.rule.id) \(f.rule.rawValue): \(f.message)\n"
                + (f.fix.map { "  fix: \($0)\n" } ?? "")
        }.joined()
    }

    /// One line per stage: `stage 0 "build" (line 1): build, rewritten [go]: reason; reason`.
    public static func stagesText(_ stages: [StageClassification]) -> String {
        stages.map { s in
            let name = s.name.map { " \"\($0)\"" } ?? ""
            let tools = s.toolchains.isEmpty ? "" : " [" + s.toolchains.map(\.rawValue).joined(separator: ",") + "]"
            return "stage \(s.index)\(name) (line \(s.line)): \(s.role.rawValue), \(s.outcome.rawValue)\(tools): " +
                s.reasons.joined(separator: "; ") + "\n"
        }.joined()
    }

    /// The `xplat.rewrite/v1` document.
    public static func json(_ r: RewriteResult) -> String {
        let diff = UnifiedDiff.render(old: r.original, new: r.text, fileName: r.fileName)
        var o = JSONWriter()
        o.object {
            $0.field("changed", .bool(r.changed))
            $0.field("changes", .array(r.edits.map { e in
                .object([("endLine", .int(e.endLine)), ("kind", .string(e.kind)), ("length", .int(e.range.count)),
                         ("offset", .int(e.range.lowerBound)), ("replacement", .string(e.replacement)),
                         ("stage", .int(e.stage)), ("startLine", .int(e.startLine))])
            }))
            $0.field("diff", .string(diff))
            $0.field("errors", .int(r.findings.filter { $0.severity == .error }.count))
            $0.field("file", .string(r.fileName))
            $0.field("findings", .array(r.findings.map(findingJSON)))
            $0.field("schema", .string("xplat.rewrite/v1"))
            $0.field("stages", .array(r.stages.map { s in
                .object([("index", .int(s.index)), ("line", .int(s.line)), ("name", s.name.map { .string($0) } ?? .null),
                         ("outcome", .string(s.outcome.rawValue)), ("platformAfter", .string(s.platformAfter)),
                         ("platformBefore", .string(s.platformBefore)), ("reasons", .array(s.reasons.map { .string($0) })),
                         ("role", .string(s.role.rawValue)), ("toolchains", .array(s.toolchains.map { .string($0.rawValue) }))])
            }))
        }
        return o.text + "\n"
    }

    /// The `xplat.lint/v1` document.
    public static func lintJSON(file: String, findings: [Finding]) -> String {
        var o = JSONWriter()
        o.object {
            $0.field("errors", .int(findings.filter { $0.severity == .error }.count))
            $0.field("file", .string(file))
            $0.field("findings", .array(findings.map(findingJSON)))
            $0.field("schema", .string("xplat.lint/v1"))
        }
        return o.text + "\n"
    }

    static func findingJSON(_ f: Finding) -> JSONValue {
        .object([("column", .int(f.column)), ("file", .string(f.file)), ("fix", f.fix.map { .string($0) } ?? .null),
                 ("id", .string(f.rule.id)), ("line", .int(f.line)), ("message", .string(f.message)),
                 ("rule", .string(f.rule.rawValue)), ("severity", .string(f.severity.rawValue))])
    }
}

indirect enum JSONValue {
    case string(String), int(Int), bool(Bool), null
    case array([JSONValue])
    case object([(String, JSONValue)])

    func write(_ out: inout String, _ indent: String) {
        switch self {
        case .string(let s): out += JSONWriter.quote(s)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (k, v) in items.enumerated() {
                out += indent + "  "
                v.write(&out, indent + "  ")
                out += k + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, (key, v)) in fields.enumerated() {
                out += indent + "  " + JSONWriter.quote(key) + ": "
                v.write(&out, indent + "  ")
                out += k + 1 < fields.count ? ",\n" : "\n"
            }
            out += indent + "}"
        }
    }
}

struct JSONWriter {
    var text = ""
    struct Fields { var list: [(String, JSONValue)] = []; mutating func field(_ k: String, _ v: JSONValue) { list.append((k, v)) } }
    mutating func object(_ build: (inout Fields) -> Void) {
        var f = Fields()
        build(&f)
        JSONValue.object(f.list).write(&text, "")
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u" + GoQuote.hex(u.value, 4) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
