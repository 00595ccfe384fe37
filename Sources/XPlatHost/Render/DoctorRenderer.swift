import Foundation
import XPlatJSON
import XPlatPlatform
import XPlatSupport

/// Renders a `DoctorReport`: the human table and findings, or the stable JSON.
public enum DoctorRenderer {
    /// Output formats.
    public enum Format: Sendable { case text, json }

    /// One exhaustive switch over formats.
    public static func render(_ outcome: DoctorOutcome, format: Format, style: Style) throws -> String {
        switch format {
        case .text: return text(outcome, style: style)
        case .json: return try json(outcome)
        }
    }

    /// `xplat.doctor/v1`: the report plus the changes of `--fix`, keys sorted, stable across runs
    /// apart from measured times.
    public static func json(_ outcome: DoctorOutcome) throws -> String {
        struct Envelope: Encodable {
            var schema: String
            var ok: Bool
            var exitCode: Int32
            var requested: [Platform]?
            var host: [PlatformVerdict]
            var nodes: [NodeVerdicts]
            var findings: [DoctorFinding]
            var changes: [String]
            var unfixable: [String]
            var facts: HostFacts
        }
        let r = outcome.report
        return try StableJSON.encode(
            Envelope(
                schema: r.schema, ok: r.exitCode == 0, exitCode: r.exitCode, requested: r.requested, host: r.host,
                nodes: r.nodes, findings: r.findings, changes: outcome.changes, unfixable: outcome.unfixable,
                facts: r.facts))
    }

    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func colour(_ verdict: Verdict, _ text: String, _ style: Style) -> String {
        switch verdict {
        case .native: return style.green(text)
        case .emulatedProven: return style.green(text)
        case .emulatedUnproven: return style.yellow(text)
        case .missing: return style.red(text)
        }
    }

