import ArgumentParser
import XPlatDockerfile
import XPlatSupport

/// The options `xplat rewrite` and `xplat lint` share: the stage, build args, context, platforms and
/// base images a Dockerfile is judged by.
struct EvidenceOptions: ParsableArguments {
    @Option(name: .long, help: "Stage to build (default: the last).")
    var target: String?

    @Option(name: .customLong("build-arg"), help: "NAME=VALUE used to expand ARGs in FROM (repeatable).")
    var buildArgs: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The build context read as evidence (go.mod, import \"C\", Cargo.lock, Makefile, ...); default: the "
                + "Dockerfile's folder.",
            valueName: "DIR"))
    var context: String?

    @Flag(
        name: .customLong("no-registry"),
        help: "Do not read base images' configs (ENV, ONBUILD) from the registry (XPLAT_REGISTRY for Docker Hub names)."
    )
    var noRegistry = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Platforms built, comma-separated (FROM lines with TARGETARCH are expanded for each); default: one per "
                + "architecture.",
            valueName: "LIST"))
    var platform: String?

    func validate() throws {
        for arg in buildArgs where KeyValue(arg)?.value == nil {
            throw ValidationError("--build-arg \(arg): expected NAME=VALUE")
        }
    }

    /// The rewriter's options for `dockerfile`, read from `file`: the context folder and platforms, and
    /// (unless `--no-registry`) its base images' configs; those not read are named on stderr.
    func rewriteOptions(for dockerfile: Dockerfile, file: String) async throws -> RewriteOptions {
        var args: [String: String] = [:]
        for kv in buildArgs.compactMap(KeyValue.init) { args[kv.key] = kv.value ?? "" }
        var options = try DockerfileInput.options(
            file: file, target: target, buildArgs: args, context: context, platform: platform)
        if !noRegistry {
            let reading = await BaseImages.read(dockerfile, buildArgs: args)
            options.baseImages = reading.configs
            if let note = reading.note { StandardError.write(note) }
        }
        return options
    }
}
