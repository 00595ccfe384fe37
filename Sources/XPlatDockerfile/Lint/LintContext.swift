// The lint rules, one small step each. `LintContext` carries the graph and collects findings at
// file:line:column of the offending text; `Linter.lint` calls the steps in order.

import XPlatPlatform

struct LintContext {
    let graph: StageGraph
    /// The stage built (`--target`, default the last).
    let targetIndex: Int?
    /// Base images' configs from the registry (for their ONBUILD triggers), by FROM name.
    var baseImages: [String: BaseImageConfig] = [:]
    var findings: [Finding] = []

    var df: Dockerfile { graph.dockerfile }

    mutating func add(_ rule: Rule, _ offset: Int, _ message: String, fix: String?, severity: Severity? = nil) {
        let (line, column) = df.position(of: offset)
        findings.append(
            Finding(
                rule: rule, severity: severity ?? rule.severity, file: df.fileName, line: line,
                column: column, message: message, fix: fix))
    }

    func offset(of needle: String, in ins: Instruction, from: Int? = nil) -> Int? {
        let start = from ?? ins.sourceRange.lowerBound
        return Bytes.find(Array(needle.utf8), in: df.bytes[start..<ins.sourceRange.upperBound]).map { start + $0 }
    }

    // MARK: file and FROM rules

    /// XP001: defaults on automatic platform args (global or stage). Measured with dockerd 20.10's
    /// BuildKit: `ARG TARGETARCH=amd64` made a linux/arm64 build use amd64.
    mutating func argTargetDefaults() {
        for i in df.instructions.indices where df.instructions[i].command == "arg" {
            let ins = df.instructions[i]
            for d in StageGraph.argDeclarations(ins, index: i)
            where StageGraph.automaticArgs.contains(d.name) && d.defaultValue != nil {
                add(
                    .argTargetDefault,
                    offset(of: d.name + "=", in: ins, from: ins.argumentsOffset) ?? ins.argumentsOffset,
                    "ARG \(d.name)=\(d.defaultValue!) gives an automatic platform argument a default, and the default "
                        + "wins: BuildKit (dockerd 20.10's, measured) then uses \(d.name)=\(d.defaultValue!) whatever "
                        + "the platform",
                    fix: "ARG \(d.name)")
            }
        }
    }

    /// XP004 / XP007: a FROM `--platform` that pins a stage, or puts the target on the build machine,
    /// itself or through the stage it is built FROM.
    mutating func fromPlatform(_ stage: Stage) {
        let from = df.instructions[stage.fromInstruction]
        if stage.index == targetIndex, stage.platform == .none, case .stage(let base) = stage.base,
            Linter.runsOnBuildPlatform(graph.stages[base], graph)
        {
            add(
                .buildPlatformOnFinal,
                offset(of: stage.baseText, in: from, from: from.argumentsOffset) ?? from.argumentsOffset,
                "the target stage \(stage.displayName) is built FROM stage \(graph.stages[base].displayName), which "
                    + "runs on $BUILDPLATFORM: the image gets the build machine's architecture, not the requested one",
                fix:
                    "build the target FROM an image (or a stage) on $TARGETPLATFORM and COPY "
                    + "--from=\(graph.stages[base].displayName) what it needs"
            )
        }
        guard let flag = from.flag("platform") else { return }
        switch stage.platform {
        case .fixed(let v):
            add(
                .hardcodedPlatform, flag.sourceRange.lowerBound,
                "stage \(stage.displayName) is pinned to --platform=\(v); it builds \(v) whatever platform is "
                    + "requested",
                fix: stage.index == targetIndex
                    ? "remove --platform=\(v)" : "--platform=$BUILDPLATFORM, and cross-compile for $TARGETARCH")
        case .buildPlatform where stage.index == targetIndex:
            add(
                .buildPlatformOnFinal, flag.sourceRange.lowerBound,
                "the target stage \(stage.displayName) runs on $BUILDPLATFORM: the image gets the build machine's "
                    + "architecture, not the requested one",
                fix: "remove --platform=$BUILDPLATFORM from the final stage")
        default: break
        }
    }