    /// The human view: host summary, a table per machine, engine, changes, findings with fixes.
    public static func text(_ outcome: DoctorOutcome, style: Style) -> String {
        let r = outcome.report
        var out = hostLines(r.facts, style: style)
        out.append("")
        out += machineLines(r, style: style)
        if let engine = r.facts.engine {
            out.append("")
            out.append(style.bold("engine"))
            out += engineLines(engine, style: style)
        }
        out += changeLines(outcome, style: style)
        out.append("")
        out += findingLines(r, style: style)
        if r.requested != nil, !r.unbuildable.isEmpty {
            out.append("")
            out.append(style.red("cannot build: \(r.unbuildable.map(\.description).joined(separator: ", "))"))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The host and binfmt_misc summary lines.
    private static func hostLines(_ facts: HostFacts, style: Style) -> [String] {
        var out: [String] = []
        let native = facts.kernel.nativePlatform?.description ?? "unknown (\(facts.kernel.machine))"
        out.append(style.bold("host") + ": \(native), kernel \(facts.kernel.release) (\(facts.kernel.machine))")
        let b = facts.binfmt
        if b.mounted {
            let emulating = b.entries.filter { !$0.platforms.isEmpty }
            out.append(
                style.bold("binfmt_misc")
                    + ": \(b.path), \(b.enabled ? "enabled" : style.red("disabled")), \(b.entries.count) entries "
                    + "(\(emulating.count) for known platforms)"
            )
        } else {
            out.append(style.bold("binfmt_misc") + ": " + style.red("not mounted at \(b.path)"))
        }
        return out
    }

    /// This host's table, then each builder node's (or one line when it is this host).
    private static func machineLines(_ report: DoctorReport, style: Style) -> [String] {
        var out: [String] = []
        out += table(title: "this host", report.host, style: style)
        for node in report.nodes {
            out.append("")
            if node.local && node.platforms == report.host {
                out.append(
                    style.bold("builder \(node.builder), node \(node.node)")
                        + " (\(node.driver), \(node.endpoint)): builds on this host's kernel, verdicts as above")
                continue
            }
            out += table(
                title: "builder \(node.builder), node \(node.node) (\(node.driver), \(node.endpoint))", node.platforms,
                style: style)
        }
        return out
    }

    /// Docker clients, the daemon, buildx builders and the base-image registry.
    private static func engineLines(_ engine: EngineFacts, style: Style) -> [String] {
        var out: [String] = []
        if engine.clients.isEmpty { out.append("  no docker client on PATH") }
        for c in engine.clients {
            let via: String
            switch c.buildKitVia {
            case "buildx": via = "BuildKit via buildx \(c.buildxVersion ?? "")"
            case "built-in": via = "built-in BuildKit (DOCKER_BUILDKIT=1, no buildx)"
            default: via = style.yellow("no BuildKit: \(c.note ?? "no buildx plugin")")
            }
            let mark = c.path == engine.buildClient ? " " + style.bold("<- builds") : ""
            out.append("  \(pad(c.path, to: 22))\(pad(c.version ?? "?", to: 16))\(via)\(mark)")
        }
        let d = engine.daemon
        if d.reachable {
            out.append("  daemon \(d.socket ?? ""): reachable, Docker \(d.version ?? "?") (API \(d.apiVersion ?? "?"))")
        } else {
            out.append("  daemon \(d.socket ?? "-"): " + style.yellow("not reachable: \(d.error ?? "unknown")"))
        }
        if let source = engine.buildxSource {
            out.append(
                "  builders (\(source)): "
                    + "\(engine.builders.map { $0.name + ($0.current ? " *" : "") }.joined(separator: ", "))"
            )
        } else if engine.clients.contains(where: { $0.buildxVersion != nil }) == false {
            out.append("  builders: no buildx; builds run on the local daemon's BuildKit, one platform per build")
        }
        let reg = engine.registry
        out.append(
            "  registry \(reg.address): "
                + (reg.reachable
                    ? "reachable (HTTP \(reg.status ?? 0))" : style.yellow("not reachable: \(reg.error ?? "?")")))
        return out
    }

    /// What `--fix` changed, and what it could not fix.
    private static func changeLines(_ outcome: DoctorOutcome, style: Style) -> [String] {
        var out: [String] = []
        if !outcome.changes.isEmpty {
            out.append("")
            out.append(style.bold("changes"))
            out += outcome.changes.map { "  " + $0 }
        }
        for u in outcome.unfixable {
            out.append("  cannot fix: \(u)")
        }
        return out
    }

    /// The findings, most serious first, each with its fix.
    private static func findingLines(_ report: DoctorReport, style: Style) -> [String] {
        var out: [String] = []
        if report.findings.isEmpty {
            out.append(style.green("no findings"))
        } else {
            out.append(style.bold("findings"))
            for finding in report.findings {
                let sev: String
                switch finding.severity {
                case .error: sev = style.red(pad("error", to: 8))
                case .warning: sev = style.yellow(pad("warning", to: 8))
                case .note: sev = style.cyan(pad("note", to: 8))
                }
                out.append("  \(sev)\(finding.message) [\(finding.id.rawValue)]")
                if let fix = finding.fix { out.append("          fix: \(fix)") }
            }
        }
        return out
    }

    static func table(title: String, _ rows: [PlatformVerdict], style: Style) -> [String] {
        var out = [style.bold(title)]
        let w0 = max(16, (rows.map { $0.platform.description.count }.max() ?? 0) + 2)
        let w2 = max(18, min(36, (rows.map { ($0.via ?? "-").count }.max() ?? 0) + 2))
        out.append("  " + pad("PLATFORM", to: w0) + pad("VERDICT", to: 21) + pad("VIA", to: w2) + "DETAIL")
        for v in rows {
            out.append(
                "  " + pad(v.platform.description, to: w0) + colour(v.verdict, pad(v.verdict.rawValue, to: 21), style)
                    + pad(v.via ?? "-", to: w2) + v.reason)
        }
        return out
    }
}
