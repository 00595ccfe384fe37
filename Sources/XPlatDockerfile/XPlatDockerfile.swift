// XPlatDockerfile: a lossless Dockerfile parser, its stage graph, and the cross-compilation rewriter.
//
// # Layers
//
// 1. Syntax (`DockerfileParser.parse(_:fileName:)` -> `Dockerfile`). BuildKit's parser, step for step
//    (parser directives `syntax`/`escape`/`check` at the top only, continuations with `\` or `` ` ``,
//    comments and blank lines inside continuations, JSON and shell forms, heredocs on RUN/COPY/ADD,
//    flags, CRLF, BOM), on UTF-8 bytes. The tree covers every byte: `render()` returns the input byte
//    for byte. Each `Instruction` keeps BuildKit's node (`BuildKitNode`, whose `dump()` matches
//    BuildKit's `testfiles/*/result`), its flags with source ranges, heredocs, start/end lines.
//    Rejections are `DockerfileSyntaxError` (`file:line: reason`), with BuildKit's reasons.
// 2. Meaning (`StageGraph`). Stages with name, index, base (image, stage or scratch, ARGs expanded with
//    the global ARGs and `--build-arg`s), `--platform` (`FromPlatform`), RUN steps with lines, ARG
//    declarations, and dependencies (FROM stage, `COPY --from`, `RUN --mount=from=`; by name or index).
//    `targetStage(_:)`, `closure(of:)` and `baseChain(of:)` answer "what does building X need".
// 3. Rewrite (`Rewriter.rewrite(_:options:)` -> `RewriteResult`). Build stages (what the target copies
//    or mounts, not what it is built FROM) move to `FROM --platform=$BUILDPLATFORM`, get
//    `ARG TARGETOS TARGETARCH TARGETVARIANT`, and their compile steps are pointed at the target:
//    Go through GOOS/GOARCH/GOARM/GOAMD64, C/C++ through Debian's cross gcc for the target triplet
//    (CC/CXX, `./configure --host`), Rust through the target triple (`rustup target add`,
//    `cargo build --target`, linker, outputs copied back to `target/release`), Zig through
//    `-Dtarget`. The per-architecture names come from `ArchitectureTable`. Stages that would break
//    (running target binaries or tests, cgo, npm/pip native add-ons, `uname -m`, -dev libraries) are
//    left alone with reasons. Edits are byte-range edits inside the rewritten instructions; everything
//    else stays byte-identical, and a second rewrite changes nothing.
// 4. Findings (`Linter.lint(_:)` -> `[Finding]`): rules XP001-XP013 (`Rule`, one step each in LintContext.swift),
//    each with file:line:column, severity, message and fix.
// 5. Output: `UnifiedDiff.render(old:new:fileName:colors:)`, `RewriteRenderer` (text, and the JSON
//    schemas `xplat.rewrite/v1` and `xplat.lint/v1` documented in RewriteRenderer.swift).
//
// # Example
//
//     let file = try DockerfileParser.parse(text, fileName: "Dockerfile")
//     let graph = try StageGraph(file)
//     let result = try Rewriter.rewrite(file, options: RewriteOptions(target: "release"))
//     print(UnifiedDiff.render(old: result.original, new: result.text, fileName: "Dockerfile"))
//     for stage in result.stages where stage.outcome == .left { print(stage.reasons) }