    /// XP009: a base image whose name fixes an architecture (`amd64/alpine`, `tool-arm64:1`, or
    /// `${REPO}/alpine` with `ARG REPO=amd64`). The image is the same for every platform requested.
    mutating func archInImage(_ stage: Stage) {
        guard case .image(let image) = stage.base, let word = ArchitectureWords.inImageReference(image).first else {
            return
        }
        // A stage or file named for an architecture (`AS build_amd64`, `Dockerfile.arm64`) is one of a
        // per-architecture set, picked by TARGETARCH or by the file built: that is its purpose.
        let named = [stage.name ?? "", df.fileName.split(separator: "/").last.map(String.init) ?? ""]
            .flatMap { ArchitectureWords.find(in: Array($0.utf8)[...]) }.map(\.architecture)
        guard !ArchitectureWords.inImageReference(image).contains(where: { named.contains($0.architecture) }) else {
            return
        }
        let from = df.instructions[stage.fromInstruction]
        let at = offset(of: stage.baseText, in: from, from: from.argumentsOffset) ?? from.argumentsOffset
        let via = image == stage.baseText ? "" : " (\(stage.baseText) with the ARG defaults)"
        add(
            .archInImage, at,
            "base image \(image)\(via) names \(word.word): every platform requested gets the "
                + "\(word.architecture) image",
            fix: "use the multi-platform image or tag and let the build's --platform pick the architecture")
    }

    // MARK: instruction rules

    /// The rules that read one instruction's text.
    mutating func instruction(_ index: Int, in stage: Stage) {
        let ins = df.instructions[index]
        if ins.command != "arg" { targetArgsDeclared(ins, in: stage) }
        guard ["run", "env", "add", "copy", "arg"].contains(ins.command) else { return }
        let mapped = archCaseArms(ins)
        rustTargets(ins, skipping: mapped)
        guard ins.command != "copy", ins.command != "arg" else { return }
        goArch(ins)
        let onBuild = Linter.runsOnBuildPlatform(stage, graph)
        urls(ins, in: stage, onBuild: onBuild, skipping: mapped)
        if ins.command == "run" { caseFallbacks(ins) }
        if onBuild { runtimeDetection(ins, in: stage) }
    }

    /// XP002: TARGET*/BUILD* used in a stage without declaring it there (one pass over `$`).
    private mutating func targetArgsDeclared(_ ins: Instruction, in stage: Stage) {
        // A stage built FROM another stage sees that stage's ARGs too (BuildKit carries them over).
        let declared = Set(
            ([stage.index] + graph.baseChain(of: stage.index)).flatMap { graph.stages[$0].args.map(\.name) })
        let globalNames = Set(graph.globalArgs.map(\.name))
        let text = df.bytes[ins.sourceRange]
        var reported = Set<String>()
        for (at, name) in Text.variableReferences(in: text)
        where StageGraph.automaticArgs.contains(name) && !declared.contains(name) && reported.insert(name).inserted {
            let why =
                globalNames.contains(name)
                ? "is declared only before the first FROM, so it is empty in stage \(stage.displayName)"
                : "is not declared in stage \(stage.displayName), so it is empty there"
            // `${TARGETOS:-linux}`: always the default; wrong only when the default is.
            let rest = text[(text.startIndex + at)...]
            let hasDefault = rest.starts(with: Array("${\(name):-".utf8)) || rest.starts(with: Array("${\(name)-".utf8))
            add(
                .targetArgGlobalOnly, ins.sourceRange.lowerBound + at,
                "\(name) \(why)" + (hasDefault ? " (its default is always used)" : ""),
                fix: "add `ARG \(name)` inside stage \(stage.displayName)", severity: hasDefault ? .warning : nil)
        }
    }

    /// XP003: GOOS/GOARCH set to a literal.
    private mutating func goArch(_ ins: Instruction) {
        let text = df.bytes[ins.sourceRange]
        for key in ["GOARCH", "GOOS"] {
            for at in Text.assignments(of: key, in: text) where !at.value.hasPrefix("$") && !at.value.hasPrefix("\"$") {
                add(
                    .hardcodedGoArch, ins.sourceRange.lowerBound + at.offset,
                    "\(key)=\(at.value) is hard-coded: every platform gets the \(at.value) build",
                    fix: key == "GOARCH"
                        ? "GOARCH=$TARGETARCH (with ARG TARGETARCH in the stage)"
                        : "GOOS=$TARGETOS (with ARG TARGETOS in the stage)")
            }
        }
    }

