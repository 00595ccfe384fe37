// XPlatBuild: plan and run multi-platform builds.
//
// Guide
// -----
// A build goes through three values, each printable on its own:
//
// 1. `BuildGraph`: what the Dockerfile asks for, reduced to what planning needs: its stages, the
//    platform each stage runs on (the target platform, `$BUILDPLATFORM`, or a fixed one), the RUN
//    steps of each stage with their line numbers and whether they are heavy (compiling, installing
//    packages), and which stages the target stage depends on. `BuildGraph(dockerfile:)` makes one from
//    XPlatDockerfile's `StageGraph`, with `RunClassifier.isHeavy` deciding heavy: the planner and the
//    rewriter agree on what compiles.
// 2. `BuilderNode`: a machine that can build: a buildx node or a docker endpoint, with the platforms
//    it runs natively and the ones it can emulate (proven by executing a binary, not just listed).
//    `NodeDiscovery` finds them; nothing else in this module talks to docker about nodes.
// 3. `Plan`: `Planner.plan(platforms:nodes:graph:)`, a pure function, decides per platform which node
//    builds it and how: `native`, `cross` (the heavy stages on `$BUILDPLATFORM`, only light
//    target-stage RUNs emulated), `emulated` (every RUN under QEMU, listed with its line), or
//    `impossible` (with the reason). `PlanRenderer` prints it as text or as `xplat.plan/v1` JSON.
//
// `BuildExecutor` runs a plan in named phases: solve, verify, publish, metadata. The solve phase is
// the plan's driver strategy: `BuildxStrategy` (one `docker buildx build` per solve: one platform
// per solve on buildx's `docker` driver, all of a node's platforms in one solve on the others, a
// temporary one-node builder per node of a multi-node builder) or `EngineStrategy` (the engine's own
// BuildKit, one `docker build --platform P` per platform, run concurrently and fanned out over the
// nodes). Each platform's root lands in the build's temporary folder whichever layout BuildKit wrote
// (flat for one platform, a folder per platform for several). The publish phase turns the verified
// roots or images into what buildx would have written (`local`, `tar`, `oci`, `--push`, `--load`),
// always through a temporary location renamed into place. BuildKit's errors are mapped to actions
// (`BuildDiagnosis`).
//
// What this module needs from the host (emulation proofs) and from verification comes in through
// the protocols it declares, `EmulationProbe` and `OutputVerifier`; XPlatCommands wires XPlatHost and
// XPlatVerify to them. What docker and buildx print is parsed by XPlatDocker, shared with doctor.
//
// Cancellation is task cancellation: a cancelled build kills its child processes (each runs in a
// session of its own and the whole group gets SIGKILL, because buildx runs as a child of the docker
// CLI), removes temporary outputs, builders and images, and reports `BuildError.interrupted`.
