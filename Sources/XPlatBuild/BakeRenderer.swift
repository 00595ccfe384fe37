import Foundation
import XPlatDocker
import XPlatJSON
import XPlatPlatform
import XPlatRegistry
import XPlatSupport

/// Renders bake plans and results.
public enum BakeRenderer {
    /// The nodes once, then per target (in build order) its Dockerfile, output, the targets it
    /// builds on, its platforms and its builds.
    public static func text(_ plan: BakePlan, style: Style = Style(enabled: false)) -> String {
        var out =
            "bake plan (definition printed by buildx \(plan.buildx)), \(plan.targets.count) "
            + "target\(plan.targets.count == 1 ? "" : "s") in build order\n"
        let allNodes = plan.targets.first?.plan.nodes ?? []
        let nodeWidth = allNodes.map(\.name.count).max() ?? 0
        if let first = plan.targets.first?.plan { out += PlanRenderer.nodes(first, nodeWidth: nodeWidth) }
        for t in plan.targets {
            let p = t.plan
            out +=
                "target \(t.name): \(p.dockerfile) (context \(p.context)\(p.target.map { ", target \($0)" } ?? "")), "
                + "output \(describe(t.request))\n"
            for link in t.links { out += "  after \(link.target) (context \(link.context))\n" }
            out += PlanRenderer.platforms(p, nodeWidth: nodeWidth, style: style).split(
                separator: "\n", omittingEmptySubsequences: false
            )
            .map { $0.isEmpty ? "" : "  \($0)" }.joined(separator: "\n")
            for solve in p.solves {
                out += "  build on \(solve.node): \(solve.platforms.map(\.description).joined(separator: ","))\n"
            }
            let hint = PlanRenderer.emulatedCompilerHint(p)
            if !hint.isEmpty { out += "  " + hint }
            if let diff = p.rewriteDiff {
                out +=
                    diff.isEmpty
                    ? "  rewrite: no change needed\n"
                    : "  rewrite (the build uses this; your Dockerfile is untouched):\n"
                        + diff.split(separator: "\n", omittingEmptySubsequences: false)
                        .map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n")
                if let last = out.last, last != "\n" { out += "\n" }
            }
        }
        let impossible = plan.targets.flatMap { t in
            t.plan.platforms.filter { $0.mode == .impossible }.map { "\(t.name) \($0.platform)" }
        }
        if !impossible.isEmpty { out += style.red("not buildable: ") + impossible.joined(separator: ", ") + "\n" }
        return out
    }

    static func describe(_ request: BuildRequest) -> String {
        switch request.output {
        case .push, .load: return "\(request.output.description) \(request.tags.joined(separator: ","))"
        default: return request.output.description
        }
    }

    /// The JSON plan (`xplat.bake-plan/v1`).
    public static func json(_ plan: BakePlan) throws -> String { try StableJSON.encode(BakePlanDocument(plan)) }

    /// `--print --json`: buildx's definition as it printed it, and xplat's plan beside it
    /// (`xplat.bake-print/v1`).
    public static func printJSON(_ print: BakePrint, plan: BakePlan) throws -> String {
        guard let definition = try? JSONSerialization.jsonObject(with: Data(print.json.utf8)) else {
            throw BuildError.toolOutput("bake --print: not JSON")
        }
        let planObject = try JSONSerialization.jsonObject(with: Data(try json(plan).utf8))
        let document: [String: Any] = [
            "schema": "xplat.bake-print/v1", "buildx": print.buildx, "definition": definition, "plan": planObject,
        ]
        let data = try JSONSerialization.data(
            withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Per target (in build order): its platforms as `xplat build` prints them, then its output.
    public static func text(_ result: BakeResult) -> String {
        result.targets.map { name, built in
            "target \(name):\n"
                + BuildResultRenderer.text(built).split(separator: "\n").map { "  \($0)" }.joined(separator: "\n")
                + "\n"
        }.joined()
    }
}