    /// XP005 / XP011: an architecture word (any row's names, from the table) in a download URL. In a
    /// `$BUILDPLATFORM` stage an amd64 download is a host tool that does not run on other build
    /// machines (XP011); elsewhere any architecture word fixes the download for every target (XP005).
    /// URLs in the arms of a `case` on the architecture are the mapping done right (or, in its `*)`, XP010).
    mutating func urls(_ ins: Instruction, in stage: Stage, onBuild: Bool, skipping mapped: [Range<Int>]) {
        for url in Text.urls(in: df.bytes[ins.sourceRange]) {
            let at = ins.sourceRange.lowerBound + url.offset
            guard !mapped.contains(where: { $0.contains(at) }) else { continue }
            let bytes = Array(url.text.utf8)
            let words = ArchitectureWords.find(in: bytes[...]).filter { !Self.isExpansionDefault(bytes, $0.offset) }
            let crossTool = url.text.has("musl.cc/") && url.text.hasSuffix("-cross.tgz")
            if onBuild,
                let host = words.first(where: { $0.architecture == ArchitectureWords.x86_64 })
                    ?? (crossTool ? words.first : nil)
            {
                let what =
                    host.architecture == ArchitectureWords.x86_64
                    ? "an \(host.word) build"
                    : "a toolchain hosted on \(ArchitectureWords.x86_64Machine) (musl.cc's -cross)"
                add(
                    .buildPlatformForeignTool, at,
                    "stage \(stage.displayName) runs on $BUILDPLATFORM and downloads \(what): a tool that fails on an "
                        + "arm64 (or other) build machine: \(url.text)",
                    fix:
                        "pick the download by $BUILDARCH (ARG BUILDARCH) for a tool the build runs, by $TARGETARCH for "
                        + "a file the image ships"
                )
            } else if let word = words.first {
                add(
                    .archInURL, at, "download URL hard-codes \(word.described): \(url.text)",
                    fix: "use ${TARGETARCH} (declare ARG TARGETARCH in the stage) or map it to the vendor's name")
            }
        }
    }

    /// True when the word at `offset` is the default of a parameter expansion (`${TARGETARCH:-amd64}`):
    /// used only when the variable is unset, which XP002 reports.
    private static func isExpansionDefault(_ text: [UInt8], _ offset: Int) -> Bool {
        guard offset > 0, text[offset - 1] == ASCII.dash else { return false }
        var i = offset - 1
        while i > 0, text[i] != ASCII.closeBrace {
            if text[i] == ASCII.openBrace, text[i - 1] == ASCII.dollar { return true }
            i -= 1
        }
        return false
    }

    /// XP006: the running machine's architecture picks downloads in a build-platform stage.
    private mutating func runtimeDetection(_ ins: Instruction, in stage: Stage) {
        let text = df.bytes[ins.sourceRange]
        for probe in ["uname -m", "dpkg --print-architecture", "apk --print-arch"] {
            if let at = Bytes.find(Array(probe.utf8), in: text) {
                add(
                    .runtimeArchDetection, ins.sourceRange.lowerBound + at,
                    "`\(probe)` in stage \(stage.displayName), which runs on $BUILDPLATFORM, reports the build "
                        + "machine, not the target",
                    fix: "use $TARGETARCH (ARG TARGETARCH in the stage)")
            }
        }
    }

    /// XP008: a Rust target of the table written out (`--target x86_64-unknown-linux-gnu`,
    /// `target/x86_64-unknown-linux-musl/release/app`, `rustup target add ...`).
    /// Targets after `rustup` (adding several targets' std, naming a host toolchain) are not a choice
    /// of target, and a RUN that tests TARGET* in an `if` picks its literal targets per platform.
    mutating func rustTargets(_ ins: Instruction, skipping mapped: [Range<Int>]) {
        let text = df.bytes[ins.sourceRange]
        let selects =
            Text.findWord(Array("if".utf8), in: text) != nil
            && Text.variableReferences(in: text).contains { $0.1.hasPrefix("TARGET") }
        guard !selects else { return }
        var taken = Set<Int>()
        for (target, architecture) in ArchitectureWords.rustTargets {
            var from = text.startIndex
            while let at = Bytes.find(Array(target.utf8), in: text[from...]) {
                let start = from + at, end = start + target.utf8.count
                from = end
                let after = end < text.endIndex ? text[end] : ASCII.space
                guard !ArchitectureWords.isAlphanumeric(after), after != ASCII.dash,
                    taken.isDisjoint(with: start..<end),
                    !mapped.contains(where: { $0.contains(start) }), !Self.inRustupCommand(text, start)
                else { continue }
                taken.formUnion(start..<end)
                let path = start >= text.startIndex + 7 && Bytes.string(text[(start - 7)..<start]) == "target/"
                add(
                    .hardcodedRustTarget, start,
                    (path
                        ? "the path target/\(target)/ hard-codes the Rust target"
                        : "the Rust target \(target) is hard-coded")
                        + ": every platform gets the \(architecture) build",
                    fix: "map $TARGETARCH to the Rust target (\(Self.rustTargetExample)) and use it"
                        + (path ? " in the path" : ""))
            }
        }
    }

