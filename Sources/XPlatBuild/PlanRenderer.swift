import Foundation
import XPlatJSON
import XPlatPlatform
import XPlatSupport

/// Renders plans as text or JSON.
public enum PlanRenderer {
    /// Human-readable plan (stdout of `xplat plan`): the nodes, each platform's node and mode, the
    /// builds, a hint when compilers run under QEMU, the rewrite, and what is not buildable.
    public static func text(_ plan: Plan, style: Style = Style(enabled: false)) -> String {
        var out = "plan for \(plan.dockerfile) (context \(plan.context)"
        out += plan.target.map { ", target \($0))\n" } ?? ")\n"
        let nodeWidth = plan.nodes.map(\.name.count).max() ?? 0
        out += nodes(plan, nodeWidth: nodeWidth)
        out += platforms(plan, nodeWidth: nodeWidth, style: style)
        if !plan.solves.isEmpty {
            out += "builds:\n"
            for solve in plan.solves {
                out += "  \(solve.node): \(solve.platforms.map(\.description).joined(separator: ","))\n"
            }
        }
        out += emulatedCompilerHint(plan)
        if let diff = plan.rewriteDiff {
            out +=
                diff.isEmpty
                ? "rewrite: no change needed\n"
                : "rewrite (the build uses this; your Dockerfile is untouched):\n" + diff
            if !diff.isEmpty, !diff.hasSuffix("\n") { out += "\n" }
        }
        if !plan.buildable {
            let impossible = plan.platforms.filter { $0.mode == .impossible }.map(\.platform.description)
            out += style.red("not buildable: ") + impossible.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// The `nodes:` section: a line per node with its endpoint, driver, native and emulated platforms.
    static func nodes(_ plan: Plan, nodeWidth: Int) -> String {
        var out = "nodes:\n"
        let endpointWidth = plan.nodes.map(\.endpoint.count).max() ?? 0
        for node in plan.nodes {
            let proven = node.emulated.filter(\.proven).map(\.platform.description)
            let unproven = node.emulated.filter { !$0.proven }.map(\.platform.description)
            out +=
                "  \(node.name.padding(toLength: nodeWidth, withPad: " ", startingAt: 0))  "
                + "\(node.endpoint.padding(toLength: endpointWidth, withPad: " ", startingAt: 0))  \(node.driver)  "
                + "native \(node.native.map(\.description).joined(separator: ","))"
            out += proven.isEmpty ? "  emulates nothing" : "  emulates \(proven.joined(separator: ","))"
            if !unproven.isEmpty { out += "  (listed, not working: \(unproven.joined(separator: ",")))" }
            if let unparsed = node.unparsed {
                out += "  (listed, unknown to xplat: \(unparsed.joined(separator: ",")))"
            }
            out += "\n"
        }
        return out
    }

    /// The `platforms:` section: each platform's mode (coloured) and node, or why it is impossible,
    /// and the steps it emulates.
    static func platforms(_ plan: Plan, nodeWidth: Int, style: Style) -> String {
        var out = "platforms:\n"
        let width = plan.platforms.map(\.platform.description.count).max() ?? 0
        for p in plan.platforms {
            let name = p.platform.description.padding(toLength: width, withPad: " ", startingAt: 0)
            let mode = p.mode.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            let coloured: String
            switch p.mode {
            case .native: coloured = style.green(mode)
            case .cross: coloured = style.cyan(mode)
            case .emulated: coloured = style.yellow(mode)
            case .impossible: coloured = style.red(mode)
            }
            if p.mode == .impossible {
                out += "  \(name)  \(coloured)\(p.reason ?? "")\n"
                continue
            }
            out +=
                "  \(name)  \(coloured)on "
                + "\((p.node ?? "?").padding(toLength: nodeWidth, withPad: " ", startingAt: 0))  "
                + "\(p.nativeStepCount) RUN native, \(p.emulatedSteps.count) RUN emulated\n"
            for step in p.emulatedSteps {
                out +=
                    "      emulated: line \(step.line) (stage \(step.stage), "
                    + "\(step.platform)\(step.heavy ? ", heavy" : "")): \(step.text)\n"
            }
        }
        return out
    }

    /// The 5-20x case, compilers under QEMU: how to avoid it (unless the plan already rewrites).
    static func emulatedCompilerHint(_ plan: Plan) -> String {
        let heavy = plan.platforms.filter { $0.mode == .emulated && $0.emulatedSteps.contains(where: \.heavy) }
        guard plan.rewriteDiff == nil, !heavy.isEmpty else { return "" }
        return "hint: \(heavy.map(\.platform.description).joined(separator: ", ")) compile under QEMU; `xplat rewrite` "
            + "shows a cross-compiling Dockerfile, `--rewrite` builds from it\n"
    }

    /// `xplat.plan/v1` JSON.
    /// - Throws: the encoder's error (a non-finite number, say): never an empty document instead.
    public static func json(_ plan: Plan) throws -> String {
        try StableJSON.encode(PlanDocument(plan))
    }
}
