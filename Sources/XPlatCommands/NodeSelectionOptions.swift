// Where to build (`--node`, `--builder`, `--driver`): the options `plan`, `build` and `bake`
// share, parsed into a `NodeSelection`.

import ArgumentParser
import XPlatBuild

/// The nodes to build on, as `plan`, `build` and `bake` take them.
struct NodeSelectionOptions: ParsableArguments {
    @Option(name: .customLong("node"), help: "A docker endpoint to build on: NAME=unix:///path.sock, NAME=tcp://h:p or NAME=CONTEXT (repeatable).")
    var nodes: [String] = []

    @Option(name: .long, help: "A buildx builder to use (default: the current one).")
    var builder: String?

    @Option(name: .long, help: "auto (buildx if the client has it and no --node is given), buildx, or engine.")
    var driver: DriverChoice = .auto

    /// The selection; a malformed `--node` is a usage error.
    func selection() throws -> NodeSelection {
        do {
            return NodeSelection(nodes: try nodes.map(NodeSpec.init(parsing:)), builder: builder, driver: driver)
        } catch { throw ValidationError("\(error)") }
    }
}
