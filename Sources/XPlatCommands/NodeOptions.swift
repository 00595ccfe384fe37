// Where to build: the options `plan`, `build` and `bake` share (nodes, builder, driver).

import ArgumentParser
import XPlatBuild

/// `--node`, `--builder`, `--driver`: the same flags, meaning the same, on every building command.
struct NodeOptions: ParsableArguments {
    @Option(
        name: .customLong("node"),
        help: "A docker endpoint to build on: NAME=unix:///path.sock, NAME=tcp://h:p or NAME=CONTEXT (repeatable).")
    var nodes: [String] = []

    @Option(name: .long, help: "A buildx builder to use (default: the current one).")
    var builder: String?

    @Option(name: .long, help: "auto (buildx if the client has it and no --node is given), buildx, or engine.")
    var driver: DriverChoice = .auto

    /// A bad `--node` is a usage error, refused while parsing (before anything runs).
    func validate() throws { _ = try selection() }

    /// The nodes to discover; a `--node` that does not parse exits with the usage code.
    func selection() throws -> NodeSelection {
        do {
            return NodeSelection(nodes: try nodes.map(NodeSpec.init(parsing:)), builder: builder, driver: driver)
        } catch { throw ValidationError("\(error)") }
    }
}