    /// True when the shell command around `offset` (back to the last `;`, `&`, `|` or line start) runs rustup.
    private static func inRustupCommand(_ text: ArraySlice<UInt8>, _ offset: Int) -> Bool {
        var start = offset
        while start > text.startIndex,
            ![UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|")].contains(text[start - 1])
        {
            start -= 1
        }
        return Bytes.find(Array("rustup ".utf8), in: text[start..<offset]) != nil
    }

    /// `amd64) x86_64-unknown-linux-gnu, arm64) aarch64-unknown-linux-gnu`, from the table.
    private static let rustTargetExample: String = ArchitectureTable.baseEntries.prefix(3)
        .filter { $0.debianArch != nil && $0.elfClass == .elf64 }
        .map { "\($0.goarch): \($0.rustTarget)" }.joined(separator: ", ")

    /// XP010: a `case` on the architecture whose fallback `*)` picks one architecture's download for
    /// every architecture the other arms do not list.
    private mutating func caseFallbacks(_ ins: Instruction) {
        let text = df.bytes[ins.sourceRange]
        for block in ShellCase.blocks(in: text) where Self.isArchitectureCase(block, text) {
            guard let fallback = block.arms.first(where: \.isFallback),
                let word = ArchitectureWords.find(
                    in: text[(text.startIndex + fallback.body.lowerBound)...]
                        .prefix(fallback.body.count)
                ).first
            else { continue }
            let listed = block.arms.filter { !$0.isFallback }.map { $0.pattern.trimmingCharacters(in: " \t\r\n(\\") }
            let starAt =
                fallback.patternOffset
                + (fallback.pattern.utf8.firstIndex(of: UInt8(ascii: "*")).map {
                    fallback.pattern.utf8.distance(from: fallback.pattern.utf8.startIndex, to: $0)
                } ?? 0)
            add(
                .archCaseFallback, ins.sourceRange.lowerBound + starAt,
                "the fallback *) of `case \(block.subject)` picks \(word.described) for every architecture but "
                    + "\(listed.joined(separator: ", ")): other targets silently get the \(word.architecture) download",
                fix:
                    "*) echo \"unsupported architecture: \(block.subject.trimmingCharacters(in: "\"'"))\" >&2; exit 1 "
                    + ";;"
            )
        }
    }

    /// True when some arm other than `*)` matches an architecture word: the block maps architectures.
    private static func isArchitectureCase(_ block: ShellCaseBlock, _ text: ArraySlice<UInt8>) -> Bool {
        block.arms.contains { !$0.isFallback && !ArchitectureWords.find(in: Array($0.pattern.utf8)[...]).isEmpty }
    }

    /// The arms (absolute offsets) of architecture `case` blocks: the mapping itself, or its fallback,
    /// which XP010 reports.
    private func archCaseArms(_ ins: Instruction) -> [Range<Int>] {
        guard ins.command == "run" else { return [] }
        let text = df.bytes[ins.sourceRange]
        let base = ins.sourceRange.lowerBound
        return ShellCase.blocks(in: text).filter { Self.isArchitectureCase($0, text) }.flatMap { block in
            block.arms.map { ($0.patternOffset + base)..<($0.body.upperBound + base) }
        }
    }

    // MARK: stage-graph rules

    /// XP012: a `$BUILDPLATFORM` stage that compiles without any target wiring (no TARGET* argument,
    /// no tonistiigi/xx `xx-*` tool) while a stage of the target platform copies from it: the image
    /// gets the build machine's binaries.
    mutating func buildStagesNotCross() {
        guard let target = targetIndex else { return }
        let needed = graph.closure(of: target)
        for stage in graph.stages where Linter.runsOnBuildPlatform(stage, graph) && needed.contains(stage.index) {
            let chain = [stage.index] + graph.baseChain(of: stage.index)
            guard !chain.contains(where: { hasTargetWiring(graph.stages[$0]) }),
                let compile = chain.reversed().flatMap({ graph.stages[$0].runs }).first(where: {
                    !RunClassifier.toolchains($0.command).isEmpty
                }),
                let reader = graph.stages.first(where: { reader in
                    needed.contains(reader.index) && !Linter.runsOnBuildPlatform(reader, graph)
                        && reader.dependencies.contains { $0.stage == stage.index && $0.kind != .base }
                })
            else { continue }
            let tools = RunClassifier.toolchains(compile.command).map(\.rawValue).joined(separator: ", ")
            let compiler = chain.first { graph.stages[$0].runs.contains { $0.instruction == compile.instruction } }.map
            { graph.stages[$0] }
            let through =
                compiler.map {
                    $0.index == stage.index
                        ? ""
                        : " (in stage \($0.displayName), which it derives from"
                            + (graph.platform.map { " for \($0)" } ?? "") + ")"
                } ?? ""
            add(
                .buildStageNotCross, df.instructions[compile.instruction].sourceRange.lowerBound,
                "stage \(stage.displayName) runs on $BUILDPLATFORM and compiles (\(tools))\(through) without "
                    + "TARGETOS/TARGETARCH, and stage \(reader.displayName) copies from it: the image gets binaries "
                    + "for the build machine",
                fix:
                    "declare ARG TARGETOS TARGETARCH in stage \(stage.displayName) and pass them to the compiler, or "
                    + "run xplat rewrite"
            )
        }
    }

    /// XP013: `FROM name-${TARGETOS}-${TARGETARCH}` that names a stage for some platforms built but
    /// not for others: for those, BuildKit pulls an image of that name instead.
    mutating func platformStagesMissing(_ views: [StageGraph], target: String?) {
        var missing: [Int: [(platform: String, image: String)]] = [:], found: [Int: [String]] = [:]
        for view in views {
            guard let p = view.platform, let t = view.targetStage(target)?.index else { continue }
            for s in view.closure(of: t).sorted() where view.stages[s].baseText.contains("$") {
                switch view.stages[s].base {
                case .stage(let b): found[s, default: []].append("\(p) (\(view.stages[b].displayName))")
                case .image(let image): missing[s, default: []].append((p.description, image))
                case .scratch: break
                }
            }
        }
        for (s, list) in missing.sorted(by: { $0.key < $1.key }) {
            guard let stagesFor = found[s], !stagesFor.isEmpty else { continue }
            let ins = df.instructions[graph.stages[s].fromInstruction]
            let at = offset(of: graph.stages[s].baseText, in: ins) ?? ins.sourceRange.lowerBound
            let what = list.map {
                "for \($0.platform) it names \($0.image), which is no stage: BuildKit would pull the image \($0.image)"
            }.joined(separator: "; ")
            add(
                .platformStageMissing, at,
                "FROM \(graph.stages[s].baseText) names a stage per platform (\(stagesFor.joined(separator: ", "))); "
                    + "\(what)",
                fix: "add a stage for each platform built, or build only the platforms that have one (--platform)")
        }
    }

    /// Any TARGET* argument declared or used, or an `xx-` tool (which reads TARGETPLATFORM itself).
    /// A TARGET* in the FROM line (`FROM build-${TARGETARCH}`) selects a stage; it wires no compiler.
    private func hasTargetWiring(_ stage: Stage) -> Bool {
        if stage.args.contains(where: { $0.name.hasPrefix("TARGET") }) { return true }
        // ONBUILD triggers of the base image (its config) that declare or pass the target wire the stage too.
        if case .image(let name) = stage.base, let triggers = baseImages[name]?.onBuild,
            triggers.contains(where: { $0.contains("TARGET") || $0.contains(" xx-") })
        {
            return true
        }
        return stage.instructions.contains { i in
            guard i != stage.fromInstruction else { return false }
            let text = df.bytes[df.instructions[i].sourceRange]
            return Text.variableReferences(in: text).contains { $0.1.hasPrefix("TARGET") }
                || Bytes.find(Array(" xx-".utf8), in: text) != nil
        }
    }
}
